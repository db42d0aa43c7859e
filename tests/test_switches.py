"""Every switch of the ranking changes something: each part switched off in
turn (bnsearch.search.config.RankingConfig, no monkeypatching) changes the
ranking or the section shown on a small corpus built for that part, so that
no switch can be inert again (one was: the lead's first sentence, read from
a per-reader cache that ignored it)."""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

import pytest

from bnsearch import Article, Index, RankingConfig
from bnsearch.search.config import Parts, SectionScoring

RAB = (
    "র‍্যাপিড অ্যাকশন ব্যাটালিয়ন বা র‍্যাব পুলিশের একটি বিশেষ বাহিনী। বাহিনীটি ২০০৪ সালে গঠিত হয়।\n"
    "== র‍্যাব ব্যাটালিয়নসমূহ ==\nর‍্যাব-১ উত্তরায়, র‍্যাব-২ আগারগাঁওয়ে, র‍্যাব-৩ টিকাটুলিতে।"
)
MAYA = (
    "মায়া সভ্যতা মধ্য আমেরিকার।\n== পোশাক ==\nমায়া নারীরা নানা ধরনের পোশাক, নানা "
    "ধরনের গহনা, নানা ধরনের রং পরত।\n== লিখনপদ্ধতি ==\nচিত্রে লেখা সে লিপি পাথরে খোদাই "
    "করা, বইয়ে আঁকা, দেয়ালে লেখা, পাত্রে আঁকা, কাপড়ে বোনা আর গাছের ছালে লেখা হত।"
)

# part → (articles, query): the part decides what this query shows.
CASES: dict[str, tuple[list[Article], str]] = {
    "question_words_left_out": (
        [
            Article("a", "কাতারের ইতিহাস", "কাতারের স্বাধীনতা ১৯৭১ সালে। কাতারের স্বাধীনতা দিবস।"),
            Article("b", "প্রশ্নমালা", "কাতারের স্বাধীনতা কবে? কবে কবে কবে, প্রশ্ন কবে।"),
        ],
        "কাতারের স্বাধীনতা কবে",
    ),
    "joined_words": (
        [
            Article("dst", "দিবালোক সংরক্ষণ সময়", "ডেলাইট সেভিং টাইম গ্রীষ্মে ঘড়ি এগিয়ে রাখা।"),
            Article("light", "আলো", "ডে কেয়ার। লাইট হাউস।"),
        ],
        "ডে লাইট সেভিং টাইম",
    ),
    "heading_rule": (
        [
            Article(
                "a",
                "গোল্লাছুট",
                "গোল্লাছুট একটি খেলা। এই খেলার নিয়ম সহজ, খেলা মাঠে হয়, খেলার নিয়ম সবাই জানে। "
                "== নিয়মকানুন == দুই দল থাকে। দলপতিকে গোদা বলা হয়।",
            )
        ],
        "গোল্লাছুট খেলার নিয়ম কী ?",
    ),
    "lead_subject": ([Article("a", "র‍্যাপিড অ্যাকশন ব্যাটালিয়ন", RAB)], "র‍্যাব কবে গঠিত হয় ?"),
    "most_word_weight": (
        [Article("maya", "মায়া সভ্যতা", MAYA)]
        + [Article(f"o{i}", f"অন্য {i}", f"এক ধরনের খেলা {i}।") for i in range(8)]
        + [Article(f"l{i}", f"ভাষা {i}", f"ব্রাহ্মী লিপি {i}।") for i in range(5)],
        "মায়াদের লিপি কোন ধরনের ?",
    ),
    "titles_written_apart": (
        [
            Article(
                "a",
                "বীর শ্রেষ্ঠ",
                "বীর শ্রেষ্ঠ বাংলাদেশের সর্বোচ্চ সামরিক খেতাব। সাতজন মুক্তিযোদ্ধাকে এ খেতাব দেয়া "
                "হয়।\n== বীরশ্রেষ্ঠদের তালিকা ==\nমোস্তফা কামাল, বীরশ্রেষ্ঠ। মতিউর রহমান, বীরশ্রেষ্ঠ।",
            )
        ],
        "কতজন মুক্তিযোদ্ধা বীরশ্রেষ্ঠ খেতাব পেয়েছেন ?",
    ),
    "skip_headings_without_text": (
        [
            Article(
                "a",
                "শিক্ষাব্যবস্থা",
                "দেশের শিক্ষা তিন স্তরের।\n== মাধ্যমিক শিক্ষা ==\n\n== শিক্ষা বোর্ড ==\n"
                "মাধ্যমিক স্তরের পরীক্ষা এসএসসি, বোর্ডগুলো নেয়।",
            )
        ],
        "মাধ্যমিক পরীক্ষার নাম কী ?",
    ),
    "skip_reference_sections": (
        [
            Article(
                "bose",
                "সুভাষচন্দ্র বসু",
                "সুভাষচন্দ্র বসু ভারতের স্বাধীনতা সংগ্রামী।\n== কর্মজীবন ==\n১৯৩৮ সালে তিনি "
                "কংগ্রেসের সভাপতি হন।\n== পাদটীকা ==\nসুভাষ ও কংগ্রেসের সভাপতি নির্বাচন, ১৯৩৮।",
            )
        ],
        "সুভাষ কবে কংগ্রেসের সভাপতি হন ?",
    ),
    "subject_lead": (
        [
            Article(
                "qatar",
                "কাতার",
                "কাতার পারস্য উপসাগরের একটি দেশ, যার রাজধানী দোহা। "
                + "দেশটির মরুভূমি বিস্তীর্ণ, গ্রীষ্ম দীর্ঘ ও উষ্ণ, বৃষ্টি সামান্য। " * 6
                + "\n== ইতিহাস ==\n"
                "প্রাচীন রাজধানী আল জুবারা, পরে রাজধানী দোহায় সরে আসে; রাজধানী বদলের ইতিহাস।",
            )
        ],
        "কাতারের রাজধানী কোথায় ?",
    ),
    "exonyms": (
        [
            Article(
                "china",
                "চীন",
                "চীন পূর্ব এশিয়ার একটি দেশ। চীনের জনসংখ্যা প্রায় ১৪০ কোটি। চীনের রাজধানী বেইজিং।",
            ),
            Article("town", "চায়না টাউন", "চায়না টাউন একটি পাড়া। সেখানে অনেক রেস্তোরাঁ।"),
        ]
        + [
            Article(f"c{i}", f"শহর {i}", f"চীন থেকে আসা পণ্য। শহরের জনসংখ্যা {i} লাখ।") for i in range(4)
        ],
        "চায়নার জনসংখ্যা কত ?",
    ),
    "spellings_by_word": (
        [
            Article(f"r{i}", f"যান {i}", f"রিকশা{e} চলে। ঢাকা শহর।")
            for i, e in enumerate(["", "র", "য়", "গুলো", "কে"])
        ]
        + [Article("typo", "ঢাকা", "ঢাকা শহরে রিক্সা চলে।")]
        + [Article(f"o{i}", f"নদী {i}", "নদী ও সাগর।") for i in range(20)],
        "রিক্সা",
    ),
}

# Switches that are weights (or their absence), with the corpus that shows them.
WEIGHT_CASES: dict[str, tuple[dict, str]] = {
    "coverage": ({"coverage": 0.0}, "coverage"),
    "related_forms": ({"related_forms": False}, "related"),
    "variant": ({"variant": 0.0}, "spellings_by_word"),
    "coordination": ({"coordination": None}, "coverage"),
    "article_level": ({"article_level": 0.0}, "spread"),
    "section_level": ({"section_level": 0.0}, "spread"),
    "alternative_reading": ({"alternative_reading": 0.0}, "readings"),
    "duplicate_similarity": ({"duplicate_similarity": 1.0}, "copies"),
    "subject_absent": ({"subject_absent": 1.0}, "subject"),
}
CAPITAL_STUB = Article(
    "stub",
    "রাজধানী",
    "রাজধানী একটি দেশের কেন্দ্রীয় শহর। রাজধানী থেকে সরকার চলে। রাজধানী শব্দের অর্থ প্রধান শহর।",
)
BANGLADESH = Article(
    "bd",
    "বাংলাদেশের রূপরেখা",
    "এটি একটি রূপরেখা। "
    + " ".join(f"নদী {i}টি, জেলা {i}টি, পাহাড় {i}টি।" for i in range(30))
    + "\n== প্রশাসন ==\nবাংলাদেশের রাজধানী ঢাকা। "
    + " ".join(f"বিভাগ {i}, উপজেলা {i}।" for i in range(30)),
)
EXTRA: dict[str, tuple[list[Article], str]] = {
    "subject": (
        [CAPITAL_STUB, BANGLADESH]
        + [Article(f"o{i}", f"শহর {i}", f"রাজধানী শহর {i}। বাংলাদেশের নদী।") for i in range(4)],
        "বাংলাদেশের রাজধানী কোথায়",
    ),
    "readings": (
        [Article(f"k{i}", f"কথা {i}", "কথা বলা। কথা শোনা।") for i in range(3)]
        + [Article(f"c{i}", f"কাঁথা {i}", "নকশি কাঁথা সেলাই।") for i in range(6)]
        + [Article(f"o{i}", f"নদী {i}", "নদী ও সাগর।") for i in range(10)],
        "katha",
    ),
    "copies": (
        [
            Article("one", "দোহা", "দোহা কাতারের রাজধানী ও বৃহত্তম শহর, পারস্য উপসাগরের তীরে।"),
            Article("two", "দোহা", "দোহা কাতারের রাজধানী ও বৃহত্তম শহর, পারস্য উপসাগরের তীরে অবস্থিত।"),
        ],
        "দোহা",
    ),
    "title": (
        [
            Article("doha", "দোহা", "দোহা কাতারের রাজধানী। == ইতিহাস == দোহা একটি বন্দর।"),
            Article("port", "উপসাগরের বন্দর", " ".join(["দোহা শহরে দোহা বন্দর দোহা।"] * 30)),
        ],
        "দোহা",
    ),
    "coverage": (
        [
            Article("un", "জাতিসংঘ", "জাতিসংঘের সদর দপ্তর নিউইয়র্কে। সদর দপ্তর বড়। সদর দপ্তর।"),
            Article("fifa", "ফিফা", "ফিফা ফুটবলের সংস্থা। এর দপ্তর জুরিখে।"),
        ]
        + [Article(f"x{i}", f"অন্য {i}", f"সদর দপ্তর {i}।") for i in range(6)],
        "ফিফার সদর দপ্তর কোথায়",
    ),
    "related": (
        [
            Article(
                "fide",
                "ফিদে",
                "ফিদে দাবার আন্তর্জাতিক সংস্থা।\n== সভাপতি ==\nফিদে সভাপতি নির্বাচন করে। ফিদে "
                "সভাপতি চার বছর থাকেন, ফিদে সভাপতির দপ্তর লুসানে।\n== ইতিহাস ==\n১৯২৪ সালে "
                "প্যারিসে দাবা সংস্থাটির প্রতিষ্ঠা হয়, নাম ফিদে।",
            )
        ]
        + [Article(f"s{i}", f"বিদ্যালয় {i}", f"বিদ্যালয়টির প্রতিষ্ঠা {1900 + i} সালে।") for i in range(4)]
        + [Article(f"c{i}", f"সমিতি {i}", f"সমিতিটি {1950 + i} সালে প্রতিষ্ঠিত।") for i in range(4)],
        "ফিদে কবে প্রতিষ্ঠিত হয় ?",
    ),
    "spread": (
        [
            Article(
                "drug",
                "ওষুধ",
                "ওষুধ রোগ সারাতে ব্যবহৃত হয়। == ক্রিয়া == ওষুধ কোষের গ্রাহকের সঙ্গে যুক্ত হয়ে শরীরে কাজ করে।",
            ),
            Article(
                "body",
                "শরীর",
                " ".join(f"== অংশ {i} == শরীর গঠন অংশ {i} হাড় পেশি।" for i in range(8)),
            ),
        ],
        "ওষুধ কীভাবে শরীরে কাজ করে ?",
    ),
}


def shown(path: Path, query: str, config: RankingConfig | None) -> list[tuple[str, str]]:
    with Index.open(path) as index:
        return [(hit.id, hit.section) for hit in index.search(query, ranking=config)]


def build(tmp_path: Path, articles: list[Article]) -> Path:
    with Index.create(tmp_path / "ix") as created:
        created.add_many(articles)
    return tmp_path / "ix"


def test_every_part_has_a_case() -> None:
    assert {f.name for f in fields(Parts)} == set(CASES)


@pytest.mark.parametrize("part", sorted(CASES))
def test_switching_a_part_off_changes_what_is_shown(tmp_path: Path, part: str) -> None:
    articles, query = CASES[part]
    path = build(tmp_path, articles)
    off = RankingConfig(weights=replace(RankingConfig().weights, parts=Parts(**{part: False})))
    assert shown(path, query, None) != shown(path, query, off), part


@pytest.mark.parametrize("name", sorted(WEIGHT_CASES))
def test_switching_a_weight_off_changes_what_is_shown(tmp_path: Path, name: str) -> None:
    changes, case = WEIGHT_CASES[name]
    articles, query = CASES.get(case) or EXTRA[case]
    path = build(tmp_path, articles)
    off = RankingConfig(weights=replace(RankingConfig().weights, **changes))
    with Index.open(path) as index:
        on_hits = [(h.id, h.section, round(h.score, 4)) for h in index.search(query)]
        off_hits = [(h.id, h.section, round(h.score, 4)) for h in index.search(query, ranking=off)]
    assert on_hits != off_hits, name


def test_the_default_config_is_the_default_ranking(tmp_path: Path) -> None:
    articles, query = EXTRA["coverage"]
    path = build(tmp_path, articles)
    with Index.open(path) as index:
        plain = index.search(query)
        configured = index.search(query, ranking=RankingConfig())
        section = index.search(query, ranking=RankingConfig(section=SectionScoring()))
    assert plain.to_dict() == configured.to_dict() == section.to_dict()


# --- --explain, and one article formula for both match paths --------------------------------


def _sums(results) -> list[float]:
    return [abs(sum(h.explanation["contributions"].values()) - h.score) for h in results]


@pytest.mark.parametrize("query", ["দোহা", "ফিফার সদর দপ্তর কোথায়", '"সদর দপ্তর" জুরিখে'])
def test_explained_contributions_sum_to_each_score(tmp_path: Path, query: str) -> None:
    path = build(tmp_path, EXTRA["coverage"][0] + EXTRA["title"][0])
    with Index.open(path) as index:
        results = index.search(query, explain=True)
        assert results.hits and max(_sums(results)) < 1e-5
        assert all(h.explanation["section rule"] for h in results)
        assert results.to_dict()["hits"][0]["explanation"]["contributions"]
        assert "explanation" not in index.search(query).to_dict()["hits"][0]


def test_the_phrase_path_and_the_word_path_rank_alike(tmp_path: Path) -> None:
    """Both match paths feed one article formula (rank.score_articles): the
    same words searched through Whoosh's matchers and the collector, as a
    phrase would be, rank the same articles the same way (and
    tests/test_arrays.py, on segments with deletions)."""
    from bnsearch.search.pipeline import SearchPipeline, SearchRequest

    articles, query = EXTRA["coverage"]
    path = build(tmp_path, articles + CASES["most_word_weight"][0])
    with Index.open(path) as index:
        searcher = index._searcher()
        request = SearchRequest(query, limit=20)
        arrays = SearchPipeline(searcher).run(request)
        collected = SearchPipeline(searcher, matchers=True).run(request)
    hits = [[(h.id, round(h.score, 4), h.section) for h in r.hits] for r in (arrays, collected)]
    assert hits[0] == hits[1] and len(hits[0]) > 3


@pytest.mark.slow
def test_explanations_sum_for_every_hit_of_both_question_sets(shared_index: Path) -> None:
    from conftest import SHARED

    from bnsearch.api import read_queries

    with Index.open(shared_index) as index:
        for name in ("questions", "dev"):
            for _, query in read_queries(SHARED / "eval" / name / "queries.tsv"):
                results = index.search(query, limit=10, explain=True, snippets=False)
                assert max(_sums(results), default=0.0) < 1e-5, query


def test_the_reference_discount_reaches_the_sections_and_the_articles_evidence(
    tmp_path: Path,
) -> None:
    articles = [
        Article("refs", "নদী", "নদী একটি জলধারা।\n== তথ্যসূত্র ==\nপদ্মা পদ্মা পদ্মা।"),
        Article("text", "পদ্মা", "পদ্মা একটি নদী।"),
    ]
    path = build(tmp_path, articles)
    undiscounted = RankingConfig(section=SectionScoring(reference_discount=1.0))
    with Index.open(path) as index:
        on = {h.id: h.explanation["features"] for h in index.search("পদ্মা জলধারা", explain=True)}
        off = {
            h.id: h.explanation["features"]
            for h in index.search("পদ্মা জলধারা", explain=True, ranking=undiscounted)
        }
    assert off["refs"]["best section BM25F"] >= on["refs"]["best section BM25F"]
    assert off["refs"]["article BM25F"] > on["refs"]["article BM25F"]


def test_a_generic_page_does_not_answer_what_is_asked_of_a_subject(tmp_path: Path) -> None:
    """বাংলাদেশের রাজধানী কোথায় asks about বাংলাদেশ: the stub রাজধানী, which
    never names it, falls below the subject's article; a genitive later in
    the question (মেয়েদের কাবাডিতে, answered by মহিলা) is not required."""
    articles, query = EXTRA["subject"]
    path = build(tmp_path, articles)
    off = RankingConfig(weights=replace(RankingConfig().weights, subject_absent=1.0))
    with Index.open(path) as index:
        before = [hit.id for hit in index.search(query, ranking=off)]
        after = index.search(query, explain=True)
        assert before.index("stub") < before.index("bd")
        assert [h.id for h in after].index("bd") < [h.id for h in after].index("stub")
        factors = {h.id: h.explanation["features"]["genitive subject factor"] for h in after}
        assert factors["stub"] == 0.5 and factors["bd"] == 1.0
    women = [
        Article("w", "কাবাডি - মহিলা", "কাবাডি প্রতিযোগিতায় মহিলা দলে ভারত সোনা জিতেছিল।"),
        Article("m", "কাবাডি - পুরুষ", "কাবাডি প্রতিযোগিতায় পুরুষ দলে মেয়েদের নাম নেই।"),
    ]
    path = build(tmp_path / "women", women)
    with Index.open(path) as index:
        hits = index.search("কাবাডিতে মেয়েদের দলে সোনা জিতেছিল কোন দেশ", explain=True)
        assert all(h.explanation["features"]["genitive subject factor"] == 1.0 for h in hits)
