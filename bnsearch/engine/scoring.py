"""Scoring: BM25F for sections (Whoosh's formula, reference sections
discounted, the field lengths read once per segment) and BM25F for whole
articles, from the frequencies the collector sums over their sections.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from whoosh.reading import IndexReader, SegmentReader
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.searching import Searcher

from .context import ReaderFacts, SearcherContext

__all__ = [
    "REFERENCE_DISCOUNT",
    "ArticleParameters",
    "LengthTableScorer",
    "SectionWeighting",
    "article_bm25f",
    "sections_holding",
]

REFERENCE_DISCOUNT = 0.3  # reference and link-list sections rank lower


# The section scoring's length normalization of titles: a title of one word
# scores far above one of three for the same match with Whoosh's B = 0.75, so
# that an article titled by one generic word of a question (রাজধানী, দেশ)
# gains on every section. 0.5 as for whole articles (ArticleParameters);
# the sweep that chose it: docs/ranking.md.
SECTION_FIELD_B = {"title_B": 0.5, "title_exact_B": 0.5}


class SectionWeighting(BM25F):
    """BM25F (Whoosh's: K1 1.2, B 0.75, titles' B 0.5), with reference
    sections' scores multiplied by a discount."""

    use_final = True

    def __init__(
        self,
        context: SearcherContext | None = None,
        reference_discount: float = REFERENCE_DISCOUNT,
        **kwargs: float,
    ) -> None:
        super().__init__(**{**SECTION_FIELD_B, **kwargs})
        # The context of the searcher this weighting is made for (its
        # scorers read the segments' length tables from it).
        self.context = context if context is not None else SearcherContext()
        self.reference_discount = reference_discount
        self._last: tuple[IndexReader | None, frozenset[int]] = (None, frozenset())

    def scorer(self, searcher: Searcher, fieldname: str, text: bytes, qf: int = 1):
        reader = searcher.reader()
        if not searcher.schema[fieldname].scorable or not isinstance(reader, SegmentReader):
            return super().scorer(searcher, fieldname, text, qf=qf)
        B = self._field_B.get(fieldname, self.B)
        facts = self.context.facts(reader)
        return LengthTableScorer(searcher, fieldname, text, B, self.K1, facts, qf=qf)

    def final(self, searcher: Searcher, docnum: int, score: float) -> float:
        reader, references = self._last  # one tuple: weightings may be shared by threads
        if reader is not searcher.reader():
            reader = searcher.reader()
            references = self.context.facts(reader).references()
            self._last = (reader, references)
        return score * self.reference_discount if docnum in references else score


class LengthTableScorer(BM25FScorer):
    """Whoosh's BM25F scorer, with the field's length byte of every section
    read once per segment and the length part of the formula computed once
    per length byte: Whoosh looks each length up in the column file, which
    was a tenth of the time of a query matching thousands of sections. The
    scores are the same, operation for operation."""

    def __init__(
        self,
        searcher: Searcher,
        fieldname: str,
        text: bytes,
        B: float,
        K1: float,
        facts: ReaderFacts,
        qf: int = 1,
    ) -> None:
        super().__init__(searcher, fieldname, text, B, K1, qf=qf)
        self.facts, self.fieldname = facts, fieldname
        self._lengths = facts.field_lengths(fieldname)
        self._norms = facts.length_norms(fieldname, B, K1, self.avgfl)
        self._k1_plus_1 = K1 + 1

    def norm_table(self) -> np.ndarray:
        """Each section's length norm (for scoring a posting list at once)."""
        return self.facts.norm_table(self.fieldname, self.B, self.K1, self.avgfl)

    def score(self, matcher) -> float:
        tf = matcher.weight()
        return self.idf * ((tf * self._k1_plus_1) / (tf + self._norms[self._lengths[matcher.id()]]))


# --- articles --------------------------------------------------------------------

# The article fields, in the order of a word's evidence slots (see
# BestSectionPerArticle): title, headings, text.
ARTICLE_FIELDS = ("title", "heading", "body")


# The fields written in the text itself: a title's words are in every
# section of its article, and with it the names its lead gives (see
# bnsearch.ingest.names.searched_title).
WRITTEN_FIELDS = ("heading", "body")


def sections_holding(
    searcher: Searcher, term: str, suffix: str = "", fields: Sequence[str] = ARTICLE_FIELDS
) -> int:
    """The sections holding ``term`` in the title, heading or text field
    (stem fields, or those with ``suffix``, ``_exact``), at most: how rare a
    word is, for its idf and for the query's choices by frequency. With
    ``fields`` WRITTEN_FIELDS: how often the texts write it."""
    return max(searcher.doc_frequency(name + suffix, term) for name in fields)


@dataclass(frozen=True)
class ArticleParameters:
    """BM25F over a whole article (Robertson and Zaragoza's form: a word's
    frequencies in the fields are weighted and length-normalized field by
    field, summed, and saturated once). Field weights are the section
    query's."""

    k1: float = 1.2
    title: float = 2.0
    heading: float = 1.5
    body: float = 1.0
    b_title: float = 0.5
    b_heading: float = 0.5
    b_body: float = 0.75


def article_bm25f(
    lengths: np.ndarray,
    means: tuple[float, float, float],
    evidence: np.ndarray,
    idfs: Sequence[float],
    parameters: ArticleParameters,
) -> np.ndarray:
    """BM25F over whole articles, one per row: ``lengths[:, i]`` holds the
    title's (i = 0), headings' (1) and text's (2) lengths, ``means`` their
    means over the index; ``evidence[:, 3 * w + i]`` word w's frequency in
    the same three (see BestSectionPerArticle and ArrayMatches)."""
    p = parameters
    title, heading, body = lengths[:, 0], lengths[:, 1], lengths[:, 2]
    mean_title, mean_heading, mean_body = means
    title_norm = p.title / (1 - p.b_title + p.b_title * title / mean_title)
    heading_norm = p.heading / (1 - p.b_heading + p.b_heading * heading / mean_heading)
    body_norm = p.body / (1 - p.b_body + p.b_body * body / mean_body)
    total = np.zeros(len(lengths))
    for word, idf in enumerate(idfs):
        at = 3 * word
        frequency = (
            evidence[:, at] * title_norm
            + evidence[:, at + 1] * heading_norm
            + evidence[:, at + 2] * body_norm
        )
        total += np.where(frequency > 0, idf * frequency * (p.k1 + 1) / (p.k1 + frequency), 0.0)
    return total
