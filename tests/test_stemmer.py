"""The light stemmer: conflation of real inflected forms, and what stays apart."""

from __future__ import annotations

import pytest
from conftest import REPORT, read_table

from bnsearch import Index
from bnsearch.analysis import normalize_tier0, stem_term
from bnsearch.analysis.stemmer import BengaliStemmer, count_letters

CONFLATION = read_table("conflation.tsv")
KEEP_APART = read_table("keep_apart.tsv")


def conflated(a: str, b: str) -> bool:
    term_a, term_b = stem_term(a), stem_term(b)
    return term_a is not None and term_a == term_b


def test_tables_are_big_enough() -> None:
    assert len(CONFLATION) >= 150
    assert len(KEEP_APART) >= 25


def test_conflation_rate() -> None:
    misses = [(form, base, why) for form, base, why in CONFLATION if not conflated(form, base)]
    rate = 1 - len(misses) / len(CONFLATION)
    REPORT["stem conflation rate"] = (
        f"{len(CONFLATION) - len(misses)}/{len(CONFLATION)} = {rate:.1%}; missed: "
        + ", ".join(f"{form}/{base}" for form, base, _ in misses)
    )
    assert rate >= 0.90, misses


@pytest.mark.parametrize(("a", "b", "why"), KEEP_APART, ids=[f"{a}/{b}" for a, b, _ in KEEP_APART])
def test_keep_apart(a: str, b: str, why: str) -> None:
    assert stem_term(a) != stem_term(b), why


def test_keep_apart_rate_is_reported() -> None:
    kept = sum(stem_term(a) != stem_term(b) for a, b, _ in KEEP_APART)
    REPORT["keep-apart"] = f"{kept}/{len(KEEP_APART)} kept apart"
    assert kept == len(KEEP_APART)


def test_table_words_occur_in_real_text(seed_index, shared_index) -> None:
    """Every word of both tables is found in the seeds or the shared corpus
    (the exact fields of their indexes hold every word, tier-0 normalized)."""
    vocabulary = set()
    for path in (seed_index, shared_index):
        with Index.open(path) as index, index._ix.reader() as reader:
            for name in ("body_exact", "title_exact", "heading_exact"):
                vocabulary.update(term.decode("utf-8") for term in reader.lexicon(name))
    words = {w for a, b, _ in CONFLATION + KEEP_APART for w in (a, b)}
    missing = sorted(w for w in words if normalize_tier0(w) not in vocabulary)
    assert not missing


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("মাটিতে", "মাটি"),  # never মা: two letters at least
        ("কলেরা", "কলেরা"),  # protected, not কল + েরা
        ("সময়ের", "সময়"),  # not সম + য়ের
        ("যাত্রা", "যাত্রা"),  # no cut right after a hasanta
        ("পার্টিতে", "পার্টি"),
        ("আমির", "আমির"),  # আমি is a stopword: the cut is refused
        ("দেশগুলোতেও", "দেশ"),  # emphatic, then plural + case as one suffix
        ("কাতারেরই", "কাতার"),
        ("দশকে", "দশক"),  # the cut that leaves a protected word wins
        ("অপরদিকে", "অপরদিক"),
        ("রংপুরের", "রংপুর"),  # protected ending -পুর
        ("যোদ্ধারা", "যোদ্ধা"),  # …but not an ending right after a hasanta (-ধারা)
        ("জাতীয়", "জাতিয়"),  # -ীয় is an adjective, not a case ending
        ("জুলাই", "জুলাই"),  # -াই is not emphatic
        ("রেডিও", "রেডিও"),
    ],
)
def test_guards(word: str, stem: str) -> None:
    assert stem_term(word) == normalize_tier0(stem).replace("ী", "ি")


@pytest.mark.parametrize("word", ["থেকেই", "তিনিও", "এটিই", "মধ্যেই"])
def test_function_word_with_particle_is_a_stopword(word: str) -> None:
    assert stem_term(word) is None


def test_at_most_two_cuts() -> None:
    stemmer = BengaliStemmer()
    # Unprotected: ই, then ের; the bare -ার word is not cut a third time.
    assert stemmer.stem("বাজারেরই") == "বাজার"


def test_letters_do_not_count_signs() -> None:
    assert count_letters("মা") == 1
    assert count_letters("মাটি") == 2
    assert count_letters("রং") == 2
    assert count_letters("abc১২") == 5
