"""The query language: parsing text into a tree of nodes.

    কাতার মেক্সিকো            plain words (the default operator joins them)
    "আল থানি"                a phrase, matched on exact forms with positions
    -রাশিয়া  NOT রাশিয়া        exclude a word (or a phrase, or a group)
    +দোহা                    require a word (or a phrase, or a group)
    কাতার AND দোহা            both required (AND and NOT in capitals)
    কাতার OR দোহা             either; OR binds tighter than the implicit operator
    (কাতার OR দোহা) বাণিজ্য    grouping
    title:কাতার               the article title contains the word
    section:ইতিহাস            the section heading contains it (any form)
    কাতা*                     prefix

Malformed input never raises: an unbalanced quote or parenthesis, a lone
``-`` or ``+``, or a stray ``OR``/``AND``/``NOT`` is read as plain words or
dropped. A field prefix that is not a field (``foo:bar``: Latin letters, a colon
and a letter) raises QueryError naming the fields; text with other colons
(``১০:৩০``, ``http://``, ``উদাহরণ:``) is read as words. What a query may cost is
bounded here, before it runs (QueryTooBroadError otherwise): at most
MAX_QUERY_CHARS characters, MAX_DEPTH levels of parentheses and MAX_TERMS
words (phrase words and prefixes included).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Union

from ..errors import QueryError, QueryTooBroadError
from ..model import Message

__all__ = [
    "COSTLY_TERMS",
    "FIELD_ALIASES",
    "MAX_DEPTH",
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "AnyOf",
    "Filter",
    "Group",
    "Must",
    "Node",
    "Not",
    "Phrase",
    "Word",
    "is_costly",
    "parse",
]

FIELD_ALIASES = {"title": "title", "section": "section", "heading": "section"}

MAX_QUERY_CHARS = 4000
MAX_DEPTH = 16  # nested parentheses
MAX_TERMS = 64  # words, phrase words and prefixes in one query


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
class Must:
    """A part every match must have (+word, either side of AND)."""

    node: Node


@dataclass(frozen=True)
class AnyOf:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Group:
    """Clauses joined by the default operator."""

    nodes: tuple[Node, ...]


Node = Union[Word, Phrase, Filter, Not, Must, AnyOf, Group]  # noqa: UP007 (forward references)

# --- parsing -------------------------------------------------------------------

_TOKEN = re.compile(r'\s+|\(|\)|"|[^\s()"]+')
# name:value where name looks like a field name (Latin letters) and value
# starts with a letter: foo:bar (not http://, ১০:৩০ or "উদাহরণ: …").
_FIELD_LIKE = re.compile(r"[A-Za-z][A-Za-z_-]*:[^\W\d_]")


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
        joined = False  # the last token was AND: the next part is required too
        while (token := self.peek()) is not None:
            if token == ")":
                self.take()
                if nested:
                    break
                continue  # a stray closing parenthesis
            if token == "AND":
                self.take()
                if nodes and not joined:
                    nodes[-1] = _required(nodes[-1])
                    joined = True
                continue
            node = self.alternatives()
            if node is not None:
                nodes.append(_required(node) if joined else node)
                joined = False
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
        if token in ("OR", "AND"):  # an operator with nothing before it
            self.take()
            return None
        if token == "NOT":
            self.take()
            if self.peek() in (None, ")", "OR", "AND"):
                return None
            node = self.negatable()
            return Not(node) if node is not None and not isinstance(node, Not) else node
        for sign, wrap in (("-", Not), ("+", Must)):
            if token is not None and token.startswith(sign) and token != sign:
                self.tokens[self.position] = token[1:]
                node = self.unit()
                return wrap(node) if node is not None else None
            if token == sign:
                self.take()
                following = self.peek()
                if following == "(" or (following or "").startswith('"'):
                    node = self.unit()  # -( … ), +"…"
                    return wrap(node) if node is not None else None
                return None  # a lone sign
        return self.unit()

    def unit(self) -> Node | None:
        token = self.take()
        scope = None  # title:section:x searches the innermost field, as it always did
        while True:
            name, colon, value = token.partition(":")
            if not colon:
                break
            if name.lower() not in FIELD_ALIASES:
                if _FIELD_LIKE.match(token):
                    known = ", ".join(sorted({f"{a}:" for a in FIELD_ALIASES}))
                    raise QueryError(
                        Message(
                            "unknown_field",
                            "unknown field {field}: in the query; the fields are {known}",
                            field=name,
                            known=known,
                        )
                    )
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
                raise QueryTooBroadError(
                    Message(
                        "too_deep",
                        "the query nests parentheses more than {depth} deep",
                        depth=MAX_DEPTH,
                    )
                )
            group = self.group(nested=True)
            self.depth -= 1
            return group if group.nodes else None
        if token.startswith('"'):
            inner = token[1:-1].strip()
            if self.peek() is not None and self.peek().startswith("~"):
                raise QueryError(
                    Message(
                        "proximity",
                        'proximity ("…"~N) is not supported: search the words without quotes '
                        "to find them anywhere in a section, more of them ranking higher",
                    )
                )
            return Phrase(inner) if inner else None
        _refuse_unsupported(token)
        if token.endswith("*") and len(token.rstrip("*")) > 0:
            return Word(token.rstrip("*"), prefix=True)
        stripped = token.strip("*")
        return Word(stripped) if stripped else None


# Lucene's syntax that this query language does not have: refused with a
# message rather than searched as something else (কাতার^2 as কাতার and 2).
_BOOST = re.compile(r"\^[\d.]*$")
_INNER_QUESTION = re.compile(r"[^\s?*]\?+[^\s?*]")


def _refuse_unsupported(token: str) -> None:
    if token.startswith("~") or (token.endswith("~") or re.search(r"~\d*$", token)):
        raise QueryError(
            Message(
                "fuzzy",
                "fuzzy and proximity searches (~) are not supported: close spellings of a "
                "rare word are searched anyway",
            )
        )
    if _BOOST.search(token):
        raise QueryError(
            Message(
                "boost",
                "boosts ({token}) are not supported: every word counts by how rare it is, "
                "and +word requires one",
                token=token,
            )
        )
    if _INNER_QUESTION.search(token):
        raise QueryError(
            Message(
                "wildcard",
                "single-letter wildcards ({token}) are not supported: use a prefix such as "
                "{prefix}*",
                token=token,
                prefix=token.split("?")[0],
            )
        )
    if token.startswith("*"):
        raise QueryError(
            Message(
                "leading_wildcard",
                "a * must follow at least 2 letters ({token}): words are found by their "
                "beginning, not their end",
                token=token,
            )
        )


def parse(text: str) -> Group:
    """The query as a tree. An empty group means nothing to search. Malformed
    input is read as words; only a query beyond the size bounds raises
    (QueryTooBroadError)."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryTooBroadError(
            Message(
                "too_long",
                "the query is {length:,} characters long; at most {most:,}",
                length=len(text),
                most=MAX_QUERY_CHARS,
            )
        )
    tree = _Parser(_lex(text)).group(nested=False)
    terms = _count_terms(tree)
    if terms > MAX_TERMS:
        raise QueryTooBroadError(
            Message(
                "too_many_words",
                "the query has {words:,} words; at most {most} (drop the less important ones)",
                words=terms,
                most=MAX_TERMS,
            )
        )
    return tree


COSTLY_TERMS = 16  # words past which a query is served as a costly one


def is_costly(text: str) -> bool:
    """Whether a query may take long: it has a prefix (searched as up to
    50 words per field), or more than COSTLY_TERMS words. A server runs
    such queries apart, so that they cannot hold up the cheap ones."""
    try:
        tree = parse(text)
    except QueryTooBroadError:
        return False  # refused at once
    stack: list[Node] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Word) and node.prefix:
            return True
        if isinstance(node, Filter | Not | Must):
            stack.append(node.node)
        elif isinstance(node, Group | AnyOf):
            stack.extend(node.nodes)
    return _count_terms(tree) > COSTLY_TERMS


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
        elif isinstance(node, Filter | Not | Must):
            stack.append(node.node)
        else:
            stack.extend(node.nodes)
    return count


def _required(node: Node) -> Node:
    """``node`` as a part every match must have (an exclusion stays one)."""
    return node if isinstance(node, Not | Must) else Must(node)
