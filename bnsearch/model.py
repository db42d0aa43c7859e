"""The plain data every layer shares: what goes into an index (Article,
Section, Skipped), what comes out of a search (Snippet, Hit, SectionHit,
Results) and what an indexing run or an index reports (Progress,
IndexReport, IndexStats). Nothing here knows Whoosh.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

__all__ = [
    "MAX_SKIPPED_KEPT",
    "PATH_SEPARATOR",
    "Article",
    "Hit",
    "IndexReport",
    "IndexStats",
    "Message",
    "Progress",
    "ProgressCallback",
    "Results",
    "Section",
    "SectionHit",
    "Skipped",
    "Snippet",
]

PATH_SEPARATOR = " › "  # between the headings of a section's heading path


class Message(str):
    """A message in English (the string itself) that also keeps its ``key``
    and the ``values`` it was written from, so that a face can say it in
    another language (the search page's Bengali, bnsearch.faces.language)."""

    key: str
    values: dict[str, object]

    def __new__(cls, key: str, english: str, **values: object) -> Message:
        made = super().__new__(cls, english.format(**values))
        made.key, made.values = key, values
        return made

    def __reduce__(self):  # pickled (a search in another process) with its key
        return (_message, (self.key, str(self), self.values))


def _message(key: str, text: str, values: dict[str, object]) -> Message:
    made = str.__new__(Message, text)
    made.key, made.values = key, values
    return made


# --- what goes in ------------------------------------------------------------------


@dataclass(frozen=True)
class Article:
    """One article: a unique id, a title, plain text with ``== heading ==`` lines."""

    id: str
    title: str
    text: str
    source: str = ""  # the file it came from

    @property
    def shown_title(self) -> str:
        """The title, or the id for an article without one (see Hit.shown_title)."""
        return self.title or self.id


@dataclass(frozen=True)
class Skipped:
    """A piece of input that was not indexed, and why."""

    source: str
    location: str  # "line 12", "page 42 'কাতার'", or "" for the whole file
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.location}" if self.location else self.source
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Section:
    """One section of an article; ``text`` is its body as written."""

    ordinal: int  # 0 for the lead, then 1, 2, … in document order
    level: int  # 1 for the lead, 2–6 for == … == to ====== … ======
    heading: str  # "" for the lead
    path: tuple[str, ...]  # headings from the top level down to this one
    text: str
    is_reference: bool = False

    @property
    def heading_path(self) -> str:
        return PATH_SEPARATOR.join(self.path)


# --- what comes out ------------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    """Snippet text and the [start, end) code point spans of its matches.

    ``fragments`` are the [start, end) offsets of its pieces in the original
    text, in order.
    """

    text: str
    highlights: tuple[tuple[int, int], ...] = ()
    fragments: tuple[tuple[int, int], ...] = ()


@dataclass
class SectionHit:
    """One matching section of an article."""

    section: str  # heading path; "" for the lead
    ordinal: int
    score: float
    snippet: str
    highlights: list[tuple[int, int]]
    text: str  # the whole section as written

    @property
    def marked(self) -> Snippet:
        """The snippet with its highlights, for rendering."""
        return Snippet(self.snippet, tuple(self.highlights))

    def to_dict(self) -> dict:
        return {
            "section": self.section,
            "ordinal": self.ordinal,
            "score": round(self.score, 4),
            "snippet": self.snippet,
            "highlights": [list(span) for span in self.highlights],
        }


@dataclass
class Hit:
    """One article in the results, represented by its best section.

    ``snippet`` and ``highlights`` stay plain fields (the text and its spans,
    as ``to_dict`` gives them); ``marked`` joins them as a Snippet.
    """

    rank: int
    id: str
    title: str
    section: str  # heading path of the best section; "" for the lead
    ordinal: int
    score: float
    snippet: str
    highlights: list[tuple[int, int]]  # [start, end) spans into snippet
    text: str  # the best section's whole text, as written
    sections: list[SectionHit] = field(default_factory=list)  # with sections=True
    # More sections match than ``sections`` lists (at most MAX_OTHER_SECTIONS).
    more_sections: bool = False
    duplicates: list[str] = field(default_factory=list)  # ids shown as this hit
    # Where the query matched the title and the section's heading path.
    title_highlights: list[tuple[int, int]] = field(default_factory=list)
    section_highlights: list[tuple[int, int]] = field(default_factory=list)
    # With explain: the score's contributions (they sum to it), the features
    # they come from, and the rule that chose the section.
    explanation: dict | None = None

    @property
    def marked(self) -> Snippet:
        """The snippet with its highlights, for rendering."""
        return Snippet(self.snippet, tuple(self.highlights))

    @property
    def shown_title(self) -> str:
        """The title, or the id for an article without one (a collection of
        passages without titles): a hit is never shown as an empty line."""
        return self.title or self.id

    @property
    def marked_title(self) -> Snippet:
        """The shown title with the query's matches in the title highlighted."""
        return Snippet(self.shown_title, tuple(self.title_highlights) if self.title else ())

    @property
    def marked_section(self) -> Snippet:
        return Snippet(self.section, tuple(self.section_highlights))

    def to_dict(self) -> dict:
        data = {
            "rank": self.rank,
            "id": self.id,
            "title": self.title,
            "section": self.section,
            "ordinal": self.ordinal,
            "score": round(self.score, 4),
            "snippet": self.snippet,
            "highlights": [list(span) for span in self.highlights],
        }
        if self.title_highlights:
            data["title_highlights"] = [list(span) for span in self.title_highlights]
        if self.section_highlights:
            data["section_highlights"] = [list(span) for span in self.section_highlights]
        if self.sections:
            data["sections"] = [s.to_dict() for s in self.sections]
        if self.more_sections:
            data["more_sections"] = True
        if self.duplicates:
            data["duplicates"] = self.duplicates
        if self.explanation is not None:
            data["explanation"] = self.explanation
        return data


@dataclass
class Results(Sequence[Hit]):
    """One page of hits, the number of matching articles and suggestions.

    ``total`` counts every matching article, exactly (``total_relation``
    "eq"), whichever page this is; copies of one page merged into a hit
    (its ``duplicates``) are counted in it, as Elasticsearch counts the
    documents behind collapsed hits. ``to_dict()`` gives what ``search
    --json`` prints; ``json.dumps(results.to_dict())`` works.
    """

    query: str
    total: int
    page: int
    limit: int
    hits: list[Hit]
    suggestions: dict[str, list[str]] = field(default_factory=dict)  # word → better words
    did_you_mean: str | None = None  # the query with the best suggestions
    notices: list[str] = field(default_factory=list)  # how the query was cut down
    section: str | None = None  # the section filter the search had
    total_relation: str = "eq"  # "eq": total is exact; "gte": at least total

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, index):  # type: ignore[override]
        return self.hits[index]

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.limit)) if self.limit else 1

    def to_dict(self) -> dict:
        data = {
            "query": self.query,
            "total": self.total,
            "total_relation": self.total_relation,
            "page": self.page,
            "pages": self.pages,
            "limit": self.limit,
            "hits": [hit.to_dict() for hit in self.hits],
        }
        if self.did_you_mean:
            data["did_you_mean"] = self.did_you_mean
        if self.notices:
            data["notices"] = self.notices
        if self.section is not None:
            data["section"] = self.section
        return data


# --- what indexing reports ---------------------------------------------------------------


MAX_SKIPPED_KEPT = 100  # skipped inputs an IndexReport keeps as examples


@dataclass
class IndexReport:
    """What an indexing run did."""

    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    # The first MAX_SKIPPED_KEPT inputs skipped (a file of millions of bad
    # lines must not be held in memory); skipped_count counts them all.
    skipped: list[Skipped] = field(default_factory=list)
    skipped_count: int = 0
    # Notes on what was indexed differently from the input (an article's
    # sections past the limit merged into its last, say), the first few.
    notes: list[str] = field(default_factory=list)
    sections: int = 0  # section documents written
    bytes_read: int = 0  # input bytes (compressed for .gz/.bz2)
    text_bytes: int = 0  # UTF-8 bytes of the articles' text
    seconds: float = 0.0
    stale_lock_pid: str | None = None  # a dead writer's lock that was cleared
    # Articles not seen that pruning kept, because their source could not be
    # read completely (an unreadable file, an unlistable directory, a
    # truncated archive, a skipped line).
    kept: int = 0
    # Ctrl-C came after the commit had landed: the run completed all the same.
    interrupted_after_commit: bool = False

    @property
    def articles(self) -> int:
        return self.added + self.updated + self.unchanged

    def skip(self, event: Skipped) -> None:
        """Count a skipped input, keeping the first few as examples."""
        self.skipped_count += 1
        if len(self.skipped) < MAX_SKIPPED_KEPT:
            self.skipped.append(event)

    def note(self, text: str) -> None:
        if len(self.notes) < MAX_SKIPPED_KEPT:
            self.notes.append(text)

    @property
    def megabytes_per_second(self) -> float:
        """Article text (UTF-8) per second."""
        return self.text_bytes / 1e6 / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        kept = (
            f"; kept {self.kept} article(s) whose source could not be read completely"
            if self.kept
            else ""
        )
        return (
            f"added {self.added}, updated {self.updated}, deleted {self.deleted}, "
            f"unchanged {self.unchanged}, skipped {self.skipped_count} "
            f"({self.sections} sections written) in {self.seconds:.1f} s, "
            f"{self.megabytes_per_second:.2f} MB/s{kept}"
        )


@dataclass
class Progress:
    """Passed to a progress callback after each article or skipped input,
    and once more when the run starts writing the index (``phase``
    "committing": Whoosh then flushes and merges segments, which can take a
    while on a big input)."""

    articles: int
    bytes_read: int  # of the input files (compressed for .gz/.bz2): how far along
    total_bytes: int
    skipped: Skipped | None = None  # set when this event is a skip
    text_bytes: int = 0  # UTF-8 bytes of the articles' text so far
    phase: str = "reading"  # "reading", then "committing"


ProgressCallback = Callable[[Progress], None]


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
    lead_names: bool = False  # titles also searched by their leads' other names
