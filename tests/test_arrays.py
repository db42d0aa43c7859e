"""The array engine (bnsearch.engine.arrays) against Whoosh's own results:
posting lists read block by block, every section's score, the article
evidence and the every-word masks, on an index of several segments with
deletions."""

from __future__ import annotations

import functools
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import SEED_DIR, SHARED
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from bnsearch import Article, Index
from bnsearch.analysis import stem_term
from bnsearch.engine import indexing
from bnsearch.engine.arrays import holding_any, match_arrays, read_postings, supports
from bnsearch.engine.codec import ArrayBlockCodec
from bnsearch.engine.collector import BestSectionPerArticle
from bnsearch.search.compile import Weights
from bnsearch.search.pipeline import SearchPipeline, SearchRequest
from bnsearch.search.rank import _article_terms, _word_terms

WORDS = [
    "বাংলাদেশ", "ঢাকা", "নদী", "ভাষা", "রাজধানী", "জনসংখ্যা", "ইতিহাস", "সরকার",
    "কাতার", "দোহা", "শহর", "দেশের", "বিশ্ববিদ্যালয়", "সংস্কৃতি", "অর্থনীতি", "খেলা",
    "ক্রিকেট", "স্বাধীনতা", "যুদ্ধ", "১৯৭১", "পদ্মা", "মানুষ", "সাল", "প্রথম",
]  # fmt: skip


@pytest.fixture(scope="module")
def segmented(tmp_path_factory) -> Path:
    """The seed corpus, then articles added in three commits (three more
    segments) and two deleted: document numbers with offsets and holes."""
    path = tmp_path_factory.mktemp("arrays") / "index"
    # Blocks of 16 postings: long lists of many blocks, so that reading only
    # the blocks that can hold a candidate is put to the test.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(indexing, "ArrayBlockCodec", functools.partial(ArrayBlockCodec, 16))
        _build(path)
    return path


def _build(path: Path) -> None:
    Index.build(path, [SEED_DIR])
    rng = random.Random(7)
    with Index.open(path) as opened:
        for batch in range(3):
            articles = []
            for number in range(100):
                sections = []
                for heading in range(rng.randint(0, 4)):
                    sections.append(f"== {rng.choice(WORDS)} {heading} ==")
                    sections.append("নদী " + " ".join(rng.choices(WORDS, k=rng.randint(3, 40))))
                lead = " ".join(rng.choices(WORDS, k=rng.randint(5, 60)))
                text = lead + "\n" + "\n".join(sections)
                title = " ".join(rng.choices(WORDS, k=rng.randint(1, 2)))
                articles.append(Article(f"a{batch}-{number}", title, text))
            if batch == 1:  # a heading with no text of its own
                articles.append(Article("bare", "নদী", "নদী সাগর\n== মোহনা ==\n\n== জল ==\nনদী জল"))
            opened.add_many(articles)
        assert opened.delete("a0-3") and opened.delete("a1-5")


# These indexes are small: with the default common_minimum no word is common
# in them. A minimum of 200 sections makes their frequent words common, so
# that the common-word split (AND-MAYBE) and its block skipping are exercised.
SPLIT = replace(Weights(), common_minimum=200)


def _plan(searcher, text: str):
    pipeline = SearchPipeline(searcher, SPLIT)
    request = SearchRequest(text)
    from bnsearch.engine.collector import Deadline

    return pipeline.plan(request, SPLIT, Deadline(None))


def _whoosh_sections(searcher, query) -> dict[int, float]:
    """Every matching section's score from Whoosh's matcher tree, walked to
    the end without dropping finished branches."""
    found = {}
    weighting = searcher.weighting
    for subsearcher, offset in searcher.leaf_searchers():
        matcher = query.matcher(subsearcher, subsearcher.context(needs_current=True))
        while matcher.is_active():
            docnum = matcher.id()
            found[offset + docnum] = weighting.final(subsearcher, docnum, matcher.score())
            matcher.next()
    return found


def _open_searcher(path: Path):
    opened = Index.open(path)
    return opened, opened._searcher()


def test_posting_lists_read_as_whoosh_reads_them(segmented: Path) -> None:
    opened, searcher = _open_searcher(segmented)
    with opened:
        checked = 0
        rng = random.Random(3)
        for segment, _ in searcher.reader().leaf_readers():
            for name in ("body", "body_exact", "title", "heading"):
                for text in segment.lexicon(name):
                    matcher = segment.postings(name, text)
                    expected_ids, expected_tf = [], []
                    while matcher.is_active():
                        expected_ids.append(matcher.id())
                        expected_tf.append(matcher.weight())
                        matcher.next()
                    ids, tf = read_postings(segment, name, text)
                    assert ids.tolist() == expected_ids and tf.tolist() == expected_tf
                    # Reading only some blocks still finds every wanted posting.
                    count = segment.doc_count_all()
                    within = np.array(sorted(rng.sample(range(count), min(count, 5))))
                    some, _ = read_postings(segment, name, text, within)
                    assert set(within) & set(expected_ids) <= set(some.tolist())
                    checked += 1
        assert checked > 500


def test_which_documents_hold_a_term_as_whoosh_finds_them(segmented: Path) -> None:
    """holding_any over four segments with deletions, for some documents
    (blocks of 16: only some are read), answers as Whoosh's own search."""
    opened, searcher = _open_searcher(segmented)
    with opened:
        rng = random.Random(5)
        count = searcher.reader().doc_count_all()
        for words in (["নদী"], ["কাতার", "দোহা"], ["পদ্মা"], ["নেই-এমন"]):
            stems = [stem_term(word) or word for word in words]
            terms = [(name, stem) for stem in stems for name in ("title", "heading", "body")]
            expected = set(searcher.docs_for_query(wq.Or([wq.Term(f, t) for f, t in terms])))
            for size in (1, 40, count):
                docnums = rng.sample(range(count), size)
                assert holding_any(
                    searcher.weighting.context, searcher, terms, docnums
                ) == expected & set(docnums), words
        assert (
            holding_any(searcher.weighting.context, searcher, [("body", stem_term("নদী"))], [])
            == set()
        )


def test_posting_lists_of_a_segment_merged_by_whoosh(tmp_path: Path, monkeypatch) -> None:
    """A segment that Whoosh's own writer merged reads as Whoosh reads it;
    and postings kept in the term info (Whoosh inlines lists of one posting
    when it writes them itself) read as their term info holds them."""
    from whoosh import index as whoosh_index

    path = tmp_path / "index"
    Index.build(path, [SEED_DIR])
    with Index.open(path) as opened:
        opened.add_many([Article("extra", "কাতার", "দোহা কাতারের রাজধানী। দোহা")])
    generation = next(p for p in path.iterdir() if p.name.startswith("g"))
    whoosh_index.open_dir(str(generation)).writer(codec=ArrayBlockCodec()).commit(optimize=True)
    with Index.open(path) as opened:
        (segment, _), *others = opened._searcher().reader().leaf_readers()
        assert not others
        for name in ("body", "body_exact", "title"):
            for text in segment.lexicon(name):
                expected = _ids_and_weights(segment.postings(name, text))
                ids, tf = read_postings(segment, name, text)
                assert (ids.tolist(), tf.tolist()) == expected, (name, text)
        info = segment._terms.term_info("body", "দোহা".encode())
        expected = _ids_and_weights(segment.postings("body", "দোহা".encode()))
        info.set_inlined(tuple(expected[0]), tuple(expected[1]), (b"",) * len(expected[0]))
        monkeypatch.setattr(segment._terms, "term_info", lambda name, text: info)
        ids, tf = read_postings(segment, "body", "দোহা".encode())
        assert (ids.tolist(), tf.tolist()) == expected and len(expected[0]) >= 2


def _ids_and_weights(matcher) -> tuple[list[int], list[float]]:
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights


def test_long_posting_lists_have_many_blocks(segmented: Path) -> None:
    """The fixture's common words span many posting blocks."""
    opened, searcher = _open_searcher(segmented)
    with opened:
        longest = max(
            segment.doc_frequency("body", text)
            for segment, _ in searcher.reader().leaf_readers()
            for text in segment.lexicon("body")
        )
        assert longest > 10 * 16
        segment, text = max(
            ((segment, text) for segment, _ in searcher.reader().leaf_readers()
             for text in segment.lexicon("body")),
            key=lambda pair: pair[0].doc_frequency("body", pair[1]),
        )  # fmt: skip
        matcher, blocks = segment.postings("body", text), 0
        matcher = getattr(matcher, "child", matcher)  # past the filter of deletions
        while matcher.is_active():
            blocks += 1
            matcher.skip_to(matcher.block_max_id() + 1)
        assert blocks >= 10


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))
def test_every_section_scores_as_in_whoosh(segmented: Path, words: list[str]) -> None:
    opened, searcher = _open_searcher(segmented)
    with opened:
        plan = _plan(searcher, " ".join(words))
        assert supports(plan.query)
        expected = _whoosh_sections(searcher, plan.query)
        matches = match_arrays(searcher.weighting.context, searcher, plan.query, {}, {}, 0)
        found = dict(zip(matches.docnums.tolist(), matches.scores.tolist(), strict=True))
        assert found.keys() == expected.keys()
        for docnum, score in expected.items():
            assert found[docnum] == pytest.approx(score, rel=1e-9, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=2, max_size=5, unique=True))
def test_evidence_and_word_masks_as_the_collector_records_them(
    segmented: Path, words: list[str]
) -> None:
    opened, searcher = _open_searcher(segmented)
    with opened:
        plan = _plan(searcher, " ".join(words))
        word_terms = _word_terms(plan)
        article_terms = _article_terms(plan, Weights().variant)
        slots = 3 * len(plan.words)
        collector = BestSectionPerArticle(
            searcher.weighting.context, word_terms, None, article_terms, slots
        )
        searcher.search_with_collector(plan.query, collector, searcher.context(needs_current=True))
        matches = match_arrays(
            searcher.weighting.context, searcher, plan.query, word_terms, article_terms, slots
        )
        assert matches.total == collector.total
        for article, evidence in collector.evidence.items():
            row = matches._number(article)
            assert matches.evidence[row].tolist() == pytest.approx(evidence)
            assert matches.section_words(article) == collector.section_words(article)
            ranked = [d for _, d in matches.ranked_sections(article)]
            assert sorted(ranked) == sorted(d for _, d in collector.ranked_sections(article))


def test_queries_the_compiler_makes_from_words_are_supported(segmented: Path) -> None:
    opened, searcher = _open_searcher(segmented)
    with opened:
        for text in ("ঢাকা", "ঢাকা নদী", "+ঢাকা নদী", "ঢাকা AND নদী", "বাংলা*", "ঢাকা -নদী"):
            assert supports(_plan(searcher, text).query), text
        # A phrase needs positions: Whoosh's matchers run it.
        assert not supports(_plan(searcher, '"ঢাকা শহর"').query)
        assert not supports(wq.Every())


def test_scores_do_not_depend_on_how_the_index_is_cut_into_segments(tmp_path: Path) -> None:
    """The same articles written in one commit (one segment) and in three
    (three segments, the first without কাতার or দোহা anywhere): every
    section matches with the same score, though a segment lacks some of the
    query's terms (Whoosh's coordination bonus counts a segment's terms)."""
    rng = random.Random(11)
    plain = [w for w in WORDS if w not in ("কাতার", "দোহা")]
    batches = [
        [
            Article(f"b{b}-{n}", rng.choice(pool), " ".join(rng.choices(pool, k=12)))
            for n in range(30)
        ]
        for b, pool in enumerate((plain, WORDS, WORDS))
    ]
    with Index.create(tmp_path / "one") as one:
        one.add_many([article for batch in batches for article in batch])
    with Index.create(tmp_path / "three") as three:
        for batch in batches:
            three.add_many(batch)
    found = []
    for name in ("one", "three"):
        opened, searcher = _open_searcher(tmp_path / name)
        with opened:
            assert len(searcher.reader().leaf_readers()) == (1 if name == "one" else 3)
            ids = searcher.reader().column_reader("article_id")
            scores = {}
            for text in ("কাতার নদী শহর", "দোহা ঢাকা", "কাতার দোহা ভাষা ইতিহাস"):
                matches = match_arrays(
                    searcher.weighting.context, searcher, _plan(searcher, text).query, {}, {}, 0
                )
                for docnum, score in zip(
                    matches.docnums.tolist(), matches.scores.tolist(), strict=True
                ):
                    scores[(text, ids[docnum])] = score
            found.append(scores)
    assert found[0].keys() == found[1].keys()
    for key, score in found[0].items():
        assert found[1][key] == pytest.approx(score, rel=1e-9), key


def _cut_in_three(folder: Path) -> Path:
    """Three commits (three segments), the first without কাতার or দোহা."""
    rng = random.Random(11)
    plain = [w for w in WORDS if w not in ("কাতার", "দোহা")]
    with Index.create(folder) as created:
        for b, pool in enumerate((plain, WORDS, WORDS)):
            created.add_many(
                [
                    Article(
                        f"b{b}-{n}",
                        rng.choice(pool),
                        " ".join(rng.choices(pool, k=12))
                        + f"\n== {rng.choice(pool)} ==\n"
                        + " ".join(rng.choices(pool, k=20)),
                    )
                    for n in range(40)
                ]
            )
    return folder


@pytest.mark.parametrize("corpus", ["segmented", "cut in three"])
def test_both_match_paths_rank_word_queries_alike(segmented: Path, tmp_path: Path, corpus) -> None:
    """Word queries run on arrays and through Whoosh's matchers (the path of
    phrases) give the same articles in the same order, with the same scores
    and sections shown: one article score, and coordination counted over the
    index on both (a segment lacks কাতার and দোহা)."""
    path = segmented if corpus == "segmented" else _cut_in_three(tmp_path / "three")
    queries = [
        "কাতার নদী শহর", "দোহা ঢাকা", "কাতার দোহা ভাষা ইতিহাস", "নদী", "ঢাকা -নদী",
        "বাংলাদেশের রাজধানী ঢাকা", "ক্রিকেট খেলা যুদ্ধ ১৯৭১", "+পদ্মা নদী",
    ]  # fmt: skip
    opened, searcher = _open_searcher(path)
    with opened:
        compared = 0
        for text in queries:
            request = SearchRequest(text, limit=20, snippets=False, suggest=False, timeout=None)
            on_arrays = SearchPipeline(searcher, SPLIT).run(request)
            by_matchers = SearchPipeline(searcher, SPLIT, matchers=True).run(request)
            assert on_arrays.total == by_matchers.total, text
            assert [h.id for h in on_arrays.hits] == [h.id for h in by_matchers.hits], text
            for a, b in zip(on_arrays.hits, by_matchers.hits, strict=True):
                assert a.score == pytest.approx(b.score, rel=1e-9), (text, a.id)
                assert a.ordinal == b.ordinal, (text, a.id)
            compared += len(on_arrays.hits)
        assert compared > 60


def test_skipping_blocks_never_changes_a_ranking(shared_index: Path) -> None:
    """Every dev and natural question of ../shared/eval: the same ten
    articles, scores and sections with the common words' blocks skipped as
    with every block read."""
    from bnsearch.evaluation import read_queries

    queries = [
        text
        for name in ("dev", "questions")
        for _, text in read_queries(SHARED / "eval" / name / "queries.tsv")
    ]
    assert len(queries) == 167
    opened, searcher = _open_searcher(shared_index)
    skipped = 0
    with opened:
        for text in queries:
            request = SearchRequest(text, snippets=False, suggest=False, timeout=None)
            results = [
                SearchPipeline(searcher, SPLIT, skip_blocks=skip).run(request)
                for skip in (True, False)
            ]
            shown = [[(h.id, h.score, h.ordinal) for h in r.hits] for r in results]
            assert shown[0] == shown[1], text
            assert results[0].total == results[1].total
            plan = _plan(searcher, text)
            skipped += isinstance(plan.query, wq.AndMaybe)
    assert skipped > 20  # questions with common words, whose blocks are skipped


def test_a_refreshed_searcher_keeps_the_facts_of_the_segments_it_reuses(tmp_path: Path) -> None:
    """The searcher context after a commit: the reused segments' facts are
    the same objects, a new segment's are made, what was found by document
    number (lead subjects) is not carried over, and the generation's
    document table is made anew and shared by the searchers of one index."""
    import threading

    from bnsearch.engine.evidence import document_table

    path = tmp_path / "index"
    Index.build(path, [SEED_DIR])
    with Index.open(path) as opened:
        searcher = opened._searcher()
        context = searcher.weighting.context
        (leaf, _), *_ = searcher.reader().leaf_readers()
        facts = context.facts(leaf)
        context.lead_subject(0, lambda: frozenset({"x"}))
        context.lead_names(0, lambda: ("x",))
        table = document_table(context, searcher.reader())
        other: list = []
        thread = threading.Thread(target=lambda: other.append(opened._searcher()))
        thread.start()
        thread.join()
        assert other[0] is not searcher
        other_context = other[0].weighting.context
        assert other_context is not context
        assert document_table(other_context, other[0].reader()) is table  # one per generation
        opened.add_many([Article("extra", "কাতার", "দোহা কাতারের রাজধানী।")])
        fresh = opened._searcher()
        renewed = fresh.weighting.context
        assert renewed is not context
        assert renewed.lead_subject(0, lambda: frozenset({"y"})) == {"y"}
        assert renewed.lead_names(0, lambda: ("y",)) == ("y",)
        # A refresh that reuses a segment reader keeps its facts.
        kept = context.renewed(searcher.reader())
        assert kept.facts(leaf) is facts and kept.shared is context.shared
        assert kept.lead_subject(0, lambda: frozenset({"y"})) == {"y"}
        new_table = document_table(renewed, fresh.reader())
        assert new_table is not table and "extra" in new_table.numbers


def test_title_and_heading_columns_hold_the_stored_values(segmented: Path) -> None:
    """The ranking reads titles and headings from columns, not stored fields."""
    opened, searcher = _open_searcher(segmented)
    with opened:
        reader = searcher.reader()
        context = searcher.weighting.context
        titles, headings = context.column(reader, "title"), context.column(reader, "heading")
        live = list(reader.all_doc_ids())
        assert len(live) > 400
        for docnum in live:
            stored = reader.stored_fields(docnum)
            assert (titles[docnum], headings[docnum]) == (stored["title"], stored["heading"])


def test_the_document_table_agrees_with_the_stored_sections(segmented: Path) -> None:
    """Ordinals, reference sections and sections with text, as the section
    choice reads them, over segments with offsets and deletions."""
    from bnsearch.analysis import analyze
    from bnsearch.engine.arrays import document_table

    opened, searcher = _open_searcher(segmented)
    with opened:
        reader = searcher.reader()
        table = document_table(searcher.weighting.context, reader)
        live = set(reader.all_doc_ids())
        assert all(
            table.article_of[d] == -1 for d in range(reader.doc_count_all()) if d not in live
        )
        seen = set()
        for docnum in live:
            stored = reader.stored_fields(docnum)
            has_words = any(t.term for t in analyze(stored["text"], "stem"))
            facts = (table.ordinals[docnum], table.is_reference[docnum], table.has_text[docnum])
            assert facts == (stored["ordinal"], stored["is_reference"], has_words)
            assert table.names[table.article_of[docnum]] == stored["article_id"]
            seen.add((stored["is_reference"], has_words))
        assert {(False, True), (False, False), (True, True)} <= seen


def test_columns_read_whole_as_whoosh_reads_them(segmented: Path) -> None:
    from bnsearch.engine.context import column_values

    opened, searcher = _open_searcher(segmented)
    with opened:
        leaves = searcher.reader().leaf_readers()
        assert len(leaves) > 1 and any(leaf.has_deletions() for leaf, _ in leaves)
        for leaf, _ in leaves:
            for name in ("article_id", "ordinal", "title", "heading", "source", "content_hash"):
                assert column_values(leaf, name) == list(leaf.column_reader(name)), name


@pytest.mark.parametrize("cutoff", [10, 1 << 15])  # offsets written, or derived
def test_variable_width_column_arrays_as_whoosh_reads_them(tmp_path: Path, cutoff: int) -> None:
    from whoosh.columns import VarBytesColumn
    from whoosh.filedb.filestore import FileStorage

    from bnsearch.engine.context import _var_bytes_arrays

    values = [f"মান {n}".encode() * (n % 7) for n in range(300)]
    storage = FileStorage(str(tmp_path))
    column = VarBytesColumn(write_offsets_cutoff=cutoff)
    with storage.create_file("c") as out:
        writer = column.writer(out)
        for docnum, value in enumerate(values):
            writer.add(docnum, value)
        writer.finish(len(values))
    raw = storage.open_file("c").read()
    whoosh = column.reader(storage.open_file("c"), 0, len(raw), len(values))
    assert whoosh.had_stored_offsets == (cutoff < len(values))
    offsets, lengths = _var_bytes_arrays(raw, len(values))
    assert offsets.tolist() == list(whoosh._offsets) and lengths.tolist() == list(whoosh._lengths)
    assert [raw[o : o + n] for o, n in zip(offsets, lengths, strict=True)] == list(whoosh)
