"""Whoosh's multi-process writer, made safe to interrupt.

Whoosh's MpWriter forks worker processes that take batches of documents from
a queue. As shipped, nothing ties their lifetime to the parent: after a
``kill -9`` of the indexer they wait on the queue forever, and because they
were forked they also keep the index's write lock open, so every later
writer is refused. Its ``cancel()`` only flags the parent's copies of the
worker objects. Here each worker asks the kernel to kill it when its parent
dies, ignores Ctrl-C (the parent handles it and cancels), and a cancel
terminates the workers.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal

from whoosh.multiproc import MpWriter, SubWriterTask

__all__ = ["ParallelWriter"]

_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent exits (Linux)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: no such guarantee
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


class _Worker(SubWriterTask):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.daemon = True
        self.parent = os.getpid()

    def run(self) -> None:
        _die_with_parent(self.parent)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        super().run()


class ParallelWriter(MpWriter):
    """MpWriter whose workers never outlive the run."""

    def _new_task(self) -> _Worker:
        task = _Worker(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task

    def cancel(self) -> None:
        try:
            for task in self.tasks:
                task.terminate()
            for task in self.tasks:
                task.join(timeout=10)
        finally:
            super().cancel()
