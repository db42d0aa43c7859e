"""The ``bnsearch`` command's entry point: Ctrl-C is taken before anything
heavy is imported (loading the search machinery takes a few tenths of a
second, and an interrupt then must not print a traceback)."""

from __future__ import annotations

import os
import signal
import sys

__all__ = ["main"]


def _interrupted_while_starting(number: int, frame: object) -> None:
    sys.stderr.write("\nbnsearch: interrupted\n")
    sys.stderr.flush()
    os._exit(128 + number)  # the shell's convention; nothing is written yet to clean up


def main() -> None:
    previous = signal.signal(signal.SIGINT, _interrupted_while_starting)
    terminate = signal.signal(signal.SIGTERM, _interrupted_while_starting)
    from .cli import main as cli_main

    signal.signal(signal.SIGINT, previous)
    signal.signal(signal.SIGTERM, terminate)
    cli_main()
