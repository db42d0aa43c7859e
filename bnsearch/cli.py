"""The ``bnsearch`` command line: a thin face over the library (bnsearch.api).

Errors a user can cause (bad input, a missing index, a locked index) are
printed as one line on stderr with exit status 2; nothing here prints a
traceback for them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .analysis import ANALYZER_VERSION, analyze
from .api import Index
from .console import IndexProgress
from .errors import BnsearchError
from .indexing import DEFAULT_MEMORY_MB

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
DEFAULT_INDEX = "index"
EXIT_OK, EXIT_PARTIAL, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


class BnsearchGroup(click.Group):
    """Turns library errors into one line on stderr and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BnsearchError as error:
            click.echo(f"bnsearch: {error}", err=True)
            ctx.exit(EXIT_ERROR)
        except OSError as error:
            where = f": {error.filename}" if error.filename else ""
            click.echo(f"bnsearch: {error.strerror or error}{where}", err=True)
            ctx.exit(EXIT_ERROR)


index_option = click.option(
    "--index",
    "index_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_INDEX,
    show_default=True,
    envvar="BNSEARCH_INDEX",
    show_envvar=True,
    help="The index directory.",
)


@click.group(cls=BnsearchGroup, context_settings=CONTEXT_SETTINGS)
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


@main.command("index")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option(
    "--rebuild", is_flag=True, help="Build a new index from scratch, then replace the old one."
)
@click.option(
    "--prune/--no-prune",
    default=None,
    help="Delete indexed articles from SOURCES that are no longer there "
    "[default: on when every source is a directory].",
)
@click.option(
    "--memory-mb",
    type=click.IntRange(16, 65536),
    default=DEFAULT_MEMORY_MB,
    show_default=True,
    help="Indexing buffer per writer process.",
)
@click.option(
    "--procs",
    type=click.IntRange(1, 64),
    default=None,
    help="Writer processes [default: 2 for a fresh build of 4 MB or more on 2+ cores, "
    "else 1]; more than one leaves one segment per process.",
)
def index_command(
    sources: tuple[Path, ...],
    index_path: Path,
    rebuild: bool,
    prune: bool | None,
    memory_mb: int,
    procs: int | None,
) -> None:
    """Index SOURCES (files or directories; default: corpus/).

    \b
    Formats, by file name: .txt (one article per file), .jsonl/.jsonl.gz
    ({"id" or "_id", "title", "text"} per line), .xml/.xml.bz2 (MediaWiki
    export). Directories are walked recursively.

    Incremental: unchanged articles are skipped, changed ones replaced and,
    with --prune, articles whose source is gone are deleted. Input that cannot
    be read (invalid UTF-8, binary or empty files, malformed JSON lines, XML
    pages that fail to parse) is reported with its location and skipped; an
    interrupted or failed run leaves the index as it was.

    \b
    Exit status: 0 everything indexed, 1 some input skipped,
    2 usage or fatal error, 130 interrupted.
    """
    progress = IndexProgress()
    try:
        report = Index.build(
            index_path,
            sources or [Path("corpus")],
            rebuild=rebuild,
            prune=prune,
            memory_mb=memory_mb,
            procs=procs,
            progress=progress,
        )
    except KeyboardInterrupt:
        progress.close()
        click.echo("bnsearch: interrupted; the index is unchanged", err=True)
        sys.exit(EXIT_INTERRUPTED)
    finally:
        progress.close()
    if report.stale_lock_pid:
        click.echo(f"cleared a stale lock left by process {report.stale_lock_pid}", err=True)
    click.echo(report.summary())
    if report.skipped:
        click.echo(f"{len(report.skipped)} input(s) skipped; see the lines above", err=True)
        sys.exit(EXIT_PARTIAL)


@main.command("stats")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def stats_command(index_path: Path, as_json: bool) -> None:
    """Facts about the index: size, versions, sources, when it was written."""
    with Index.open(index_path) as index:
        stats = index.stats()
    if as_json:
        click.echo(json.dumps(stats.__dict__, ensure_ascii=False, indent=2))
        return
    rows = [
        ("index", stats.path),
        ("articles", f"{stats.articles:,}"),
        ("sections", f"{stats.sections:,}"),
        *((f"terms ({field})", f"{count:,}") for field, count in stats.terms.items()),
        ("size on disk", f"{stats.size_bytes / 1e6:,.1f} MB"),
        ("schema version", str(stats.schema_version)),
        ("analyzer version", str(stats.analyzer_version)),
        ("created", str(stats.created)),
        ("last written", str(stats.last_written)),
        *(("source", source) for source in stats.sources),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        click.echo(f"{name.ljust(width)}  {value}")
