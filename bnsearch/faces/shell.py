"""An interactive search loop for people.

Type a query to search; commands start with a colon (``:help``). Line
editing and persistent history come from prompt_toolkit, which measures
Bengali text by display width, so the cursor stays on the right character
over vowel signs and conjuncts. Ctrl-C cancels the current search or clears
the line; Ctrl-D or ``:quit`` leaves.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from ..api import Index, highlight
from ..errors import BnsearchError
from ..model import Results, Snippet
from .render import count_line, hit_lines, notice_lines, printable, render_text, use_colour
from .terminal import wrap

__all__ = ["HELP", "Shell", "default_history_path", "run_shell"]

HELP = """\
Type words to search (the query language of `bnsearch search --help`):
  কাতার মেক্সিকো     "আল থানি"     -রাশিয়া     title:কাতার     section:ইতিহাস     কাতা*
Commands:
  :open N            read hit N's whole section
  :more              the next page of results
  :section HEADING   keep only sections whose heading has these words (:section alone: all)
  :limit N           hits per page
  :help              this help
  :quit              leave (Ctrl-D too); Ctrl-C cancels a search or clears the line"""


def default_history_path() -> Path:
    """$BNSEARCH_HISTORY, or the history file in the user's state directory
    (``~/.local/state/bnsearch/history``, or under $XDG_STATE_HOME)."""
    import platformdirs

    configured = os.environ.get("BNSEARCH_HISTORY")
    if configured:
        return Path(configured)
    return platformdirs.user_state_path("bnsearch") / "history"


@dataclass
class Shell:
    """The shell's state and commands; reading lines is left to run_shell."""

    index: Index
    out: TextIO = sys.stdout
    colour: bool = False
    limit: int = 10
    section: str | None = None
    query: str | None = None
    page: int = 1
    results: Results | None = None
    width: int | None = None  # terminal cells to wrap text to; None: no wrapping
    commands: dict[str, Callable[[str], bool]] = field(init=False)

    def __post_init__(self) -> None:
        self.commands = {
            "open": self.open,
            "more": self.more,
            "section": self.set_section,
            "limit": self.set_limit,
            "help": self.help,
            "quit": self.quit,
            "q": self.quit,
            "exit": self.quit,
        }

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def handle(self, line: str) -> bool:
        """Run one line; False when the shell should end."""
        line = line.strip()
        if not line:
            return True
        if line.startswith(":"):
            name, _, argument = line[1:].partition(" ")
            command = self.commands.get(name.lower())
            if command is None:
                self.say(f"unknown command :{name} (:help lists them)")
                return True
            return command(argument.strip())
        self.query, self.page = line, 1
        self.search()
        return True

    def search(self) -> bool:
        """Search for the current query; False when it could not be searched."""
        if self.query is None:
            return True
        # On a terminal, say that a search is running (Ctrl-C cancels it; a
        # query too broad ends by itself, within the search time limit).
        busy = self.out.isatty()
        if busy:
            self.out.write("searching… (Ctrl-C cancels)")
            self.out.flush()
        try:
            self.results = self.index.search(
                self.query, limit=self.limit, page=self.page, section=self.section
            )
        except KeyboardInterrupt:
            self.say("\r\x1b[K(search cancelled)" if busy else "(search cancelled)")
            return True
        except BnsearchError as error:
            self.say(("\r\x1b[K" if busy else "") + printable(str(error)))
            return False
        if busy:
            self.out.write("\r\x1b[K")
        self.show(self.results)
        return True

    def show(self, results: Results) -> None:
        for line in notice_lines(results, self.colour):
            self.say(line)
        more = " — :more for the next page" if results.hits and results.page < results.pages else ""
        self.say(count_line(results) + more)
        for hit in results:
            self.say("\n".join(hit_lines(hit, self.colour, score=False, width=self.width)))

    def open(self, argument: str) -> bool:
        if self.results is None or not self.results.hits:
            self.say("search first; then :open N reads hit N")
            return True
        ranks = {hit.rank: hit for hit in self.results}
        try:
            hit = ranks[int(argument)]
        except (ValueError, KeyError):
            self.say(f":open takes a hit number shown on this page ({min(ranks)}-{max(ranks)})")
            return True
        where = f" › {hit.section}" if hit.section else ""
        self.say(printable(f"== {hit.shown_title}{where} [{hit.id}]"))
        spans = highlight(self.results.query, hit.text)
        text = Snippet(hit.text, tuple(spans))
        if self.width:
            text = wrap(text, self.width, "  ")
            self.say("  " + render_text(text, self.colour))
        else:
            self.say(render_text(text, self.colour))
        return True

    def more(self, argument: str) -> bool:
        if self.query is None:
            self.say("search first; :more shows the next page")
            return True
        if self.results is not None and self.page >= self.results.pages:
            self.say("no more results")
            return True
        self.page += 1
        self.search()
        return True

    def set_section(self, argument: str) -> bool:
        previous, self.section = self.section, argument or None
        self.say(f"sections: {argument!r}" if argument else "sections: all")
        if self.query is not None:
            self.page = 1
            if not self.search():  # a filter that cannot be searched is not kept
                self.section = previous
                self.say(f"sections: {previous!r} (unchanged)" if previous else "sections: all")
        return True

    def set_limit(self, argument: str) -> bool:
        try:
            limit = int(argument)
            if not 1 <= limit <= 100:
                raise ValueError
        except ValueError:
            self.say(":limit takes a number from 1 to 100")
            return True
        self.limit, self.page = limit, 1
        self.say(f"{limit} hits per page")
        return True

    def help(self, argument: str) -> bool:
        self.say(HELP)
        return True

    def quit(self, argument: str) -> bool:
        return False


def run_shell(index: Index, *, limit: int = 10, history: Path | None = None) -> int:
    """Read queries until Ctrl-D or :quit; returns the exit status."""
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    shell = Shell(index, colour=use_colour(sys.stdout), limit=limit, width=width)
    shell.say(f"bnsearch shell on {index.directory.path} — :help for commands, Ctrl-D to leave")
    if not sys.stdin.isatty():  # piped input: no line editing
        for line in sys.stdin:
            shell.say(f"bnsearch> {line.rstrip()}")
            try:
                if not shell.handle(line):
                    break
            except KeyboardInterrupt:
                shell.say("(cancelled)")
        return 0

    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    from .terminal import use_terminal_widths

    use_terminal_widths()

    stored = None
    if history is not None:
        try:
            history.parent.mkdir(parents=True, exist_ok=True)
            stored = FileHistory(str(history))
        except OSError:
            shell.say(f"(history not saved: cannot write {history})")
    session: PromptSession = PromptSession(history=stored or InMemoryHistory())
    while True:
        try:
            line = session.prompt("bnsearch> ")
        except KeyboardInterrupt:
            continue  # Ctrl-C clears the line
        except EOFError:
            shell.say()
            return 0
        try:
            if not shell.handle(line):
                return 0
        except KeyboardInterrupt:
            # Ctrl-C while a command runs or prints (the search itself
            # catches its own): cancel that command, never the shell.
            shell.say("(cancelled)")
