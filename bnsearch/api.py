"""The Python API: ``from bnsearch import Index``.

    with Index.open("index") as index:
        for hit in index.search("কাতারের রাজধানী"):
            print(hit.title, hit.section, hit.snippet)

The command line and the search shell use only this module.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.searching import Searcher

from .codec import SmallBlockCodec
from .corpus import Article
from .errors import IndexExistsError
from .indexing import IndexReport, load_manifest, update_index, write_articles
from .schema import make_schema
from .search import Results, SectionWeighting, run_search
from .storage import IndexDirectory, new_meta, stamp_meta

__all__ = ["Index", "IndexStats", "Results"]


@dataclass(frozen=True)
class IndexStats:
    articles: int
    sections: int
    terms: dict[str, int]  # distinct terms per indexed field
    size_bytes: int
    schema_version: int | None
    analyzer_version: str | None
    created: str | None
    last_written: str | None
    sources: list[str]
    path: str


class Index:
    """A bnsearch index directory, opened for searching and updating."""

    def __init__(self, directory: IndexDirectory) -> None:
        self.directory = directory
        self._ix, self._generation, self._meta = directory.open_whoosh()
        self._lock = threading.Lock()
        self._local = threading.local()  # one Whoosh searcher per thread
        self._searchers: list[Searcher] = []

    # --- opening and building -----------------------------------------

    @classmethod
    def open(cls, path: Path | str) -> Index:
        """Open an existing index; IndexNotFoundError or IndexVersionError otherwise."""
        return cls(IndexDirectory(path))

    @classmethod
    def create(cls, path: Path | str) -> Index:
        """Create an empty index at ``path``; IndexExistsError if one is there."""
        directory = IndexDirectory(path)
        with directory.lock():
            if directory.exists():
                raise IndexExistsError(
                    f"an index already exists at {path}; open it, or rebuild it with "
                    "`bnsearch index --rebuild`"
                )
            generation = directory.new_generation()
            whoosh_index.create_in(str(generation), make_schema())
            directory.write_meta(generation, stamp_meta(new_meta(), []))
            directory.publish(generation)
        return cls(directory)

    # Index files and directories into the index at a path, creating it when
    # missing; incremental unless rebuild=True. The same function as
    # bnsearch.indexing.update_index (see there for the options).
    build = staticmethod(update_index)

    def add(self, article: Article) -> IndexReport:
        """Add one article, or replace the article with its id."""
        return self.add_many([article])

    def add_many(self, articles: Iterable[Article]) -> IndexReport:
        """Add or replace articles in one commit (nothing is deleted)."""
        report = IndexReport()
        with self.directory.lock():
            ix = whoosh_index.open_dir(str(self._generation))
            manifest = load_manifest(ix)
            writer = ix.writer(codec=SmallBlockCodec())
            try:
                write_articles(writer, articles, manifest, report)
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            meta = stamp_meta(self._meta, self._meta.get("sources", []))
            self.directory.write_meta(self._generation, meta)
        self.refresh()
        return report

    def refresh(self) -> None:
        """See what other writers committed (and a rebuilt generation)."""
        with self._lock:
            self._ix, self._generation, self._meta = self.directory.open_whoosh()

    # --- searching --------------------------------------------------------

    def _searcher(self) -> Searcher:
        """This thread's searcher, renewed when the index has changed."""
        if self.directory.current() != self._generation:
            self.refresh()  # rebuilt: a new generation
        local = self._local
        searcher = getattr(local, "searcher", None)
        if searcher is not None and local.ix is self._ix:
            # Whoosh returns the same searcher when it is up to date, else a
            # new one that reuses (and takes over) the old one's readers.
            fresh = searcher.refresh()
        else:
            fresh = self._ix.searcher(weighting=SectionWeighting())
            if searcher is not None:
                searcher.close()  # of a replaced generation
        if fresh is not searcher:
            with self._lock:
                if searcher in self._searchers:
                    self._searchers.remove(searcher)
                self._searchers.append(fresh)
        local.searcher, local.ix = fresh, self._ix
        return fresh

    def search(
        self,
        query: str,
        limit: int = 10,
        section: str | None = None,
        *,
        page: int = 1,
        sections: bool = False,
        stemming: bool = True,
        snippet_size: int = 240,
        snippets: bool = True,
        suggest: bool = True,
    ) -> Results:
        """Search the index; returns one page of hits, best article first.

        ``section`` keeps sections whose heading contains those words (in any
        form); ``sections`` also lists each article's other matching sections;
        ``stemming=False`` searches exact forms only; ``snippets=False`` and
        ``suggest=False`` skip snippets and spelling suggestions. Raises
        QueryError for a query with nothing to search for. Safe to call from
        several threads.
        """
        return run_search(
            self._searcher(),
            query,
            limit=limit,
            page=page,
            section=section,
            sections=sections,
            stemming=stemming,
            snippet_size=snippet_size,
            snippets=snippets,
            suggest=suggest,
        )

    # --- facts ----------------------------------------------------------

    def stats(self) -> IndexStats:
        with self._ix.reader() as reader:
            articles = 0
            if reader.doc_count():
                ordinals = reader.column_reader("ordinal")
                articles = sum(1 for doc in reader.all_doc_ids() if ordinals[doc] == 0)
            terms = {
                name: sum(1 for _ in reader.lexicon(name))
                for name in ("title", "heading", "body", "body_exact")
            }
            sections = reader.doc_count()
        size = sum(p.stat().st_size for p in self._generation.iterdir() if p.is_file())
        meta = self._meta
        return IndexStats(
            articles=articles,
            sections=sections,
            terms=terms,
            size_bytes=size,
            schema_version=meta.get("schema_version"),
            analyzer_version=meta.get("analyzer_version"),
            created=meta.get("created"),
            last_written=meta.get("last_written"),
            sources=list(meta.get("sources", [])),
            path=str(self.directory.path),
        )

    # --- lifetime -------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            for searcher in self._searchers:
                searcher.close()
            self._searchers.clear()
        self._ix.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
