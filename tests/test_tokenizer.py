"""The ICU word tokenizer: what stays one word, what splits, and offsets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bnsearch.analysis import BengaliTokenizer, word_spans

ZWJ, ZWNJ = "\u200d", "\u200c"


def words(text: str) -> list[str]:
    return [text[s:e] for s, e, _ in word_spans(text)]


@pytest.mark.parametrize(
    "word",
    [
        "বিশ্বকাপ",  # conjuncts with hasanta
        "রাষ্ট্রপতি",
        "সম্পর্ককে",
        f"র{ZWJ}্যাব",  # ra + ZWJ + ya-phala
        f"কি{ZWNJ}ন্তু",  # ZWNJ inside
        f"কাতার{ZWNJ}",  # ZWNJ at the end
        "উৎপাদন",  # khanda ta
        f"উত্{ZWJ}পাদন",  # old khanda ta encoding
        "বাড়ি",  # precomposed nukta U+09DC
        "বাড়ি",  # decomposed nukta
        "দোহায়",
        "দোহায়",
        "রযে়ছে",  # misplaced nukta still one word
    ],
)
def test_one_word_stays_one_token(word: str) -> None:
    assert words(f"({word}) ") == [word]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("দোহা। কাতার॥ আবার|এখানে", ["দোহা", "কাতার", "আবার", "এখানে"]),
        ("আল-থানি আল–থানি আল—থানি", ["আল", "থানি"] * 3),
        ("কাতার, মেক্সিকো; রাশিয়া!", ["কাতার", "মেক্সিকো", "রাশিয়া"]),
        ("৩.৫% বৃদ্ধি ১,২৩৪ টাকা", ["৩.৫", "বৃদ্ধি", "১,২৩৪", "টাকা"]),
        ("২০২২ সালে ৩২টি দল", ["২০২২", "সালে", "৩২টি", "দল"]),
    ],
)
def test_punctuation_danda_and_dashes_split(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_hyphen_split_keeps_positions_adjacent() -> None:
    tokens = [(t.text, t.pos) for t in BengaliTokenizer()("শেখ আল-থানি", positions=True)]
    assert tokens == [("শেখ", 0), ("আল", 1), ("থানি", 2)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Qatarকে", ["Qatar", "কে"]),
        ("FIFAর", ["FIFA", "র"]),
        ("iPhoneটি", ["iPhone", "টি"]),
        ("কাতারQatar", ["কাতার", "Qatar"]),
        ("COVID-19", ["COVID", "19"]),
    ],
)
def test_script_change_splits(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_split_pieces_are_marked_attached() -> None:
    assert [a for _, _, a in word_spans("Qatarকে কাতার")] == [False, True, False]


def test_offsets_are_code_points_after_astral_characters() -> None:
    text = "😀🇧🇩 কাতার 𝐀 দোহা"  # 𝐀 (U+1D400) is a letter outside the BMP
    spans = word_spans(text)
    assert [text[s:e] for s, e, _ in spans] == ["কাতার", "𝐀", "দোহা"]
    assert [s for s, _, _ in spans] == [text.index("কাতার"), text.index("𝐀"), text.index("দোহা")]


def test_tokenizer_offsets_shift_with_start_char() -> None:
    [token] = BengaliTokenizer()("কাতার", chars=True, start_char=10)
    assert (token.startchar, token.endchar) == (10, 15)


def test_untokenized_value_is_one_token() -> None:
    [token] = BengaliTokenizer()("কাতার দোহা", tokenize=False, chars=True, positions=True)
    assert (token.text, token.startchar, token.endchar, token.pos) == ("কাতার দোহা", 0, 10, 0)


# Text mixing Bengali, Latin, digits of both kinds, joiners, punctuation,
# emoji and other astral characters.
MIXED = st.text(
    alphabet=st.one_of(
        st.sampled_from(
            list("কখগঘঙচছজঝঞটঠডঢণতথদধনপফবভমযরলশষসহড়ঢ়য়ৎািীুূৃেৈোৌ্ংঃঁ়অআইউএও০১২৩৪৫৬৭৮৯")
            + list("Qatar FIFA 2022 ।,.-–'\"()\n\t")
            + [ZWJ, ZWNJ, "\u00ad", "😀", "🇧", "𝐀", "\U0001f469", "\U0001f4bb"]
        ),
        st.characters(),
    ),
    max_size=80,
)


@given(MIXED)
def test_every_span_points_into_the_original_text(text: str) -> None:
    # Whoosh reuses one Token object: read it while iterating.
    tokens = [(t.text, t.startchar, t.endchar) for t in BengaliTokenizer()(text, chars=True)]
    spans = word_spans(text)
    assert [surface for surface, _, _ in tokens] == [text[s:e] for s, e, _ in spans]
    for surface, start, end in tokens:
        assert text[start:end] == surface
        assert surface.strip() == surface != ""
    # Ordered and disjoint: each span starts at or after the previous end.
    previous_ends = [0, *(e for _, e, _ in spans)][:-1]
    assert all(s >= prev for (s, _, _), prev in zip(spans, previous_ends, strict=True))
