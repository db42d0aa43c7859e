"""Ranking for real questions: question words, close spellings of rare
names, article and section evidence, titles that are the query."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import read_table
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import fields, index, qparser, scoring

from bnsearch import Article, Index, RankingConfig
from bnsearch.analysis import (
    INTERROGATIVES,
    analyze,
    is_interrogative,
    normalize_tier0,
    normalize_tier1,
    stem_term,
)
from bnsearch.analysis import stem_analyzer as make_stem_analyzer
from bnsearch.analysis.derivation import is_auxiliary, related_forms
from bnsearch.search import SearchPipeline, SearchRequest, Weights, compile_query, parse
from bnsearch.search.config import Parts
from bnsearch.search.variants import close_spellings, rare_limit, spelled_alike, spelling_distance

KEEP_APART = read_table("keep_apart.tsv")

# --- question words ------------------------------------------------------------------


def test_interrogatives_are_stored_normalized() -> None:
    assert INTERROGATIVES
    for word in INTERROGATIVES:
        assert normalize_tier1(normalize_tier0(word)) == word


@pytest.mark.parametrize("word", ["কবে", "কয়টি", "কতজন", "কয়জন", "কোনটি", "কিসের", "কাদের"])
def test_question_words_never_become_content_stems(word: str) -> None:
    term = stem_term(word)
    assert term is None or is_interrogative(term), term  # never কব, কয়, কাদ
    assert all(t.term is None or is_interrogative(t.term) for t in analyze(f"{word} ?"))


def test_question_words_neither_constrain_nor_score() -> None:
    plan = compile_query(parse("ইসরায়েল কবে প্রতিষ্ঠিত হয় ?"), Weights())
    assert [stem for _, _, stem in plan.words] == ["ইসরায়েল", "প্রতিষ্ঠিত"]
    assert "কবে" not in str(plan.query)
    # A question word alone is searched as it is written.
    alone = compile_query(parse("কবে ?"), Weights())
    assert alone.query is not None and alone.exact == {"কবে"}


def test_question_words_are_highlighted_only_as_real_words(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix") as created:
        created.add(Article("a", "ইসরায়েল", "ইসরায়েল ১৯৪৮ সালে প্রতিষ্ঠিত হয়। কবে তা নিয়ে প্রশ্ন নেই।"))
        hit = created.search("ইসরায়েল কবে প্রতিষ্ঠিত হয় ?")[0]
        marked = [hit.snippet[a:b] for a, b in hit.highlights]
        assert "কবে" not in marked and "প্রতিষ্ঠিত" in marked


# --- close spellings of rare words ------------------------------------------------------


def test_spelling_distance_prices_the_usual_variations() -> None:
    n = normalize_tier1
    assert spelling_distance(n("মিসর"), n("মিশর")) == 0.5  # স/শ
    assert spelling_distance(n("আলবানিয়া"), n("আলবেনিয়া")) == 0.5  # া/ে
    assert spelling_distance(n("ইসরাইল"), n("ইসরায়েল")) == 1.0
    assert spelling_distance(n("কাতার"), n("মাতার")) == 1.0
    assert spelling_distance(n("কাতার"), n("দোহা")) > 2


def test_spelled_alike_allows_a_close_spelling_by_the_length_of_the_word() -> None:
    n = normalize_tier1
    assert spelled_alike(n("লাটভিয়া"), n("লাতভিয়া"))  # ট/ত
    assert spelled_alike(n("মিসর"), n("মিশর"))
    assert not spelled_alike(n("বিষ"), n("বিষয়"))  # short words: one cheap edit only
    assert not spelled_alike(n("কাতার"), n("দোহা"))


def test_a_genitive_subject_spelled_otherwise_still_opens_its_article_at_the_lead(
    tmp_path: Path,
) -> None:
    """লাটভিয়ার রাজধানী কোথায়, in the article লাতভিয়া (ট/ত), whose lead
    names the capital: the lead, not the history section."""
    lead = "লাতভিয়া বাল্টিক সাগরের তীরের রাষ্ট্র। রিগা বৃহত্তম শহর ও রাজধানী। " + (
        "দেশটির অরণ্য ঘন, নদী অনেক। " * 8
    )
    history = "\n== ইতিহাস ==\nলাটভিয়া নামে রাজধানী রিগা ১২০১ সালে, লাটভিয়া রাজধানী রাজধানী।"
    with Index.create(tmp_path / "ix") as created:
        created.add(Article("lv", "লাতভিয়া", lead + history))
        hit = created.search("লাটভিয়ার রাজধানী কোথায় ?")[0]
    assert hit.id == "lv" and hit.section == "", hit.section


def _lexicon(counts: dict[str, int]):
    def with_prefix(prefix: str) -> list[str]:
        return sorted(term for term in counts if term.startswith(prefix))

    return with_prefix, lambda term: counts.get(term, 0)


def test_a_rare_misspelled_name_gets_its_frequent_spelling() -> None:
    counts = {"আলবেনিয়া": 300, "আলবেনিয়ার": 120, "আলবানিয়া": 4, "আলবাট্রস": 90, "মিশর": 300}
    with_prefix, frequency = _lexicon(counts)
    assert close_spellings("আলবানিয়া", 4, 30, with_prefix, frequency) == ["আলবেনিয়া"]
    # The same word, common: no variants.
    assert close_spellings("আলবানিয়া", 31, 30, with_prefix, frequency) == []
    # A short word gets variants only when the index has it nowhere.
    assert close_spellings("মিসর", 0, 30, with_prefix, frequency) == ["মিশর"]
    assert close_spellings("মিসর", 1, 30, with_prefix, frequency) == []


def test_a_spelling_is_as_frequent_as_all_its_forms() -> None:
    """রিকশা is written with many endings, none of them five times as often
    as the rare রিক্সা: counted as a word (its stem), as the typed word is,
    it is; two forms of one word take one place, by the form most often
    written. কলার is a form of কলা, no close spelling of কলেরা: it counts
    alone, however common কলা is."""
    counts = {"রিকশা": 20, "রিকশার": 9, "রিকশায়": 8, "রিকশাগুলো": 3, "রিক্সা": 7, "কলার": 30}
    stems = {"রিক্সার": "রিক্সা", "কলেরা": "কলেরা", "কলার": "কলা"}
    words = {"রিকশা": 40, "রিক্সা": 7, "কলেরা": 8, "কলা": 900}
    with_prefix, frequency = _lexicon(counts)

    def word_of(term: str) -> tuple[str, int]:
        stem = stems.get(term, "রিকশা" if term.startswith("রিকশা") else term)
        return stem, words[stem]

    assert close_spellings("রিক্সা", 7, 30, with_prefix, frequency) == []
    assert close_spellings("রিক্সা", 7, 30, with_prefix, frequency, word_of) == ["রিকশা"]
    assert close_spellings("রিক্সার", 7, 30, with_prefix, frequency, word_of) == ["রিকশার"]
    assert close_spellings("কলেরা", 8, 30, with_prefix, frequency, word_of) == []


def test_a_rare_spelling_finds_a_name_written_with_many_endings(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix") as created:
        endings = ["", "র", "য়", "গুলো", "কে"]
        created.add_many(
            [Article(f"r{i}", f"যান {i}", f"রিকশা{e} চলে। ঢাকা শহর।") for i, e in enumerate(endings)]
            + [Article("typo", "ঢাকা", "ঢাকা শহরে রিক্সা চলে।")]
            + [Article(f"o{i}", f"নদী {i}", "নদী ও সাগর।") for i in range(20)]
        )
        results = created.search("রিক্সা")
        assert any("also searched রিকশা" in notice for notice in results.notices)
        assert {hit.id for hit in results.hits} == {"typo", *(f"r{i}" for i in range(5))}


@given(
    st.sampled_from(KEEP_APART),
    st.integers(0, 10_000),
    st.integers(1_000, 10**6),
    st.booleans(),
)
def test_a_frequent_word_never_gets_variants(
    pair, frequency: int, sections: int, by_word: bool
) -> None:
    """Over the keep-apart pairs: a word more frequent than the rare limit
    is never searched as another word, however frequent that one is (as
    written, or in all its forms)."""
    a, b, _ = pair
    rare = rare_limit(sections)
    with_prefix, count = _lexicon({normalize_tier0(b): 10**6, normalize_tier0(a): frequency})

    def word_of(term: str) -> tuple[str, int]:
        return term, 10**7 if term != normalize_tier0(a) else frequency

    found = close_spellings(
        normalize_tier0(a), frequency, rare, with_prefix, count, word_of if by_word else None
    )
    if frequency > rare:
        assert found == []
    assert normalize_tier0(a) not in found


@pytest.mark.slow
def test_keep_apart_words_get_no_variants_on_the_shared_corpus(shared_index: Path) -> None:
    """On real text, no word of the keep-apart pairs is searched as its partner."""
    with Index.open(shared_index) as opened:
        for a, b, _ in KEEP_APART:
            for word, other in ((a, b), (b, a)):
                results = opened.search(word, suggest=False, snippets=False)
                partner = normalize_tier0(other)
                assert not any(partner in notice for notice in results.notices), (word, other)


def test_a_rare_spelling_finds_the_articles_and_says_so(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix") as created:
        created.add_many(
            [Article(f"m{i}", f"মিশর {i}", f"মিশরের রাজধানী কায়রো। মিশর {i}") for i in range(6)]
            + [Article("other", "নদী", "নদী ও সাগর।")]
        )
        results = created.search("মিসরের রাজধানী")
        assert results.hits and results.hits[0].id.startswith("m")
        assert any("also searched" in notice and "মিশর" in notice for notice in results.notices)
        assert any(
            results.hits[0].snippet[a:b].startswith("মিশর") for a, b in results.hits[0].highlights
        )


def test_two_words_the_index_writes_as_one_find_it_and_say_so(tmp_path: Path) -> None:
    """ডে লাইট typed apart finds ডেলাইট written solid, highlighted, with a
    notice; two words the index never writes as one are searched as they are."""
    with Index.create(tmp_path / "ix") as created:
        created.add_many(
            [
                Article("dst", "দিবালোক সংরক্ষণ সময়", "ডেলাইট সেভিং টাইম গ্রীষ্মে ঘড়ি এগিয়ে রাখা।"),
                Article("light", "আলো", "ডে কেয়ার। লাইট হাউস।"),
            ]
        )
        results = created.search("ডে লাইট সেভিং টাইম")
        assert [hit.id for hit in results.hits] == ["dst", "light"]
        assert any("ডে লাইট: also searched ডেলাইট" in notice for notice in results.notices)
        first = results.hits[0]
        assert "ডেলাইট" in [first.snippet[a:b] for a, b in first.highlights]
        # সেভিং টাইম is not written as one word anywhere: nothing joined.
        assert not any("also searched" in n for n in created.search("সেভিং টাইম").notices)
        # Phrases and prefixes are searched as typed.
        assert not any("also searched" in n for n in created.search('"ডে লাইট"').notices)
        assert not any("also searched" in n for n in created.search("ডে লাই*").notices)


def test_joined_words_are_not_searched_when_close_spellings_are_off() -> None:
    """The joined word is searched as a close spelling of each word it joins,
    so the weight that turns close spellings off turns it off too."""
    from bnsearch.search import Weights
    from bnsearch.search.compile import compile_query
    from bnsearch.search.parse import parse

    def joiner(exact: str) -> int:
        return 5 if exact == "বঙ্গবন্ধু" else 0

    from bnsearch.analysis import analyze

    joined = ("বঙ্গবন্ধু", analyze("বঙ্গবন্ধু", "stem")[0].term)  # its exact and stem terms
    plan = compile_query(parse("বঙ্গ বন্ধু সেতু"), Weights(), joiner=joiner)
    assert plan.spellings == {"বঙ্গ": [joined], "বন্ধু": [joined]}
    off = compile_query(parse("বঙ্গ বন্ধু সেতু"), Weights(variant=0.0), joiner=joiner)
    assert off.spellings == {}


def test_a_rare_word_the_index_writes_as_two_finds_them_and_says_so(tmp_path: Path) -> None:
    """ওরাংওটাং typed solid finds ওরাং ওটাং written apart (the reverse of
    joined words), with a notice; a cut whose halves are words but never
    stand one after the other (পেয়েছি লেন) is not searched."""
    with Index.create(tmp_path / "ix") as created:
        created.add_many(
            [
                Article("ape", "বনমানুষ", "বনমানুষ বা ওরাং ওটাং বোর্নিও ও সুমাত্রার বনে থাকে।"),
                Article("list", "প্রাইমেট", "গিবন, শিম্পাঞ্জি ও ওরাংওটাং প্রাইমেট বর্গের প্রাণী।"),
                Article("lane", "গলি", "লেন মানে গলি, পেয়েছি আমি। " * 3),
            ]
        )
        results = created.search("ওরাংওটাং কোন বনে থাকে ?")
        assert results.hits[0].id == "ape", [hit.id for hit in results.hits]
        assert any("ওরাংওটাং: also searched ওরাং ওটাং" in n for n in results.notices)
        marked = [results.hits[0].snippet[a:b] for a, b in results.hits[0].highlights]
        assert "ওরাং" in marked and "ওটাং" in marked
        assert not any("also searched" in n for n in created.search("পেয়েছিলেন").notices)
        off = RankingConfig(weights=replace(Weights(), parts=Parts(joined_words=False)))
        without = created.search("ওরাংওটাং কোন বনে থাকে ?", ranking=off)
        assert without.hits[0].id == "list" and not without.notices


def test_a_word_is_cut_only_where_both_halves_are_words_written_one_after_the_other() -> None:
    held = {"ওরাং": 3, "ওটাং": 2, "ওরা": 50}

    def joiner(exact: str) -> int:
        return held.get(exact, 0)

    def halves(query: str, apart) -> list:
        plan = compile_query(
            parse(query), Weights(), frequency=lambda _: 1, sections=1000, joiner=joiner,
            apart=apart,
        )  # fmt: skip
        return [exact for exact, _ in plan.spellings.get(query, [])]

    assert halves("ওরাংওটাং", lambda a, b: (a, b) == ("ওরাং", "ওটাং")) == ["ওরাং", "ওটাং"]
    assert halves("ওরাংওটাং", lambda a, b: False) == []
    # ংওটাং cannot begin a word (a sign), so ওরা is never a half.
    assert halves("ওরাংওটাং", lambda a, b: a == "ওরা") == []


# --- participles and their action nouns -------------------------------------------------------


def test_a_participle_and_its_action_noun_are_related_forms() -> None:
    assert related_forms("প্রতিষ্ঠিত")[0] == "প্রতিষ্ঠা"
    assert "স্থাপন" in related_forms("স্থাপিত")
    assert related_forms("আবিষ্কৃত") == ["আবিষ্কার"]
    assert related_forms("আবিষ্কার")[0] == "আবিষ্কৃত"
    # The ণত্ব rule picks the nasal: ণ after র or ষ, ন after a retroflex stop.
    assert "নির্মাণ" in related_forms("নির্মিত") and "নির্মান" not in related_forms("নির্মিত")
    assert "ঘোষণা" in related_forms("ঘোষিত")
    assert "অনুষ্ঠান" in related_forms("অনুষ্ঠিত") and "অনুষ্ঠাণ" not in related_forms("অনুষ্ঠিত")
    # A bare base of two letters is another word: গণিত (mathematics) is not গণ.
    assert "গণ" not in related_forms("গণিত")
    assert related_forms("দেশ") == []
    assert is_auxiliary("হয়") and is_auxiliary("করেছিলেন") and not is_auxiliary("কবে")


_CONSONANTS = "কখগঘচছজঝটঠডঢণতথদধনপফবভমযরলশষসহ"


@given(st.text(_CONSONANTS, min_size=2, max_size=5), st.sampled_from(["", "্র", "্ষ"]))
def test_related_forms_lead_back_to_the_participle(base: str, cluster: str) -> None:
    """Every action noun proposed for a participle proposes the participle."""
    participle = base + cluster + "িত"
    for noun in related_forms(participle):
        assert participle in related_forms(noun), noun


@given(st.text(max_size=12))
def test_related_forms_of_any_text_are_other_nonempty_words(text: str) -> None:
    forms = related_forms(text)
    assert text not in forms and all(forms) and len(forms) == len(set(forms))


def _frequency(held: dict[str, int]):
    def frequency(stem: str) -> int:
        return held.get(stem, 0)

    return frequency


def test_a_participle_before_hoa_has_its_noun_as_a_related_form() -> None:
    """প্রতিষ্ঠিত হয়: প্রতিষ্ঠা, the first candidate the index holds in three
    sections (a typo of a form held once is no form); it is not searched,
    only highlighted and counted as holding the word. Without হওয়া or করা
    after it, or with related forms off, nothing is related."""
    noun = ("প্রতিষ্ঠা", stem_term("প্রতিষ্ঠা"))
    frequency = _frequency({noun[1]: 12, stem_term("প্রতিষ্ঠন"): 1})
    plan = compile_query(parse("ফিদে কবে প্রতিষ্ঠিত হয় ?"), Weights(), frequency=frequency)
    assert plan.related == {"প্রতিষ্ঠিত": [noun]}
    assert noun[1] in plan.stems  # highlighted
    searched = {term.text for term in plan.query.leaves()}
    assert noun[0] not in searched and noun[1] not in searched
    assert any("a section that says প্রতিষ্ঠা answers it" in n for n in plan.notices)
    for query, weights in [
        ("প্রতিষ্ঠিত সংস্থা ফিদে", Weights()),
        ("ফিদে কবে প্রতিষ্ঠিত হয় ?", Weights(related_forms=False)),
    ]:
        assert compile_query(parse(query), weights, frequency=frequency).related == {}
    assert (
        compile_query(parse("ফিদে প্রতিষ্ঠিত হয়"), Weights(), frequency=_frequency({})).related == {}
    )


def test_a_section_that_says_the_action_noun_answers_the_participle(tmp_path: Path) -> None:
    """ফিদে কবে প্রতিষ্ঠিত হয়: the history section says প্রতিষ্ঠা, not
    প্রতিষ্ঠিত, and names ফিদে once; the presidents' section names it more
    often. The history section is shown, its প্রতিষ্ঠা highlighted; with
    related forms off, the presidents' section; the ranking is the same.
    (It fails without the related form.)"""
    text = (
        "ফিদে দাবার আন্তর্জাতিক সংস্থা।\n== সভাপতি ==\nফিদে সভাপতি নির্বাচন করে। ফিদে "
        "সভাপতি চার বছর থাকেন, ফিদে সভাপতির দপ্তর লুসানে।\n== ইতিহাস ==\n১৯১৪ সালে "
        "সেন্ট পিটার্সবার্গে আন্তর্জাতিক দাবা ফেডারেশন গঠনের উদ্যোগ নেয়া হয়, যুদ্ধে তা ব্যর্থ "
        "হয়। ১৯২৪ সালে প্যারিসে অলিম্পিক গেমসের সময় দাবা সংস্থাটির প্রতিষ্ঠা হয়, নাম ফিদে।"
    )
    articles = [Article("fide", "ফিদে", text)] + [
        Article(f"s{i}", f"বিদ্যালয় {i}", f"বিদ্যালয়টির প্রতিষ্ঠা {1900 + i} সালে।") for i in range(4)
    ]
    # প্রতিষ্ঠিত is no rare word here, so প্রতিষ্ঠা is not its close spelling.
    articles += [
        Article(f"c{i}", f"সমিতি {i}", f"সমিতিটি {1950 + i} সালে প্রতিষ্ঠিত।") for i in range(4)
    ]
    with Index.create(tmp_path / "ix") as created:
        created.add_many(articles)
        searcher = created._searcher()
        question = "ফিদে কবে প্রতিষ্ঠিত হয় ?"
        hits = {}
        for on in (True, False):
            request = SearchRequest(question, timeout=None)
            pipeline = SearchPipeline(searcher, replace(Weights(), related_forms=on))
            hits[on] = list(pipeline.run(request))
        assert [h.id for h in hits[True]] == [h.id for h in hits[False]]
        assert [h.score for h in hits[True]] == [h.score for h in hits[False]]
        first = hits[True][0]
        assert first.id == "fide" and first.section == "ইতিহাস"
        assert "প্রতিষ্ঠা" in [first.snippet[a:b] for a, b in first.highlights]
        assert hits[False][0].section == "সভাপতি"


def test_a_heading_that_names_the_action_noun_answers_the_participle(tmp_path: Path) -> None:
    """The heading প্রতিষ্ঠা ও নামকরণ names the related form of প্রতিষ্ঠিত: the
    heading rule shows it, though the presidents' section holds ফিদে and
    প্রতিষ্ঠা too, and scores higher. (It fails when the heading rule reads
    only the typed words.)"""
    text = (
        "ফিদে দাবার আন্তর্জাতিক সংস্থা।\n== সভাপতি ==\nফিদে সভাপতি প্রতিষ্ঠা দিবসে ফিদে "
        "সভায় বক্তৃতা দেন।\n== প্রতিষ্ঠা ও নামকরণ ==\n১৯২৪ সালে প্যারিসে অলিম্পিক গেমসের "
        "সময় দাবা খেলোয়াড়দের এক সভায় সংস্থাটির যাত্রা শুরু।"
    )
    articles = [Article("fide", "ফিদে", text)]
    articles += [Article(f"s{i}", f"বিদ্যালয় {i}", f"প্রতিষ্ঠা {1900 + i} সালে।") for i in range(4)]
    articles += [Article(f"c{i}", f"সমিতি {i}", f"{1950 + i} সালে প্রতিষ্ঠিত।") for i in range(4)]
    with Index.create(tmp_path / "ix") as created:
        created.add_many(articles)
        first = created.search("ফিদে কবে প্রতিষ্ঠিত হয় ?")[0]
        assert first.id == "fide" and first.section == "প্রতিষ্ঠা ও নামকরণ"


# --- article and section evidence -----------------------------------------------------------


def test_an_answer_spread_over_an_article_beats_a_title_repeated_in_sections(
    tmp_path: Path,
) -> None:
    """The subject in the title and lead, the detail in a later section: the
    whole article's evidence beats an article whose every section carries a
    generic title word."""
    spread = "ওষুধ রোগ সারাতে ব্যবহৃত হয়। == ক্রিয়া == ওষুধ কোষের গ্রাহকের সঙ্গে যুক্ত হয়ে শরীরে কাজ করে।"
    generic = " ".join(f"== অংশ {i} == শরীর গঠন অংশ {i} হাড় পেশি।" for i in range(8))
    with Index.create(tmp_path / "ix") as created:
        created.add_many([Article("drug", "ওষুধ", spread), Article("body", "শরীর", generic)])
        hit = created.search("ওষুধ কীভাবে শরীরে কাজ করে ?")[0]
        assert hit.id == "drug" and hit.section == "ক্রিয়া"


def test_a_title_that_is_the_query_comes_first_shown_by_its_lead(tmp_path: Path) -> None:
    long_text = " ".join(["দোহা শহরে দোহা বন্দর দোহা।"] * 30)
    with Index.create(tmp_path / "ix") as created:
        created.add_many(
            [
                Article("doha", "দোহা", "দোহা কাতারের রাজধানী। == ইতিহাস == দোহা দোহা দোহা একটি বন্দর।"),
                Article("port", "উপসাগরের বন্দর", long_text),
            ]
        )
        hit = created.search("দোহা")[0]
        assert hit.id == "doha" and hit.section == ""
        assert hit.title_highlights == [(0, 4)]


def test_a_heading_only_match_is_highlighted_in_the_heading(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix") as created:
        created.add(Article("a", "কাতার", "কাতার একটি দেশ। == অর্থনীতি == তেল ও গ্যাস রপ্তানি।"))
        hit = created.search("অর্থনীতি")[0]
        assert hit.section == "অর্থনীতি" and hit.section_highlights == [(0, 8)]
        assert hit.to_dict()["section_highlights"] == [[0, 8]]
    out = subprocess.run(
        [sys.executable, "-m", "bnsearch", "search", "--index", str(tmp_path / "ix"), "অর্থনীতি"],
        capture_output=True, text=True, env={"NO_COLOR": "1", "PATH": ""},
    )  # fmt: skip
    assert "কাতার › **অর্থনীতি**" in out.stdout


# --- a collection of single passages ranks by passage BM25 ---------------------------------------

PASSAGES = [
    ("p1", "কাতার", "কাতার পারস্য উপসাগরের একটি দেশ। রাজধানী দোহা।"),
    ("p2", "দোহা", "দোহা কাতারের রাজধানী ও বৃহত্তম শহর। দোহা বন্দর।"),
    ("p3", "মেক্সিকো", "মেক্সিকো উত্তর আমেরিকার দেশ। রাজধানী মেক্সিকো সিটি।"),
    ("p4", "বাণিজ্য", "কাতার ও মেক্সিকোর বাণিজ্য বাড়ছে। তেল ও গ্যাস রপ্তানি।"),
    ("p5", "দূতাবাস", "মেক্সিকো সিটিতে কাতারের দূতাবাস আছে। দোহায় মেক্সিকোর দূতাবাস।"),
    ("p6", "তেল", "তেল ও গ্যাস কাতারের অর্থনীতির ভিত্তি। রপ্তানি আয় তেলে।"),
    ("p7", "নদী", "বাংলাদেশ নদীর দেশ। পদ্মা মেঘনা যমুনা।"),
    ("p8", "রাজধানী", "রাজধানী হলো দেশের প্রশাসনিক কেন্দ্র। ঢাকা বাংলাদেশের রাজধানী।"),
]
QUERIES = ["কাতারের রাজধানী", "মেক্সিকোর দূতাবাস", "তেল রপ্তানি", "দেশ", "দোহা বন্দর", "নদী রাজধানী"]


def _plain_bm25_order(directory: Path, query: str) -> list[str]:
    """Whoosh's own BM25F over title and text, with bnsearch's analyzer."""
    analyzer = make_stem_analyzer()
    schema = fields.Schema(
        id=fields.ID(stored=True),
        title=fields.TEXT(analyzer=analyzer, field_boost=2.0),
        body=fields.TEXT(analyzer=analyzer),
    )
    directory.mkdir()
    ix = index.create_in(str(directory), schema)
    with ix.writer() as writer:
        for pid, title, text in PASSAGES:
            writer.add_document(id=pid, title=title, body=text)
    parser = qparser.MultifieldParser(["title", "body"], schema, group=qparser.OrGroup)
    with ix.searcher(weighting=scoring.BM25F()) as searcher:
        return [hit["id"] for hit in searcher.search(parser.parse(query), limit=None)]


def test_single_passages_rank_as_passage_bm25(tmp_path: Path) -> None:
    source = tmp_path / "passages.jsonl"
    lines = [
        json.dumps({"id": p, "title": t, "text": x}, ensure_ascii=False) for p, t, x in PASSAGES
    ]
    source.write_text("\n".join(lines))
    Index.build(tmp_path / "ix", [source])
    with Index.open(tmp_path / "ix") as opened:
        for number, query in enumerate(QUERIES):
            ours = [hit.id for hit in opened.search(query, limit=20)]
            plain = _plain_bm25_order(tmp_path / f"plain{number}", query)
            assert set(ours) == set(plain), query  # the same passages match
            # and plain BM25's best is among the best two (the article and
            # section evidence of a one-section document are the same text).
            assert plain[0] in ours[:2], (query, ours, plain)


def _shown_sections(folder: Path, title: str, text: str, *queries: str) -> list[str]:
    """The section the first hit shows for each query, in an index of one article."""
    with Index.create(folder / "ix") as created:
        created.add(Article("a", title, text))
        return [created.search(query)[0].section for query in queries]


def test_a_heading_that_names_a_question_word_shows_the_article(tmp_path: Path) -> None:
    """Bengali writes compounds solid: the section নিয়মকানুন answers a question
    about নিয়ম, though the lead holds every word of it more often; নামকরণ
    begins with নাম, which the lead and নিয়মকানুন lack."""
    text = (
        "গোল্লাছুট একটি খেলা। এই খেলার নিয়ম সহজ, খেলা মাঠে হয়, খেলার নিয়ম সবাই জানে। "
        "== নামকরণ == বৃত্তে ঘুরতে হয় বলে নাম গোল্লাছুট। "
        "== নিয়মকানুন == দুই দল থাকে। দলপতিকে গোদা বলা হয়।"
    )
    shown = _shown_sections(tmp_path, "গোল্লাছুট", text, "গোল্লাছুট খেলার নিয়ম কী ?", "গোল্লাছুট নাম")
    assert shown == ["নিয়মকানুন", "নামকরণ"]


def test_a_heading_that_names_the_title_s_subject_does_not_decide(tmp_path: Path) -> None:
    """বৌদ্ধ begins the title's compound বৌদ্ধধর্ম: the whole article is about
    it, so a heading that names it says nothing of the question, and the
    section with the question's other word is shown."""
    text = (
        "বাংলাদেশে বৌদ্ধধর্ম একটি প্রাচীন ধর্ম। বৌদ্ধরা প্রধানত পার্বত্য অঞ্চলে থাকে। "
        "== বিশিষ্ট বৌদ্ধ == বৌদ্ধ ভিক্ষু ও লেখক, বৌদ্ধ পণ্ডিত ও বৌদ্ধ নেতা।"
    )
    shown = _shown_sections(tmp_path, "বাংলাদেশে বৌদ্ধধর্ম", text, "বৌদ্ধরা কোন অঞ্চলে থাকে ?")
    assert shown == [""]


def test_a_heading_that_names_the_lead_s_subject_does_not_decide(tmp_path: Path) -> None:
    """The lead's first sentence names the subject as the title does (here
    by its short name র‍্যাব): a heading that names it is not an answer to a
    question about the subject, and the section with the question's words is
    shown; a heading that names a word the first sentence lacks still is."""
    text = (
        "র‍্যাপিড অ্যাকশন ব্যাটালিয়ন বা র‍্যাব পুলিশের একটি বিশেষ বাহিনী। "
        "বাহিনীটি ২০০৪ সালে গঠিত হয়।\n"
        "== র‍্যাব ব্যাটালিয়নসমূহ ==\nর‍্যাব-১ উত্তরায়, র‍্যাব-২ আগারগাঁওয়ে, র‍্যাব-৩ টিকাটুলিতে।\n"
        "== প্রশিক্ষণ ==\nর‍্যাব সদস্যরা সেনানিবাসে প্রশিক্ষণ নেন।"
    )
    questions = ("র‍্যাব কবে গঠিত হয় ?", "র‍্যাব সদস্যদের প্রশিক্ষণ কোথায় হয় ?")
    shown = _shown_sections(tmp_path, "র‍্যাপিড অ্যাকশন ব্যাটালিয়ন", text, *questions)
    assert shown == ["", "প্রশিক্ষণ"]


def test_a_title_written_apart_is_the_word_written_solid(tmp_path: Path) -> None:
    """বীরশ্রেষ্ঠ is the title বীর শ্রেষ্ঠ written as one word: the heading
    বীরশ্রেষ্ঠদের তালিকা names the subject, not the question's detail, and
    every section holds it, so the lead, which has the question's other
    words, answers. (It fails when only the title as written counts.)"""
    text = (
        "বীর শ্রেষ্ঠ বাংলাদেশের সর্বোচ্চ সামরিক খেতাব। সাতজন মুক্তিযোদ্ধাকে এ খেতাব দেয়া হয়।\n"
        "== বীরশ্রেষ্ঠদের তালিকা ==\nমোস্তফা কামাল, বীরশ্রেষ্ঠ। মতিউর রহমান, বীরশ্রেষ্ঠ। "
        "হামিদুর রহমান, বীরশ্রেষ্ঠ। মুন্সি আব্দুর রউফ, বীরশ্রেষ্ঠ।"
    )
    question = "কতজন মুক্তিযোদ্ধা বীরশ্রেষ্ঠ খেতাব পেয়েছেন ?"
    assert _shown_sections(tmp_path, "বীর শ্রেষ্ঠ", text, question) == [""]


def test_a_heading_without_text_is_not_shown(tmp_path: Path) -> None:
    """A heading whose text was all in a table names the question's word,
    but shows nothing: the section with text that matches is shown."""
    text = (
        "দেশের শিক্ষা তিন স্তরের।\n== মাধ্যমিক শিক্ষা ==\n\n== শিক্ষা বোর্ড ==\n"
        "মাধ্যমিক স্তরের পরীক্ষা এসএসসি, বোর্ডগুলো নেয়।"
    )
    shown = _shown_sections(tmp_path, "শিক্ষাব্যবস্থা", text, "মাধ্যমিক পরীক্ষার নাম কী ?", "মাধ্যমিক")
    assert shown == ["শিক্ষা বোর্ড", "শিক্ষা বোর্ড"]


def test_the_defining_sentence_names_the_subject_after_a_notice(tmp_path: Path) -> None:
    """A lead that begins with coordinates and a maintenance notice: the
    sentence that names the title still says the subject is also র‍্যাব."""
    text = (
        "স্থানাঙ্ক: ২৩.৮° উত্তর ৯০.৪° পূর্ব। এই নিবন্ধটিতে কোনো উৎস বা তথ্যসূত্র উদ্ধৃত করা "
        "হয়নি।\nর‍্যাপিড অ্যাকশন ব্যাটালিয়ন বা র‍্যাব পুলিশের একটি বিশেষ বাহিনী। "
        "বাহিনীটি ২০০৪ সালে গঠিত হয়।\n"
        "== র‍্যাব ব্যাটালিয়নসমূহ ==\nর‍্যাব-১ উত্তরায়, র‍্যাব-২ আগারগাঁওয়ে, র‍্যাব-৩ টিকাটুলিতে।"
    )
    shown = _shown_sections(tmp_path, "র‍্যাপিড অ্যাকশন ব্যাটালিয়ন", text, "র‍্যাব কবে গঠিত হয় ?")
    assert shown == [""]


def test_with_no_section_holding_every_word_the_rarer_words_decide(tmp_path: Path) -> None:
    """No section has both ধরন and লিপি: the one with the rarer লিপি answers,
    though the short one with the commoner ধরন, three times, scores higher."""
    text = (
        "মায়া সভ্যতা মধ্য আমেরিকার।\n== পোশাক ==\nমায়া নারীরা নানা ধরনের পোশাক, নানা "
        "ধরনের গহনা, নানা ধরনের রং পরত।\n== লিখনপদ্ধতি ==\nচিত্রে লেখা সে লিপি পাথরে খোদাই "
        "করা, বইয়ে আঁকা, দেয়ালে লেখা, পাত্রে আঁকা, কাপড়ে বোনা আর গাছের ছালে লেখা হত, আর "
        "পুরোহিতরা তা পড়তেন।"
    )
    with Index.create(tmp_path / "ix") as created:
        created.add_many(
            [Article("maya", "মায়া সভ্যতা", text)]
            + [Article(f"o{i}", f"অন্য {i}", f"এক ধরনের খেলা {i}।") for i in range(8)]
            + [Article(f"l{i}", f"ভাষা {i}", f"ব্রাহ্মী লিপি {i}।") for i in range(5)]
        )
        first = created.search("মায়াদের লিপি কোন ধরনের ?").hits[0]
        assert first.id == "maya" and first.section == "লিখনপদ্ধতি"


def test_word_coverage_is_the_share_of_the_idf_weight_an_article_holds() -> None:
    import numpy as np

    from bnsearch.search.rank import word_coverage

    # Three words (idf 3, 1, 1; the third held by no article), three slots
    # each: title, headings, text.
    evidence = np.array(
        [
            [1, 0, 0, 0, 0, 2, 0, 0, 0],  # words 0 and 1
            [0, 0, 0, 0, 4, 9, 0, 0, 0],  # word 1 only, often
        ],
        dtype=float,
    )
    assert word_coverage(evidence, [3.0, 1.0, 1.0], 1.0).tolist() == [1.0, 0.25]
    assert word_coverage(evidence, [3.0, 1.0, 1.0], 0.5).tolist() == [1.0, 0.5]
    assert word_coverage(evidence, [3.0, 1.0, 1.0], 0.0).tolist() == [1.0, 1.0]
    assert word_coverage(evidence[:, :3], [3.0], 1.0).tolist() == [1.0, 1.0]  # one word


@given(
    st.lists(st.lists(st.integers(0, 3), min_size=6, max_size=6), min_size=1, max_size=5),
    st.lists(st.floats(0.1, 10), min_size=2, max_size=2),
    st.sampled_from([0.25, 0.5, 1.0]),
)
def test_holding_more_of_the_query_never_lowers_the_coverage(rows, idfs, power) -> None:
    import numpy as np

    from bnsearch.search.rank import word_coverage

    evidence = np.array(rows, dtype=float)
    shares = word_coverage(evidence, idfs, power)
    assert ((shares >= 0) & (shares <= 1 + 1e-12)).all()
    richer = evidence.copy()
    richer[:, 0] += 1  # every article now also has word 0 in its title
    assert (word_coverage(richer, idfs, power) >= shares - 1e-12).all()


@given(st.text(alphabet="কখগ া ি\n", max_size=200), st.text(alphabet="কখগ া ি\n", max_size=200))
def test_near_identical_sections_are_judged_as_difflib_judges_them(a: str, b: str) -> None:
    import difflib

    from bnsearch.search.compile import Weights
    from bnsearch.search.rank import _same_text

    DUPLICATE_SIMILARITY = Weights().duplicate_similarity

    for first, second in ((a, b), (a, a + b[:5]), (a, a[: len(a) // 2] + b[:3])):
        matcher = difflib.SequenceMatcher(None, first, second, autojunk=False)
        expected = (
            matcher.real_quick_ratio() >= DUPLICATE_SIMILARITY
            and matcher.quick_ratio() >= DUPLICATE_SIMILARITY
        )
        assert _same_text({"text": first}, {"text": second}, DUPLICATE_SIMILARITY) == expected


def test_a_genitive_is_told_by_its_ending_and_its_stem() -> None:
    from bnsearch.search.compile import is_genitive

    for word in ("বাংলাদেশের", "মায়ার", "কমনওয়েলথের", "মেয়েদের", "কাতারের", "নদীর"):
        assert is_genitive(word), word
    for word in ("আকার", "সাগর", "বিচার", "রাজধানী", "কোথায়", "এর", "তার"):
        assert not is_genitive(word), word


def test_questions_about_a_genitive_subject_open_at_its_lead(tmp_path: Path) -> None:
    """জাপানের রাজধানী কোথায়: the lead of জাপান, which names the capital,
    not a history section that mentions capitals more often; and a query
    that only names an article opens at its lead."""
    from bnsearch import Article, Index

    japan = (
        "জাপান পূর্ব এশিয়ার একটি দ্বীপরাষ্ট্র। জাপানের রাজধানী টোকিও। "
        + "দেশটির পাহাড় অনেক, নদী ছোট ও খরস্রোতা। " * 8
        + "\n== ইতিহাস ==\nপ্রাচীন রাজধানী নারা, পরে রাজধানী কিয়োটো; ১৮৬৮ সালে রাজধানী টোকিওতে আসে।"
    )
    with Index.create(tmp_path / "ix") as created:
        created.add_many([Article("jp", "জাপান", japan), Article("tk", "টোকিও", "টোকিও একটি শহর।")])
        hit = created.search("জাপানের রাজধানী কোথায় ?", explain=True).hits[0]
        assert (hit.id, hit.section) == ("jp", "")
        assert hit.explanation["section rule"].startswith("the genitive subject's article")
        assert created.search("ইতিহাস কিয়োটো নারা").hits[0].section == "ইতিহাস"


# Letters close spellings trade: vowel signs, the groups, the nukta, the hasanta.
_LETTERS = "কখগঘচছজঝতটৎথঠদডধঢনণপফবভমযরলশষসহয়ড়ািীুূেৈোৌ্ঁংঃ" + "\u09bc"


@given(
    word=st.text(alphabet=_LETTERS, min_size=3, max_size=9),
    edits=st.lists(
        st.tuples(
            st.integers(0, 20),
            st.sampled_from(["insert", "delete", "replace"]),
            st.sampled_from(_LETTERS),
        ),
        max_size=4,
    ),
)
@settings(max_examples=400, deadline=None)
def test_a_close_spelling_is_two_plain_edits_of_the_folded_form(word, edits) -> None:
    """What the OpenSearch backend's fuzzy query for close spellings rests
    on: a spelling within a word's limit (one weighted edit, for words under
    ten letters) is within two plain edits of it once both are folded
    (bnsearch.backends.opensearch.folded_form)."""
    from bnsearch.analysis.distance import weighted_distance
    from bnsearch.backends.opensearch import folded_form
    from bnsearch.search.variants import spelling_limit

    other = word
    for at, kind, letter in edits:
        at = at % (len(other) + 1)
        if kind == "insert":
            other = other[:at] + letter + other[at:]
        elif other and at < len(other):
            other = other[:at] + (letter if kind == "replace" else "") + other[at + 1 :]
    a, b = normalize_tier1(word), normalize_tier1(other)
    limit = spelling_limit(word)
    if limit > 1.0 or spelling_distance(a, b, limit) > limit:
        return
    plain = weighted_distance(
        folded_form(word), folded_form(other), lambda x, y: float(x != y), lambda _: 1.0
    )
    assert plain <= 2, (word, other)


def test_a_query_of_the_titles_words_opens_the_article_at_its_lead(tmp_path: Path) -> None:
    """রবীন্দ্রনাথ names রবীন্দ্রনাথ ঠাকুর: not its list of memorials, which
    repeats the word."""
    text = (
        "রবীন্দ্রনাথ ঠাকুর বাঙালি কবি।\n== স্মারক ==\nরবীন্দ্রনাথ সেতু, রবীন্দ্রনাথ সড়ক, "
        "রবীন্দ্রনাথ সদন, রবীন্দ্রনাথ সরোবর।"
    )
    with Index.create(tmp_path / "ix") as created:
        created.add(Article("rt", "রবীন্দ্রনাথ ঠাকুর", text))
        assert [h.section for h in created.search("রবীন্দ্রনাথ")] == [""]
        assert [h.section for h in created.search("রবীন্দ্রনাথ সেতু")] == ["স্মারক"]


def test_an_article_whose_title_is_the_query_comes_first_at_its_lead(tmp_path: Path) -> None:
    """দোহা is the page titled দোহা, not the page that repeats it thirty times."""
    with Index.create(tmp_path / "ix") as created:
        created.add_many(
            [
                Article("doha", "দোহা", "দোহা কাতারের রাজধানী। == ইতিহাস == দোহা একটি বন্দর।"),
                Article("port", "উপসাগরের বন্দর", " ".join(["দোহা শহরে দোহা বন্দর দোহা।"] * 30)),
            ]
        )
        hits = created.search("দোহা", explain=True).hits
        assert [(h.id, h.section) for h in hits] == [("doha", ""), ("port", "")]
        assert hits[0].explanation["contributions"]["title is the query"] > 0
        assert hits[0].score > hits[1].score
