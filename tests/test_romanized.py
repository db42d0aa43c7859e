"""Romanized (Banglish) queries: the loose keys, the readings a search adds,
their accuracy on a table of words people type, and romanized questions."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA, REPORT, SHARED, read_table

from bnsearch import Article, Index
from bnsearch.analysis.romanize import (
    ROMANIZATION_VERSION,
    bengali_key,
    fit,
    latin_key,
    latin_keys,
)

PAIRS = read_table("romanized.tsv")
# Written later from titles never looked at, and measured before any rule
# was made with them: the nearest thing to a held-out list.
UNSEEN = read_table("romanized_unseen.tsv")
QUESTIONS = read_table("romanized_questions.tsv")


def fingerprint() -> str:
    digest = hashlib.sha256()
    for latin, bengali in PAIRS + UNSEEN:
        digest.update(f"{latin} {latin_key(latin)} {bengali} {bengali_key(bengali)}\n".encode())
        digest.update(f"{latin_keys(latin)} {fit(latin, bengali):.2f}\n".encode())
    for _, question in QUESTIONS:
        for word in question.split():
            digest.update(f"{word} {latin_key(word)}\n".encode())
    return digest.hexdigest()[:16]


def test_rules_unchanged_for_this_romanization_version() -> None:
    recorded = dict(read_table("romanization_versions.tsv"))
    current = fingerprint()
    assert recorded.get(ROMANIZATION_VERSION) == current, (
        "romanization keys changed: bump the version in bnsearch/analysis/romanization.txt "
        f"and record {ROMANIZATION_VERSION}\t{current} in {DATA / 'romanization_versions.tsv'}"
    )


@pytest.mark.parametrize(
    ("latin", "bengali"),
    [
        ("dhakar", "ঢাকার"),
        ("shadhinota", "স্বাধীনতা"),  # sh for স, ব-ফলা not typed
        ("swadhinota", "স্বাধীনতা"),  # … or typed as w
        ("muktijuddho", "মুক্তিযুদ্ধ"),  # the inherent vowel after a cluster
        ("shohor", "শহর"),  # inherent vowels inside the word
        ("bishwobiddaloy", "বিশ্ববিদ্যালয়"),  # ব-ফলা and য-ফলা
        ("purbo", "পূর্ব"),  # a reph: the ব is the letter
        ("khomota", "ক্ষমতা"),
        ("chottogram", "চট্টগ্রাম"),  # a doubled consonant once
        ("ekushe", "একুশে"),  # a leading vowel kept
    ],
)
def test_people_s_spellings_share_the_key(latin: str, bengali: str) -> None:
    assert latin_key(latin) == bengali_key(bengali)


def test_a_leading_vowel_keeps_words_apart() -> None:
    assert latin_key("ekushe") != bengali_key("কুশে")


# --- on a small index -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("romanized") / "ix"
    texts = ["ঢাকা বাংলাদেশের রাজধানী।", "ঢাকা শহর বড়।", "ঢাকার রাস্তা।", "Dhaka is a city."]
    texts += ["ঢাকার মানুষ।"]
    texts += ["রাজধানী শহর।", "The university of the city.", "university university"]
    # ঢাকা in ten times the sections "dhaka" is in: not an English word here.
    texts += [f"ঢাকা নদী {n}" for n in range(10)]
    with Index.create(path) as index:
        index.add_many(Article(f"a{n}", f"লেখা {n}", text) for n, text in enumerate(texts))
    return path


def test_a_latin_word_is_also_searched_as_its_bengali_reading(small: Path) -> None:
    with Index.open(small) as index:
        results = index.search("dhaka")
        assert {hit.id for hit in index.search("dhaka", limit=50)} >= {"a0", "a1", "a2", "a3"}
        assert any(notice.startswith("dhaka → ঢাকা") for notice in results.notices)
        hit = next(hit for hit in results if hit.id == "a1")
        assert hit.snippet[slice(*hit.highlights[0])] == "ঢাকা"  # highlighted as a match
        inflected = index.search("dhakar", limit=50)  # the inflected form, and its stem
        assert {hit.id for hit in inflected} >= {"a2", "a0", "a1"}
        off = index.search("dhaka", transliterate=False)
        assert [hit.id for hit in off] == ["a3"]
        assert index.readings("dhaka")[0][0] == "ঢাকা"


def test_words_of_the_index_and_question_words_stay_as_typed(small: Path) -> None:
    with Index.open(small) as index:
        assert index.readings("university") == []  # a word of the index: English
        assert index.readings("the") == []
        english = index.search("university")
        assert [h.id for h in english] == [
            h.id for h in index.search("university", transliterate=False)
        ]
        assert not any("→" in notice for notice in english.notices)


def test_the_cli_says_what_it_read_and_no_transliterate_turns_it_off(small: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bnsearch", *args], capture_output=True, text=True, timeout=60
        )

    on = run("search", "--index", str(small), "rajdhani")
    assert on.returncode == 0 and "note: rajdhani → রাজধানী" in on.stdout
    off = run("search", "--index", str(small), "--no-transliterate", "rajdhani")
    assert off.returncode == 1 and "reading them as romanized Bengali is off" in off.stdout
    shown = run("analyze", "--index", str(small), "dhaka")
    assert "read as Bengali: ঢাকা" in shown.stdout
    rows = json.loads(run("analyze", "--json", "--index", str(small), "dhaka").stdout)
    assert rows[0]["readings"][0]["text"] == "ঢাকা"


# --- on the shared corpus -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "pairs", "first_at_least"),
    [("romanized words", PAIRS, 0.90), ("romanized words unseen", UNSEEN, 0.78)],
)
def test_the_tables_of_romanized_words(
    shared_index: Path, name: str, pairs: list, first_at_least: float
) -> None:
    assert len(pairs) >= 100
    first = top3 = 0
    with Index.open(shared_index) as index:
        for latin, bengali in pairs:
            readings = [form for form, _, _ in index.readings(latin)]
            first += readings[:1] == [bengali]
            top3 += bengali in readings[:3]
    REPORT[name] = (
        f"first {first}/{len(pairs)} = {first / len(pairs):.1%}, "
        f"top 3 {top3}/{len(pairs)} = {top3 / len(pairs):.1%}"
    )
    assert first / len(pairs) >= first_at_least


def test_romanized_questions_reach_most_of_the_bengali_mrr(shared_index: Path) -> None:
    from bnsearch.api import read_qrels, read_queries
    from bnsearch.evaluation import score_rankings

    assert len(QUESTIONS) >= 30
    folder = SHARED / "eval" / "questions"
    bengali = dict(read_queries(folder / "queries.tsv"))
    qrels = read_qrels(folder / "qrels.tsv")
    with Index.open(shared_index) as index:

        def ranking(query: str) -> list[str]:
            return [h.id for h in index.search(query, limit=100, snippets=False, suggest=False)]

        original = score_rankings({q: ranking(bengali[q]) for q, _ in QUESTIONS}, qrels)
        romanized = score_rankings({q: ranking(text) for q, text in QUESTIONS}, qrels)
    mean_original = sum(original[q]["mrr"] for q, _ in QUESTIONS) / len(QUESTIONS)
    mean_romanized = sum(romanized[q]["mrr"] for q, _ in QUESTIONS) / len(QUESTIONS)
    REPORT["romanized questions"] = (
        f"MRR@10 {mean_romanized:.3f} against {mean_original:.3f} for the Bengali originals "
        f"({mean_romanized / mean_original:.0%})"
    )
    assert mean_romanized >= 0.9 * mean_original


def test_bengali_queries_rank_as_without_transliteration(shared_index: Path) -> None:
    from bnsearch.api import read_queries

    with Index.open(shared_index) as index:
        for name in ("questions", "dev"):
            for _, query in read_queries(SHARED / "eval" / name / "queries.tsv"):
                on = index.search(query, limit=20, snippets=False, suggest=False)
                off = index.search(
                    query, limit=20, snippets=False, suggest=False, transliterate=False
                )
                assert [(h.id, h.score) for h in on] == [(h.id, h.score) for h in off], query


# --- names, fit and weight (the second round) --------------------------------------------


@pytest.fixture(scope="module")
def names(tmp_path_factory) -> Path:
    """Names beside frequent words that share their keys, and English
    references that hold the Latin spelling."""
    path = tmp_path_factory.mktemp("names") / "ix"
    texts = [f"প্যারিস ফ্রান্সের রাজধানী {n}।" for n in range(4)]
    texts += [f"টাকা থাকা {n}।" for n in range(12)] + ["টোকিও জাপানের রাজধানী।"] * 3
    texts += [f"কোন কথা {n}।" for n in range(12)] + ["খান একটি পদবি।"] * 3
    texts += [f"বন্যা হলো {n}।" for n in range(12)] + ["বঙ্গ একটি প্রাচীন জনপদ।"] * 3
    texts += [f"টেস্ট খেলা {n}।" for n in range(30)] + ["তিস্তা একটি নদী।"] * 3
    texts += ["বঙ্গবন্ধু শেখ মুজিব।"] * 3
    articles = [Article(f"a{n}", f"লেখা {n}", text) for n, text in enumerate(texts)]
    # "paris" in English references only, in more sections than প্যারিস.
    articles += [
        Article(f"r{n}", f"সূত্র {n}", f"লেখা।\n== তথ্যসূত্র ==\nParis: Gallimard, {n}.")
        for n in range(6)
    ]
    with Index.create(path) as index:
        index.add_many(articles)
    return path


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("paris", "প্যারিস"),  # also an English word of the index, in references only
        ("tokyo", "টোকিও"),  # not টাকা or থাকা, more frequent but spelled worse
        ("khan", "খান"),  # kh is typed aspiration: not কোন
        ("bongo", "বঙ্গ"),  # ng before a vowel: ঙ্গ
        ("tista", "তিস্তা"),
    ],
)
def test_the_reading_that_spells_the_word_comes_first(names: Path, typed: str, meant: str) -> None:
    with Index.open(names) as index:
        assert index.readings(typed)[0][0] == meant, index.readings(typed)
        assert index.search(typed).hits[0].id.startswith("a")  # Bengali prose first


def test_a_frequent_alternative_never_outweighs_the_best_reading(names: Path) -> None:
    with Index.open(names) as index:
        hits = index.search("tista", limit=3).hits
        assert all("তিস্তা" in hit.snippet for hit in hits), [h.snippet for h in hits]


def test_two_latin_words_that_spell_one_bengali_word(names: Path) -> None:
    with Index.open(names) as index:
        results = index.search("bongo bondhu")
        assert "bongo bondhu: also searched বঙ্গবন্ধু" in " ".join(results.notices)
        assert "বঙ্গবন্ধু" in results.hits[0].snippet


def test_analyze_shows_each_reading_with_its_fit_and_the_word_as_typed(names: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bnsearch", "analyze", "--json", "--index", str(names), "paris"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    [row] = json.loads(result.stdout)
    assert row["readings"][0] == {"text": "প্যারিস", "sections": 4, "fit": 0.0}
    assert row["as_typed"] == {"sections": 6, "outside_references": 0}
