"""The two analyzers inside Whoosh: schema, positions, phrases, pickling."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest
from conftest import failures_in_threads
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import fields, index
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import QueryParser

from bnsearch.analysis import (
    BengaliAnalyzer,
    BengaliStemFilter,
    BengaliStopFilter,
    BengaliTokenizer,
    Tier0Filter,
    Tier1Filter,
    analyze,
    exact_analyzer,
    span_terms,
    stem_analyzer,
    word_spans,
)


def make_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True),
        body=fields.TEXT(analyzer=stem_analyzer()),
        exact=fields.TEXT(analyzer=exact_analyzer(), phrase=True, chars=True),
    )


@pytest.fixture
def ram_index(seed_texts):
    ix = RamStorage().create_index(make_schema())
    with ix.writer() as writer:
        for name, text in seed_texts.items():
            writer.add_document(id=name, body=text, exact=text)
    return ix


def search(ix, field: str, query: str) -> list[str]:
    parser = QueryParser(field, ix.schema)
    with ix.searcher() as searcher:
        return sorted(hit["id"] for hit in searcher.search(parser.parse(query), limit=None))


def test_inflected_query_finds_other_forms(ram_index) -> None:
    # The seeds say মেক্সিকোর/মেক্সিকোতে; the query says the bare name.
    assert len(search(ram_index, "body", "মেক্সিকো")) == 2
    assert search(ram_index, "body", "রাশিয়াকে") == search(ram_index, "body", "রাশিয়া")


def test_digits_match_across_scripts(ram_index) -> None:
    assert search(ram_index, "body", "1975") == search(ram_index, "body", "১৯৭৫") != []


def test_phrase_matches_across_a_hyphen(ram_index) -> None:
    assert search(ram_index, "exact", '"আল থানি"') == search(ram_index, "exact", '"আল-থানি"') != []


def test_stopwords_keep_positions() -> None:
    tokens = [(t.text, t.pos) for t in stem_analyzer()("কাতার এবং মেক্সিকো", positions=True)]
    assert tokens == [("কাতার", 0), ("মেক্সিকো", 2)]


def test_analyze_matches_what_the_index_stores(seed_texts) -> None:
    text = next(iter(seed_texts.values()))
    ix = RamStorage().create_index(make_schema())
    with ix.writer() as writer:
        writer.add_document(id="x", body=text, exact=text)
    with ix.reader() as reader:
        indexed = {term.decode() for term in reader.lexicon("body")}
    assert indexed == {t.term for t in analyze(text) if t.term is not None}


def test_fused_chain_equals_the_plain_whoosh_chain(seed_texts) -> None:
    plain = BengaliTokenizer() | Tier0Filter() | Tier1Filter() | BengaliStopFilter()
    plain = plain | BengaliStemFilter()
    assert type(plain) is not BengaliAnalyzer

    def run(analyzer, text: str, **kwargs) -> list[tuple]:
        # A stopped token's text is never indexed; compare it only when kept.
        return [
            (None if t.stopped else t.text, t.pos, t.startchar, t.endchar, t.stopped)
            for t in analyzer(text, positions=True, chars=True, **kwargs)
        ]

    for text in seed_texts.values():
        for kwargs in ({}, {"removestops": False}):
            assert run(stem_analyzer(), text, **kwargs) == run(plain, text, **kwargs)


def test_span_terms_equal_the_analyzers(seed_texts) -> None:
    # Latin words with Bengali case endings attached take the non-memo path.
    texts = [*seed_texts.values(), "Qatarকে FIFAর বিশ্বকাপে ১৯৭৫ সালের"]
    for text in texts:
        exacts, stems = span_terms(text, word_spans(text))
        assert [(e or None) for e in exacts] == [t.term for t in analyze(text, "exact")]
        assert stems == [t.term for t in analyze(text, "stem")]


def test_no_morph_skips_the_stemmer() -> None:
    assert [t.text for t in stem_analyzer()("কাতারের এবং", no_morph=True)] == ["কাতারের"]


def test_analyzers_pickle_by_module_path() -> None:
    for analyzer in (stem_analyzer(), exact_analyzer()):
        restored = pickle.loads(pickle.dumps(analyzer))
        assert restored == analyzer
        assert [t.text for t in restored("কাতারের দোহায়")] == [t.text for t in analyzer("কাতারের দোহায়")]


def test_index_opens_and_searches_in_a_fresh_process(tmp_path, seed_texts) -> None:
    ix = index.create_in(tmp_path, make_schema())
    with ix.writer() as writer:
        for name, text in seed_texts.items():
            writer.add_document(id=name, body=text, exact=text)
    code = (
        "import sys; from whoosh import index; from whoosh.qparser import QueryParser\n"
        "ix = index.open_dir(sys.argv[1])\n"
        "q = QueryParser('body', ix.schema).parse('কাতারের')\n"
        "print(len(ix.searcher().search(q)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "2"


def test_analyzers_are_thread_safe(seed_texts) -> None:
    texts = list(seed_texts.values())
    expected = [[t.term for t in analyze(text)] for text in texts]

    def check() -> list[str]:
        pairs = list(zip(texts, expected, strict=True))
        return [text[:20] for _ in range(5) for text, terms in pairs
                if [t.term for t in analyze(text)] != terms]  # fmt: skip

    assert not failures_in_threads(check)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="কখগ়াি্‍‌ ঃংAb১2 ।.-'’", max_size=60))
def test_indexed_terms_are_the_tokens_the_analyzers_index(text: str) -> None:
    """The indexing loop (each word's term looked up in the memo, a new word
    computed, the stem chain through the exact chain's memo) gives what the
    analyzers yield, from empty memos too."""
    from bnsearch.analysis import clear_caches

    for clear in (True, False):
        if clear:
            clear_caches()
        for analyzer in (stem_analyzer(), exact_analyzer()):
            expected = [(t.pos, t.text) for t in analyzer(text, positions=True)]
            found = analyzer.indexed_terms(text)
            assert [(pos, term) for pos, term in enumerate(found) if term is not None] == expected
