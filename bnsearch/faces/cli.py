"""The ``bnsearch`` command line: a thin face over the library (bnsearch.api).

Errors a user can cause (bad input, a missing index, a locked index) are
printed as one line on stderr with exit status 2; nothing here prints a
traceback for them.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import sys
from importlib import import_module
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..defaults import (
    DEFAULT_ARTICLE_BYTES,
    DEFAULT_LINE_BYTES,
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT,
)
from ..errors import BnsearchError, IndexDamagedError, QueryError
from ..model import Snippet
from .render import (
    explanation_lines,
    printable,
    render_text,
    results_html,
    results_lines,
    trec_lines,
    use_colour,
)


class _Library:
    """bnsearch.api, imported when a command first needs it: ``--help`` and
    usage errors answer without loading the engine."""

    def __getattr__(self, name: str):
        return getattr(import_module("bnsearch.api"), name)


api = _Library()

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
DEFAULT_INDEX = "index"
EXIT_OK, EXIT_PARTIAL, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 0, 1, 2, 130, 141
EXIT_TERMINATED = 143  # 128 + SIGTERM


class BnsearchGroup(click.Group):
    """Turns library errors into one line on stderr and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BnsearchError as error:
            click.echo(f"bnsearch: {printable(str(error))}", err=True)
            ctx.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            # Ctrl-C: the shell convention (128 + SIGINT), not click's "Aborted!" and 1.
            click.echo("\nbnsearch: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            # The reader went away (bnsearch … | head): stop quietly, as a
            # process killed by SIGPIPE would.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(EXIT_BROKEN_PIPE)
        except OSError as error:
            where = f": {printable(os.fsdecode(error.filename))}" if error.filename else ""
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
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, param, value: _print_version(ctx) if value else None,
    help="Show the version and exit.",
)
def main() -> None:
    """Full-text search for Bengali (Bangla) text.

    \b
    Exit status: 0 success, 1 nothing found or some input skipped,
    2 usage or fatal error, 130 interrupted (Ctrl-C).
    """


def _print_version(ctx: click.Context) -> None:
    from ..analysis import ANALYZER_VERSION

    click.echo(f"bnsearch {__version__} (analyzer {ANALYZER_VERSION})")
    ctx.exit()


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
@click.option(
    "--index",
    "index_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_INDEX,
    envvar="BNSEARCH_INDEX",
    help="For words in Latin letters, the index whose Bengali readings to show "
    "[default: index, when there is one].",
)
@click.argument("text", required=False)
def analyze_command(field: str, as_json: bool, index_path: Path, text: str | None) -> None:
    """Show what the index sees for TEXT (read from stdin when omitted or "-").

    For every token: its surface text as written, its start and end offsets
    (code points into TEXT) and the indexed term, or nothing when the token is
    dropped as a stopword. With --json, an array of objects with the keys
    text, start, end and term (null when dropped).
    """
    if text is None or text == "-":
        if sys.stdin.isatty():
            raise click.UsageError("give TEXT as an argument or on standard input")
        stream = sys.stdin
    else:
        stream = io.StringIO(text)
    # Analyzed a piece at a time, cut at white space (never inside a word),
    # so that a large input costs its output, not many times its size.
    pieces = []  # (offset, tokens) of the pieces read so far, until readings are needed
    latin: dict[str, None] = {}
    offset = 0
    readings = _Readings(index_path)
    first = True
    if as_json:
        click.echo("[", nl=False)
    for piece in _pieces(stream):
        tokens = api.analyze(piece, field)  # type: ignore[arg-type]
        for token in tokens:
            if token.text.isascii() and len(latin) < _MAX_READ_WORDS:
                latin[token.text] = None
        index_readings = readings(list(latin))
        for token in tokens:
            token = token._replace(start=token.start + offset, end=token.end + offset)
            if as_json:
                row = token._asdict()
                if token.text in index_readings:
                    found, (every, prose) = index_readings[token.text]
                    row["readings"] = [{"text": r, "sections": n, "fit": f} for r, n, f in found]
                    row["as_typed"] = {"sections": every, "outside_references": prose}
                click.echo(("" if first else ", ") + json.dumps(row, ensure_ascii=False), nl=False)
            else:
                pieces.append(token)
            first = False
        if not as_json:
            _print_tokens(pieces, index_readings)
            pieces = []
        offset += len(piece)
    readings.close()
    if as_json:
        click.echo("]")
    elif first:
        click.echo("(no tokens)")


_MAX_READ_WORDS = 1000  # distinct Latin words whose Bengali readings analyze shows
_PIECE = 1 << 16  # characters analyzed at a time


def _pieces(stream, size: int = _PIECE):
    """The text of ``stream`` in pieces of about ``size`` characters, each
    ending at white space (a piece is cut inside a word only when it has
    no white space in 16 times that)."""
    carry = ""
    while chunk := stream.read(size):
        text = carry + chunk
        cut = max(text.rfind(" "), text.rfind("\n"), text.rfind("\t"))
        if cut < 0 and len(text) < 16 * size:
            carry = text
            continue
        cut = len(text) if cut < 0 else cut + 1
        yield text[:cut]
        carry = text[cut:]
    if carry:
        yield carry


class _Readings:
    """The Bengali readings of Latin-typed words, from the index when there
    is one (opened once, on the first Latin word); none when the default
    index is unusable (analysis itself needs none)."""

    def __init__(self, index_path: Path) -> None:
        self.index_path = index_path
        self.index: api.Index | None = None
        self.known: dict[str, list] = {}
        self.usable = (index_path / "CURRENT").exists()

    def __call__(self, words: list[str]) -> dict[str, list]:
        missing = [w for w in words if w not in self.known]
        if missing and self.usable:
            try:
                if self.index is None:
                    self.index = api.Index.open(self.index_path)
                self.known.update(
                    {
                        word: (self.index.readings(word), self.index.latin_sections(word))
                        for word in missing
                    }
                )
            except BnsearchError:
                source = click.get_current_context().get_parameter_source("index_path")
                if source is not click.core.ParameterSource.DEFAULT:
                    raise  # an index asked for: its error is the answer
                self.usable = False
        return self.known

    def close(self) -> None:
        if self.index is not None:
            self.index.close()


def _print_tokens(tokens: list, readings: dict[str, list]) -> None:
    if not tokens:
        return
    width = max(len(t.text) for t in tokens)
    for t in tokens:
        term = t.term if t.term is not None else "(stopword: not indexed)"
        click.echo(f"{t.start:>6}-{t.end:<6} {t.text.ljust(width)}  →  {term}")
        if t.text in readings:
            found, (every, prose) = readings[t.text]
            pad = f"{'':14} {'':{width}}    "
            if found:
                shown = ", ".join(f"{r} ({n:,} sections, fit {f:.2f})" for r, n, f in found)
                click.echo(f"{pad} read as Bengali: {shown}")
            typed = f"{every:,} sections, {prose:,} outside references"
            also = "also searched as typed" if found else "searched as typed only"
            click.echo(f"{pad} {also} ({typed})")


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
    "--prune-empty",
    is_flag=True,
    help="Prune even a source directory that is now empty (refused otherwise: "
    "an unmounted disk looks empty).",
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
@click.option(
    "--max-article-mb",
    type=click.FloatRange(0.001, 4096),
    default=DEFAULT_ARTICLE_BYTES / (1 << 20),
    show_default=True,
    help="Skip (and report) an article whose text is larger.",
)
@click.option(
    "--max-line-mb",
    type=click.FloatRange(0.001, 4096),
    default=DEFAULT_LINE_BYTES / (1 << 20),
    show_default=True,
    help="Skip (and report) a JSON Lines line that is larger.",
)
@click.option(
    "--lead-names/--no-lead-names",
    default=None,
    help="Search titles also by the other names an article's first sentence gives "
    "(ঔষধ বা ওষুধ: ওষুধ finds ঔষধ as its title) [default: on; set when the index "
    "is built].",
)
def index_command(
    sources: tuple[Path, ...],
    index_path: Path,
    rebuild: bool,
    prune: bool | None,
    prune_empty: bool,
    memory_mb: int,
    procs: int | None,
    max_article_mb: float,
    max_line_mb: float,
    lead_names: bool | None,
) -> None:
    """Index SOURCES (files or directories; default: corpus/).

    \b
    Formats, by file name: .txt (one article per file), .jsonl/.jsonl.gz
    ({"id" or "_id", "title", "text"} per line), .xml/.xml.bz2 (MediaWiki
    export). Directories are walked recursively.

    Incremental: unchanged articles are skipped, changed ones replaced and,
    with --prune, articles whose file was read through and no longer holds
    them, or is gone, are deleted (a file or directory that cannot be read
    keeps its articles). Input that cannot be read (invalid UTF-8, binary or
    empty files, malformed JSON lines, XML pages that fail to parse, files
    over the size limits, FIFOs, broken links) is reported with its location
    and skipped; an interrupted or failed run leaves the index as it was.

    \b
    Exit status: 0 everything indexed, 1 some input skipped,
    2 usage or fatal error, 130 interrupted.
    """
    from .progress import IndexProgress

    progress = IndexProgress()
    limits = api.ReadLimits(int(max_article_mb * (1 << 20)), int(max_line_mb * (1 << 20)))
    if sources == (Path("-"),):
        if sys.stdin.isatty():
            raise click.UsageError('"-" reads JSON Lines from standard input; pipe them in')
        if rebuild or prune or lead_names is not None:
            raise click.UsageError(
                '"-" adds articles: --rebuild, --prune and --lead-names need sources'
            )
    # SIGTERM (systemd, kill) cancels a run as Ctrl-C does: the index stays
    # as it was, unless the commit has landed (then the run completes).
    terminated: list[int] = []

    def terminate(number: int, frame: object) -> None:
        terminated.append(number)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    try:
        if sources == (Path("-"),):
            report = api.Index.add_stream(index_path, sys.stdin.buffer, limits)
            for skipped in report.skipped:
                progress(api.Progress(0, 0, 0, skipped))
        else:
            report = api.Index.build(
                index_path,
                sources or [Path("corpus")],
                rebuild=rebuild,
                prune=prune,
                prune_empty=prune_empty,
                memory_mb=memory_mb,
                procs=procs,
                progress=progress,
                limits=limits,
                lead_names=lead_names,
            )
    except KeyboardInterrupt:
        progress.close()
        click.echo("bnsearch: interrupted; the index is unchanged", err=True)
        sys.exit(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED)
    finally:
        progress.close()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if report.stale_lock_pid:
        click.echo(f"cleared a stale lock left by process {report.stale_lock_pid}", err=True)
    for note in report.notes:
        click.echo(f"note: {printable(note)}", err=True)
    click.echo(report.summary())
    if report.interrupted_after_commit:
        click.echo(
            "bnsearch: Ctrl-C came after the index was written; the run is complete", err=True
        )
    if report.skipped_count:
        click.echo(f"{report.skipped_count:,} input(s) skipped; see the lines above", err=True)
        sys.exit(EXIT_PARTIAL)


@main.command("stats")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def stats_command(index_path: Path, as_json: bool) -> None:
    """Facts about the index: size, versions, sources, when it was written."""
    with api.Index.open(index_path) as index:
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
        ("names from leads", "searched with the titles" if stats.lead_names else "not searched"),
        ("created", str(stats.created)),
        ("last written", str(stats.last_written)),
        *(("source", source) for source in stats.sources),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        click.echo(f"{name.ljust(width)}  {printable(value)}")


@main.command("check")
@index_option
def check_command(index_path: Path) -> None:
    """Verify the index: read every segment whole and compare the article ids
    and ordinals of the columns with the stored fields.

    \b
    Exit status: 0 the index is sound, 2 it is damaged (rebuild it with
    `bnsearch index --rebuild`) or cannot be opened.
    """
    with api.Index.open(index_path) as index:
        problems = index.check()
        stats = index.stats()
    if problems:
        for problem in problems:
            click.echo(f"bnsearch: {printable(problem)}", err=True)
        raise IndexDamagedError(
            f"index at {index_path} is damaged: {len(problems)} problem(s) above; "
            "rebuild it with `bnsearch index --rebuild`"
        )
    click.echo(f"index at {index_path} is sound: {stats.articles:,} articles, "
               f"{stats.sections:,} sections")  # fmt: skip


color_option = click.option(
    "--color", "--colour", "color",
    type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
    help="Colour the matches (auto: on a terminal, unless NO_COLOR is set).",
)  # fmt: skip


def _colour(choice: str) -> bool:
    """--color's answer: always, never, or (auto) as for this terminal."""
    return {"always": True, "never": False}.get(choice, use_colour(sys.stdout))


ranking_option = click.option(
    "--ranking",
    "ranking_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Rank with the settings of this TOML file (see docs/ranking.md); "
    "what it leaves out keeps its default.",
)

FORMATS = ["text", "json", "jsonl", "html", "trec"]
# An argument that starts with "-" but not like an option (-n, --limit, -1)
# is a query word: -রাশিয়া, -"আল থানি", -(…).
_OPTION_LIKE = re.compile(r"-[A-Za-z0-9-]")


class QueryCommand(click.Command):
    """A command whose query words may start with "-" (an exclusion) without
    a "--" before them; unknown options such as --limt stay errors."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value = {
            name
            for param in self.params
            if isinstance(param, click.Option) and not param.is_flag and not param.count
            for name in param.opts
        }
        options: list[str] = []
        words: list[str] = []
        rest: list[str] = []
        position = 0
        while position < len(args):
            arg = args[position]
            if arg == "--":
                rest = args[position:]
                break
            if arg in takes_value and position + 1 < len(args):
                options += [arg, args[position + 1]]
                position += 2
                continue
            if arg.startswith("-") and arg != "-" and not _OPTION_LIKE.match(arg):
                words.append(arg)
            else:
                options.append(arg)
            position += 1
        if words:
            rest = ["--", *words, *rest[1:]] if rest else ["--", *words]
        return super().parse_args(ctx, options + rest)


def _query_text(words: tuple[str, ...]) -> str | None:
    """The query: the words joined by spaces; "-" alone reads standard input."""
    if not words:
        return None
    if words == ("-",):
        if sys.stdin.isatty():
            raise click.UsageError('"-" reads the query from standard input; pipe one in')
        return sys.stdin.read().strip()
    return " ".join(words)


@main.command("search", cls=QueryCommand)
@click.argument("words", nargs=-1)
@index_option
@click.option("-n", "--limit", type=click.IntRange(1, 10000), default=10, show_default=True)
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option("--section", "section", help="Only sections whose heading contains these words.")
@click.option("--sections", is_flag=True, help="Also list each article's other matching sections.")
@click.option("--format", "output", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option(
    "-c", "--count", "count_only", is_flag=True,
    help="Print only how many articles match (with --queries: qid<TAB>count lines).",
)  # fmt: skip
@click.option(
    "-l", "--ids", "ids_only", is_flag=True,
    help="Print only the article ids of the page, one per line.",
)  # fmt: skip
@click.option("-q", "--quiet", is_flag=True, help="Print nothing; the exit status says.")
@color_option
@click.option(
    "--queries",
    "queries_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Run every qid<TAB>query line of FILE (batch mode; --format trec makes a TREC run).",
)
@click.option("--tag", default="bnsearch", show_default=True, help="The run tag of --format trec.")
@click.option("--no-stemming", is_flag=True, help="Match exact forms only (for comparisons).")
@click.option(
    "--no-transliterate",
    is_flag=True,
    help="Search words typed in Latin letters only as they are, not also as Bengali (dhaka → ঢাকা).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0, min_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds a query may take; a slower one ends, saying so (exit 2).",
)
@ranking_option
@click.option(
    "--explain",
    is_flag=True,
    help="Show what each hit's score is made of (contributions that sum to it) "
    "and why its section was chosen.",
)
@click.option(
    "--backend",
    metavar="URL",
    help="Search an index exported to OpenSearch (opensearch://HOST:PORT/NAME; "
    "see `bnsearch export`) instead of --index.",
)
def search_command(
    words: tuple[str, ...],
    index_path: Path,
    limit: int,
    page: int,
    section: str | None,
    sections: bool,
    output: str,
    as_json: bool,
    count_only: bool,
    ids_only: bool,
    quiet: bool,
    color: str,
    queries_file: Path | None,
    tag: str,
    no_stemming: bool,
    no_transliterate: bool,
    timeout: float,
    ranking_file: Path | None,
    explain: bool,
    backend: str | None,
) -> None:
    """Search the index for the QUERY words (quotes optional; "-" reads the
    query from standard input).

    \b
    Query language:
      কাতার মেক্সিকো         the words, in any form; more of them rank higher
      "আল থানি"             a phrase (exact forms, hyphens and dashes ignored)
      -রাশিয়া  NOT রাশিয়া     exclude articles with a word
      +দোহা                 require a word; কাতার AND দোহা requires both
      কাতার OR দোহা          either word (OR binds tighter than the space)
      title:কাতার           the article title has the word
      section:ইতিহাস        the section heading has the word
      কাতা*                  words starting with these letters
    Very common words (in over 2% and 5,000 sections) only add to the score unless
    required with + or AND. Words typed in Latin letters (dhaka, rajdhani)
    are also searched as the Bengali words they stand for (a note says
    which); --no-transliterate turns that off. Bengali and ASCII digits are interchangeable. A
    query may have up to 64 words, 16 levels of parentheses, prefixes of 2
    letters or more (each searched as its 50 most frequent words), and run
    for --timeout seconds.

    \b
    Exit status: 0 hits found, 1 none, 2 error (a query too broad, too; with
    --queries, any query that could not be searched, the others answered),
    130 interrupted.
    """
    if as_json:
        output = "json"
    query = _query_text(words)
    if queries_file is None and query is None:
        raise click.UsageError("give a QUERY, or --queries FILE")
    if queries_file is not None and query is not None:
        raise click.UsageError("give a QUERY or --queries FILE, not both")
    if sum((count_only, ids_only, quiet)) > 1:
        raise click.UsageError("--count, --ids and --quiet exclude one another")
    try:
        batch = api.read_queries(queries_file) if queries_file else [("1", query or "")]
    except ValueError as error:
        raise BnsearchError(str(error)) from None
    ranking = api.RankingConfig.from_toml(ranking_file) if ranking_file else None
    found = failed = False
    colour = _colour(color)
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    if backend is not None and (ranking is not None or explain):
        raise click.UsageError("--ranking and --explain are for the native index, not --backend")
    with api.Index.open(backend if backend is not None else index_path) as index:
        for qid, text in batch:
            try:
                results = index.search(
                    text,
                    limit=limit,
                    page=page,
                    section=section,
                    sections=sections,
                    stemming=not no_stemming,
                    snippets=not (count_only or ids_only or quiet),
                    suggest=not (count_only or ids_only or quiet),
                    timeout=timeout,
                    transliterate=not no_transliterate,
                    ranking=ranking,
                    explain=explain,
                )
            except QueryError as error:
                if queries_file is None:
                    raise
                click.echo(f"bnsearch: query {printable(qid)}: {printable(str(error))}", err=True)
                failed = True  # the others are answered; the exit status says (as grep's)
                continue
            found = found or (results.total > 0 if count_only else bool(results.hits))
            if quiet:
                continue
            if count_only:
                prefix = f"{printable(qid)}\t" if queries_file is not None else ""
                click.echo(f"{prefix}{results.total}")
            elif ids_only:
                prefix = f"{printable(qid)}\t" if queries_file is not None else ""
                for hit in results:
                    click.echo(f"{prefix}{printable(hit.id)}")
            elif output == "json":
                data = results.to_dict()
                if queries_file is not None:
                    data = {"qid": qid, **data}
                click.echo(json.dumps(data, ensure_ascii=False))
            elif output == "jsonl":
                for hit in results:  # one line per hit, written as it is ready
                    data = hit.to_dict()
                    if queries_file is not None:
                        data = {"qid": qid, **data}
                    click.echo(json.dumps(data, ensure_ascii=False))
                    sys.stdout.flush()
            elif output == "trec":
                for line in trec_lines(qid, results, tag):
                    click.echo(line)
            elif output == "html":
                click.echo(results_html(results))
            else:
                if queries_file is not None:
                    click.echo(printable(f"\n== {qid}: {text}", lines=True))
                for line in results_lines(results, colour, width):
                    click.echo(line, color=colour)
                if explain:
                    for line in explanation_lines(results):
                        click.echo(line)
    sys.exit(EXIT_ERROR if failed else EXIT_OK if found else EXIT_PARTIAL)


@main.command("export")
@index_option
@click.option(
    "--opensearch", "url", metavar="URL",
    help="Export to this OpenSearch index: opensearch://HOST:PORT/NAME.",
)  # fmt: skip
@click.option(
    "--ndjson", "folder", type=click.Path(file_okay=False, path_type=Path),
    help="Write bulk files for loading offline into FOLDER instead.",
)  # fmt: skip
@click.option("--name", default="bnsearch", show_default=True, help="The index name of --ndjson.")
@click.option("--shards", type=click.IntRange(1, 1024), default=1, show_default=True)
@click.option("--replicas", type=click.IntRange(0, 16), default=0, show_default=True)
@click.option(
    "--progress/--no-progress", default=None, help="A progress bar (default: on a terminal)."
)
def export_command(
    index_path: Path,
    url: str | None,
    folder: Path | None,
    name: str,
    shards: int,
    replicas: int,
    progress: bool | None,
) -> None:
    """Export the index to OpenSearch: section documents carrying
    bnsearch's own terms (no second analyzer), so that `bnsearch search
    --backend URL` searches them as bnsearch does. Run it again after
    `bnsearch index`: only what changed is sent (deletions too), and an
    export that was interrupted resumes.

    \b
    Exit status: 0 exported, 2 error (an unreachable or red cluster, too).
    """
    if (url is None) == (folder is None):
        raise click.UsageError("give --opensearch URL or --ndjson FOLDER")
    show = sys.stderr.isatty() if progress is None else progress
    with api.Index.open(index_path) as index:
        if folder is not None:
            report = api.export_ndjson(index, folder, name)
        else:
            bar = None
            if show:
                from tqdm import tqdm

                bar = tqdm(total=None, unit="article", file=sys.stderr, leave=False)

            def advance(done: int, total: int) -> None:
                if bar is not None:
                    bar.total = total
                    bar.n = done
                    bar.refresh()

            try:
                report = api.export_opensearch(
                    index, url or "", shards=shards, replicas=replicas, progress=advance
                )
            finally:
                if bar is not None:
                    bar.close()
    click.echo(report.line(), err=True)


@main.command("show")
@click.argument("article_id")
@click.argument("section", required=False)
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--highlight", "query", metavar="QUERY", help="Mark where these query words are in the text."
)
@color_option
def show_command(
    article_id: str,
    section: str | None,
    index_path: Path,
    as_json: bool,
    query: str | None,
    color: str,
) -> None:
    """Print article ARTICLE_ID, or one SECTION of it: its number (0 for the
    lead, as `search --json` gives "ordinal") or its heading (or heading
    path, with ›).

    \b
    Exit status: 0 printed, 2 no such article or section (or another error).
    """
    colour = _colour(color)
    with api.Index.open(index_path) as index:
        article, found = index.read(article_id)
    title = article.title
    if section is not None:
        found = [_section_named(found, section, article_id)]
    if as_json:
        data = {
            "id": article_id,
            "title": title,
            "source": article.source,
            "sections": [
                {"ordinal": s.ordinal, "level": s.level, "section": s.heading_path, "text": s.text}
                for s in found
            ],
        }
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(printable(f"{title} [{article_id}]"), color=colour)
    for part in found:
        if part.ordinal:
            heading = f"{'=' * part.level} {part.heading_path} {'=' * part.level}"
            click.echo("\n" + printable(heading))
        spans = api.highlight(query, part.text) if query else []
        click.echo(render_text(Snippet(part.text, tuple(spans)), colour), color=colour)


def _section_named(sections: list, name: str, article_id: str):
    """The section a SECTION argument names: a number, a heading or a path."""
    if name.isdigit():
        for part in sections:
            if part.ordinal == int(name):
                return part
    wanted = api.normalize_label(name.rsplit("›", 1)[-1].strip())
    whole = api.normalize_label(name.replace(" ", ""))
    for part in sections:
        if api.normalize_label(part.heading_path.replace(" ", "")) == whole:
            return part
    for part in sections:
        if api.normalize_label(part.heading) == wanted:
            return part
    raise BnsearchError(
        f"article {article_id!r} has no section {name!r}; it has "
        f"{len(sections)} (0 = the lead, 1–{len(sections) - 1})"
    )


@main.command("eval")
@index_option
@click.option(
    "--queries", "queries_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="qid<TAB>query lines (needed unless --run is given).",
)  # fmt: skip
@click.option(
    "--qrels", "qrels_file", required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="qid 0 article-id grade lines (tabs or spaces, trec_eval's format).",
)  # fmt: skip
@click.option(
    "--sections", "sections_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="qid<TAB>article id<TAB>section heading lines: the answering section.",
)  # fmt: skip
@click.option(
    "--run", "run_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Score this TREC run (qid Q0 id rank score tag) instead of searching the index.",
)  # fmt: skip
@click.option("--no-stemming", is_flag=True, help="Match exact forms only (for comparisons).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@ranking_option
def eval_command(
    index_path: Path,
    queries_file: Path | None,
    qrels_file: Path,
    sections_file: Path | None,
    run_file: Path | None,
    no_stemming: bool,
    as_json: bool,
    ranking_file: Path | None,
) -> None:
    """Measure retrieval quality on a relevance set.

    Prints MRR@10, nDCG@10 (graded), Recall@100, MAP and P@10 and, with
    --sections, how often the first hit is the answering article shown by
    its answering section; then a per-query table. With --run, scores an
    existing TREC run (of any system) without searching.
    """
    if queries_file is None and run_file is None:
        raise click.UsageError("give --queries FILE (to search), or --run FILE (to score a run)")
    if run_file is not None and sections_file is not None:
        raise click.UsageError("--sections needs a search; a run file names no sections")
    try:
        queries = api.read_queries(queries_file) if queries_file else None
        qrels = api.read_qrels(qrels_file)
        sections = api.read_sections(sections_file) if sections_file else None
        run = api.read_run(run_file) if run_file else None
    except ValueError as error:
        raise BnsearchError(str(error)) from None
    if run is not None:
        report = api.evaluate_run(run, queries, qrels)
    else:
        with api.Index.open(index_path) as index:
            ranking = api.RankingConfig.from_toml(ranking_file) if ranking_file else None
            report = index.evaluate(
                queries or [], qrels, sections, stemming=not no_stemming, ranking=ranking
            )
    summary = {**report.summary(), "stemming": not no_stemming} if run is None else report.summary()
    if as_json:
        per_query = [s.__dict__ for s in report.scores]
        click.echo(json.dumps({**summary, "per_query": per_query}, ensure_ascii=False, indent=2))
        return
    click.echo(report.headline())
    click.echo(f"(nDCG gains {api.NDCG_GAINS}; metrics by ir-measures, as trec_eval computes them)")
    click.echo(
        f"\n{'qid':6s} {'RR':>5s} {'nDCG':>5s} {'R@100':>5s} {'AP':>5s} sec  query → first hit"
    )
    for s in report.scores:
        mark = {None: "  ", True: "ok", False: "--"}[s.section_ok]
        click.echo(
            printable(
                f"{s.qid:6s} {s.mrr:5.2f} {s.ndcg:5.2f} {s.recall:5.2f} {s.map:5.2f} {mark}   "
                f"{s.query} → {s.top}"
            )
        )


@main.command("shell")
@index_option
@click.option("-n", "--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option(
    "--history",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="History file [default: $BNSEARCH_HISTORY or ~/.local/state/bnsearch/history].",
)
def shell_command(index_path: Path, limit: int, history: Path | None) -> None:
    """Search interactively: type queries, read hits, :open N to read a section.

    Line editing and history (arrow keys, Ctrl-R); :help lists the commands;
    Ctrl-C cancels a search or clears the line; Ctrl-D leaves.
    """
    from .shell import default_history_path, run_shell

    with api.Index.open(index_path) as index:
        sys.exit(run_shell(index, limit=limit, history=history or default_history_path()))


@main.command("serve")
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--allow-writes",
    is_flag=True,
    help="Let PUT and DELETE /api/v1/articles/ID change the index (read-only otherwise).",
)
@click.option(
    "--allowed-host",
    "extra_hosts",
    multiple=True,
    metavar="NAME",
    help="Also answer requests for this host name (repeatable; * for any). "
    "By default only loopback names and the --host address.",
)
@click.option("--access-log", is_flag=True, help="Log every request on standard error.")
@click.option(
    "--backend",
    metavar="URL",
    help="Serve an index exported to OpenSearch (opensearch://HOST:PORT/NAME) instead of --index.",
)
def serve_command(
    index_path: Path,
    host: str,
    port: int,
    allow_writes: bool,
    extra_hosts: tuple[str, ...],
    access_log: bool,
    backend: str | None,
) -> None:
    """Serve a search page and a JSON API (/api/v1/…, OpenAPI document at
    /api/v1/openapi.json) over the index. Ctrl-C stops it.

    \b
    Exit status: 0 stopped (Ctrl-C or SIGTERM), 2 the index cannot be
    opened or the port is taken.
    """
    import socket

    import uvicorn

    from .serving import KEEP_ALIVE, MAX_CONNECTIONS, BoundedH11Protocol, allowed_hosts
    from .web import create_app

    if backend is not None and allow_writes:
        raise click.UsageError("--allow-writes is for the native index: export changes instead")
    with api.Index.open(backend if backend is not None else index_path) as index:
        hosts = allowed_hosts(host, extra_hosts)
        app = create_app(index, allow_writes=allow_writes, hosts=hosts)
        try:  # the port first: a clear one-line error, not uvicorn's log
            listener = socket.create_server((host, port))
        except OSError as error:
            raise BnsearchError(f"cannot listen on {host}:{port}: {error.strerror}") from None
        # Accepted connections inherit it: without, a kept-alive connection
        # waits ~40 ms per response (Nagle's algorithm against delayed ACKs).
        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        actual = listener.getsockname()[1]
        where = f"[{host}]" if ":" in host else host
        mode = "read and write" if allow_writes else "read-only"
        click.echo(
            f"bnsearch: serving {backend or index_path} ({mode}) at http://{where}:{actual}/ "
            "— Ctrl-C stops",
            err=True,
        )
        config = uvicorn.Config(
            app,
            log_level="info" if access_log else "warning",
            access_log=access_log,
            http=BoundedH11Protocol,
            timeout_keep_alive=KEEP_ALIVE,
            limit_concurrency=MAX_CONNECTIONS,
        )
        server = uvicorn.Server(config)
        # uvicorn stops gracefully on SIGINT and SIGTERM, then sends itself
        # the signal again: these handlers take it, so that stopping is exit 0.
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, lambda *_: None)
        try:
            server.run(sockets=[listener])
        except KeyboardInterrupt:
            pass
        click.echo("bnsearch: stopped", err=True)
