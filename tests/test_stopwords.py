"""The stopword list: the real function words, normalized, stem field only."""

from __future__ import annotations

import pytest

from bnsearch.analysis import STOPWORDS, analyze, normalize_tier0, normalize_tier1

REQUIRED = "এবং ও এই এর থেকে করে হয় জন্য তিনি তার একটি সঙ্গে সাথে কিন্তু হিসেবে দ্বারা এটি ছিল".split()
CONTENT_WORDS = "উত্তর দিন কাজ নাম প্রথম নতুন দুই চার হাজার কোটি লক্ষ কারণ সম্পর্কে দেশ".split()


@pytest.mark.parametrize("word", REQUIRED)
def test_high_frequency_function_words_are_stopwords(word: str) -> None:
    assert analyze(word)[0].term is None


@pytest.mark.parametrize("word", CONTENT_WORDS)
def test_content_words_are_not_stopwords(word: str) -> None:
    assert analyze(word)[0].term is not None


def test_list_is_stored_normalized() -> None:
    for word in STOPWORDS:
        assert normalize_tier1(normalize_tier0(word)) == word


@pytest.mark.parametrize("spelling", ["তাঁর", "কী", "কি", "সঙ্গে", "সংগে", "কোনো", "কোনও"])
def test_spelling_variants_of_stopwords_match(spelling: str) -> None:
    assert analyze(spelling)[0].term is None


def test_single_letter_function_words_are_removed() -> None:
    """Whoosh's StopFilter ignores words shorter than 2; ours must not."""
    assert [t.term for t in analyze("কাতার ও মেক্সিকো এ")] == ["কাতার", None, "মেক্সিকো", None]


def test_exact_field_keeps_every_word() -> None:
    assert all(t.term for t in analyze("কাতার এবং মেক্সিকো এর মাঝে", "exact"))
