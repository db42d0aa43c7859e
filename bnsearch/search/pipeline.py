"""A search from query text to a page of results, in stages:

    parse → compile (a QueryPlan) → rank (articles by their best section)
          → choose the section each article is shown by → snippets
          → other matching sections → did-you-mean

A :class:`SearchRequest` says what to search and which optional stages to
run (evaluation needs neither snippets nor suggestions); a
:class:`SearchPipeline` runs it with one searcher, within the request's time
budget.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from whoosh import query as wq
from whoosh.searching import Searcher

from ..analysis import analyze, is_interrogative
from ..engine.arrays import sections_outside_references
from ..engine.collector import CHECK_EVERY, DEFAULT_TIMEOUT, Deadline
from ..engine.context import SearcherContext
from ..engine.romanized import romanized_forms
from ..engine.scoring import ARTICLE_FIELDS, WRITTEN_FIELDS, ArticleParameters, sections_holding
from ..errors import QueryError
from ..model import Hit, Message, Results, SectionHit, Snippet
from .compile import MAX_EXPANSIONS, QueryPlan, Weights, _content_terms, compile_query
from .parse import Filter, Group, parse
from .rank import Matches, choose_sections, exonyms_held, explain, names_named, rank
from .snippets import make_snippet, match_spans, snippet_spans
from .suggest import FEW_RESULTS, did_you_mean, suggestions
from .transliterate import candidates, is_latin_word
from .variants import close_spellings, rare_limit

__all__ = [
    "DEFAULT_TIMEOUT",
    "DEFAULT_WEIGHTS",
    "SearchPipeline",
    "SearchRequest",
    "query_spans",
    "romanized_readings",
]

_LATIN_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
DEFAULT_WEIGHTS = Weights()  # see Weights for how they were chosen
DEFAULT_ARTICLE = ArticleParameters()
MAX_OTHER_SECTIONS = 20  # other matching sections listed per hit (sections=True)


@dataclass(frozen=True)
class SearchRequest:
    """What to search for, which page, and which optional stages to run."""

    query: str
    limit: int = 10
    page: int = 1
    section: str | None = None  # only sections whose heading has these words
    sections: bool = False  # list each article's other matching sections
    stemming: bool = True  # False: exact forms only
    snippet_size: int = 240
    snippets: bool = True
    suggest: bool = True
    timeout: float | None = DEFAULT_TIMEOUT  # seconds; None: no limit
    transliterate: bool = True  # read Latin-typed words as romanized Bengali too
    explain: bool = False  # each hit says what its score is made of (Hit.explanation)


class SearchPipeline:
    """Runs search requests with one Whoosh searcher (whose weighting is
    :class:`bnsearch.engine.scoring.SectionWeighting`)."""

    def __init__(
        self,
        searcher: Searcher,
        weights: Weights = DEFAULT_WEIGHTS,
        article: ArticleParameters = DEFAULT_ARTICLE,
        skip_blocks: bool = True,
        *,
        context: SearcherContext | None = None,
        matchers: bool = False,
    ) -> None:
        self.searcher = searcher
        # What the searcher's searches keep (made with the searcher; its
        # weighting's when none is given).
        self.context = context if context is not None else _context_of(searcher)
        self.weights = weights
        self.article = article
        # False: read every posting block (the ranking is the same; for tests).
        self.skip_blocks = skip_blocks
        # True: every query through Whoosh's matchers, the path of phrases
        # (the ranking is the same; for tests).
        self.matchers = matchers

    def run(self, request: SearchRequest) -> Results:
        if request.limit < 1 or request.page < 1:
            raise QueryError("limit and page must be 1 or more")
        return self._run(request)

    def _run(self, request: SearchRequest) -> Results:
        searcher, weights = self.searcher, self.weights
        deadline = Deadline(request.timeout)
        limit, page = request.limit, request.page
        wanted = limit * page
        # A few more than needed, so that ties at the cut and merged duplicates
        # cannot change the page.
        count = wanted + limit + 5
        plan = self.plan(request, weights, deadline)
        if searcher.doc_count() == 0:  # nothing indexed yet (Whoosh has no columns then)
            return Results(
                request.query, 0, page, limit, [], notices=plan.notices, section=request.section
            )
        reader = searcher.reader()
        # The article ids by document, read only for an exclusion (-word):
        # making the column reader reads its whole offset table.
        ids = _Lazy(lambda: self.context.column(reader, "article_id"))
        ranked, matches = rank(
            self.context,
            searcher,
            plan,
            ids,
            count,
            deadline,
            weights,
            self.article,
            self.skip_blocks,
            arrays=not self.matchers,
        )
        # Every matching article, copies merged into a hit included (as
        # Elasticsearch counts the documents behind collapsed hits): a figure
        # that does not depend on the page.
        total = matches.total
        page_hits = ranked[wanted - limit : wanted]
        if weights.operator == "or" and weights.best_section_matches_all and page_hits:

            def strict() -> QueryPlan:
                return self.plan(request, replace(weights, operator="and"), deadline)

            choices = choose_sections(
                self.context, searcher, plan, strict, page_hits, matches, weights.parts
            )
            page_hits = [
                replace(
                    entry,
                    docnum=choices[entry.article_id].docnum,
                    rule=choices[entry.article_id].rule,
                )
                for entry in page_hits
            ]

        hits = []
        for number, entry in enumerate(page_hits, wanted - limit + 1):
            deadline.check()
            stored = entry.stored
            snippet = (
                _snippet(stored["text"], plan, request.snippet_size)
                if request.snippets
                else Snippet("")
            )
            hit = Hit(
                rank=number,
                id=stored["article_id"],
                title=stored["title"],
                section=stored["heading_path"],
                ordinal=stored["ordinal"],
                score=entry.score,
                snippet=snippet.text,
                highlights=list(snippet.highlights),
                text=stored["text"],
                duplicates=entry.duplicates,
                title_highlights=_spans(stored["title"], plan, "title"),
                section_highlights=_spans(stored["heading_path"], plan, "section")
                if stored["heading_path"]
                else [],
            )
            if request.sections:
                hit.sections = self.other_sections(plan, hit, matches, request.snippet_size)
            if request.explain:
                names = names_named(self.context, searcher, entry.docnum, plan)
                exonyms = exonyms_held(self.context, searcher, entry.docnum, plan)
                hit.explanation = explain(entry, weights, names, exonyms)
            hits.append(hit)
        # Spelling suggestions only for a query that found little: one that
        # found plenty was understood.
        few = total < FEW_RESULTS
        found = suggestions(searcher, plan) if request.suggest and few else {}
        return Results(
            request.query,
            total,
            page,
            limit,
            hits,
            found,
            did_you_mean(request.query, found),
            plan.notices,
            section=request.section,
        )

    def plan(self, request: SearchRequest, weights: Weights, deadline: Deadline) -> QueryPlan:
        """The request's query (with its section filter) compiled against
        this searcher's index: word frequencies, prefix expansions."""
        searcher, context = self.searcher, self.context
        tree = parse(request.query)
        if request.section:
            section_words = parse(request.section)
            if section_words.nodes:
                tree = Group((*tree.nodes, Filter("section", section_words)))

        def expand(name: str, prefix: str) -> tuple[list[str], int]:
            return _expand_prefix(searcher, name, prefix, deadline)

        plan = compile_query(
            tree,
            weights,
            stemming=request.stemming,
            frequency=lambda stem: sections_holding(searcher, stem),
            sections=searcher.doc_count(),
            expand=expand,
            speller=lambda exact: _spellings(
                context, searcher, exact, weights.parts.spellings_by_word
            ),
            romanizer=(lambda word: _readings(context, searcher, word, deadline))
            if request.transliterate
            else None,
            joiner=lambda exact: sections_holding(searcher, exact, "_exact"),
            apart=lambda first, second: _written_apart(searcher, first, second),
        )
        latin = [
            typed
            for typed, _, _ in plan.words
            if _LATIN_WORD.fullmatch(typed) and not plan.spellings.get(typed)
        ]
        if latin and not request.transliterate:
            plan.notices.append(
                Message(
                    "latin_only",
                    "{words}: words in Latin letters match text in Latin letters "
                    "only (reading them as romanized Bengali is off)",
                    words=", ".join(latin),
                )
            )
        if plan.query is None:
            text = request.query
            if not text.strip():
                raise QueryError(Message("empty_query", "an empty query: type one or more words"))
            raise QueryError(
                Message(
                    "nothing_to_search",
                    "nothing to search for in {query!r}: type one or more words",
                    query=text,
                )
            )
        return plan

    def other_sections(
        self, plan: QueryPlan, hit: Hit, matches: Matches, size: int
    ) -> list[SectionHit]:
        """The article's other sections whose own heading or text matched (every
        section carries the title, so a title match alone does not count), with
        the scores the ranking gave them; the best MAX_OTHER_SECTIONS."""
        found = []
        for score, docnum in matches.ranked_sections(hit.id):
            if len(found) == MAX_OTHER_SECTIONS:
                hit.more_sections = True  # an article of thousands of sections
                break
            stored = self.searcher.stored_fields(docnum)
            if stored["ordinal"] == hit.ordinal:
                continue
            snippet = _snippet(stored["text"], plan, size)
            if not snippet.highlights and not _spans(stored["heading"], plan):
                continue
            found.append(
                SectionHit(
                    stored["heading_path"],
                    stored["ordinal"],
                    round(score, 6),
                    snippet.text,
                    list(snippet.highlights),
                    stored["text"],
                )
            )
        return found


def _context_of(searcher: Searcher) -> SearcherContext:
    """The context of a searcher whose weighting keeps one (SectionWeighting),
    else a new one."""
    found = getattr(searcher.weighting, "context", None)
    return found if isinstance(found, SearcherContext) else SearcherContext()


class _Lazy:
    """Indexing into what ``make()`` returns, made on first use."""

    def __init__(self, make) -> None:
        self._make, self._made = make, None

    def __getitem__(self, key):
        if self._made is None:
            self._made = self._make()
        return self._made[key]


def _expand_prefix(
    searcher: Searcher, name: str, prefix: str, deadline: Deadline
) -> tuple[list[str], int]:
    """The MAX_EXPANSIONS terms of field ``name`` with ``prefix`` found in
    the most sections (ties to the alphabetically first), and how many
    terms have the prefix."""
    reader = searcher.reader()
    counted = []
    for number, btext in enumerate(reader.expand_prefix(name, prefix), 1):
        if number % CHECK_EVERY == 0:
            deadline.check()
        counted.append((-reader.doc_frequency(name, btext), btext))
    best = heapq.nsmallest(MAX_EXPANSIONS, counted)
    return [btext.decode("utf-8") for _, btext in best], len(counted)


def _written_apart(searcher: Searcher, first: str, second: str) -> bool:
    """Whether a section holds the exact forms ``first`` and ``second`` one
    after the other, in its title, headings or text."""
    phrases = [wq.Phrase(f"{name}_exact", [first, second]) for name in ARTICLE_FIELDS]
    return next(iter(searcher.docs_for_query(wq.Or(phrases))), None) is not None


def _spellings(
    context: SearcherContext, searcher: Searcher, exact: str, by_word: bool = True
) -> list[str]:
    """Close spellings of a word the texts rarely write, in the exact text
    field (made once per index reader and word). How rare a word is, and
    how frequent a spelling, count the sections whose headings or text hold
    any form of it (its stem; only the form written, unless ``by_word``, for
    comparison). Titles are left out: a title's words, and the other names
    its lead gives (রিক্সা, of রিকশা), stand in every section of its article,
    and রিক্সা is a spelling of রিকশা however many sections that is."""
    reader = searcher.reader()

    def find() -> list[str]:
        def terms(prefix: str) -> list[str]:
            # From the index's table of Bengali forms when it has every
            # segment's (an indexed range read), else from each segment's
            # terms (Whoosh's merge of them was slower still): a rare word's
            # first search read thousands of terms from the term index.
            stored = romanized_forms(context, reader).with_prefix(prefix)
            if stored is not None:
                return stored
            found: set[bytes] = set()
            for leaf, _ in reader.leaf_readers():
                found.update(leaf.expand_prefix("body_exact", prefix))
            return sorted(term.decode("utf-8") for term in found)

        def word_of(term: str) -> tuple[str, int]:
            stem = _stem_of(term)
            return stem, sections_holding(searcher, stem, fields=WRITTEN_FIELDS)

        rare = rare_limit(reader.doc_count())
        return close_spellings(
            exact,
            sections_holding(searcher, _stem_of(exact), fields=WRITTEN_FIELDS),
            rare,
            terms,
            lambda term: reader.doc_frequency("body_exact", term),
            word_of if by_word else None,
        )

    return context.spellings((exact, by_word), find)


def _stem_of(term: str) -> str:
    """The stem a written form is searched under, read as the compiler
    reads a close spelling (the form itself when it has no one content
    stem: such a spelling is not searched)."""
    terms = _content_terms(term)[1]
    return terms[0][1] if len(terms) == 1 else term


def _readings(
    context: SearcherContext, searcher: Searcher, word: str, deadline: Deadline
) -> list[tuple[str, int]]:
    found = romanized_readings(context, searcher, word, deadline.check)
    return [(term, count) for term, count, _ in found]


def romanized_readings(
    context: SearcherContext,
    searcher: Searcher,
    word: str,
    check: Callable[[], None] = lambda: None,
) -> list[tuple[str, int, float]]:
    """The Bengali readings of a Latin-typed word (bnsearch.search.transliterate):
    (form, sections, distance), best first. ``check`` is called while a
    table is built in memory for an index written without one (a search's
    deadline)."""
    if not is_latin_word(word) or not searcher.doc_count():
        return []
    reader = searcher.reader()
    forms = romanized_forms(context, reader, check)
    return candidates(
        word,
        forms,
        lambda term: reader.doc_frequency("body_exact", term),
        sections_outside_references(context, reader, "body_exact", word.lower()),
        _is_function_word,
    )


def _is_function_word(form: str) -> bool:
    """A stopword or question word: no term of the stem field carries content."""
    return not any(t.term and not is_interrogative(t.term) for t in analyze(form, "stem"))


def _spans(text: str, plan: QueryPlan, scope: str | None = None) -> list[tuple[int, int]]:
    """Where the plan's words are in ``text``; with ``scope`` (a title or a
    heading path), the words of that field's filters too."""
    spans = match_spans(text, plan.stems, plan.exact, plan.phrases, plan.prefixes)
    scoped = plan.scoped.get(scope) if scope else None
    if scoped is not None:
        more = match_spans(text, scoped.stems, scoped.exact, scoped.phrases, scoped.prefixes)
        spans = _merged(spans + more)
    return spans


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _snippet(text: str, plan: QueryPlan, size: int) -> Snippet:
    spans = snippet_spans(text, plan.stems, plan.exact, plan.phrases, plan.prefixes)
    return make_snippet(text, spans, size=size)


def query_spans(query: str, text: str) -> list[tuple[int, int]]:
    """Where a query's words (in any form) are in ``text``: for showing a
    whole section with its matches marked."""
    return _spans(text, compile_query(parse(query), DEFAULT_WEIGHTS))
