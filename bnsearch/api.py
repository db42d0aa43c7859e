"""The Python API: ``from bnsearch import Index``.

    with Index.open("index") as index:
        for hit in index.search("কাতারের রাজধানী"):
            print(hit.title, hit.section, hit.snippet)

The only door: the command line, the shell (``bnsearch.faces``) and any
program use this module, :mod:`bnsearch.model` and :mod:`bnsearch.errors`,
never the layers below.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from whoosh.searching import Searcher

from . import __version__
from .analysis import ANALYZER_VERSION, AnalyzedToken, analyze, normalize_label
from .engine.arrays import sections_outside_references
from .engine.collector import DEFAULT_TIMEOUT
from .engine.context import SearcherContext, SharedFacts
from .engine.scoring import SectionWeighting
from .errors import (
    ArticleNotFoundError,
    BnsearchError,
    IndexDamagedError,
    IndexExistsError,
    InvalidArgumentError,
    QueryError,
    QueryTooBroadError,
)
from .lazy import lazy_names
from .model import (
    PATH_SEPARATOR,
    Article,
    IndexReport,
    IndexStats,
    Message,
    Progress,
    Results,
    Section,
)
from .search import SearchPipeline, SearchRequest, is_costly, query_spans
from .search.config import RankingConfig, SectionScoring
from .search.pipeline import romanized_readings
from .search.suggest import MAX_COMPLETIONS, completions
from .storage import IndexDirectory, reading

__all__ = [
    "ANALYZER_VERSION",
    "DEFAULT_LIMITS",
    "DEFAULT_MEMORY_MB",
    "DEFAULT_TIMEOUT",
    "MAX_COMPLETIONS",
    "MAX_RESULT_WINDOW",
    "NDCG_GAINS",
    "AnalyzedToken",
    "Article",
    "ArticleNotFoundError",
    "BnsearchError",
    "EvalReport",
    "Index",
    "IndexReport",
    "IndexStats",
    "InvalidArgumentError",
    "Progress",
    "QueryError",
    "QueryTooBroadError",
    "RankingConfig",
    "ReadLimits",
    "Results",
    "__version__",
    "analyze",
    "evaluate_run",
    "export_ndjson",
    "export_opensearch",
    "highlight",
    "is_costly",
    "normalize_label",
    "read_qrels",
    "read_queries",
    "read_run",
    "read_sections",
]

if TYPE_CHECKING:
    from .engine.indexing import DEFAULT_MEMORY_MB
    from .evaluation import (
        NDCG_GAINS,
        EvalReport,
        evaluate_run,
        read_qrels,
        read_queries,
        read_run,
        read_sections,
    )
    from .ingest.readers import DEFAULT_LIMITS, ReadLimits

# Loaded on first use: searching needs neither the write path nor evaluation,
# and every command starts sooner without them.
_LAZY = {
    "DEFAULT_MEMORY_MB": "engine.indexing",
    "DEFAULT_LIMITS": "ingest.readers",
    "ReadLimits": "ingest.readers",
    "NDCG_GAINS": "evaluation",
    "EvalReport": "evaluation",
    "evaluate_run": "evaluation",
    "read_qrels": "evaluation",
    "read_queries": "evaluation",
    "read_run": "evaluation",
    "read_sections": "evaluation",
}


__getattr__ = lazy_names(__package__, _LAZY)


def _engine(name: str) -> Any:
    """A function of the write path or the check, loaded when first called."""
    return getattr(
        import_module(
            ".engine.indexing" if name != "check_index" else ".engine.check", __package__
        ),
        name,
    )


_T = TypeVar("_T")
MAX_RESULT_WINDOW = 100_000  # limit × page: how deep into the results a page may be
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_RETRIES = 3  # reads of an index that rebuilds keep replacing


def _text_argument(name: str, value: object, optional: bool = False) -> None:
    """Refuse what is not text: a wrong type, or a str with a lone surrogate
    (an undecodable byte of a command line, read with surrogateescape)."""
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name} must be a str, not {type(value).__name__}")
    bad = _LONE_SURROGATE.search(value)
    if bad:
        raise QueryError(
            f"the {name} is not valid text: an undecodable byte or lone surrogate "
            f"at character {bad.start() + 1}"
        )


def _int_argument(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(f"{name} must be an int, not {type(value).__name__}")
    if not low <= value <= high:
        raise InvalidArgumentError(f"{name} must be from {low:,} to {high:,}, not {value:,}")


def _flag_argument(name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidArgumentError(f"{name} must be True or False, not {value!r}")


def highlight(query: str, text: str) -> list[tuple[int, int]]:
    """Where the query's words (in any form the index conflates) are in
    ``text``, as [start, end) code point spans: for showing a whole section
    with its matches marked."""
    _text_argument("query", query)
    _text_argument("text", text)
    return query_spans(query, text)


class Index:
    """A bnsearch index directory, opened for searching and updating."""

    def __init__(self, directory: IndexDirectory) -> None:
        if not isinstance(directory, IndexDirectory):
            raise InvalidArgumentError(
                f"open an index with Index.open({str(directory)!r}) "
                "(or make one with Index.create or Index.build)"
            )
        self.directory = directory
        self._ix, self._generation, self._meta = directory.open_whoosh()
        self._lock = threading.Lock()
        self._local = threading.local()  # one Whoosh searcher per thread
        self._searchers: list[Searcher] = []
        self._shared = SharedFacts()  # what all the searchers of a generation read

    @property
    def lead_names(self) -> bool:
        """Whether the title fields also search the other names an article's
        lead gives its subject (set when the index was created)."""
        return bool(self._meta.get("lead_names", False))

    # --- opening and building -----------------------------------------

    @classmethod
    def open(cls, path: Path | str) -> Any:
        """Open an existing index; IndexNotFoundError or IndexVersionError
        otherwise. ``opensearch://HOST:PORT/NAME`` opens an index exported
        to OpenSearch (bnsearch.backends.opensearch.OpenSearchIndex: the same
        ``search``, ``count`` and ``read``)."""
        if isinstance(path, str) and path.startswith("opensearch://"):
            from .backends.opensearch import OpenSearchIndex

            return OpenSearchIndex(path)
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
            _engine("create_index")(directory)
        return cls(directory)

    @staticmethod
    def build(path: Path | str, sources: Iterable[Path | str], **options: Any) -> IndexReport:
        """Index files and directories into the index at ``path``, creating it
        when missing; incremental unless ``rebuild=True``. The same function
        as bnsearch.engine.indexing.update_index (see there for the options)."""
        return _engine("update_index")(path, sources, **options)

    @staticmethod
    def add_stream(path: Path | str, stream: BinaryIO, limits: Any = None) -> IndexReport:
        """Add or replace the articles of a JSON Lines stream (standard
        input: ``bnsearch index -``) in the index at ``path``, created when
        missing, in one commit; nothing is deleted, bad lines are skipped
        and reported."""
        from .ingest.readers import DEFAULT_LIMITS, read_jsonl_stream

        events = read_jsonl_stream(stream, limits or DEFAULT_LIMITS)
        return _engine("add_articles")(path, events)

    def add(self, article: Article) -> IndexReport:
        """Add one article, or replace the article with its id."""
        return self.add_many([article])

    def add_many(self, articles: Iterable[Article], *, wait: float = 60.0) -> IndexReport:
        """Add or replace articles in one commit (nothing is deleted).

        The same write path as ``bnsearch index``: into the live index as it
        is now (another process may have rebuilt or extended it since this
        one was opened), keeping the sources it records. While another
        process writes, waits for it up to ``wait`` seconds, then raises
        IndexLockedError. Articles that cannot be indexed are listed in the
        report's ``skipped``."""
        if isinstance(articles, Article):
            articles = [articles]
        report = _engine("add_articles")(self.directory.path, articles, wait=wait)
        self.refresh()
        return report

    def delete(self, article_id: str, *, wait: float = 60.0) -> bool:
        """Delete the article with this id (all its sections) in one commit;
        False when the index does not hold it. Waits for another writer as
        ``add_many`` does."""
        _text_argument("article_id", article_id)
        report = _engine("delete_articles")(self.directory.path, [article_id], wait=wait)
        self.refresh()
        return report.deleted == 1

    def refresh(self) -> None:
        """See what other writers committed (and a rebuilt generation)."""
        with self._lock:
            self._ix, self._generation, self._meta = self.directory.open_whoosh()

    def _reading(self, read: Callable[[], _T]) -> _T:
        """``read()``, with what a damaged index file makes Whoosh raise
        turned into IndexDamagedError. A read that failed because a rebuild
        replaced the generation under it is done again on the new one."""
        for attempt in range(_RETRIES):
            if self._ix is None:
                raise InvalidArgumentError("the index is closed")
            try:
                with reading(self.directory.path):
                    return read()
            except IndexDamagedError:
                used = getattr(self._local, "generation", self._generation)
                if attempt + 1 == _RETRIES or self.directory.current() == used:
                    raise
                self.refresh()
        raise AssertionError("unreachable")

    # --- searching --------------------------------------------------------

    def _searcher(self) -> Searcher:
        """This thread's searcher, renewed when the index has changed."""
        if self._ix is None:
            raise InvalidArgumentError("the index is closed")
        if self.directory.current() != self._generation:
            self.refresh()  # rebuilt: a new generation
        local = self._local
        searcher = getattr(local, "searcher", None)
        if searcher is not None and local.ix is self._ix:
            # Whoosh returns the same searcher when it is up to date, else a
            # new one that reuses (and takes over) the old one's readers.
            fresh = searcher.refresh()
            if fresh is not searcher:  # a new reader: its own context
                fresh.weighting = SectionWeighting(
                    searcher.weighting.context.renewed(fresh.reader())
                )
        else:
            fresh = self._ix.searcher(weighting=SectionWeighting(SearcherContext(self._shared)))
            if searcher is not None:
                searcher.close()  # of a replaced generation
        if fresh is not searcher:
            with self._lock:
                if searcher in self._searchers:
                    self._searchers.remove(searcher)
                self._searchers.append(fresh)
        local.searcher, local.ix, local.generation = fresh, self._ix, self._generation
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
        timeout: float | None = DEFAULT_TIMEOUT,
        transliterate: bool = True,
        ranking: RankingConfig | None = None,
        explain: bool = False,
    ) -> Results:
        """Search the index; returns one page of hits, best article first.

        ``section`` keeps sections whose heading contains those words (in any
        form); ``sections`` also lists each article's other matching sections;
        ``stemming=False`` searches exact forms only; ``snippets=False`` and
        ``suggest=False`` skip snippets and spelling suggestions;
        ``transliterate=False`` leaves Latin-typed words as they are (by
        default each is also searched as its Bengali readings); ``ranking``
        replaces the ranking's settings (:class:`RankingConfig`);
        ``explain`` gives each hit an ``explanation``: the contributions
        that sum to its score, their features, and the rule that chose its
        section. Raises
        QueryError for a query with nothing to search for,
        QueryTooBroadError (a QueryError) for one beyond the cost bounds or
        that runs longer than ``timeout`` seconds (None: no limit),
        InvalidArgumentError for arguments of the wrong type or range, and
        IndexDamagedError when an index file cannot be read. Safe to call
        from several threads.
        """
        _text_argument("query", query)
        _text_argument("section", section, optional=True)
        _int_argument("limit", limit, 1, MAX_RESULT_WINDOW)
        _int_argument("page", page, 1, MAX_RESULT_WINDOW)
        if limit * page > MAX_RESULT_WINDOW:
            raise InvalidArgumentError(
                f"limit × page must be at most {MAX_RESULT_WINDOW:,} (results that deep "
                "are not kept)"
            )
        _int_argument("snippet_size", snippet_size, 20, 100_000)
        for name, flag in (("sections", sections), ("stemming", stemming)):
            _flag_argument(name, flag)
        for name, flag in (("snippets", snippets), ("suggest", suggest)):
            _flag_argument(name, flag)
        _flag_argument("transliterate", transliterate)
        _flag_argument("explain", explain)
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0
        ):
            raise InvalidArgumentError(f"timeout must be a number above 0 or None, not {timeout!r}")
        request = SearchRequest(
            query,
            limit=limit,
            page=page,
            section=section,
            sections=sections,
            stemming=stemming,
            snippet_size=snippet_size,
            snippets=snippets,
            suggest=suggest,
            timeout=timeout,
            transliterate=transliterate,
            explain=explain,
        )
        if ranking is not None and not isinstance(ranking, RankingConfig):
            raise InvalidArgumentError(f"ranking must be a RankingConfig, not {ranking!r}")
        return self._reading(lambda: self._run(request, ranking))

    def _run(self, request: SearchRequest, ranking: RankingConfig | None) -> Results:
        if ranking is None or ranking.section == SectionScoring():
            searcher = self._searcher()
            context = searcher.weighting.context
            if ranking is None:
                return SearchPipeline(searcher, context=context).run(request)
            pipeline = SearchPipeline(searcher, ranking.weights, ranking.article, context=context)
            return pipeline.run(request)
        # Other section scoring: a searcher of its own for this search.
        context = SearcherContext(self._shared)
        weighting = SectionWeighting(context, **ranking.section.weighting_options())
        with self._ix.searcher(weighting=weighting) as searcher:
            pipeline = SearchPipeline(searcher, ranking.weights, ranking.article, context=context)
            return pipeline.run(request)

    def readings(self, word: str) -> list[tuple[str, int, float]]:
        """The Bengali readings of a Latin-typed word that a search adds
        (``dhaka`` → ঢাকা): (form, sections, fit: 0 is a perfect spelling),
        best first; empty when the word is not read as Bengali."""
        _text_argument("word", word)

        def read() -> list[tuple[str, int, float]]:
            searcher = self._searcher()
            return romanized_readings(searcher.weighting.context, searcher, word)

        return self._reading(read)

    def latin_sections(self, word: str) -> tuple[int, int]:
        """How many sections hold a Latin-typed word as typed: in all, and
        outside reference lists (what decides whether it is English)."""
        _text_argument("word", word)

        def count() -> tuple[int, int]:
            searcher = self._searcher()
            reader, term = searcher.reader(), word.lower()
            return (
                reader.doc_frequency("body_exact", term),
                sections_outside_references(searcher.weighting.context, reader, "body_exact", term),
            )

        return self._reading(count)

    def count(self, query: str, section: str | None = None, *, stemming: bool = True) -> int:
        """How many articles match ``query``, exactly (the ``total`` of
        ``search``); raises what ``search`` raises."""
        return self.search(
            query, limit=1, section=section, stemming=stemming, snippets=False, suggest=False
        ).total

    def complete(self, prefix: str, limit: int = 10) -> list[str]:
        """Words of the index (as written) that start with ``prefix`` (2
        letters or more), the most frequent first: completions for a
        search box. QueryError for a shorter prefix."""
        _text_argument("prefix", prefix)
        _int_argument("limit", limit, 1, MAX_COMPLETIONS)
        return self._reading(lambda: completions(self._searcher(), prefix, limit))

    # --- documents by id --------------------------------------------------

    def sections(self, article_id: str) -> list[Section]:
        """The article's sections in order (the lead first), as indexed;
        ArticleNotFoundError when the index holds no article with this id."""
        return [section for section, _ in self._article(article_id)]

    def get(self, article_id: str) -> Article:
        """The article as indexed: its title, and its text with a
        ``== heading ==`` line before each section (the form it was read
        from); ArticleNotFoundError for an unknown id."""
        return self.read(article_id)[0]

    def read(self, article_id: str) -> tuple[Article, list[Section]]:
        """``get`` and ``sections`` together, from one read of the index."""
        found = self._article(article_id)
        parts = []
        for section, _ in found:
            if section.ordinal:
                marks = "=" * section.level
                parts.append(f"{marks} {section.heading} {marks}\n{section.text}".rstrip("\n"))
            elif section.text:
                parts.append(section.text)
        first = found[0][1]
        article = Article(article_id, first["title"], "\n\n".join(parts), first.get("source", ""))
        return article, [section for section, _ in found]

    def _article(self, article_id: str) -> list[tuple[Section, dict]]:
        _text_argument("article_id", article_id)

        def read() -> list[tuple[Section, dict]]:
            searcher = self._searcher()
            docnums = list(searcher.document_numbers(article_id=article_id))
            stored = sorted(
                (searcher.stored_fields(d) for d in docnums), key=lambda f: f["ordinal"]
            )
            return [
                (
                    Section(
                        ordinal=f["ordinal"],
                        level=f["level"],
                        heading=f["heading"],
                        path=tuple(f["heading_path"].split(PATH_SEPARATOR))
                        if f["heading_path"]
                        else (),
                        text=f["text"],
                        is_reference=bool(f.get("is_reference")),
                    ),
                    f,
                )
                for f in stored
            ]

        found = self._reading(read)
        if not found:
            raise ArticleNotFoundError(
                Message("no_article", "no article with id {id!r} in the index", id=article_id)
            )
        return found

    def evaluate(
        self,
        queries: list[tuple[str, str]],
        qrels: dict[str, dict[str, int]],
        sections: dict[str, tuple[str, str]] | None = None,
        *,
        stemming: bool = True,
        ranking: RankingConfig | None = None,
    ) -> EvalReport:
        """Search each (qid, query) for its top 100 and score the rankings
        against ``qrels``; ``sections`` names each query's answering section
        (see :mod:`bnsearch.evaluation`). A query that cannot be searched
        scores 0."""
        from .evaluation import evaluate

        def ranked(text: str) -> list[tuple[str, str, str]]:
            try:
                results = self.search(
                    text,
                    limit=100,
                    stemming=stemming,
                    snippets=False,
                    suggest=False,
                    ranking=ranking,
                )
            except QueryError:
                return []
            return [
                (h.id, h.section, f"{h.title} › {h.section}" if h.section else h.title)
                for h in results
            ]

        return evaluate(ranked, queries, qrels, sections)

    def check(self) -> list[str]:
        """Read every file of the index and compare what must agree; the
        problems found (empty when the index is sound)."""
        return self._reading(lambda: _engine("check_index")(self._ix))

    # --- facts ----------------------------------------------------------

    def stats(self) -> IndexStats:
        return self._reading(self._stats)

    def manifest(self) -> dict[str, str]:
        """Every article's id with the hash of its content (what an export
        compares to find the articles changed since the last)."""

        def read() -> dict[str, str]:
            reader = self._searcher().reader()
            if not reader.doc_count():
                return {}
            ordinals = reader.column_reader("ordinal")
            ids = reader.column_reader("article_id")
            hashes = reader.column_reader("content_hash")
            return {ids[doc]: hashes[doc] for doc in reader.all_doc_ids() if ordinals[doc] == 0}

        return self._reading(read)

    def _stats(self) -> IndexStats:
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
            lead_names=self.lead_names,
            path=str(self.directory.path),
        )

    # --- lifetime -------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            for searcher in self._searchers:
                searcher.close()
            self._searchers.clear()
        if self._ix is not None:
            self._ix.close()
            self._ix = None

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def export_opensearch(index: Index, url: str, **options: Any) -> Any:
    """Export ``index`` to the OpenSearch index ``url`` (opensearch://HOST:PORT/NAME):
    bnsearch.backends.opensearch.export."""
    from .backends.opensearch import export

    return export(index, url, **options)


def export_ndjson(index: Index, folder: Path, name: str) -> Any:
    """The same documents as bulk files in ``folder``, for loading offline."""
    from .backends.opensearch import export_ndjson as write

    return write(index, folder, name)
