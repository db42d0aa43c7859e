"""Whoosh's multi-process writer, made safe to interrupt.

Whoosh's MpWriter forks worker processes that take batches of documents from
a queue. As shipped, nothing ties their lifetime to the parent: after a
``kill -9`` of the indexer they wait on the queue forever, and because they
were forked they also keep the index's write lock open, so every later
writer is refused. Its ``cancel()`` only flags the parent's copies of the
worker objects. Here each worker asks the kernel to kill it when its parent
dies, ignores Ctrl-C (the parent handles it and cancels), and a cancel
terminates the workers.

A cancelled writer also stops waiting for its queues' feeder threads, which
a Ctrl-C at the wrong moment could leave to block the exit for good.

A worker that fails (a full disk, memory) reports its error in one line
and exits; the parent notices instead of waiting for it forever (Whoosh
blocks on the job queue) or committing without its documents (Whoosh's
commit drops a missing worker's result silently), and the run fails with
that error.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import queue
import signal
import sys

from whoosh.multiproc import MpWriter, SubWriterTask

from ..errors import IndexWriteError
from .pool import use_field_sorted_pool

__all__ = ["ParallelWriter"]

_POLL_SECONDS = 0.5  # how often a blocked parent checks that its workers live

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


class _Failure:
    """What a worker puts on the result queue instead of its segment."""

    def __init__(self, message: str) -> None:
        self.message = message


def _describe(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return f"{type(error).__name__}: {error}"


class _Worker(SubWriterTask):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.daemon = True
        self.parent = os.getpid()

    def _process_file(self, filename, doc_count) -> None:
        use_field_sorted_pool(self.writer)  # made by Whoosh's run(), still empty
        super()._process_file(filename, doc_count)

    def run(self) -> None:
        _die_with_parent(self.parent)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            super().run()
        except BaseException as error:
            try:
                self.writer.cancel()
            except Exception:
                pass
            self.resultqueue.put(_Failure(_describe(error)))
            sys.exit(1)  # lets the queue's feeder thread deliver the message


class _GuardedQueue:
    """The job queue as the parent sees it: a put that gives up when a worker
    has died, instead of blocking forever on a queue nobody empties."""

    def __init__(self, jobs, writer: ParallelWriter) -> None:
        self.jobs, self.writer = jobs, writer

    def put(self, item: object) -> None:
        while True:
            try:
                self.jobs.put(item, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                self.writer.check_workers()


class ParallelWriter(MpWriter):
    """MpWriter whose workers never outlive the run, and whose failures fail it."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._jobs = self.jobqueue  # what the workers read
        self.jobqueue = _GuardedQueue(self._jobs, self)

    def _new_task(self) -> _Worker:
        task = _Worker(
            self.storage,
            self.indexname,
            self._jobs,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task

    def check_workers(self) -> None:
        """Raise IndexWriteError if a worker has ended without success."""
        failed = [task for task in self.tasks if task.exitcode not in (None, 0)]
        if not failed:
            return
        message = None
        try:
            while message is None:
                result = self.resultqueue.get(timeout=_POLL_SECONDS)
                if isinstance(result, _Failure):
                    message = result.message
        except queue.Empty:
            message = f"a writer process ended with status {failed[0].exitcode}"
        raise IndexWriteError(f"indexing failed: {message}")

    def _commit(self, mergetype, optimize, merge) -> None:
        # Let the workers finish and check them before Whoosh collects their
        # results (it would commit without a missing one's documents).
        if self.docbuffer:
            self._enqueue()
        for _ in self.tasks:
            self.jobqueue.put(None)
        for task in self.tasks:
            while task.exitcode is None:
                task.join(timeout=_POLL_SECONDS)
                self.check_workers()
        self.check_workers()
        # Whoosh sends the (finished) workers their stop signal again and
        # collects the results: the queue has room, and they have left them.
        super()._commit(mergetype, optimize, merge)

    def cancel(self) -> None:
        try:
            for task in self.tasks:
                task.terminate()
            for task in self.tasks:
                task.join(timeout=10)
        finally:
            # Nothing in the queues matters any more: never wait at exit for
            # their feeder threads. A Ctrl-C inside a queue's first put() can
            # leave its feeder thread without the finalizer that stops it, and
            # the interpreter then waited for it forever.
            for jobs in (self._jobs, self.resultqueue):
                jobs.cancel_join_thread()
                jobs.close()
            super().cancel()
