"""Turn articles into section documents and keep an index up to date cheaply.

An update compares each article's content hash with the one the index holds:
unchanged articles are skipped, changed ones replaced (all their sections),
new ones added and, when pruning, articles whose source was not seen in this
run are deleted. All of it is one Whoosh commit, so an interrupted run leaves
the index as it was. A rebuild writes a new generation and publishes it only
when complete (see :mod:`bnsearch.storage`).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.writing import IndexWriter

from .codec import SmallBlockCodec
from .corpus import Article, Corpus, Skipped
from .parallel import ParallelWriter
from .schema import make_schema
from .sections import split_sections
from .storage import IndexDirectory, new_meta, stamp_meta

__all__ = ["DEFAULT_MEMORY_MB", "IndexReport", "Progress", "content_hash", "update_index"]

# Whoosh's indexing buffer per writer process. Below what a corpus needs,
# Whoosh spills sorted runs to disk and merges them: on the 35 MB shared corpus
# 256 MB took 63 s, 512 MB 49 s; 1024 MB was no faster (bench/index.py).
DEFAULT_MEMORY_MB = 512
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


@dataclass
class IndexReport:
    """What an indexing run did."""

    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    sections: int = 0  # section documents written
    bytes_read: int = 0  # input bytes (compressed for .gz/.bz2)
    text_bytes: int = 0  # UTF-8 bytes of the articles' text
    seconds: float = 0.0
    stale_lock_pid: str | None = None  # a dead writer's lock that was cleared

    @property
    def articles(self) -> int:
        return self.added + self.updated + self.unchanged

    @property
    def megabytes_per_second(self) -> float:
        """Article text (UTF-8) per second."""
        return self.text_bytes / 1e6 / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        return (
            f"added {self.added}, updated {self.updated}, deleted {self.deleted}, "
            f"unchanged {self.unchanged}, skipped {len(self.skipped)} "
            f"({self.sections} sections written) in {self.seconds:.1f} s, "
            f"{self.megabytes_per_second:.2f} MB/s"
        )


@dataclass
class Progress:
    """Passed to a progress callback after each article or skipped input."""

    articles: int
    bytes_read: int
    total_bytes: int
    skipped: Skipped | None = None  # set when this event is a skip


ProgressCallback = Callable[[Progress], None]


def section_documents(article: Article, digest: str) -> list[dict[str, Any]]:
    """The Whoosh documents of one article: one per section with a heading or text."""
    documents = []
    for section in split_sections(article.text):
        if not section.text and not section.heading and section.ordinal:
            continue
        documents.append(
            {
                "article_id": article.id,
                "ordinal": section.ordinal,
                "level": section.level,
                "title": article.title,
                "title_exact": article.title,
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


def _in_scope(source: str, scopes: list[str]) -> bool:
    return any(source == scope or source.startswith(scope + os.sep) for scope in scopes)


def write_articles(
    writer: IndexWriter,
    articles: Iterable[Article | Skipped],
    manifest: dict[str, tuple[str, str]],
    report: IndexReport,
    on_article: Callable[[Article | Skipped], None] | None = None,
) -> set[str]:
    """Add, replace or skip each article; returns the ids seen."""
    seen: dict[str, str] = {}
    for event in articles:
        if isinstance(event, Skipped):
            report.skipped.append(event)
        elif event.id in seen:
            event = Skipped(event.source, "", f"duplicate article id {event.id!r}; kept the first")
            report.skipped.append(event)
        else:
            seen[event.id] = event.source
            report.text_bytes += len(event.text.encode("utf-8"))
            digest = content_hash(event)
            previous = manifest.get(event.id)
            if previous == (digest, event.source):
                report.unchanged += 1
            else:
                documents = section_documents(event, digest)
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


def update_index(
    path: Path | str,
    sources: Iterable[Path | str],
    *,
    rebuild: bool = False,
    prune: bool | None = None,
    memory_mb: int = DEFAULT_MEMORY_MB,
    procs: int | None = None,
    multisegment: bool | None = None,
    progress: ProgressCallback | None = None,
) -> IndexReport:
    """Index ``sources`` into the index at ``path`` (created when missing).

    ``prune`` deletes indexed articles that came from the given sources but
    were not seen in this run; by default it is on when every source is a
    directory. Raises IndexVersionError when the index was built by another
    version (unless ``rebuild``) and IndexLockedError when another process
    is writing it. ``procs`` and ``multisegment`` default to what measured
    fastest (see writer_processes).
    """
    started = time.perf_counter()
    directory = IndexDirectory(path)
    sources = [Path(s) for s in sources]
    corpus = Corpus(sources)
    if prune is None:
        prune = bool(sources) and all(s.is_dir() for s in sources)
    report = IndexReport()
    with directory.lock() as stale_pid:
        report.stale_lock_pid = stale_pid
        live = directory.current()
        fresh = rebuild or live is None
        if fresh:
            generation = directory.new_generation()
            meta = new_meta()
            ix = whoosh_index.create_in(str(generation), make_schema())
            manifest: dict[str, tuple[str, str]] = {}
        else:
            meta = directory.read_meta(live)
            directory.check_versions(meta)
            generation = live
            ix = whoosh_index.open_dir(str(generation))
            manifest = load_manifest(ix)
            directory.remove_stale_generations()  # left by an interrupted rebuild
        if procs is None:
            procs = writer_processes(fresh, corpus.total_bytes)
        if multisegment is None:
            multisegment = procs > 1
        # compound=False: a commit does not copy every segment file into one
        # (measured: 10% faster on the shared corpus, same size on disk).
        options = {"limitmb": memory_mb, "compound": False, "codec": SmallBlockCodec()}
        if procs > 1:
            writer = ParallelWriter(ix, procs=procs, multisegment=multisegment, **options)
        else:
            writer = ix.writer(**options)
        try:
            articles = 0

            def on_article(event: Article | Skipped) -> None:
                nonlocal articles
                if isinstance(event, Article):
                    articles += 1
                if progress is not None:
                    skipped = event if isinstance(event, Skipped) else None
                    progress(Progress(articles, corpus.bytes_read, corpus.total_bytes, skipped))

            seen = write_articles(writer, corpus, manifest, report, on_article)
            if prune:
                scopes = [str(s.resolve()) for s in sources]
                for article_id, (_, source) in manifest.items():
                    if article_id not in seen and _in_scope(source, scopes):
                        writer.delete_by_term("article_id", article_id)
                        report.deleted += 1
            writer.commit()
        except BaseException:
            writer.cancel()
            if fresh:
                directory.remove_stale_generations()
            raise
        known = meta.get("sources", [])
        given = [str(s.resolve()) for s in sources]
        meta = stamp_meta(meta, known + [s for s in given if s not in known])
        directory.write_meta(generation, meta)
        if fresh:
            directory.publish(generation)
    report.bytes_read = corpus.bytes_read
    report.seconds = time.perf_counter() - started
    return report
