"""Searching: results by article, snippets and highlights, formats, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from conftest import REPORT, SHARED, failures_in_threads
from hypothesis import given, settings
from hypothesis import strategies as st
from icu import BreakIterator, Locale
from whoosh.scoring import BM25F

from bnsearch import Article, Index
from bnsearch.analysis import analyze, exact_term, stem_term
from bnsearch.engine.collector import Deadline
from bnsearch.engine.scoring import REFERENCE_DISCOUNT, LengthTableScorer
from bnsearch.errors import QueryError
from bnsearch.evaluation import read_qrels, read_queries, read_sections
from bnsearch.faces.render import render_html
from bnsearch.model import Snippet
from bnsearch.search import DEFAULT_WEIGHTS, SearchPipeline, SearchRequest
from bnsearch.search.snippets import (
    is_grapheme_boundary,
    make_snippet,
    match_spans,
    snippet_spans,
)
from bnsearch.search.suggest import _suggestion_prefix, close_terms

QATAR_MEXICO, ARMENIA_MEXICO = "000_d77cc1112f49de51", "001_033b12f9f6b598bb"
QATAR_RUSSIA, AZERBAIJAN = "002_11aff6c9bfaa5fee", "003_2868b3d8c8007add"


@pytest.fixture(scope="module")
def index(seed_index: Path):
    with Index.open(seed_index) as opened:
        yield opened


def ids(results) -> list[str]:
    return [hit.id for hit in results]


def cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bnsearch", *args], capture_output=True, text=True, **kwargs
    )


# --- the query language, end to end ---------------------------------------------


def test_inflected_forms_match(index) -> None:
    assert set(ids(index.search("কাতারের"))) == {QATAR_MEXICO, QATAR_RUSSIA}
    assert set(ids(index.search("কাতারের"))) == set(ids(index.search("কাতার")))


def test_phrase_matches_across_a_hyphen(index) -> None:
    results = index.search('"আল থানি"')
    assert set(ids(results)) == {QATAR_MEXICO, QATAR_RUSSIA}
    for hit in results:  # both words of the phrase are marked, as written
        marked = [hit.snippet[s:e] for s, e in hit.highlights]
        assert marked[:2] == ["আল", "থানি"]


def test_a_phrase_needs_its_words_in_order(index) -> None:
    assert index.search('"থানি আল"').hits == []


def test_exclusion_removes_whole_articles(index) -> None:
    results = index.search("রাশিয়া -মেক্সিকো")
    assert set(ids(results)) == {QATAR_RUSSIA, AZERBAIJAN}
    assert ARMENIA_MEXICO not in ids(index.search("রাশিয়া -মেক্সিকো", limit=100))


def test_or(index) -> None:
    assert set(ids(index.search("আজারবাইজান OR দোহা"))) >= {AZERBAIJAN, QATAR_MEXICO}


def test_title_and_section_filters(index) -> None:
    assert set(ids(index.search("title:রাশিয়া"))) == {QATAR_RUSSIA}
    results = index.search("section:বাণিজ্যের মেক্সিকো")  # any form of the heading word
    assert {hit.section for hit in results} == {"বাণিজ্য"}
    assert set(ids(results)) == {QATAR_MEXICO, ARMENIA_MEXICO}
    assert ids(index.search("মেক্সিকো", section="বাণিজ্য")) == ids(results)


def test_prefix(index) -> None:
    assert set(ids(index.search("আজারবাই*"))) == {AZERBAIJAN, ARMENIA_MEXICO}


def test_bengali_and_ascii_digits(index) -> None:
    assert ids(index.search("1975")) == ids(index.search("১৯৭৫")) == [QATAR_MEXICO]


@pytest.mark.parametrize("query", ['"আল থানি', "((কাতার", "কাতার))", "- কাতার", "OR কাতার OR"])
def test_malformed_queries_are_searched_as_words(index, query: str) -> None:
    assert index.search(query).hits


@pytest.mark.parametrize("query", ["", "   ", "-", '""', "()", "OR"])
def test_nothing_to_search_is_a_query_error(index, query: str) -> None:
    with pytest.raises(QueryError):
        index.search(query)


# --- grouping, duplicates, order ------------------------------------------------


def test_each_article_once_with_its_best_section(index) -> None:
    results = index.search("মেক্সিকো", sections=True)
    assert len(ids(results)) == len(set(ids(results))) == results.total == 2
    for hit in results:
        assert hit.section not in [s.section for s in hit.sections]
        assert all(s.score <= hit.score for s in hit.sections)
        assert hit.sections, "the seeds mention মেক্সিকো in several sections"
        # Each listed section matched by itself, not only through the title.
        assert all(s.highlights or "মেক্সিকো" in s.section for s in hit.sections)


def test_paging(index) -> None:
    first, second = index.search("সম্পর্ক", limit=2), index.search("সম্পর্ক", limit=2, page=2)
    assert first.total == second.total == 4
    assert len(first) == len(second) == 2 and not set(ids(first)) & set(ids(second))
    assert [h.rank for h in second] == [3, 4]


@pytest.fixture(scope="module")
def twins(tmp_path_factory) -> Index:
    text = "লালবাগ কেল্লা ঢাকার একটি দুর্গ। == ইতিহাস == মুঘল আমলে নির্মাণ শুরু হয়।"
    with Index.create(tmp_path_factory.mktemp("twins") / "index") as created:
        created.add_many(
            [
                Article("b-copy", "লালবাগ কেল্লা", text + " "),  # the same page crawled twice
                Article("a-first", "লালবাগ কেল্লা", text),
                Article("c-other", "লালবাগ কেল্লা (দ্বিতীয়)", text),  # another title
                Article("e-same", "আহসান মঞ্জিল", "আহসান মঞ্জিল ঢাকার একটি প্রাসাদ।"),
                Article("d-same", "আহসান মঞ্জিল ", "আহসান মঞ্জিল ঢাকার একটি প্রাসাদ।"),
            ]
        )
        yield created


def test_near_identical_copies_are_one_hit(twins) -> None:
    results = twins.search("লালবাগ কেল্লা")
    copies = [hit for hit in results if hit.title == "লালবাগ কেল্লা"]
    assert len(copies) == 1 and copies[0].duplicates in (["b-copy"], ["a-first"])
    assert "c-other" in ids(results)
    assert results.total == 3  # every matching article, the merged copy too


def test_ties_are_broken_by_article_id(twins) -> None:
    results = twins.search("প্রাসাদ")
    assert ids(results) == ["d-same"] and results[0].duplicates == ["e-same"]
    hits = list(twins.search("ঢাকার", limit=50))
    assert len(hits) > 1
    assert [h.id for h in hits] == [h.id for h in sorted(hits, key=lambda h: (-h.score, h.id))]


def test_an_article_is_ranked_by_its_best_discounted_section(tmp_path) -> None:
    text = (
        "মরুভূমি অঞ্চলের একটি বড় শহর আছে এবং সেখানে অনেক মানুষ বাস করে, তারা ব্যবসা করে।"
        " == তথ্যসূত্র == মরুভূমি মরুভূমি মরুভূমি"
    )
    with Index.create(tmp_path / "index") as created:
        created.add(Article("a", "একটি প্রবন্ধ", text))
        hit = created.search("মরুভূমি", sections=True)[0]
    (references,) = hit.sections
    assert references.section == "তথ্যসূত্র"
    # Undiscounted, the reference section scores higher than the lead; after
    # the discount the lead represents the article, with its own score.
    assert references.score / REFERENCE_DISCOUNT > hit.score > references.score
    assert hit.section == ""


def test_length_table_scores_equal_whooshs_bm25f(index) -> None:
    """The tabled scorer gives Whoosh's BM25F scores exactly, for every
    posting of every term of the seed index's scored fields."""
    searcher = index._searcher()
    weighting = BM25F(B=0.75, K1=1.2, title_B=0.5)
    compared = 0
    for leaf, _ in searcher.leaf_searchers():
        reader = leaf.reader()
        for fieldname in ("title", "heading", "body", "body_exact"):
            for text in reader.lexicon(fieldname):
                whoosh = weighting.scorer(leaf, fieldname, text)
                B = weighting._field_B.get(fieldname, weighting.B)
                facts = searcher.weighting.context.facts(reader)
                tabled = LengthTableScorer(leaf, fieldname, text, B, weighting.K1, facts)
                postings = reader.postings(fieldname, text)
                while postings.is_active():
                    assert tabled.score(postings) == whoosh.score(postings)
                    compared += 1
                    postings.next()
    assert compared > 1_000


@pytest.fixture(scope="module")
def river(tmp_path_factory) -> Index:
    text = (
        "নদীর দেশ। == ভূগোল == প্রবাহ প্রবাহ প্রবাহ প্রবাহ। == জলবায়ু == প্রবাহ ও বৃষ্টি। "
        "== গতিপথ == পাহাড় থেকে বের হয়ে নদীটি অনেক পথ পার হয়ে সাগরে পড়ে, পথে বহু শহর, "
        "গ্রাম, বন আর মাঠের পাশ দিয়ে তার প্রবাহ চলে। == তথ্যসূত্র == নদী প্রবাহ"
    )
    with Index.create(tmp_path_factory.mktemp("river") / "index") as created:
        created.add(Article("r", "একটি দেশ", text))
        yield created


@pytest.mark.parametrize("query", ["নদী প্রবাহ", "নদীর প্রবাহের", "নদী প্রবা*", "নদী (প্রবাহ)"])
def test_an_article_is_shown_by_its_best_section_with_every_word(river, query: str) -> None:
    hit = river.search(query, sections=True)[0]
    # The best-ranked section (ভূগোল, or the lead for the exact form নদীর)
    # has one of the words; তথ্যসূত্র has both, but ranks below গতিপথ.
    best = hit.sections[0]
    assert best.section in ("ভূগোল", "") and best.score == max(s.score for s in hit.sections)
    assert hit.score > best.score  # the article's score: its best section's and its own
    assert hit.section == "গতিপথ"
    assert [s.section for s in hit.sections].index("তথ্যসূত্র") > 0


def test_without_a_section_with_every_word_the_best_section_shows(river) -> None:
    hit = river.search("প্রবাহ বৃষ্টি সাগর", sections=True)[0]  # no section has all three
    assert hit.section == "জলবায়ু" and all(s.score < hit.score for s in hit.sections)
    assert river.search("প্রবাহ দেশ")[0].section == "ভূগোল"  # দেশ: in the title


def test_shown_sections_have_every_word_when_the_article_has_one(index) -> None:
    """Checked against the analyzed text of every matching section."""

    def has_every_word(words: set[str], title: str, section: tuple) -> bool:
        _, heading, text = section
        return words <= {t.term for t in analyze(f"{title} {heading} {text}")}

    queries = ["কাতার মেক্সিকো", "রাশিয়া দূতাবাস", "সম্পর্ক বাণিজ্য", "মেক্সিকো আর্মেনিয়া দূতাবাস"]
    for query in queries:
        words = {t.term for t in analyze(query) if t.term}
        for hit in index.search(query, sections=True):
            shown = [(hit.score, hit.section, hit.text)]
            shown += [(s.score, s.section, s.text) for s in hit.sections]
            complete = [s for s in shown if has_every_word(words, hit.title, s)]
            if complete:
                assert complete[0] is shown[0], (query, hit.title, hit.section)


# --- snippets ------------------------------------------------------------------------


def test_every_matching_form_is_highlighted_and_nothing_else(index) -> None:
    results = index.search("কাতার 1975 দূতাবাস", limit=10, sections=True)
    query_terms = {t.term for t in analyze("কাতার 1975 দূতাবাস")}
    for hit in results:
        snippets = [(hit.snippet, hit.highlights)]
        snippets += [(s.snippet, s.highlights) for s in hit.sections]
        for snippet, spans in snippets:
            # Each highlight is one word whose term the query had…
            for start, end in spans:
                [token] = analyze(snippet[start:end])
                assert token.term in query_terms, snippet[start:end]
            # …and every such word of the snippet is highlighted.
            words = {(t.start, t.end) for t in analyze(snippet) if t.term in query_terms}
            assert words == set(spans)
    marked = {hit.snippet[s:e] for hit in results for s, e in hit.highlights}
    assert {"কাতারের", "১৯৭৫"} <= marked  # forms as the text writes them


def test_unmatched_words_of_the_text_are_not_marked() -> None:
    text = "কাতারের রাজধানী দোহা। মেক্সিকোর রাজধানী মেক্সিকো সিটি।"
    spans = match_spans(text, stems={"কাতার"})
    assert [text[s:e] for s, e in spans] == ["কাতারের"]


def test_snippets_prefer_sentences_and_mark_cuts() -> None:
    sentences = [f"বাক্য নম্বর {i} এখানে লেখা আছে এবং আরও কিছু কথা আছে।" for i in range(30)]
    text = " ".join([*sentences[:15], "এখানে কাতারের কথা।", *sentences[15:]])
    snippet = make_snippet(text, match_spans(text, stems={"কাতার"}), size=120)
    assert snippet.text.startswith("এখানে কাতারের কথা।")  # the matching sentence, whole
    assert len(snippet.text) <= 125
    long_sentence = "শুরু " + "শব্দ " * 200 + "কাতার " + "শেষ " * 200 + "।"
    snippet = make_snippet(long_sentence, match_spans(long_sentence, stems={"কাতার"}), size=100)
    assert snippet.text.startswith("… ") and snippet.text.endswith(" …")
    assert "কাতার" in snippet.text


def test_a_snippets_context_is_its_paragraphs_prose() -> None:
    """After the matching sentence come the sentences after it, while they
    fit: the rest of its paragraph, not the list, stub notice and
    navigation line a page's text may end with (রাজধানী's did)."""
    lead = "রাজধানী একটি দেশের কেন্দ্রীয় শহর। সেখান থেকে সরকার চলে।"
    text = (
        lead + "\nআরও দেখুন\n\nজাতীয় প্রতীক\nপুঁজিবাদ\n\n"
        "এই নিবন্ধটি অসম্পূর্ণ। আপনি চাইলে উইকিপিডিয়াকে সাহায্য করতে পারেন।\n\nদে\nআ"
    )
    snippet = make_snippet(text, match_spans(text, stems={"রাজধানী"}), size=400)
    assert snippet.text == lead
    # A new paragraph is not context either; prose wrapped at line ends is.
    text = "কাতারের রাজধানী দোহা।\n\nঅন্য অনুচ্ছেদের একটি বাক্য।"
    assert make_snippet(text, match_spans(text, stems={"কাতার"})).text == "কাতারের রাজধানী দোহা।"
    wrapped = (
        "কাতারের রাজধানী দোহা।\n"
        + "এই বাক্যটি এক লাইনে শেষ হয়নি, তাই পরের লাইনে চলে গেছে এবং"
        + "\nসেখানে শেষ হয়েছে।"
    )
    shown = make_snippet(wrapped, match_spans(wrapped, stems={"কাতার"})).text
    assert shown == " ".join(wrapped.split())


def test_a_long_section_is_analyzed_only_as_far_as_its_snippet_needs() -> None:
    """A snippet is chosen from the first SNIPPET_SCOPE characters when they
    hold a match (a long reference list is not analyzed whole), and from the
    rest when only the rest does."""
    filler = "বাক্য নম্বর এখানে লেখা আছে। " * 20
    near = "কাতারের কথা। " + filler + "দোহা ও কাতার। "
    assert snippet_spans(near, stems={"কাতার"}, scope=50) == match_spans(near, stems={"কাতার"})[:1]
    far = filler + "দোহা ও কাতার। " + filler
    found = snippet_spans(far, stems={"কাতার"}, scope=50)
    assert found == match_spans(far, stems={"কাতার"}) and far[slice(*found[0])] == "কাতার"
    short = "দোহা ও কাতার।"
    assert snippet_spans(short, stems={"কাতার"}) == match_spans(short, stems={"কাতার"})


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["কাতারের", "দোহা", "আছে", "।", "\n", "কথা"]), max_size=80),
       st.integers(1, 200))  # fmt: skip
def test_snippet_spans_are_the_texts_own_from_its_first_matching_part(words, scope) -> None:
    text = " ".join(words)
    every = match_spans(text, stems={"কাতার"}, exact={"দোহা"})
    found = snippet_spans(text, stems={"কাতার"}, exact={"দোহা"}, scope=scope)
    assert set(found) <= set(every) and bool(found) == bool(every)
    if len(text) <= scope:
        assert found == every


def test_html_escapes_the_text() -> None:
    text = "<script>alert('x')</script> কাতার & দোহা"
    html = render_html(make_snippet(text, match_spans(text, stems={"কাতার"})))
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert "<mark>কাতার</mark>" in html


BENGALI_TEXT = st.text(
    alphabet=st.sampled_from([*list("কখগচজটতদনপবমযরলসহািীুূেোৌ্ংঁ়ৎ।, "), "\u200c", "\u200d"]),
    min_size=1,
    max_size=400,
)


def icu_grapheme_boundaries(text: str) -> set[int]:
    """Every grapheme cluster boundary of the whole text, in code points."""
    breaker = BreakIterator.createCharacterInstance(Locale("bn"))
    breaker.setText(text)
    utf16_to_cp, units = {0: 0}, 0
    for cp, char in enumerate(text, 1):
        units += 2 if ord(char) > 0xFFFF else 1
        utf16_to_cp[units] = cp
    return {0, *(utf16_to_cp[b] for b in breaker)}


EDGE_TEXT = st.text(
    alphabet=st.sampled_from(
        [*"কতনর াি্ংঁ়।", "\r", "\n", "\t", "\u200c", "\u200d", "\ufe0f", "👍", "\U0001f3fd",
         "\U0001f1e7", "\U0001f1e9", "\u0301", "e"]
    ),
    max_size=40,
)  # fmt: skip


@given(EDGE_TEXT)
def test_grapheme_boundaries_agree_with_icu(text: str) -> None:
    expected = icu_grapheme_boundaries(text)
    for offset in range(len(text) + 1):
        assert is_grapheme_boundary(text, offset) == (offset in expected), (text, offset)


@given(BENGALI_TEXT, st.integers(20, 200))
def test_fragments_never_split_a_grapheme_cluster(text: str, size: int) -> None:
    words = [t for t in analyze(text) if t.term]
    spans = [(t.start, t.end) for t in words[::3]]
    snippet = make_snippet(text, spans, size=size)
    for start, end in snippet.fragments:
        assert is_grapheme_boundary(text, start) and is_grapheme_boundary(text, end)
        assert " ".join(text[start:end].split()) in snippet.text
    for start, end in snippet.highlights:
        assert snippet.text[start:end].strip() == snippet.text[start:end] != ""


# --- suggestions --------------------------------------------------------------------


def test_did_you_mean(index) -> None:
    results = index.search("মেক্সিকোত")
    assert results.did_you_mean == "মেক্সিকো"
    # The word is found nowhere, its close spelling often: that is searched too.
    assert results.hits and "মেক্সিকোত: also searched মেক্সিকো" in results.notices[0]
    assert all("মেক্সিকো" in hit.title for hit in results)
    assert index.search("মেক্সিকো").did_you_mean is None
    assert index.search("মেক্সিকোত", suggest=False).hits  # searching it needs no suggestions


@pytest.mark.parametrize("word", ["মেক্সিকোত", "কাতারর", "দূতাবাশ", "সম্পর্ক", "1976", "আল"])
@pytest.mark.parametrize("distance", [1, 2])
def test_close_terms_are_the_terms_whooshs_corrector_finds(index, word, distance) -> None:
    searcher = index._searcher()
    prefix = _suggestion_prefix(word)
    everything = 10_000
    whoosh = searcher.corrector("body_exact").suggest(
        word, limit=everything, maxdist=distance, prefix=prefix
    )
    ours = close_terms(searcher, word, distance, limit=everything)
    assert sorted(ours) == sorted(whoosh)
    frequencies = [searcher.frequency("body_exact", term) for term in ours]
    assert frequencies == sorted(frequencies, reverse=True)
    assert close_terms(searcher, word, distance, limit=3) == ours[:3]


_EDIT_LETTERS = st.text(alphabet="কখগাি্রab", max_size=7)


@settings(max_examples=400, deadline=None)
@given(_EDIT_LETTERS, _EDIT_LETTERS, st.data())
def test_one_edit_test_agrees_with_the_edit_distance(a: str, b: str, data) -> None:
    """within_one_edit is damerau_levenshtein(a, b) <= 1, for unrelated strings
    and for strings one or two edits apart."""
    from whoosh.support.levenshtein import damerau_levenshtein

    from bnsearch.analysis.distance import within_one_edit

    edited = list(a)
    for _ in range(data.draw(st.integers(0, 2))):
        at = data.draw(st.integers(0, len(edited)))
        kind = data.draw(st.sampled_from(["insert", "substitute", "delete", "swap"]))
        letter = data.draw(st.sampled_from("কখাab"))
        if kind == "insert":
            edited.insert(at, letter)
        elif kind == "substitute" and at < len(edited):
            edited[at] = letter
        elif kind == "delete" and at < len(edited):
            del edited[at]
        elif kind == "swap" and at + 1 < len(edited):
            edited[at], edited[at + 1] = edited[at + 1], edited[at]
    for other in (b, "".join(edited)):
        assert within_one_edit(a, other) == (damerau_levenshtein(a, other) <= 1)
        assert within_one_edit(other, a) == within_one_edit(a, other)


# --- the API from several threads -----------------------------------------------------


def test_search_from_several_threads(index) -> None:
    queries = ["কাতার", "মেক্সিকো", '"আল থানি"', "রাশিয়া -মেক্সিকো", "১৯৭৫"]
    expected = {q: ids(index.search(q)) for q in queries}

    def check() -> list[str]:
        return [q for _ in range(10) for q in queries if ids(index.search(q)) != expected[q]]

    assert not failures_in_threads(check)


def test_an_open_index_sees_new_commits_and_rebuilds(tmp_path: Path) -> None:
    path = tmp_path / "index"
    Index.build(path, [Path(__file__).parents[1] / "corpus"])
    with Index.open(path) as reader, Index.open(path) as writer:
        assert reader.search("কাতার").total == 2
        writer.add(Article("new", "নতুন", "কাতার নিয়ে নতুন লেখা।"))
        assert reader.search("কাতার").total == 3
        Index.build(path, [Path(__file__).parents[1] / "corpus"], rebuild=True)
        assert reader.search("কাতার").total == 2


def test_hit_has_the_whole_section(index) -> None:
    hit = index.search("বাণিজ্য", section="বাণিজ্য")[0]
    assert hit.section == "বাণিজ্য" and hit.text.startswith("২০১")
    assert hit.snippet.replace("…", "").split()[0] in hit.text


# --- the command line ------------------------------------------------------------------


def test_json_format(seed_index: Path) -> None:
    result = cli("search", "--index", str(seed_index), "--json", "কাতারের দূতাবাস")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["query"] == "কাতারের দূতাবাস" and data["total"] >= 2
    for hit in data["hits"]:
        assert {"id", "title", "section", "score", "snippet", "highlights"} <= set(hit)
        for start, end in hit["highlights"]:
            assert 0 <= start < end <= len(hit["snippet"])


def test_trec_batch(seed_index: Path, tmp_path: Path) -> None:
    queries = tmp_path / "q.tsv"
    queries.write_text("q1\tকাতার\nq2\tআজারবাইজান\nq3\tঅচেনাশব্দ\n", encoding="utf-8")
    result = cli("search", "--index", str(seed_index), "--queries", str(queries),
                 "--format", "trec", "--limit", "5")  # fmt: skip
    assert result.returncode == 0
    lines = [line.split() for line in result.stdout.splitlines()]
    assert all(len(line) == 6 and line[1] == "Q0" and line[5] == "bnsearch" for line in lines)
    assert [line[0] for line in lines].count("q1") == 2
    assert [(line[0], line[3]) for line in lines if line[0] == "q1"] == [("q1", "1"), ("q1", "2")]


def test_html_format(seed_index: Path) -> None:
    result = cli("search", "--index", str(seed_index), "--format", "html", "কাতার")
    assert result.returncode == 0 and "<mark>" in result.stdout and "<ol" in result.stdout


def test_text_format_without_colour(seed_index: Path) -> None:
    result = cli("search", "--index", str(seed_index), "কাতারের")
    assert result.returncode == 0
    assert "**কাতারের**" in result.stdout and "\x1b[" not in result.stdout


def test_exit_codes(seed_index: Path) -> None:
    assert cli("search", "--index", str(seed_index), "অচেনাশব্দ").returncode == 1
    empty = cli("search", "--index", str(seed_index), "")
    assert empty.returncode == 2 and empty.stderr.count("\n") == 1
    assert "Traceback" not in empty.stderr
    missing = cli("search", "--index", str(seed_index.parent / "nope"), "কাতার")
    assert missing.returncode == 2 and "no index" in missing.stderr
    assert cli("search", "--index", str(seed_index)).returncode == 2  # no query


# --- the shared corpus ----------------------------------------------------------------

QUESTIONS = SHARED / "eval" / "questions"
DEV = SHARED / "eval" / "dev"


def _evaluate(index: Path, folder: Path, name: str) -> dict:
    """``bnsearch eval`` on a relevance set; its figures go in the report."""
    files = [f"--{part}={folder / part}.tsv" for part in ("queries", "qrels", "sections")]
    result = cli("eval", "--index", str(index), "--json", *files)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    REPORT[name] = (
        f"MRR@10 {data['mrr@10']:.3f}, nDCG@10 {data['ndcg@10']:.3f}, "
        f"R@100 {data['recall@100']:.3f}, section@1 {data['section_accuracy@1']:.3f}"
    )
    return data


def test_dev_set_quality(shared_index: Path) -> None:
    """The engine on ../shared/eval/dev: the numbers are reported, MRR@10 guarded."""
    assert _evaluate(shared_index, DEV, "dev set")["mrr@10"] >= 0.95


def test_questions_set_quality(shared_index: Path) -> None:
    """The engine on ../shared/eval/questions (natural questions): reported,
    and MRR@10 guarded."""
    assert _evaluate(shared_index, QUESTIONS, "questions set")["mrr@10"] >= 0.80


def test_snippet_edges_on_the_shared_corpus(shared_index: Path) -> None:
    """No fragment starts or ends inside a grapheme cluster (checked with ICU)."""
    queries = [q for _, q in read_queries(DEV / "queries.tsv")]
    queries += ["বাংলাদেশ", "নদী", "ক্রিকেট বিশ্বকাপ", "রাজধানী", "১৯৭১", "ভাষা আন্দোলন"]
    checked = 0
    with Index.open(shared_index) as opened:
        pipeline = SearchPipeline(opened._searcher())
        for query in queries:
            # The plan the search made (with the close spellings it found).
            plan = pipeline.plan(SearchRequest(query), DEFAULT_WEIGHTS, Deadline(None))
            for hit in opened.search(query, limit=10):
                spans = snippet_spans(hit.text, plan.stems, plan.exact, plan.phrases, plan.prefixes)
                snippet = make_snippet(hit.text, spans)
                assert snippet.text == hit.snippet  # the snippet the hit showed
                boundaries = icu_grapheme_boundaries(hit.text)
                for start, end in snippet.fragments:
                    assert start in boundaries, hit.text[start : start + 20]
                    assert end in boundaries, hit.text[end - 20 : end]
                    assert unicodedata.category(hit.text[start])[0] != "M"  # no stray sign
                    checked += 1
    assert checked > 500


def test_dev_sections_and_qrels_parse() -> None:
    if not DEV.exists():
        pytest.skip(f"dev set not found at {DEV}")
    assert len(read_queries(DEV / "queries.tsv")) == 57
    assert len(read_qrels(DEV / "qrels.tsv")) == 57
    assert len(read_sections(DEV / "sections.tsv")) == 30


def test_snippet_type_round_trip() -> None:
    snippet = Snippet("কাতার দোহা", ((0, 5),))
    assert render_html(snippet) == "<mark>কাতার</mark> দোহা"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["কাতার", "কাতারের", "দোহা", "এবং", "নদী", "নদীর", "১৯৭১", "1971", "Qatarকে", "কী", "৷", ","]
        ),
        max_size=30,
    ),
    st.sets(st.sampled_from(["কাতার", "নদী", "১৯৭১", "দোহা", "কে"]), max_size=3),
)
def test_word_matches_are_found_as_by_each_word_s_terms(words, wanted) -> None:
    """The one-loop search for matched words marks exactly the words whose
    exact or stem term the query has."""
    from bnsearch.search.snippets import section_terms

    text = " ".join(words)
    stems = {stem_term(w) for w in wanted} - {None}
    exact = {exact_term(w) for w in wanted}
    spans, exacts, stemmed = section_terms(text)
    expected = [
        (start, end)
        for (start, end, _), e, s in zip(spans, exacts, stemmed, strict=True)
        if e in exact or (s is not None and s in stems)
    ]
    assert match_spans(text, stems, exact) == expected


def test_no_did_you_mean_for_a_query_that_found_plenty(tmp_path: Path) -> None:
    """A misspelled word in a query that still found ten articles or more
    gets no suggestion (it was understood); and a Latin word read as
    romanized Bengali never gets a Latin one."""
    articles = [Article(f"n{i}", f"নদী {i}", f"নদী ও সাগর {i}।") for i in range(12)]
    articles += [Article(f"m{i}", f"দেশ {i}", f"মেক্সিকো {i}।") for i in range(3)]
    articles += [Article("en", "English", "rajshahi rajshahi rajshahi rajshahi rajshahi")]
    articles += [Article(f"r{i}", f"রাজধানী {i}", "রাজধানী শহর।") for i in range(3)]
    with Index.create(tmp_path / "ix") as created:
        created.add_many(articles)
        assert created.search("মেক্সিকোা").did_you_mean == "মেক্সিকো"  # found nothing
        plenty = created.search("নদী মেক্সিকোা")
        assert plenty.total >= 10 and plenty.did_you_mean is None and not plenty.suggestions
        romanized = created.search("rajdhani")
        assert romanized.hits and romanized.did_you_mean is None


def test_notices_and_errors_keep_their_keys_for_other_languages(index) -> None:
    from bnsearch.errors import QueryError
    from bnsearch.model import Message

    notices = index.search("qatar").notices
    assert notices and isinstance(notices[0], Message) and notices[0].key == "romanized"
    assert notices[0].startswith("qatar → কাতার") and notices[0].values["word"] == "qatar"
    with pytest.raises(QueryError) as raised:
        index.search("ক*")
    assert raised.value.args[0].key in ("leading_wildcard", "short_prefix")
