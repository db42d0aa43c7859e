"""Searching with arrays: a query's matches scored a posting list at a time.

Whoosh walks a tree of matchers document by document, one Python call per
posting and per tree node; on a collection of a gigabyte a question matches
tens of thousands of sections and that walk was most of a query's time
(bench/scale.py). Here each term's posting list is read block by block
straight from Whoosh's postings file into numpy arrays, scored with the
same BM25F formula as :class:`bnsearch.engine.scoring.LengthTableScorer`
(the same operations on the same numbers), and the query tree is evaluated
on whole arrays: OR sums and counts, Whoosh's coordination bonus, AND
intersects, AND-MAYBE adds its optional part where the required part
matches.

Skipping: the optional part of an AND-MAYBE (the common words of a question,
see :class:`bnsearch.search.compile.Weights`) is read only in the posting
blocks that can hold a section the required part matched — each block's
last document number is in its header, so the others are passed over
without being decoded, as Whoosh's ``skip_to`` does.

Only the kinds of query the compiler makes from words are taken (terms,
OR, AND, AND-MAYBE); :func:`supports` says whether a query is one of them,
and the caller uses Whoosh's matchers for the rest (phrases, exclusions
inside groups). tests/test_arrays.py checks every score against Whoosh's
own matchers.

Unlike a Whoosh matcher tree whose finished branches are dropped while it
runs (``replace``), the coordination bonus here always counts every term of
its OR that the index holds, so a section's score does not depend on where
in the segment it lies, nor on how the index is cut into segments (Whoosh's
CoordMatcher counts the terms of the section's segment: the same documents
written by two processes into two segments, or updated later, would score
otherwise).
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.reading import IndexReader, SegmentReader, TermNotFound
from whoosh.searching import Searcher

from .codec import decode_frequencies, decode_ids
from .context import ReaderFacts, SearcherContext
from .evidence import ArticleEvidence, DocumentTable, document_table
from .scoring import REFERENCE_DISCOUNT

__all__ = [
    "ArrayMatches",
    "DocumentTable",
    "document_table",
    "holding_any",
    "match_arrays",
    "supports",
]

_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY = np.zeros(0, dtype=np.float64)


def supports(query: wq.Query) -> bool:
    """Whether :func:`match_arrays` can run ``query``."""
    if type(query) is wq.Term:
        return isinstance(query.text, str)
    if type(query) in (wq.Or, wq.And):
        return bool(query.subqueries) and all(supports(q) for q in query.subqueries)
    if type(query) is wq.AndMaybe:
        return supports(query.a) and supports(query.b)
    return False


# --- reading posting lists ----------------------------------------------------------


def _read_block(postfile, position: int) -> tuple[tuple, int, int, bool]:
    """The header of the block at ``position``: (its info tuple, the offset of
    its data, the offset of the next block, whether it is the last)."""
    postfile.seek(position)
    length = postfile.read_int()
    last = length < 0
    info = postfile.read_pickle()
    return info, postfile.tell(), position + 4 + abs(length), last


def _block_data(postfile, start: int, end: int, info: tuple) -> tuple[np.ndarray, np.ndarray]:
    """A block's document numbers and term frequencies (see
    :mod:`bnsearch.engine.codec` for how they are stored)."""
    gaps, weights, _ = pickle.loads(postfile.get(start, end - start))
    count = info[0]
    return decode_ids(gaps, count), decode_frequencies(weights, count)


def read_postings(
    segment: SegmentReader,
    fieldname: str,
    text: bytes,
    within: np.ndarray | None = None,
    *,
    deleted: bool = False,
    facts: ReaderFacts | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """A term's postings in one segment: document numbers (ascending) and
    term frequencies, deleted documents left out (kept with ``deleted``, as
    the term index counts them). With ``within`` (sorted document numbers),
    only the blocks that may hold one of them are read. ``facts``: the
    segment's, from a searcher's context (its deleted documents, read once)."""
    facts = facts if facts is not None else ReaderFacts(segment)
    found = _postings(segment, fieldname, text, within, facts, deleted)
    return (_EMPTY_IDS, _EMPTY) if found is None else found


def sections_outside_references(
    context: SearcherContext, reader: IndexReader, fieldname: str, text: str
) -> int:
    """How many sections hold ``text`` in ``fieldname`` outside reference
    sections (a Latin word only in references is no sign of Latin prose)."""
    found = 0
    for segment, _ in reader.leaf_readers():
        if not isinstance(segment, SegmentReader):
            continue
        facts = context.facts(segment)
        ids, _ = read_postings(segment, fieldname, text.encode("utf-8"), facts=facts)
        if len(ids):
            references = facts.references()
            found += sum(1 for docnum in ids.tolist() if docnum not in references)
    return found


def holding_any(
    context: SearcherContext,
    searcher: Searcher,
    terms: Iterable[tuple[str, str]],
    docnums: Iterable[int],
) -> set[int]:
    """Those of ``docnums`` (the index's document numbers) that hold one of
    the (field, text) ``terms``. Only the posting blocks that may hold one of
    them are read: a common term's whole list is long."""
    wanted = np.unique(np.fromiter(docnums, dtype=np.int64))
    terms = list(terms)
    found: set[int] = set()
    if not len(wanted) or not terms:
        return found
    for subsearcher, offset in searcher.leaf_searchers():
        segment = subsearcher.reader()
        if not isinstance(segment, SegmentReader):
            continue
        local = wanted[(wanted >= offset) & (wanted < offset + segment.doc_count_all())] - offset
        if not len(local):
            continue
        for fieldname, text in terms:
            facts = context.facts(segment)
            ids, _ = read_postings(segment, fieldname, text.encode("utf-8"), local, facts=facts)
            found.update((offset + ids[np.isin(ids, local, assume_unique=True)]).tolist())
    return found


def _postings(
    segment: SegmentReader,
    fieldname: str,
    text: bytes,
    within: np.ndarray | None,
    facts: ReaderFacts,
    deleted: bool = False,
) -> tuple[np.ndarray, np.ndarray] | None:
    """read_postings; None when the segment does not have the term."""
    terms = segment._terms  # Whoosh 2.7.4's term reader (pinned)
    try:
        info = terms.term_info(fieldname, text)
    except TermNotFound:
        return None
    if info.is_inlined():  # postings kept in the term info (Whoosh's codec does that)
        ids, weights, _ = info.inlined_postings()
        tf = np.array(weights, dtype=np.float32).astype(np.float64)
        if deleted:
            return np.array(ids, dtype=np.int64), tf
        return _without_deleted(facts, np.array(ids, dtype=np.int64), tf)
    # The blocks start after the list's header tag; read from the term info,
    # not through a Whoosh matcher (which reads the first block's header too).
    postfile = terms._postfile
    position = info.extent()[0] + len(WHOOSH3_HEADER_MAGIC)
    id_parts, tf_parts = [], []
    previous_max = -1
    while True:
        info, start, end, last = _read_block(postfile, position)
        block_max = info[1]
        wanted = True
        if within is not None:
            # The first candidate after the previous block: is it in this one?
            cursor = int(np.searchsorted(within, previous_max + 1))
            if cursor >= len(within):
                break
            wanted = within[cursor] <= block_max
        if wanted:
            ids, tf = _block_data(postfile, start, end, info)
            id_parts.append(ids)
            tf_parts.append(tf)
        previous_max = block_max
        if last:
            break
        position = end
    if not id_parts:
        return _EMPTY_IDS, _EMPTY
    ids, tf = (id_parts[0], tf_parts[0]) if len(id_parts) == 1 else (
        np.concatenate(id_parts), np.concatenate(tf_parts)
    )  # fmt: skip
    return (ids, tf) if deleted else _without_deleted(facts, ids, tf)


def _without_deleted(
    facts: ReaderFacts, ids: np.ndarray, tf: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    if not facts.reader.has_deletions():
        return ids, tf
    keep = ~np.isin(ids, facts.deleted())
    return ids[keep], tf[keep]


# --- evaluating a query on one segment -------------------------------------------


@dataclass
class _Scored:
    """A query part's matches in a segment: document numbers (ascending,
    unique), scores, how many of its terms each matched, and how many of its
    terms the index holds (the coordination bonus counts both)."""

    ids: np.ndarray
    scores: np.ndarray
    counts: np.ndarray
    terms: int


_NOTHING = _Scored(_EMPTY_IDS, _EMPTY, np.zeros(0, dtype=np.int64), 0)


class _SegmentEvaluator:
    """Evaluates a query on one segment; records every term's postings among
    the matches (``leaves``) for the evidence the ranking reads."""

    def __init__(
        self,
        searcher: Searcher,
        facts: ReaderFacts,
        skip_blocks: bool,
        index: IndexReader,
    ) -> None:
        self.searcher, self.skip_blocks = searcher, skip_blocks
        self.facts, self.segment = facts, facts.reader
        self.index = index  # the whole index: which terms it holds
        self.weighting = searcher.weighting
        # (field, term bytes) → (ids, term frequencies) of every term read
        self.leaves: dict[tuple[str, bytes], tuple[np.ndarray, np.ndarray]] = {}

    def evaluate(self, query: wq.Query, within: np.ndarray | None = None) -> _Scored:
        kind = type(query)
        if kind is wq.Term:
            return self.term(query, within)
        if kind is wq.AndMaybe:
            required = self.evaluate(query.a, within)
            if not len(required.ids):
                return _NOTHING
            # Only the optional part's blocks that can hold a required match.
            optional = self.evaluate(query.b, required.ids if self.skip_blocks else None)
            return _add_where(required, optional)
        subs = query.subqueries
        if len(subs) == 1:
            return self.evaluate(subs[0], within)
        if kind is wq.And:
            found = self.evaluate(subs[0], within)
            for sub in subs[1:]:
                if not len(found.ids):
                    return _NOTHING
                found = _intersect(found, self.evaluate(sub, found.ids))
            return found
        return _union([self.evaluate(sub, within) for sub in subs], query.scale)

    def term(self, query: wq.Term, within: np.ndarray | None) -> _Scored:
        fieldname = query.fieldname
        text = self.searcher.schema[fieldname].to_bytes(query.text)
        key = (fieldname, text)
        found = _postings(self.segment, fieldname, text, within, self.facts)
        if found is None:  # not in this segment, but counted as the index holds it
            held = 1 if self.index.doc_frequency(fieldname, text) else 0
            return _Scored(_EMPTY_IDS, _EMPTY, np.zeros(0, dtype=np.int64), held)
        ids, tf = found
        if within is not None and len(ids):
            keep = np.isin(ids, within, assume_unique=True)
            ids, tf = ids[keep], tf[keep]
        seen = self.leaves.get(key)
        if seen is None or len(seen[0]) < len(ids):
            self.leaves[key] = (ids, tf)
        scorer = self.weighting.scorer(self.searcher, fieldname, text)
        norms = scorer.norm_table()[ids]
        scores = scorer.idf * ((tf * scorer._k1_plus_1) / (tf + norms))
        if query.boost != 1.0:
            scores = scores * query.boost
        return _Scored(ids, scores, np.ones(len(ids), dtype=np.int64), 1)


def _union(parts: list[_Scored], scale: float | None) -> _Scored:
    """OR: every document any part matched, the parts' scores summed, with
    Whoosh's coordination bonus (its ``CoordMatcher``) when ``scale`` is set."""
    terms = sum(p.terms for p in parts)
    present = [p for p in parts if len(p.ids)]
    if not present:
        return _Scored(_EMPTY_IDS, _EMPTY, np.zeros(0, dtype=np.int64), terms)
    ids, inverse = np.unique(np.concatenate([p.ids for p in present]), return_inverse=True)
    scores = np.bincount(inverse, np.concatenate([p.scores for p in present]), len(ids))
    counts = np.bincount(inverse, np.concatenate([p.counts for p in present]), len(ids))
    counts = counts.astype(np.int64)
    if scale and terms:
        # V-Twin's short-query ranking, as Whoosh's CoordMatcher computes it.
        scores = (scores + (counts - 1) / (terms - scale) ** 2) * ((terms - 1) / terms)
    return _Scored(ids, scores, counts, terms)


def _intersect(a: _Scored, b: _Scored) -> _Scored:
    """AND: the documents both match, scores and counts summed."""
    common, in_a, in_b = np.intersect1d(a.ids, b.ids, assume_unique=True, return_indices=True)
    return _Scored(
        common, a.scores[in_a] + b.scores[in_b], a.counts[in_a] + b.counts[in_b], a.terms + b.terms
    )


def _add_where(required: _Scored, optional: _Scored) -> _Scored:
    """AND-MAYBE: the required part's documents, with the optional part's
    score added where it matches too."""
    scores, counts = required.scores.copy(), required.counts.copy()
    if len(optional.ids):
        _, in_r, in_o = np.intersect1d(
            required.ids, optional.ids, assume_unique=True, return_indices=True
        )
        scores[in_r] += optional.scores[in_o]
        counts[in_r] += optional.counts[in_o]
    return _Scored(required.ids, scores, counts, required.terms + optional.terms)


# --- matching a query over the whole index ---------------------------------------------


class ArrayMatches:
    """Every section a query matched (document number, score after the
    reference discount, the bit mask of the query words it holds) and every
    matching article with its best section and its evidence: per query
    word, its frequency in the title (once), the headings and the text
    (summed over the matching sections, a reference section's discounted),
    as :class:`bnsearch.engine.collector.BestSectionPerArticle` records them."""

    def __init__(
        self,
        table: DocumentTable,
        docnums: np.ndarray,
        scores: np.ndarray,
        masks: np.ndarray,
        evidence: np.ndarray,
        all_words: int,
    ) -> None:
        self.table = table
        self.all_words = all_words
        self.knows_words = bool(all_words)
        articles = table.article_of[docnums]
        # Sections by article, best first, ties to the lower ordinal.
        order = np.lexsort((table.ordinals[docnums], -scores, articles))
        self.docnums, self.scores = docnums[order], scores[order]
        self.masks, self.articles = masks[order], articles[order]
        if len(order):
            starts = np.flatnonzero(np.r_[True, self.articles[1:] != self.articles[:-1]])
        else:
            starts = _EMPTY_IDS
        self._starts = starts
        self._ends = np.r_[starts[1:], len(self.articles)]
        self.article_numbers = self.articles[starts]
        self.evidence = evidence[self.article_numbers] if len(evidence) else evidence
        self.best_scores = self.scores[starts]

    @property
    def total(self) -> int:
        return len(self.article_numbers)

    def _number(self, article: str) -> int | None:
        """The article's row among the matching articles; None if it did not match."""
        number = self.table.numbers.get(article)
        if number is None:
            return None
        row = int(np.searchsorted(self.article_numbers, number))
        if row < len(self.article_numbers) and self.article_numbers[row] == number:
            return row
        return None

    def best_docnum(self, article: str) -> int:
        return int(self.docnums[self._starts[self._number(article)]])

    def ranked_sections(self, article: str) -> list[tuple[float, int]]:
        """The article's matching sections (score, docnum), best first, ties
        to the lower ordinal."""
        row = self._number(article)
        if row is None:
            return []
        span = slice(self._starts[row], self._ends[row])
        return [
            (float(s), int(d)) for s, d in zip(self.scores[span], self.docnums[span], strict=True)
        ]

    def ordinal(self, docnum: int) -> int:
        return int(self.table.ordinals[docnum])

    def section_words(self, article: str) -> dict[int, int]:
        """The article's matching sections, each with the bit mask of the
        query words it holds."""
        row = self._number(article)
        if row is None:
            return {}
        span = slice(self._starts[row], self._ends[row])
        return dict(zip(self.docnums[span].tolist(), self.masks[span].tolist(), strict=True))

    def title_has_every_word(self, article: str, words: int) -> bool:
        row = self._number(article)
        if row is None or self.evidence.shape[1] < 3 * words:
            return False  # no article evidence was recorded
        return all(self.evidence[row, 3 * w] for w in range(words))

    def article_evidence(self) -> ArticleEvidence:
        """Every matching article's evidence (:class:`ArticleEvidence`)."""
        return ArticleEvidence(self.table, self.article_numbers, self.best_scores, self.evidence)


def match_arrays(
    context: SearcherContext,
    searcher: Searcher,
    query: wq.Query,
    word_terms: dict[tuple[str, bytes], int],
    article_terms: dict[tuple[str, bytes], tuple[int, float]],
    slots: int,
    excluded: Iterable[str] = (),
    check: Callable[[], None] = lambda: None,
    skip_blocks: bool = True,
) -> ArrayMatches:
    """Every match of ``query`` (one :func:`supports` takes) in the index,
    scored as Whoosh's matchers with the searcher's weighting score it; see
    :class:`ArrayMatches`. Sections of the ``excluded`` articles are left
    out. ``check`` is called between segments (the search's deadline).
    ``skip_blocks=False`` reads every block of every list (for tests: the
    matches are the same)."""
    reader = searcher.reader()
    table = document_table(context, reader)
    evidence = np.zeros((len(table.names), slots)) if slots else np.zeros((0, 0))
    excluded_numbers = [table.numbers[name] for name in excluded if name in table.numbers]
    all_words = 0
    for mask in word_terms.values():
        all_words |= mask
    # One bit per query word: 64 words (the most a query may have) fill a
    # uint64; more (never from the parser's bounds) need Python's integers.
    mask_type = np.uint64 if all_words.bit_length() <= 64 else object
    docnum_parts, score_parts, mask_parts = [], [], []
    weighting = searcher.weighting
    # A reference section's evidence is discounted as its score is.
    discount = getattr(weighting, "reference_discount", REFERENCE_DISCOUNT)
    for subsearcher, offset in searcher.leaf_searchers():
        check()
        segment = subsearcher.reader()
        if not isinstance(segment, SegmentReader) or not segment.doc_count_all():
            continue
        evaluator = _SegmentEvaluator(subsearcher, context.facts(segment), skip_blocks, reader)
        found = evaluator.evaluate(query)
        ids, scores = found.ids, found.scores
        if excluded_numbers and len(ids):
            keep = ~np.isin(table.article_of[offset + ids], excluded_numbers)
            ids, scores = ids[keep], scores[keep]
        if not len(ids):
            continue
        docnums = offset + ids
        reference = table.is_reference[docnums]
        if weighting.use_final:  # the reference discount (SectionWeighting.final)
            scores = np.where(reference, scores * weighting.reference_discount, scores)
        masks = np.zeros(len(ids), dtype=mask_type)
        articles = table.article_of[docnums]
        for key, (leaf_ids, tf) in evaluator.leaves.items():
            words = word_terms.get(key)
            slot = article_terms.get(key)
            if not words and slot is None:
                continue
            _, at, in_leaf = np.intersect1d(ids, leaf_ids, assume_unique=True, return_indices=True)
            if words:
                masks[at] |= words
            if slot is not None and slots:
                number, factor = slot
                frequency = tf[in_leaf] * factor
                if number % 3 == 0:  # the title: the same in every section, counted once
                    np.maximum.at(evidence[:, number], articles[at], frequency)
                else:
                    frequency = np.where(reference[at], frequency * discount, frequency)
                    np.add.at(evidence[:, number], articles[at], frequency)
        docnum_parts.append(docnums)
        score_parts.append(scores)
        mask_parts.append(masks)
    if not docnum_parts:
        return ArrayMatches(table, _EMPTY_IDS, _EMPTY, _EMPTY_IDS, evidence, all_words)
    return ArrayMatches(
        table,
        np.concatenate(docnum_parts),
        np.concatenate(score_parts),
        np.concatenate(mask_parts),
        evidence,
        all_words,
    )
