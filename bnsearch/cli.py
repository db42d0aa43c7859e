"""The ``bnsearch`` command line: a thin face over the library.

Errors a user can cause (bad input, a missing index) are printed as one line
on stderr with exit status 2; nothing here prints a traceback for them.
"""

from __future__ import annotations

import json
import sys

import click

from . import __version__
from .analysis import ANALYZER_VERSION, analyze

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(
    __version__,
    "-V",
    "--version",
    prog_name="bnsearch",
    message=f"%(prog)s %(version)s (analyzer {ANALYZER_VERSION})",
)
def main() -> None:
    """Full-text search for Bengali (Bangla) text.

    \b
    Exit status: 0 success, 1 nothing found or some input skipped,
    2 usage or fatal error.
    """


@main.command("analyze")
@click.option(
    "--field",
    type=click.Choice(["stem", "exact"]),
    default="stem",
    show_default=True,
    help="stem: the main search field (folded, stopwords dropped, stemmed); "
    "exact: Unicode repair only, used for phrases.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array of tokens.")
@click.argument("text", required=False)
def analyze_command(field: str, as_json: bool, text: str | None) -> None:
    """Show what the index sees for TEXT (read from stdin when omitted or "-").

    For every token: its surface text as written, its start and end offsets
    (code points into TEXT) and the indexed term, or nothing when the token is
    dropped as a stopword. With --json, an array of objects with the keys
    text, start, end and term (null when dropped).
    """
    if text is None or text == "-":
        if sys.stdin.isatty():
            raise click.UsageError("give TEXT as an argument or on standard input")
        text = sys.stdin.read()
    tokens = analyze(text, field)  # type: ignore[arg-type]
    if as_json:
        click.echo(json.dumps([t._asdict() for t in tokens], ensure_ascii=False))
        return
    if not tokens:
        click.echo("(no tokens)")
        return
    width = max(len(t.text) for t in tokens)
    for t in tokens:
        term = t.term if t.term is not None else "(stopword: not indexed)"
        click.echo(f"{t.start:>6}-{t.end:<6} {t.text.ljust(width)}  →  {term}")
