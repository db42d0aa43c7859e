"""What the ranking reads about an index's documents and a query's
matching articles, whichever way the matches were found: the document table
(per document its article, ordinal, whether it is a reference section and
has text; per article its field lengths) and :class:`ArticleEvidence`, the
declared interface by which both match paths hand their articles to the
search layer, which scores them."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
from whoosh.reading import IndexReader

from .codec import LENGTH_OF_BYTE
from .context import SearcherContext, column_values
from .scoring import ARTICLE_FIELDS

__all__ = ["ArticleEvidence", "DocumentTable", "document_table"]


@dataclass(frozen=True)
class DocumentTable:
    """Per document of an index (its document numbers): the index of its
    article, its ordinal in the article, whether it is a reference section
    and whether its text has words (a heading may have none); per article:
    its id and its title, headings and text lengths (terms of the stem
    fields; the title once, headings and text summed over its sections) and
    their means."""

    article_of: np.ndarray  # int64 per document; -1: deleted
    ordinals: np.ndarray  # int64 per document
    is_reference: np.ndarray  # bool per document
    has_text: np.ndarray  # bool per document
    names: list[str]  # article ids, by article index
    numbers: dict[str, int]  # article id → article index
    lengths: np.ndarray  # float64 (articles × 3)
    means: tuple[float, float, float]


_BYTE_LENGTH = np.array(LENGTH_OF_BYTE, dtype=np.float64)


def document_table(context: SearcherContext, reader: IndexReader) -> DocumentTable:
    """The table of everything ``reader`` (a whole index) holds, made once
    per index generation and shared by every searcher of it."""
    generation = context.generation(reader)
    with generation.lock:
        if generation.document_table is None:
            generation.document_table = _document_table(context, reader)
        return generation.document_table


def _document_table(context: SearcherContext, reader: IndexReader) -> DocumentTable:
    total = reader.doc_count_all()
    article_of = np.full(total, -1, dtype=np.int64)
    ordinals = np.zeros(total, dtype=np.int64)
    is_reference = np.zeros(total, dtype=bool)
    has_text = np.zeros(total, dtype=bool)
    numbers: dict[str, int] = {}
    parts = []
    for segment, offset in reader.leaf_readers():
        count = segment.doc_count_all()
        if not count:
            continue
        ids = column_values(segment, "article_id")
        span = slice(offset, offset + count)
        article_of[span] = [numbers.setdefault(name, len(numbers)) for name in ids]
        ordinals[span] = column_values(segment, "ordinal")
        facts = context.facts(segment)
        references = np.fromiter(facts.references(), dtype=np.int64)
        is_reference[offset + references] = True
        if segment.has_deletions():
            article_of[offset + facts.deleted()] = -1
        fields = [
            _BYTE_LENGTH[np.frombuffer(facts.field_lengths(name), dtype=np.uint8)]
            for name in ARTICLE_FIELDS
        ]
        has_text[span] = fields[ARTICLE_FIELDS.index("body")] > 0
        parts.append((span, np.stack(fields, axis=1)))
    lengths = np.zeros((len(numbers), 3))
    for span, field_lengths in parts:
        articles = article_of[span]
        live = articles >= 0
        articles, field_lengths = articles[live], field_lengths[live]
        np.maximum.at(lengths[:, 0], articles, field_lengths[:, 0])  # the title, once
        np.add.at(lengths[:, 1], articles, field_lengths[:, 1])
        np.add.at(lengths[:, 2], articles, field_lengths[:, 2])
    present = np.zeros(len(numbers), dtype=bool)
    present[article_of[article_of >= 0]] = True
    live_lengths = lengths[present]
    count = max(1, len(live_lengths))
    means = tuple(max(1.0, float(live_lengths[:, i].sum()) / count) for i in range(3))
    names = [""] * len(numbers)
    for name, number in numbers.items():
        names[number] = name
    return DocumentTable(
        article_of,
        ordinals,
        is_reference,
        has_text,
        names,
        numbers,
        lengths,
        means,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class ArticleEvidence:
    """Every article a query matched, one row each, as either match path
    found them: the article's number in the document ``table``, its best
    section's score, and its word frequencies (``frequencies[:, 3 * w + i]``:
    query word w's frequency in the title (i = 0, counted once), the
    headings (1) and the text (2), summed over the matching sections, a
    reference section's discounted; no columns when none were recorded)."""

    table: DocumentTable
    numbers: np.ndarray  # int64 per row: the article's number in the table
    best: np.ndarray  # float64 per row: the best section's score
    frequencies: np.ndarray  # float64, rows × (3 × words), or rows × 0

    @property
    def lengths(self) -> np.ndarray:
        """The articles' title, headings and text lengths (rows × 3)."""
        return self.table.lengths[self.numbers]

    @property
    def recorded(self) -> bool:
        """Whether word frequencies were recorded (article evidence asked for)."""
        return self.frequencies.ndim == 2 and self.frequencies.shape[1] > 0

    def top(self, scores: np.ndarray, count: int) -> list[tuple[str, float]]:
        """The ``count`` best articles by ``scores`` (one per row), best
        first: (id, score). Scores are rounded to 6 decimals for the order,
        so that sums added in another order still tie; ties go to the lower
        id."""
        if len(scores) > count:
            # Everything within rounding of the count-th score, then the exact order.
            cut = np.partition(scores, len(scores) - count)[len(scores) - count]
            chosen = np.flatnonzero(scores >= cut - 1e-6)
        else:
            chosen = np.arange(len(scores))
        names = self.table.names
        pairs = [(names[int(self.numbers[i])], float(scores[i])) for i in chosen]
        return heapq.nsmallest(count, pairs, key=lambda item: (-round(item[1], 6), item[0]))

    def rows(self) -> dict[str, int]:
        """Article id → row."""
        names = self.table.names
        return {names[int(number)]: row for row, number in enumerate(self.numbers.tolist())}
