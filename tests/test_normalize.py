"""Tier-0 and tier-1 normalization: each rule, idempotence, variant encodings."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bnsearch.analysis import analyze, fold_digits, normalize_tier0, normalize_tier1

ZWJ, ZWNJ, NUKTA, HASANTA = "\u200d", "\u200c", "\u09bc", "\u09cd"


@pytest.mark.parametrize(
    ("raw", "expected", "rule"),
    [
        ("\u09ac\u09be\u09dc\u09bf", "\u09ac\u09be\u09a1\u09bc\u09bf", "precomposed ড় → NFC ড + ়"),
        ("দো\u09b9\u09be\u09df", "দোহা\u09af\u09bc", "precomposed য় → NFC"),
        ("দ\u09c7\u09be\u09b9\u09be", "দোহা", "two-part vowel ে + া → ো"),
        ("\u0985\u09beমির", "আমির", "অ + া → আ"),
        (f"উত{HASANTA}{ZWJ}পাদন", "উৎপাদন", "ত্ + ZWJ → ৎ"),
        ("উত্পাদন", "উৎপাদন", "legacy ত্ before a consonant → ৎ"),
        ("উত্স", "উৎস", "legacy ত্ before স → ৎ"),
        ("জগত্", "জগৎ", "legacy ত্ at the end → ৎ"),
        ("উত্তর", "উত্তর", "ত্ত is a real conjunct"),
        ("সত্য", "সত্য", "ত্য is a real conjunct"),
        ("পত্র", "পত্র", "ত্র is a real conjunct"),
        ("আত্মা", "আত্মা", "ত্ম is a real conjunct"),
        ("\u09b0\u09af\u09c7\u09bc\u099b\u09c7", "রয়েছে", "nukta typed after the vowel sign"),
        (f"কি{ZWNJ}ন্তু", "কিন্তু", "ZWNJ removed"),
        (f"র{ZWJ}্যাব", "র্যাব", "ZWJ removed (after the ৎ step)"),
        ("বাং\u00adলা\ufeff", "বাংলা", "soft hyphen and BOM removed"),
        ("\u200eকাতার\u200f\u2060", "কাতার", "LRM, RLM, word joiner removed"),
        ("দুই্টি", "দুইটি", "stray hasanta after a vowel"),
        ("যুুদ্ধ", "যুদ্ধ", "doubled vowel sign"),
        ("FIFA", "fifa", "Latin case folded"),
        ("ＦＩＦＡ", "fifa", "full-width folded (NFKC)"),
        ("Straße", "strasse", "full case folding"),
        ("১৯৭৫", "1975", "Bengali digits → ASCII"),
        ("١٢٣", "123", "Arabic-Indic digits → ASCII"),
        ("৩২টি", "32টি", "digits inside a word"),
    ],
)
def test_tier0_rule(raw: str, expected: str, rule: str) -> None:
    assert normalize_tier0(raw) == unicodedata.normalize("NFC", expected), rule


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("সরকারী", "সরকারি"),  # ী → ি
        ("দূতাবাস", "দুতাবাস"),  # ূ → ু
        ("কারণ", "কারন"),  # ণ → ন
        ("বিদ্যুৎ", "বিদ্যুত"),  # ৎ → ত
        ("বাঙলা", "বাংলা"),  # ঙ → ং
        ("সঙ্গে", "সংগে"),  # ঙ্ → ং
        ("ব্যাঙ্ক", "ব্যাংক"),
    ],
)
def test_tier1_rule(raw: str, expected: str) -> None:
    assert normalize_tier1(normalize_tier0(raw)) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [("পড়া", "পরা"), ("বাড়ি", "বারি"), ("শব", "সব"), ("দেশ", "দেস"), ("চাঁদ", "চাদ")],
)
def test_no_sound_based_folding(a: str, b: str) -> None:
    """Lucene's phonetic rules merge different words; ours must not."""
    assert normalize_tier1(normalize_tier0(a)) != normalize_tier1(normalize_tier0(b))


def test_fold_digits_leaves_other_numerals() -> None:
    assert fold_digits("৳৫০০ ৴") == "৳500 ৴"  # currency sign and numerators stay


def test_fold_digits_folds_exactly_the_decimal_digits_of_unicode() -> None:
    """Every code point: a decimal digit becomes its ASCII digit, anything
    else stays (the digits are found by the regular expression \\d)."""
    import sys
    import unicodedata

    for cp in range(sys.maxunicode + 1):
        char = chr(cp)
        if 0xD800 <= cp <= 0xDFFF:
            continue  # surrogates
        value = unicodedata.decimal(char, None)
        assert fold_digits(char) == (char if value is None else str(value)), hex(cp)


BENGALI_NOISE = st.text(
    alphabet=st.one_of(
        st.sampled_from(
            [
                *"কখগঙচজটডঢণতথদধনপবমযরলশষসহড়ঢ়য়ৎািীুূৃেোৌৗ়্ংঁঅআইএও০১২৯",
                *(ZWJ, ZWNJ, "\u00ad", "\ufeff", "\u200e", "A", "ß", "Ｆ", "٣"),
            ]
        ),
        st.characters(),
    ),
    max_size=12,
)


@given(BENGALI_NOISE)
def test_tier0_is_idempotent(token: str) -> None:
    once = normalize_tier0(token)
    assert normalize_tier0(once) == once


@given(BENGALI_NOISE)
def test_tier1_after_tier0_is_idempotent(token: str) -> None:
    once = normalize_tier1(normalize_tier0(token))
    assert normalize_tier1(normalize_tier0(once)) == once


# Words built from parts that have several encodings, then written in each.
CONSONANTS = list("কখগচজটপফবভমলশসহ")
NON_CONJUNCT_AFTER_TA = list("কখগচজটপফলশসহ")  # ৎ may be written ত্ before these
VOWEL_SIGNS = ["", "া", "ি", "ী", "ু", "ে", "ো"]
NUKTA_LETTERS = [("\u09a1", "\u09dc"), ("\u09a2", "\u09dd"), ("\u09af", "\u09df")]


@st.composite
def word_variants(draw: st.DrawFn) -> tuple[str, str]:
    """A word in canonical form and the same word in another valid encoding."""
    canonical, variant = [], []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["consonant", "nukta", "khanda", "digit"]))
        if kind == "consonant":
            unit = draw(st.sampled_from(CONSONANTS)) + draw(st.sampled_from(VOWEL_SIGNS))
            canonical.append(unit)
            variant.append(unit)
        elif kind == "nukta":
            base, precomposed = draw(st.sampled_from(NUKTA_LETTERS))
            sign = draw(st.sampled_from(VOWEL_SIGNS))
            canonical.append(base + NUKTA + sign)
            variant.append(draw(st.sampled_from([base + NUKTA, precomposed])) + sign)
        elif kind == "khanda":
            # ৎ closes a syllable: a consonant follows that makes no conjunct with ত.
            follow = draw(st.sampled_from(NON_CONJUNCT_AFTER_TA))
            canonical.append("ক" + "ৎ" + follow)
            spelled = draw(st.sampled_from(["ৎ", "ত" + HASANTA + ZWJ, "ত" + HASANTA]))
            variant.append("ক" + spelled + follow)
        else:
            digit = draw(st.integers(0, 9))
            canonical.append(chr(0x09E6 + digit))
            variant.append(draw(st.sampled_from([chr(0x09E6 + digit), str(digit)])))
    text = "".join(variant)
    # Joiners may sit between any two characters of the word.
    chars = []
    for char in text:
        chars.append(char)
        chars.append(draw(st.sampled_from(["", "", "", ZWJ, ZWNJ])))
    return "".join(canonical), "".join(chars)


@given(word_variants(), st.sampled_from(["stem", "exact"]))
def test_variant_encodings_give_the_same_terms(pair: tuple[str, str], field: str) -> None:
    canonical, variant = pair
    expected = [t.term for t in analyze(f"দেশ {canonical} সাল", field)]
    assert [t.term for t in analyze(f"দেশ {variant} সাল", field)] == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("দোহায়", "দোহায়"),
        ("উৎপাদন", f"উত{HASANTA}{ZWJ}পাদন"),
        ("উৎপাদন", "উত্পাদন"),
        ("কিন্তু", f"কি{ZWNJ}ন্তু"),
        ("র্যাব", f"র{ZWJ}্যাব"),
        ("১৯৭৫ সালের", "1975 সালের"),
        ("বিদ্যুৎ", "বিদ্যুত"),
    ],
)
def test_known_variants_give_the_same_stem_terms(a: str, b: str) -> None:
    assert [t.term for t in analyze(a)] == [t.term for t in analyze(b)]
