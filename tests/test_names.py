"""The other names an article's lead gives its subject: what is taken, what
is left out, and the search that finds an article by them as by its title."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bnsearch import Article, Index
from bnsearch.errors import InvalidArgumentError
from bnsearch.ingest import lead_names, searched_title, split_sections

# --- what is taken -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "lead", "names"),
    [
        ("ঔষধ", "ঔষধ বা ওষুধ হল এমন রাসায়নিক দ্রব্য যা রোগ সারায়।", ("ওষুধ",)),
        ("গন্ধক", "গন্ধক তথা সালফার (Sulfur) একটি মৌলিক পদার্থ।", ("সালফার",)),
        # A bracketed aside after the title, then the name.
        ("আসাম", "আসাম (ইংরেজি: Assam) বা অসম ভারতের একটি রাজ্য।", ("অসম",)),
        # A name before the title.
        (
            "তৃতীয় আম্পায়ার",
            "থার্ড আম্পায়ার বা তৃতীয় আম্পায়ার (ইংরেজি: Third umpire) একজন কর্মকর্তা।",
            ("থার্ড আম্পায়ার",),
        ),
        # A chain of names, a comma inside it.
        (
            "ওয়েস্ট ইন্ডিজ ক্রিকেট দল",
            "ওয়েস্ট ইন্ডিজ ক্রিকেট দল, ওয়েস্ট ইন্ডিজ বা উইন্ডিজ (ইংরেজি: West Indies) একটি দল।",
            ("ওয়েস্ট ইন্ডিজ", "উইন্ডিজ"),
        ),
        # A genitive starts the description: the name is cut before it.
        ("এক্কাদোক্কা", "এক্কাদোক্কা বা কুতকুত বাংলাদেশের মেয়েদের খেলা।", ("কুতকুত",)),
        # "In short" and "officially" are not part of the name.
        ("রাশিয়া", "রাশিয়া বা সরকারিভাবে রুশ ফেডারেশন, একটি দেশ।", ("রুশ ফেডারেশন",)),
        # The name the subject is also known by.
        ("টাংস্টেন", "টাংস্টেন (ইংরেজি: Tungsten, উলফ্রাম নামেও পরিচিত) একটি মৌল।", ("উলফ্রাম",)),
        # A later sentence of the lead whose subject is the article's.
        (
            "ফুটবল",
            "ফুটবল একটি দলগত খেলা। মার্কিন যুক্তরাষ্ট্রে খেলাটি সকার নামে পরিচিত।",
            ("সকার",),
        ),
        ("ইথিওপিয়া", "ইথিওপিয়া আফ্রিকার একটি দেশ। আগে এটি আবিসিনিয়া নামে পরিচিত ছিল।", ("আবিসিনিয়া",)),
        # A disambiguation in the title is not part of what the lead says.
        ("অধিনায়ক (ক্রিকেট)", "অধিনায়ক, স্কিপার বা দলনেতা একজন খেলোয়াড়।", ("স্কিপার", "দলনেতা")),
    ],
)
def test_the_names_a_leads_first_sentence_gives(title: str, lead: str, names: tuple) -> None:
    assert lead_names(title, lead) == names


@pytest.mark.parametrize(
    ("title", "lead"),
    [
        # No হ্রদ বা … at all: বা joins two adjectives of the description.
        ("হ্রদ", "হ্রদ হল ভূ-বেষ্টিত লবণাক্ত বা মিষ্টি স্থির পানির জলাশয়।"),
        # The words after বা run on into the description: no end in sight.
        ("সাপ", "সাপ বা সর্প হাত-পাবিহীন দীর্ঘ, মাংসাশী সরীসৃপ।"),
        ("এশিয়ান গেমস", "এশিয়ান গেমস বা এশিয়াড প্রতি চার বছর পর পর হয়।"),
        # Longer than the title, and only a genitive to end it.
        ("হাখমানেশী সাম্রাজ্য", "হাখমানেশী সাম্রাজ্য বা আকিমিনীয় সাম্রাজ্য বৃহত্তর ইরানের সাম্রাজ্য।"),
        # A genitive alone is no name.
        ("বেঙ্গল টাইগার", "বেঙ্গল টাইগার বা বাঘের একটি উপপ্রজাতি।"),
        # Not Bengali, or a number.
        ("বড়দিন", "বড়দিন বা Christmas একটি উৎসব।"),
        ("সাল", "সাল বা ১৯৭১, একটি বছর।"),
        # The title is not in the first sentence.
        ("ঢাকা", "বাংলাদেশের রাজধানী বা প্রধান শহর। ঢাকা বা জাহাঙ্গীরনগর, এক শহর।"),
        # A later sentence about something else: a kind of person, a dialect,
        # a process; and সিকিউরিটি is no classifier -টি.
        ("পর্যটন", "পর্যটন ভ্রমণ। যিনি ভ্রমণ করেন, তিনি পর্যটক নামে পরিচিত।"),
        ("ওলন্দাজ ভাষা", "ওলন্দাজ ভাষা একটি ভাষা। বেলজিয়ামের উপভাষাটি ফ্লেমিশ নামে পরিচিত।"),
        ("বাহিনী", "বাহিনী একটি দল। ফলে সিকিউরিটি ফোর্স নামে পরিচিত হয়।"),
        ("ভাষা", "ভাষা একটি ব্যবস্থা। এটি আফান এবং অরমিফা নামে পরিচিত।"),
        # Past the part of a sentence, and of a lead, that is read.
        ("ঔষধ", "ঔষধ দ্রব্য। " + "ক " * 300 + "এটি ওষুধ নামে পরিচিত।"),
        ("ঔষধ", "ঔষধ দ্রব্য। " + "ক খ। " * 1000 + "এটি ওষুধ নামে পরিচিত।"),
        # Only বা between the title and a word is no name without an end.
        ("ঢাকা", "ঢাকা বা"),
        ("", "বা ওষুধ, একটি দ্রব্য।"),
    ],
)
def test_what_is_not_a_name(title: str, lead: str) -> None:
    assert lead_names(title, lead) == ()


_WORDS = (
    "ঔষধ ওষুধ অসম আসাম দ্রব্য রোগ বা তথা অথবা নামেও নামে পরিচিত হল একটি সংক্ষেপে "
    "সরকারিভাবে বাংলাদেশের মেয়েদের Assam ১৯৭১ , ( ) । ; : ঔষধ ঔষধ"
).split()


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(_WORDS[:6]), min_size=0, max_size=3).map(" ".join),
    st.lists(st.sampled_from(_WORDS), max_size=40).map(" ".join),
)
def test_names_are_a_few_short_bengali_names_other_than_the_title(title: str, rest: str) -> None:
    names = lead_names(title, f"{title} {rest}")
    assert len(names) <= 4
    title_words = len(title.split())
    for name in names:
        assert name and name == name.strip() and name.split() == name.split(" ")
        assert len(name.split()) <= title_words + 2
        assert not set(name) & set(",()।;:")
        assert name != " ".join(title.split())
        assert not any(word in ("বা", "তথা", "হল", "একটি") for word in name.split())
    assert len(set(names)) == len(names)


def test_the_title_fields_search_the_names_and_the_title_is_shown_as_it_is() -> None:
    sections = split_sections("ঔষধ বা ওষুধ হল রাসায়নিক দ্রব্য। == ইতিহাস == প্রাচীন কাল।")
    assert searched_title("ঔষধ", sections) == "ঔষধ\nওষুধ"
    assert searched_title("ঔষধ", sections, names=False) == "ঔষধ"
    assert searched_title("ঔষধ", sections[1:]) == "ঔষধ"  # no lead, no names


# --- search ---------------------------------------------------------------------------

DRUG = Article(
    "drug",
    "ঔষধ",
    "ঔষধ বা ওষুধ হল রোগ সারানোর রাসায়নিক দ্রব্য। == কার্যপ্রণালী == ঔষধ রক্তে মিশে কোষে পৌঁছায়।",
)
# Articles that write ওষুধ in their text, more often than the drug's lead.
OTHERS = [
    Article(f"o{i}", f"হাসপাতাল {i}", f"হাসপাতালে ওষুধ দেওয়া হয়। ওষুধ কেনা যায়। ওষুধ {i}।") for i in range(3)
]


def _first(tmp_path: Path, lead_names_on: bool | None) -> tuple[str, str]:
    path = tmp_path / f"ix-{lead_names_on}"
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        "".join(
            json.dumps({"id": a.id, "title": a.title, "text": a.text}, ensure_ascii=False) + "\n"
            for a in [DRUG, *OTHERS]
        ),
        encoding="utf-8",
    )
    Index.build(path, [corpus], procs=1, lead_names=lead_names_on)
    with Index.open(path) as index:
        hit = index.search("ওষুধ কীভাবে কাজ করে").hits[0]
        assert index.lead_names is (lead_names_on is not False)
        return hit.id, hit.title


def test_an_article_is_found_by_the_name_its_lead_gives_as_by_its_title(tmp_path: Path) -> None:
    assert _first(tmp_path, None) == ("drug", "ঔষধ")  # on by default; shown by its title
    assert _first(tmp_path, False)[0] != "drug"  # off: the texts that write ওষুধ come first


def test_added_articles_follow_the_choice_the_index_was_built_with(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix") as created:
        assert created.lead_names
        created.add_many([DRUG, *OTHERS])
        assert created.search("ওষুধ").hits[0].id == "drug"
        assert created.get("drug").title == "ঔষধ"
    Index.build(tmp_path / "off", [], procs=1, lead_names=False)
    with Index.open(tmp_path / "off") as off:
        off.add_many([DRUG, *OTHERS])
        assert not off.lead_names and off.search("ওষুধ").hits[0].id != "drug"
    with pytest.raises(InvalidArgumentError, match="rebuild"):
        Index.build(tmp_path / "off", [], procs=1, lead_names=True)


@pytest.mark.slow  # five commands, each a fresh process
def test_the_command_line_builds_without_names_and_says_which(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "drug.txt").write_text(f"{DRUG.title}\n\n{DRUG.text}", encoding="utf-8")
    ix = str(tmp_path / "ix")

    def bnsearch(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "bnsearch", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    built = bnsearch("index", str(corpus), "--index", ix, "--no-lead-names")
    assert built.returncode == 0, built.stderr
    assert re.search(r"names from leads +not searched", bnsearch("stats", "--index", ix).stdout)
    again = bnsearch("index", str(corpus), "--index", ix, "--lead-names")
    assert again.returncode == 2
    assert "rebuild it (--rebuild)" in again.stderr and "Traceback" not in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    rebuilt = bnsearch("index", str(corpus), "--index", ix, "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "searched with the titles" in bnsearch("stats", "--index", ix).stdout
    found = bnsearch("search", "--index", ix, "--explain", "ওষুধ কীভাবে কাজ করে")
    assert "also searched as ওষুধ, a name its lead gives" in found.stdout


def test_a_query_that_is_a_name_comes_first_as_a_title_does_and_explain_says_so(
    tmp_path: Path,
) -> None:
    with Index.create(tmp_path / "ix") as created:
        created.add_many([DRUG, *OTHERS])
        for query in ("ওষুধ", "ঔষধ"):
            hit = created.search(query, explain=True).hits[0]
            assert (hit.id, hit.section) == ("drug", "")  # opened at its lead
            assert hit.explanation["contributions"]["title is the query"] > 0
        assert hit.explanation["title names"] == []  # ঔষধ is the title itself
        named = created.search("ওষুধ কীভাবে কাজ করে", explain=True).hits[0]
        assert named.explanation["title names"] == ["ওষুধ"]
    Index.build(tmp_path / "off", [], procs=1, lead_names=False)
    with Index.open(tmp_path / "off") as off:
        off.add_many([DRUG, *OTHERS])
        for hit in off.search("ওষুধ কীভাবে কাজ করে", explain=True):
            assert hit.explanation["title names"] == []  # not searched, not claimed
            assert hit.explanation["contributions"]["title is the query"] == 0


def test_an_index_from_before_the_names_keeps_working_and_says_how_to_add_them(
    tmp_path: Path,
) -> None:
    Index.build(tmp_path / "ix", [], procs=1)
    meta_path = next((tmp_path / "ix").glob("g*/bnsearch.json"))
    meta = json.loads(meta_path.read_text())
    del meta["lead_names"]  # as an index built before names were searched
    meta_path.write_text(json.dumps(meta))
    with Index.open(tmp_path / "ix") as old:
        assert not old.lead_names
    report = Index.add_stream(tmp_path / "ix", io.BytesIO(b""))
    assert any("--rebuild" in note and "names" in note for note in report.notes)
    with Index.open(tmp_path / "ix") as old:
        old.add_many([DRUG, *OTHERS])
        assert not old.lead_names and old.search("ওষুধ").hits[0].id != "drug"


def test_a_question_about_a_subject_by_another_name_opens_its_article_at_the_lead(
    tmp_path: Path,
) -> None:
    """আবিসিনিয়ার রাজধানী কোথায়: ইথিওপিয়া's lead names the capital and says
    the country was known as আবিসিনিয়া; its history repeats both words."""
    ethiopia = Article(
        "eth",
        "ইথিওপিয়া",
        "ইথিওপিয়া আফ্রিকার একটি দেশ, রাজধানী আদ্দিস আবাবা। আগে এটি আবিসিনিয়া নামে "
        "পরিচিত ছিল।\n== ইতিহাস ==\nআবিসিনিয়ার রাজধানী একসময় গোন্ডার ছিল। রাজধানী "
        "বহুবার বদলেছে, আবিসিনিয়ার রাজধানী আক্সুমও ছিল।",
    )
    with Index.create(tmp_path / "ix") as created:
        created.add(ethiopia)
        hit = created.search("আবিসিনিয়ার রাজধানী কোথায়", explain=True).hits[0]
        assert (hit.id, hit.section) == ("eth", "")
        assert hit.explanation["title names"] == ["আবিসিনিয়া"]
