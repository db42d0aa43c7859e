"""Splitting articles into sections."""

from __future__ import annotations

import pytest

from bnsearch.ingest import is_reference_heading, split_sections


def test_inline_headings_like_the_seeds() -> None:
    text = "ভূমিকা। == ইতিহাস == পুরনো কথা। ==বাণিজ্য== বাণিজ্যের কথা। ==তথ্যসূত্র== সম্পর্ক"
    sections = split_sections(text)
    assert [(s.ordinal, s.heading, s.text) for s in sections] == [
        (0, "", "ভূমিকা।"),
        (1, "ইতিহাস", "পুরনো কথা।"),
        (2, "বাণিজ্য", "বাণিজ্যের কথা।"),
        (3, "তথ্যসূত্র", "সম্পর্ক"),
    ]
    assert [s.is_reference for s in sections] == [False, False, False, True]


def test_line_headings_levels_and_paths() -> None:
    text = (
        "সূচনা\n== ইতিহাস ==\nক\n=== প্রাথমিক জীবন ===\nখ\n==== শৈশব ====\nগ\n"
        "=== কর্মজীবন ===\nঘ\n== পরিবার ==\nঙ\n====== গভীর ======\nচ"
    )
    sections = split_sections(text)
    assert [(s.level, s.heading_path) for s in sections] == [
        (1, ""),
        (2, "ইতিহাস"),
        (3, "ইতিহাস › প্রাথমিক জীবন"),
        (4, "ইতিহাস › প্রাথমিক জীবন › শৈশব"),
        (3, "ইতিহাস › কর্মজীবন"),
        (2, "পরিবার"),
        (6, "পরিবার › গভীর"),
    ]
    assert [s.text for s in sections] == ["সূচনা", "ক", "খ", "গ", "ঘ", "ঙ", "চ"]


def test_text_starting_with_a_heading_has_an_empty_lead() -> None:
    sections = split_sections("== ইতিহাস ==\nক")
    assert [(s.heading, s.text) for s in sections] == [("", ""), ("ইতিহাস", "ক")]


@pytest.mark.parametrize(
    "text",
    ["a == b", "= এক =", "== অসমান ===", "===তিন== শেষ", "x==y== z"],
)
def test_things_that_are_not_headings(text: str) -> None:
    assert len(split_sections(text)) == 1


@pytest.mark.parametrize(
    "heading",
    ["তথ্যসূত্র", "তথ্যসুত্র", "বহিঃসংযোগ", "আরও দেখুন", "আরো দেখুন", "আরোও দেখুন", "টীকা",
     "পাদটীকা", "গ্রন্থপঞ্জি", "তথ্যসূত্র ও টীকা", "আরও পড়ুন", "References", "External links",
     # Written apart.
     "তথ্য সূত্র", "বহিঃ সংযোগ", "তথ্য সূত্রসমূহ"],
)  # fmt: skip
def test_reference_headings(heading: str) -> None:
    assert is_reference_heading(heading)


@pytest.mark.parametrize(
    "heading", ["ইতিহাস", "নদীর উৎস", "বাণিজ্য", "দেখার স্থান", "তথ্য", "তথ্য ও উৎস সন্ধান"]
)
def test_content_headings(heading: str) -> None:
    assert not is_reference_heading(heading)


def test_subsections_of_a_reference_section_are_references() -> None:
    sections = split_sections("ক\n== বহিঃসংযোগ ==\nখ\n=== সরকারি ===\nগ\n== পরে ==\nঘ")
    assert [s.is_reference for s in sections] == [False, True, True, False]
