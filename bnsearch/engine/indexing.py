"""Turn articles into section documents and keep an index up to date cheaply.

An update compares each article's content hash with the one the index holds:
unchanged articles are skipped, changed ones replaced (all their sections),
new ones added and, when pruning, articles whose source file was read
through and no longer holds them, or is gone, are deleted; an article whose
source could not be read completely is kept. All of it is one Whoosh
commit, so an interrupted or failed run leaves the index as it was, and
the files a failed or killed run left behind are removed (at once, or by
the next write). A rebuild writes a new generation and publishes it only
when complete (see :mod:`bnsearch.storage`).

There is one write path: ``bnsearch index`` (:func:`update_index`) and
``Index.add_many`` (:func:`add_articles`) both go through :func:`_write`,
which takes the lock, reads the live generation and its metadata afresh,
and records sources on top of what the last writer recorded.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import IndexWriter

from ..defaults import DEFAULT_MEMORY_MB
from ..errors import (
    EmptySourceError,
    IndexDamagedError,
    IndexWriteError,
    InvalidArgumentError,
    SourceNotFoundError,
)
from ..ingest import DEFAULT_LIMITS, Corpus, ReadLimits, checked_article, split_sections
from ..ingest.names import searched_title
from ..ingest.sections import MAX_SECTIONS, count_sections
from ..model import Article, IndexReport, Progress, ProgressCallback, Skipped
from ..storage import IndexDirectory, new_meta, reading, stamp_meta
from .codec import ArrayBlockCodec
from .parallel import ParallelWriter
from .pool import use_field_sorted_pool
from .romanized import update_table
from .schema import make_schema

__all__ = [
    "DEFAULT_MEMORY_MB",
    "add_articles",
    "content_hash",
    "create_index",
    "delete_articles",
    "remove_leftovers",
    "update_index",
]

# Fresh builds of at least this much input (file bytes, so a .gz counts
# small) use two writer processes that each leave their own segment (24.0 s
# instead of 46.7 s for the shared corpus on 2 cores; merging the segments at
# the end would cost the gain back). Incremental runs stay in one process, so
# small updates do not pile up segments.
PARALLEL_INPUT_BYTES = 4 << 20


def writer_processes(fresh: bool, input_bytes: int) -> int:
    """How many writer processes an indexing run should use."""
    if not fresh or input_bytes < PARALLEL_INPUT_BYTES:
        return 1
    return max(1, min(2, len(os.sched_getaffinity(0))))


def content_hash(article: Article) -> str:
    digest = hashlib.sha256(f"{article.title}\x00{article.text}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


def section_documents(article: Article, digest: str, names: bool = True) -> list[dict[str, Any]]:
    """The Whoosh documents of one article: one per section with a heading
    or text. The title is stored (and shown) as it is; the title fields
    index it with the lead's names (``names``, bnsearch.ingest.names)."""
    documents = []
    sections = split_sections(article.text)
    title = searched_title(article.title, sections, names)
    for section in sections:
        if not section.text and not section.heading and section.ordinal:
            continue
        documents.append(
            {
                "article_id": article.id,
                "ordinal": section.ordinal,
                "level": section.level,
                "title": title,
                # Whoosh stores (and puts in the column) this value instead.
                "_stored_title": article.title,
                "title_exact": title,
                "heading": section.heading,
                "heading_exact": section.heading,
                "heading_path": section.heading_path,
                "body": section.text,
                "body_exact": section.text,
                "text": section.text,
                "is_reference": section.is_reference,
                "source": article.source,
                "content_hash": digest,
            }
        )
    return documents


def load_manifest(ix: whoosh_index.Index) -> dict[str, tuple[str, str]]:
    """article id → (content hash, source) of every article in the index."""
    manifest = {}
    with ix.reader() as reader:
        if reader.doc_count() == 0:
            return manifest
        ordinals = reader.column_reader("ordinal")
        ids = reader.column_reader("article_id")
        hashes = reader.column_reader("content_hash")
        sources = reader.column_reader("source")
        for docnum in reader.all_doc_ids():
            if ordinals[docnum] == 0:
                manifest[ids[docnum]] = (hashes[docnum], sources[docnum])
    return manifest


def prune_unseen(
    writer: IndexWriter,
    corpus: Corpus,
    manifest: dict[str, tuple[str, str]],
    seen: set[str],
    report: IndexReport,
) -> None:
    """Delete the articles of ``corpus``'s sources that this run did not see,
    when their source was read through or is gone; count the rest as kept."""
    for article_id, (_, source) in manifest.items():
        if article_id in seen or not corpus.holds(source):
            continue
        if corpus.read_through(source) or corpus.gone(source):
            writer.delete_by_term("article_id", article_id)
            report.deleted += 1
        else:
            report.kept += 1


def refuse_emptied(corpus: Corpus, manifest: dict[str, tuple[str, str]]) -> None:
    """EmptySourceError when a source directory is empty but the index holds
    articles from it: pruning would delete them all."""
    for scope in corpus.empty_scopes():
        held = sum(
            1 for _, source in manifest.values() if (source + os.sep).startswith(scope + os.sep)
        )
        if held:
            raise EmptySourceError(
                f"{scope} is empty, but the index holds {held:,} article(s) from it "
                "(is a disk not mounted?); nothing was changed. To delete them, "
                "give --prune-empty"
            )


def write_articles(
    writer: IndexWriter,
    articles: Iterable[Article | Skipped],
    manifest: dict[str, tuple[str, str]],
    report: IndexReport,
    on_article: Callable[[Article | Skipped], None] | None = None,
    elsewhere: Callable[[str], bool] = lambda source: False,
    names: bool = True,
) -> set[str]:
    """Add, replace or skip each article; returns the ids seen. An article
    whose id the index holds from another source that ``elsewhere`` says
    is still there (and not read by this run) is skipped: two files of the
    same name in two folders indexed in two runs must not replace each other.
    ``names``: the title fields index the lead's names too (section_documents)."""
    seen: dict[str, str] = {}
    for event in articles:
        previous = None if isinstance(event, Skipped) else manifest.get(event.id)
        if isinstance(event, Skipped):
            report.skip(event)
        elif event.id in seen:
            event = Skipped(event.source, "", f"duplicate article id {event.id!r}; kept the first")
            report.skip(event)
        elif previous and previous[1] != event.source and previous[1] and elsewhere(previous[1]):
            event = Skipped(
                event.source,
                "",
                f"article id {event.id!r} is already the id of an article from {previous[1]}; "
                "skipped (a text file's id is its path below the folder given: index both "
                "folders from one above them, or rename one)",
            )
            report.skip(event)
        else:
            seen[event.id] = event.source
            report.text_bytes += len(event.text.encode("utf-8"))
            digest = content_hash(event)
            if previous == (digest, event.source):
                report.unchanged += 1
            else:
                documents = section_documents(event, digest, names)
                if len(documents) >= MAX_SECTIONS and count_sections(event.text) > MAX_SECTIONS:
                    report.note(
                        f"{event.source}: article {event.id!r} has "
                        f"{count_sections(event.text):,} sections; the text after the "
                        f"first {MAX_SECTIONS:,} is part of the last"
                    )
                if previous is None:
                    report.added += 1
                else:
                    writer.delete_by_term("article_id", event.id)
                    report.updated += 1
                for document in documents:
                    writer.add_document(**document)
                report.sections += len(documents)
        if on_article is not None:
            on_article(event)
    return set(seen)


# --- the write path ---------------------------------------------------------

INDEX_NAME = "MAIN"  # Whoosh's default index name, used by every generation
# Files a writer leaves in a generation while it works: its temporary
# storage (MAIN.tmp/, with sorted runs and job files), compound files being
# assembled, tables of contents being written.
_LEFTOVER_FILE = re.compile(r"(\.ctmp$)|(^_\w+_\d+\.toc\.)")


def remove_leftovers(generation: Path) -> None:
    """Delete what a failed or killed writer left in ``generation``: temporary
    directories and files, and segment files that the live table of contents
    does not list. Call with the write lock held, never while a writer runs."""
    for path in generation.iterdir():
        if path.is_dir() and path.name.endswith(".tmp"):
            shutil.rmtree(path, ignore_errors=True)
        elif _LEFTOVER_FILE.search(path.name):
            path.unlink(missing_ok=True)
    storage = FileStorage(str(generation))
    try:
        toc = whoosh_index.TOC.read(storage, INDEX_NAME)
    except (OSError, whoosh_index.EmptyIndexError):
        return
    whoosh_index.clean_files(storage, INDEX_NAME, toc.generation, toc.segments)


@contextmanager
def _interrupts_deferred() -> Iterator[Callable[[], bool]]:
    """Hold Ctrl-C (and SIGTERM) back while bookkeeping that must not stop
    halfway runs; yields a function that tells whether one came."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    caught: list[int] = []
    numbers = (signal.SIGINT, signal.SIGTERM)
    previous = [signal.signal(n, lambda number, frame: caught.append(number)) for n in numbers]
    try:
        yield lambda: bool(caught)
    finally:
        for number, handler in zip(numbers, previous, strict=True):
            signal.signal(number, handler)


def _commit(writer: IndexWriter, ix: whoosh_index.Index) -> bool:
    """Commit; True when Ctrl-C came after the commit had landed (the new
    table of contents is written), which then stands."""
    before = ix.latest_generation()
    try:
        writer.commit()
    except KeyboardInterrupt:
        if ix.latest_generation() == before:
            raise
        return True
    return False


def _cancel(writer: IndexWriter) -> None:
    """Cancel a writer that failed; a second failure while cancelling (the
    disk that filled up) must not hide the first."""
    try:
        writer.cancel()
    except Exception:
        pass


# (writer, the manifest, whether the title fields index the lead's names)
WriteFunction = Callable[[IndexWriter, dict[str, tuple[str, str]], bool], None]


def _write(
    directory: IndexDirectory,
    report: IndexReport,
    write: WriteFunction,
    *,
    rebuild: bool = False,
    sources: Iterable[str] = (),
    memory_mb: int = DEFAULT_MEMORY_MB,
    procs: Callable[[bool], int] = lambda fresh: 1,
    multisegment: bool | None = None,
    wait: float = 0.0,
    lead_names: bool | None = None,
) -> None:
    """One write to the index: lock, open the live generation (or a new one
    when ``rebuild`` or there is none), ``write(writer, manifest, names)``,
    commit, record ``sources`` among the index's sources, publish a new
    generation. ``names`` is what the index recorded when it was created
    (``lead_names``, on by default), so every write indexes titles alike.

    On any failure the writer is cancelled, its files are removed and the
    index stays as it was; the error is raised (as IndexWriteError when the
    operating system refused a write, e.g. a full disk).
    """
    with directory.lock(wait) as stale_pid:
        report.stale_lock_pid = stale_pid
        try:
            live = directory.current()
        except IndexDamagedError:
            if not rebuild:
                raise
            live = None
        fresh = rebuild or live is None
        directory.remove_stale_generations()  # left by an interrupted rebuild
        if fresh:
            generation = directory.new_generation()
            meta = new_meta(lead_names=True if lead_names is None else lead_names)
            ix = whoosh_index.create_in(str(generation), make_schema())
            manifest: dict[str, tuple[str, str]] = {}
        else:
            generation = live
            directory.check_trusted(generation)
            meta = directory.read_meta(live)
            directory.check_versions(meta)
            recorded = bool(meta.get("lead_names", False))
            if "lead_names" not in meta:
                report.note(
                    f"the index at {directory.path} was built before titles were also "
                    "searched by the names articles' leads give (ঔষধ বা ওষুধ); "
                    "`bnsearch index --rebuild` adds them"
                )
            if lead_names is not None and lead_names != recorded:
                raise InvalidArgumentError(
                    f"the index at {directory.path} was built "
                    f"{'with' if recorded else 'without'} the names from leads; "
                    "rebuild it (--rebuild) to change that"
                )
            remove_leftovers(generation)  # of a writer that died
            with reading(directory.path):
                ix = whoosh_index.open_dir(str(generation))
                manifest = load_manifest(ix)
        count = procs(fresh)
        parallel = multisegment if multisegment is not None else count > 1
        # compound=False: a commit does not copy every segment file into one
        # (measured: 10% faster on the shared corpus, same size on disk).
        options = {"limitmb": memory_mb, "compound": False, "codec": ArrayBlockCodec()}
        try:
            if count > 1:
                writer = ParallelWriter(ix, procs=count, multisegment=parallel, **options)
            else:
                writer = ix.writer(**options)
            use_field_sorted_pool(writer)
        except BaseException:
            _discard(directory, generation, fresh)
            raise
        prepared = None
        try:
            write(writer, manifest, bool(meta.get("lead_names", False)))
            # The metadata and CURRENT are written before the commit and put
            # in place after it by renames, so that the index and its
            # metadata change together (a full disk fails the write here).
            known = meta.get("sources", [])
            meta = stamp_meta(meta, known + [s for s in sources if s not in known])
            prepared = directory.prepare(generation, meta, publish=fresh)
            report.interrupted_after_commit = _commit(writer, ix)
        except BaseException as error:
            _cancel(writer)
            if prepared is not None:
                prepared.discard()
            _discard(directory, generation, fresh)
            if isinstance(error, OSError):
                raise IndexWriteError(
                    f"could not write the index at {directory.path} "
                    f"({error.strerror or error}); it is unchanged"
                ) from error
            raise
        with _interrupts_deferred() as interrupted:
            _update_romanized(generation, ix)
            try:
                prepared.install()
            except OSError as error:
                prepared.discard()
                if fresh:  # CURRENT still names the old generation: nothing changed
                    shutil.rmtree(generation, ignore_errors=True)
                    raise IndexWriteError(
                        f"could not publish the new index at {directory.path} "
                        f"({error.strerror or error}); it is unchanged"
                    ) from error
                raise IndexWriteError(
                    f"the index at {directory.path} was written, but its metadata could not "
                    f"be updated ({error.strerror or error}); the articles are searchable, "
                    "and the next `bnsearch index` records its sources again"
                ) from error
        report.interrupted_after_commit = report.interrupted_after_commit or interrupted()


def _update_romanized(generation: Path, ix: whoosh_index.Index) -> None:
    """Bring the Latin→Bengali table up to date with the commit. It is
    derived from the index: when it cannot be written (a full disk),
    searches read the forms it lacks from the index instead."""
    try:
        update_table(generation, ix)
    except (OSError, sqlite3.Error):
        pass


def _discard(directory: IndexDirectory, generation: Path, fresh: bool) -> None:
    """Remove what a failed write left: the whole new generation, or the
    live generation's temporary and unlisted files."""
    if fresh:
        shutil.rmtree(generation, ignore_errors=True)
    else:
        remove_leftovers(generation)


def create_index(directory: IndexDirectory) -> None:
    """Publish an empty index in ``directory``; call with the lock held."""
    generation = directory.new_generation()
    whoosh_index.create_in(str(generation), make_schema())
    directory.write_meta(generation, stamp_meta(new_meta(lead_names=True), []))
    directory.publish(generation)


def update_index(
    path: Path | str,
    sources: Iterable[Path | str],
    *,
    rebuild: bool = False,
    prune: bool | None = None,
    prune_empty: bool = False,
    memory_mb: int = DEFAULT_MEMORY_MB,
    procs: int | None = None,
    multisegment: bool | None = None,
    progress: ProgressCallback | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
    lead_names: bool | None = None,
) -> IndexReport:
    """Index ``sources`` into the index at ``path`` (created when missing).

    ``prune`` deletes indexed articles that came from the given sources but
    were not seen in this run, when their source was read through or is gone;
    by default it is on when every source is a directory. A source directory
    that is now empty while the index holds articles from it raises
    EmptySourceError (nothing is changed) unless ``prune_empty``. Raises
    IndexVersionError when the index was built by another version (unless
    ``rebuild``), IndexLockedError when another process is writing it and
    IndexWriteError when the system refuses a write. ``procs`` and
    ``multisegment`` default to what measured fastest (see writer_processes);
    ``limits`` caps the size of a line and of an article. Raises
    SourceNotFoundError, and creates nothing, when a source does not exist.
    ``lead_names`` (a new index only; on by default): whether the title
    fields also index the other names an article's lead gives its subject.
    """
    started = time.perf_counter()
    sources = [Path(s) for s in sources]
    missing = [s for s in sources if not s.exists()]
    if missing:  # before anything is created, locked or recorded
        names = ", ".join(os.fsdecode(s) for s in missing)
        raise SourceNotFoundError(f"no such file or directory: {names}")
    corpus = Corpus(sources, limits)
    if prune is None:
        prune = bool(sources) and all(s.is_dir() for s in sources)
    report = IndexReport()
    articles = 0

    def on_article(event: Article | Skipped) -> None:
        nonlocal articles
        if isinstance(event, Article):
            articles += 1
        if progress is not None:
            skipped = event if isinstance(event, Skipped) else None
            progress(
                Progress(
                    articles, corpus.bytes_read, corpus.total_bytes, skipped, report.text_bytes
                )
            )

    def write(writer: IndexWriter, manifest: dict[str, tuple[str, str]], names: bool) -> None:
        if prune and not prune_empty:
            refuse_emptied(corpus, manifest)

        def elsewhere(source: str) -> bool:
            return not corpus.holds(source) and os.path.lexists(source)

        seen = write_articles(writer, corpus, manifest, report, on_article, elsewhere, names)
        if prune:
            prune_unseen(writer, corpus, manifest, seen, report)
        if progress is not None:  # the commit comes next
            progress(
                Progress(
                    articles,
                    corpus.bytes_read,
                    corpus.total_bytes,
                    None,
                    report.text_bytes,
                    phase="committing",
                )
            )

    _write(
        IndexDirectory(path),
        report,
        write,
        rebuild=rebuild,
        sources=corpus.scopes,
        memory_mb=memory_mb,
        procs=lambda fresh: procs or writer_processes(fresh, corpus.total_bytes),
        multisegment=multisegment,
        lead_names=lead_names,
    )
    report.bytes_read = corpus.bytes_read
    report.seconds = time.perf_counter() - started
    return report


def add_articles(
    path: Path | str,
    articles: Iterable[Article | Skipped],
    *,
    memory_mb: int = DEFAULT_MEMORY_MB,
    wait: float = 0.0,
) -> IndexReport:
    """Add or replace articles in the index at ``path`` (created when
    missing) in one commit; nothing is deleted. An article that cannot be
    indexed (no id, no text, invalid Unicode) is reported in ``skipped``.
    Waits up to ``wait`` seconds for another writer to finish."""
    started = time.perf_counter()
    report = IndexReport()

    def events() -> Iterator[Article | Skipped]:
        for number, article in enumerate(articles, 1):
            # A reader's Skipped (a bad line of a stream) is reported as it is.
            yield (
                article
                if isinstance(article, Skipped)
                else checked_article(article, f"article {number}")
            )

    def write(writer: IndexWriter, manifest: dict[str, tuple[str, str]], names: bool) -> None:
        write_articles(writer, events(), manifest, report, names=names)

    _write(IndexDirectory(path), report, write, memory_mb=memory_mb, wait=wait)
    report.seconds = time.perf_counter() - started
    return report


def delete_articles(path: Path | str, ids: Iterable[str], *, wait: float = 0.0) -> IndexReport:
    """Delete the articles with these ids (every section of each) in one
    commit; ids the index does not hold are left out of ``deleted``. Waits
    up to ``wait`` seconds for another writer to finish."""
    started = time.perf_counter()
    report = IndexReport()
    wanted = list(dict.fromkeys(ids))

    def write(writer: IndexWriter, manifest: dict[str, tuple[str, str]], names: bool) -> None:
        for article_id in wanted:
            if article_id in manifest:
                writer.delete_by_term("article_id", article_id)
                report.deleted += 1

    _write(IndexDirectory(path), report, write, wait=wait)
    report.seconds = time.perf_counter() - started
    return report
