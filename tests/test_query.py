"""The query language: parsing every construct, and malformed input."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh import query as wq

from bnsearch.analysis import analyze
from bnsearch.errors import QueryError, QueryTooBroadError
from bnsearch.search import Weights, compile_query, parse
from bnsearch.search.parse import (
    _FIELD_LIKE,
    FIELD_ALIASES,
    AnyOf,
    Filter,
    Group,
    Not,
    Phrase,
    Word,
)


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("কাতার মেক্সিকো", Group((Word("কাতার"), Word("মেক্সিকো")))),
        ('"আল থানি"', Group((Phrase("আল থানি"),))),
        ("-রাশিয়া কাতার", Group((Not(Word("রাশিয়া")), Word("কাতার")))),
        ("কাতার OR দোহা", Group((AnyOf((Word("কাতার"), Word("দোহা"))),))),
        ("(কাতার OR দোহা) বাণিজ্য",
         Group((Group((AnyOf((Word("কাতার"), Word("দোহা"))),)), Word("বাণিজ্য")))),
        ("title:কাতার", Group((Filter("title", Word("কাতার")),))),
        ('section:"প্রাথমিক জীবন"', Group((Filter("section", Phrase("প্রাথমিক জীবন")),))),
        ("heading:ইতিহাস", Group((Filter("section", Word("ইতিহাস")),))),
        ("কাতা*", Group((Word("কাতা", prefix=True),))),
        ('-"আল থানি" দোহা', Group((Not(Phrase("আল থানি")), Word("দোহা")))),
        ("-(কাতার দোহা)", Group((Not(Group((Word("কাতার"), Word("দোহা")))),))),
    ],
)  # fmt: skip
def test_constructs(text: str, tree: Group) -> None:
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('"আল থানি', ["আল", "থানি"]),  # unbalanced quote: plain words
        ("((কাতার", ["কাতার"]),  # unclosed parenthesis
        ("কাতার))", ["কাতার"]),  # stray closing parenthesis
        ("- কাতার", ["কাতার"]),  # lone minus
        ("OR কাতার OR", ["কাতার"]),  # dangling OR
        ("title:", []),
        ("", []),
        ("   ", []),
    ],
)
def test_malformed_input_is_read_as_plain_words(text: str, words: list[str]) -> None:
    found = []

    def collect(node) -> None:
        if isinstance(node, Word):
            found.append(node.text)
        elif isinstance(node, Filter | Not):
            collect(node.node)
        elif isinstance(node, Phrase):
            found.extend(node.text.split())
        else:
            for child in node.nodes:
                collect(child)

    collect(parse(text))
    assert found == words


SYNTAX = st.text(
    alphabet=st.one_of(st.sampled_from(list('()"-*: OR titlesection') + list("কাতারদোহা১২")),
                       st.characters()),
    max_size=40,
)  # fmt: skip


_UNSUPPORTED = re.compile(r"[\^~?]")


@given(SYNTAX)
def test_any_input_parses_and_compiles(text: str) -> None:
    """Any input compiles, or is refused as too broad (a one-letter prefix)
    or for naming a field that does not exist (a Latin name, a colon, a
    letter: foo:bar), never anything else."""
    try:
        plan = compile_query(parse(text), Weights())
    except QueryTooBroadError as error:
        assert "at least 2 letters" in str(error)
        return
    except QueryError as error:
        refused = "not supported" in str(error) and _UNSUPPORTED.search(text)
        if refused or str(error).startswith("a * must follow"):
            return  # Lucene's syntax that the language refuses by name (^, ~, ?, a leading *)
        name = str(error).removeprefix("unknown field ").split(":", 1)[0]
        assert str(error).startswith("unknown field ") and _FIELD_LIKE.search(text), error
        assert name.lower() not in FIELD_ALIASES and f"{name}:" in text
        return
    assert plan.query is None or isinstance(plan.query, wq.Query)


def test_query_words_use_the_document_analyzers() -> None:
    plan = compile_query(parse("কাতারের ১৯৭৫ সালে সরকারী"), Weights())
    expected = {t.term for t in analyze("কাতারের ১৯৭৫ সালে সরকারী") if t.term}
    assert plan.stems == expected == {"কাতার", "1975", "সাল", "সরকারি"}


def test_hyphenated_word_is_a_phrase() -> None:
    plan = compile_query(parse("আল-থানি"), Weights())
    assert plan.phrases == [("আল", "থানি")]


def test_stopwords_alone_search_their_exact_forms() -> None:
    plan = compile_query(parse("এবং"), Weights())
    assert plan.query is not None and plan.exact == {"এবং"}


def test_exclusions_and_filters_are_not_highlighted() -> None:
    plan = compile_query(parse("কাতার -রাশিয়া title:দোহা"), Weights())
    assert plan.stems == {"কাতার"}
    assert plan.excluded is not None


def test_and_operator_requires_every_word() -> None:
    query = compile_query(parse("কাতার দোহা"), Weights(operator="and")).query
    assert type(query).__name__ == "And"


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("কাতার^2", "boosts (কাতার^2) are not supported"),
        ('"কাতার রাজধানী"~3', 'proximity ("…"~N) is not supported'),
        ("কাতার~", "fuzzy and proximity searches (~) are not supported"),
        ("কা?ার", "single-letter wildcards (কা?ার) are not supported"),
        ("*তার", "a * must follow at least 2 letters"),
    ],
)
def test_lucene_syntax_it_lacks_is_refused_not_misread(query: str, said: str) -> None:
    with pytest.raises(QueryError, match=re.escape(said)):
        parse(query)


def test_a_question_mark_ends_a_question() -> None:
    for question in ("বাংলাদেশের রাজধানী কোথায়?", "কী??", "কেন ?"):
        assert parse(question).nodes
