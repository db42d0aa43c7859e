"""The query language: parsing, and compiling to Whoosh queries.

    কাতার মেক্সিকো            plain words (the default operator joins them)
    "আল থানি"                a phrase, matched on exact forms with positions
    -রাশিয়া                   exclude a word (or a phrase, or a group)
    কাতার OR দোহা             either; OR binds tighter than the implicit operator
    (কাতার OR দোহা) বাণিজ্য    grouping
    title:কাতার               the article title contains the word
    section:ইতিহাস            the section heading contains it (any form)
    কাতা*                     prefix

Words go through the same analyzers as documents, so every inflection and
spelling variant the index conflates matches, and Bengali and ASCII digits are
interchangeable. Malformed input never raises: an unbalanced quote or
parenthesis, a lone ``-`` or a stray ``OR`` is read as plain words.

What a query may cost is bounded before it runs (QueryTooBroadError
otherwise): at most MAX_QUERY_CHARS characters, MAX_DEPTH levels of
parentheses, MAX_TERMS words (phrase words and prefixes included), prefixes
of at least MIN_PREFIX characters, each standing for at most MAX_EXPANSIONS
index terms per field (the most frequent; the plan says how many it left
out).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Union

from whoosh import query as wq

from .analysis import analyze, normalize_tier0, normalize_tier1
from .errors import QueryTooBroadError

__all__ = [
    "FIELD_ALIASES",
    "MAX_EXPANSIONS",
    "MAX_TERMS",
    "MIN_PREFIX",
    "AnyOf",
    "Filter",
    "Group",
    "Not",
    "Phrase",
    "QueryPlan",
    "Weights",
    "Word",
    "compile_query",
    "parse",
]

FIELD_ALIASES = {"title": "title", "section": "section", "heading": "section"}

MAX_QUERY_CHARS = 4000
MAX_DEPTH = 16  # nested parentheses
MAX_TERMS = 64  # words, phrase words and prefixes in one query
MIN_PREFIX = 2  # characters before a *
MAX_EXPANSIONS = 50  # index terms a prefix stands for, per field


@dataclass(frozen=True)
class Word:
    text: str
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    text: str


@dataclass(frozen=True)
class Filter:
    field: Literal["title", "section"]
    node: Node


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class AnyOf:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Group:
    """Clauses joined by the default operator."""

    nodes: tuple[Node, ...]


Node = Union[Word, Phrase, Filter, Not, AnyOf, Group]  # noqa: UP007 (forward references)

# --- parsing -------------------------------------------------------------------

_TOKEN = re.compile(r'\s+|\(|\)|"|[^\s()"]+')


def _lex(text: str) -> list[str]:
    """Tokens: "(", ")", a phrase '"…"', or a run of other characters.

    A quote without its partner is read as a space.
    """
    tokens, position = [], 0
    while position < len(text):
        char = text[position]
        if char == '"':
            end = text.find('"', position + 1)
            if end < 0:
                position += 1  # unbalanced: a plain space
                continue
            tokens.append(text[position : end + 1])
            position = end + 1
            continue
        match = _TOKEN.match(text, position)
        if not match.group().isspace():
            tokens.append(match.group())
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens, self.position = tokens, 0
        self.depth = 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def group(self, nested: bool) -> Group:
        nodes: list[Node] = []
        while (token := self.peek()) is not None:
            if token == ")":
                self.take()
                if nested:
                    break
                continue  # a stray closing parenthesis
            node = self.alternatives()
            if node is not None:
                nodes.append(node)
        return Group(tuple(nodes))

    def alternatives(self) -> Node | None:
        options = []
        first = self.negatable()
        if first is not None:
            options.append(first)
        while self.peek() == "OR":
            self.take()
            if self.peek() in (None, ")"):
                break
            option = self.negatable()
            if option is not None:
                options.append(option)
        if not options:
            return None
        return options[0] if len(options) == 1 else AnyOf(tuple(options))

    def negatable(self) -> Node | None:
        token = self.peek()
        if token == "OR":  # an OR with nothing before it
            self.take()
            return None
        if token is not None and token.startswith("-") and token != "-":
            self.tokens[self.position] = token[1:]
            node = self.unit()
            return Not(node) if node is not None else None
        if token == "-":
            self.take()
            following = self.peek()
            if following == "(" or (following or "").startswith('"'):
                node = self.unit()  # -( … ) and -"…"
                return Not(node) if node is not None else None
            return None  # a lone minus
        return self.unit()

    def unit(self) -> Node | None:
        token = self.take()
        scope = None  # title:section:x searches the innermost field, as it always did
        while True:
            name, colon, value = token.partition(":")
            if not colon or name.lower() not in FIELD_ALIASES:
                break
            scope = FIELD_ALIASES[name.lower()]
            if value:
                token = value
            elif self.peek() in (None, ")", "OR"):
                return None
            else:
                token = self.take()
        node = self.bare(token)
        if scope is None or node is None:
            return node
        return Filter(scope, node)  # type: ignore[arg-type]

    def bare(self, token: str) -> Node | None:
        if token == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QueryTooBroadError(f"the query nests parentheses more than {MAX_DEPTH} deep")
            group = self.group(nested=True)
            self.depth -= 1
            return group if group.nodes else None
        if token.startswith('"'):
            inner = token[1:-1].strip()
            return Phrase(inner) if inner else None
        if token.endswith("*") and len(token.rstrip("*")) > 0:
            return Word(token.rstrip("*"), prefix=True)
        stripped = token.strip("*")
        return Word(stripped) if stripped else None


def parse(text: str) -> Group:
    """The query as a tree. An empty group means nothing to search. Malformed
    input is read as words; only a query beyond the size bounds raises
    (QueryTooBroadError)."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryTooBroadError(
            f"the query is {len(text):,} characters long; at most {MAX_QUERY_CHARS:,}"
        )
    tree = _Parser(_lex(text)).group(nested=False)
    terms = _count_terms(tree)
    if terms > MAX_TERMS:
        raise QueryTooBroadError(
            f"the query has {terms:,} words; at most {MAX_TERMS} (drop the less important ones)"
        )
    return tree


def _count_terms(tree: Group) -> int:
    """Words, phrase words and prefixes in the tree (without recursion:
    the tree can be as deep as MAX_DEPTH allows, times filters)."""
    count, stack = 0, [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Word):
            count += 1
        elif isinstance(node, Phrase):
            count += max(1, len(node.text.split()))
        elif isinstance(node, Filter | Not):
            stack.append(node.node)
        else:
            stack.extend(node.nodes)
    return count


# --- compiling ---------------------------------------------------------------------


@dataclass(frozen=True)
class Weights:
    """Field boosts and the default operator.

    Chosen with ``bnsearch eval`` on ../shared/eval/dev (57 queries): OR with
    the coordination bonus beat AND (MRR@10 0.991 against 0.904: AND finds
    nothing when a question has a word no section has) and, each weight
    halved or doubled, every neighbour of these values scored lower.
    """

    title: float = 2.0
    heading: float = 1.5
    body: float = 1.0
    exact: float = 0.5  # extra weight when the exact form matches too
    phrase: float = 1.0
    # "and": every word must match; "or": any word may, more words rank higher.
    operator: Literal["and", "or"] = "or"
    # With "or": Whoosh's coordination bonus (0 < c < 1), for sections that
    # match more of the query's words. None: a plain sum.
    coordination: float | None = 0.5
    # With "or": show an article by its best section that has every word of
    # the query, when there is one (the article's rank does not change).
    best_section_matches_all: bool = True
    # With "or": a word found in more than this share of all sections is
    # "common". A section must match one of the rarer words (or, when all are
    # common, the least common one), and common words only add to its score
    # (Lucene's common terms query): Whoosh then skips the common words' long
    # posting lists instead of scoring every section that has, say, বাংলাদেশ.
    # A word must also be in at least common_minimum sections: on a small
    # index no posting list is long, and plain OR is kept. None: off.
    common_cutoff: float | None = 0.02
    common_minimum: int = 200


@dataclass
class QueryPlan:
    """A compiled query and what the snippets and suggestions need from it."""

    query: wq.Query | None
    # Top-level exclusions (-word): every section of a matching article is
    # excluded, not only the sections that contain the word.
    excluded: wq.Query | None = None
    stems: set[str] = field(default_factory=set)  # positive free-text stem terms
    exact: set[str] = field(default_factory=set)  # positive exact terms (single words)
    phrases: list[tuple[str, ...]] = field(default_factory=list)
    prefixes: list[tuple[str, str]] = field(default_factory=list)  # (exact, stem) prefixes
    words: list[tuple[str, str, str]] = field(default_factory=list)  # (typed, exact, stem)
    stemming: bool = True
    # Every positive top-level part is a single word (no phrase, prefix, OR or
    # group): a section then matches the query's AND form exactly when its
    # title, heading and text hold every one of ``words``.
    plain_words: bool = False
    # What the user should know about how the query was run (prefixes cut
    # down to their most frequent terms).
    notices: list[str] = field(default_factory=list)


# (field, prefix) → the prefix's most frequent terms in the field (at most
# MAX_EXPANSIONS) and how many terms have the prefix in all.
Expander = Callable[[str, str], tuple[list[str], int]]


_STEM_FIELDS = {"all": ("title", "heading", "body"), "title": ("title",), "section": ("heading",)}


class _Compiler:
    def __init__(
        self,
        weights: Weights,
        stemming: bool,
        plan: QueryPlan,
        frequency: Callable[[str], int] | None,
        sections: int,
        expand: Expander | None = None,
    ) -> None:
        self.weights, self.stemming, self.plan = weights, stemming, plan
        self.frequency, self.sections = frequency, sections
        self.expand = expand
        self.only_stopwords = False
        self.word_frequency: dict[int, int] = {}  # id(compiled word) → sections with it

    def boost(self, stem_field: str) -> float:
        return getattr(self.weights, stem_field)

    def node(self, node: Node, scope: str, positive: bool) -> wq.Query | None:
        if isinstance(node, Word):
            return self.word(node, scope, positive)
        if isinstance(node, Phrase):
            return self.phrase(node.text, scope, positive)
        if isinstance(node, Filter):
            return self.node(node.node, node.field, False)
        if isinstance(node, Not):
            inner = self.node(node.node, scope, False)
            return wq.Not(inner) if inner is not None else None
        if isinstance(node, AnyOf):
            parts = [q for q in (self.node(n, scope, positive) for n in node.nodes) if q]
            return wq.Or(parts) if len(parts) > 1 else (parts[0] if parts else None)
        return self.group(node, scope, positive)

    def group(self, node: Group, scope: str, positive: bool, top: bool = False) -> wq.Query | None:
        required, optional, excluded = [], [], []
        for child in node.nodes:
            compiled = self.node(child, scope, positive)
            if compiled is None:
                continue
            if isinstance(compiled, wq.Not):
                excluded.append(compiled.query)
            elif isinstance(child, Filter):
                required.append(compiled)
            else:
                optional.append(compiled)
        if optional:
            if self.weights.operator == "and":
                required.extend(optional)
            else:
                required.append(self.either(optional, top))
        if not required:
            if not excluded:
                return None
            required = [wq.Every()]  # only exclusions: everything but them
        if excluded and top:
            self.plan.excluded = wq.Or(excluded) if len(excluded) > 1 else excluded[0]
        elif excluded:
            # And + Not, not Whoosh's AndNot: its matcher lets negated
            # documents through when the negation is a union (Whoosh 2.7.4).
            required.append(wq.Not(wq.Or(excluded) if len(excluded) > 1 else excluded[0]))
        return wq.And(required) if len(required) > 1 else required[0]

    def either(self, clauses: list[wq.Query], top: bool) -> wq.Query:
        """Clauses joined by OR; at the top level, common words only score."""
        if len(clauses) == 1:
            return clauses[0]
        scale = self.weights.coordination
        cutoff = self.weights.common_cutoff
        if top and cutoff is not None and self.frequency is not None:
            limit = max(cutoff * self.sections, self.weights.common_minimum)
            # Words found nowhere neither select nor score: leave them out of
            # the split, or a misspelling would select nothing.
            counts = [self.word_frequency.get(id(c)) for c in clauses]
            pairs = list(zip(clauses, counts, strict=True))
            rare = [c for c, n in pairs if n is None or 0 < n <= limit]
            common = [c for c, n in pairs if n is not None and n > limit]
            if common and not rare and len(common) > 1:
                # Every word is common: the least common one selects.
                least = min(common, key=lambda c: self.word_frequency[id(c)])
                rare, common = [least], [c for c in common if c is not least]
            if rare and common:
                selecting = wq.Or(rare, scale=scale) if len(rare) > 1 else rare[0]
                return wq.AndMaybe(selecting, wq.Or(common) if len(common) > 1 else common[0])
        return wq.Or(clauses, scale=scale)

    def word(self, node: Word, scope: str, positive: bool) -> wq.Query | None:
        if node.prefix:
            return self.prefix(node.text, scope, positive)
        stems = analyze(node.text, "stem")
        exacts = analyze(node.text, "exact")
        kept = [(e.term, s.term) for e, s in zip(exacts, stems, strict=True) if s.term]
        if len(exacts) > 1 and len(kept) > 1:
            # আল-থানি, COVID-19: several words typed as one are a phrase.
            return self.phrase(node.text, scope, positive)
        if not kept:
            if not self.only_stopwords or not exacts:
                return None  # a stopword among other words: matches everything
            kept = [(exacts[0].term, None)]
        exact, stem = kept[0]
        clauses = []
        for stem_field in _STEM_FIELDS[scope]:
            weight = self.boost(stem_field)
            if self.stemming and stem is not None:
                clauses.append(wq.Term(stem_field, stem, boost=weight))
                clauses.append(
                    wq.Term(f"{stem_field}_exact", exact, boost=weight * self.weights.exact)
                )
            else:
                clauses.append(wq.Term(f"{stem_field}_exact", exact, boost=weight))
        if positive and scope == "all":
            if stem is not None:
                self.plan.stems.add(stem)
            self.plan.exact.add(exact)
            self.plan.words.append((node.text, exact, stem or ""))
        compiled = wq.Or(clauses)
        if self.frequency is not None and stem is not None and self.stemming:
            self.word_frequency[id(compiled)] = self.frequency(stem)
        return compiled

    def phrase(self, text: str, scope: str, positive: bool) -> wq.Query | None:
        terms = [t.term for t in analyze(text, "exact") if t.term]
        if not terms:
            return None
        if len(terms) == 1:
            clauses = [
                wq.Term(f"{f}_exact", terms[0], boost=self.boost(f)) for f in _STEM_FIELDS[scope]
            ]
            if positive and scope == "all":
                self.plan.exact.add(terms[0])
            return wq.Or(clauses)
        clauses = [
            wq.Phrase(f"{f}_exact", terms, boost=self.boost(f) * self.weights.phrase)
            for f in _STEM_FIELDS[scope]
        ]
        if positive and scope == "all":
            self.plan.phrases.append(tuple(terms))
        return wq.Or(clauses)

    def prefix(self, text: str, scope: str, positive: bool) -> wq.Query | None:
        exact = normalize_tier0(text)
        stem = normalize_tier1(exact)
        if not exact:
            return None
        if len(exact) < MIN_PREFIX:
            raise QueryTooBroadError(
                f"{text}* is too broad: give at least {MIN_PREFIX} letters before the *"
            )
        clauses: list[wq.Query] = []
        left_out = 0
        for stem_field in _STEM_FIELDS[scope]:
            boost = self.boost(stem_field)
            pairs = [(f"{stem_field}_exact", exact)]
            if self.stemming:
                pairs.append((stem_field, stem))
            for name, start in pairs:
                if self.expand is None:
                    clauses.append(wq.Prefix(name, start, boost=boost))
                    continue
                terms, total = self.expand(name, start)
                left_out = max(left_out, total - len(terms))
                clauses.extend(wq.Term(name, term, boost=boost) for term in terms)
        if left_out:
            self.plan.notices.append(
                f"{text}* stands for more words than a search takes; searched the "
                f"{MAX_EXPANSIONS} most frequent and left out {left_out:,}"
            )
        if positive and scope == "all":
            self.plan.prefixes.append((exact, stem))
        if not clauses:  # no term has the prefix: a term that matches nothing
            return wq.Term("body_exact", exact)
        return wq.Or(clauses)


def _has_content_word(node: Node) -> bool:
    """Whether any word of the query survives stopword removal."""
    if isinstance(node, Word):
        return node.prefix or any(t.term for t in analyze(node.text, "stem"))
    if isinstance(node, Phrase):
        return True
    if isinstance(node, Filter | Not):
        return _has_content_word(node.node)
    return any(_has_content_word(n) for n in node.nodes)


def compile_query(
    tree: Group,
    weights: Weights,
    *,
    stemming: bool = True,
    frequency: Callable[[str], int] | None = None,
    sections: int = 0,
    expand: Expander | None = None,
) -> QueryPlan:
    """The Whoosh query for a parsed query, with the terms to highlight.

    A query made only of stopwords (এবং, কী) searches their exact forms
    instead of nothing. ``frequency`` counts the sections (of ``sections``)
    that have a stem term; without it the common-words split is off.
    ``expand`` lists a prefix's terms (without it, prefixes are Whoosh's
    unbounded Prefix queries, fit only for highlighting).
    """
    plan = QueryPlan(query=None, stemming=stemming)
    compiler = _Compiler(weights, stemming, plan, frequency, sections, expand)
    compiler.only_stopwords = not _has_content_word(tree)
    plan.query = compiler.group(tree, "all", True, top=True)
    plan.plain_words = (
        all(isinstance(node, Word | Filter | Not) for node in tree.nodes)
        and not plan.phrases
        and not plan.prefixes
    )
    return plan
