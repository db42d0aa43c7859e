"""The command line and the library as people use them: totals, exit statuses,
grep/Elasticsearch conventions, documents by id (driving the installed
``bnsearch`` command, or the API, as a user would)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO

import bnsearch
from bnsearch import Article, ArticleNotFoundError, Index, InvalidArgumentError, QueryError

BNSEARCH = str(Path(sys.executable).with_name("bnsearch"))


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("timeout", 60)
    return subprocess.run(
        [BNSEARCH, *args], capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"},
        **kwargs,
    )  # fmt: skip


def one_line(result: subprocess.CompletedProcess, status: int) -> str:
    assert result.returncode == status, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# Thirty articles that all hold কাতার, two of them the same page twice.
ARTICLES = [
    Article(f"q{n:02d}", f"কাতার প্রবন্ধ {n}", f"কাতার দোহা শহর {n}। " + "বাক্য চলছে। " * n)
    for n in range(28)
] + [
    Article("copy-a", "লালবাগ", "কাতার লালবাগ কেল্লা ঢাকার দুর্গ।"),
    Article("copy-b", "লালবাগ", "কাতার লালবাগ কেল্লা ঢাকার দুর্গ।"),
    Article("stub", "দোহা বন্দর", ""),  # a title and no text
    Article("other", "মেক্সিকো", "মেক্সিকো সিটি। রাশিয়া নয়।"),
]


@pytest.fixture(scope="module")
def index_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("conventions") / "ix"
    with Index.create(path) as index:
        report = index.add_many(ARTICLES)
    assert not report.skipped and report.added == len(ARTICLES)
    return path


@pytest.fixture
def index(index_path: Path):
    with Index.open(index_path) as opened:
        yield opened


def search(index_path: Path, *args: str) -> subprocess.CompletedProcess:
    return run("search", "--index", str(index_path), *args)


# --- 1. totals --------------------------------------------------------------------------


def test_the_total_does_not_change_with_limit_or_page(index: Index, index_path: Path) -> None:
    totals = {
        index.search("কাতার", limit=limit, page=page).total
        for limit, page in [(1, 1), (5, 1), (10, 1), (50, 1), (10, 3), (7, 4), (100, 1)]
    }
    assert totals == {30}  # every matching article, the merged copy included
    assert index.count("কাতার") == 30
    shown = [hit for page in (1, 2, 3) for hit in index.search("কাতার", limit=10, page=page)]
    merged = sum(len(hit.duplicates) for hit in shown)
    assert len(shown) + merged == 30 and merged == 1
    data = json.loads(search(index_path, "কাতার", "--json", "-n", "3").stdout)
    assert data["total"] == 30 and data["total_relation"] == "eq" and data["pages"] == 10


# --- 2. Ctrl-C ----------------------------------------------------------------------------


@pytest.mark.slow  # runs the installed command
def test_ctrl_c_during_search_exits_130(index_path: Path) -> None:
    # The search waits for its query on standard input ("-"): interrupted there.
    child = subprocess.Popen(
        [BNSEARCH, "search", "--index", str(index_path), "-"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(1.5)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=30)
    child.stdin.close()
    assert child.returncode == 130
    assert "Aborted" not in err and "Traceback" not in err and "interrupted" in err


# --- 3. section filters -----------------------------------------------------------------


@pytest.mark.slow  # runs the installed command
def test_a_section_filter_of_stopwords_is_an_error(index_path: Path) -> None:
    line = one_line(search(index_path, "কাতার", "--section", "কী এবং"), 2)
    assert "section filter" in line and "stopwords" in line


@pytest.mark.slow  # runs the installed command
def test_a_section_filter_that_matches_nothing_says_so(index_path: Path) -> None:
    result = search(index_path, "কাতার", "--section", "ইতিহাস")
    assert result.returncode == 1
    assert "no articles match 'কাতার' in sections headed 'ইতিহাস'" in result.stdout


# --- 4. a page past the end --------------------------------------------------------------


@pytest.mark.slow  # runs the installed command
def test_a_page_past_the_end_says_how_many_pages_there_are(index_path: Path) -> None:
    result = search(index_path, "কাতার", "--page", "9")
    assert result.returncode == 1
    assert "page 9 is past the end: 30 articles match 'কাতার' (3 pages of 10)" in result.stdout


# --- 5. a missing source -------------------------------------------------------------------


@pytest.mark.slow  # runs the installed command
def test_a_missing_source_is_a_usage_error_that_creates_nothing(tmp_path: Path) -> None:
    line = one_line(run("index", "--index", str(tmp_path / "ix"), str(tmp_path / "nope")), 2)
    assert "no such file or directory" in line
    assert not (tmp_path / "ix").exists()
    (tmp_path / "ix").mkdir()  # an index directory there: nothing recorded either
    Index.build(tmp_path / "ix", [REPO / "corpus"])
    before = Index.open(tmp_path / "ix").stats().sources
    one_line(run("index", "--index", str(tmp_path / "ix"), "corpus", cwd=tmp_path), 2)
    assert Index.open(tmp_path / "ix").stats().sources == before


# --- 6. a title and no text ----------------------------------------------------------------


def test_an_article_with_a_title_and_no_text_is_indexed_by_its_title(index: Index) -> None:
    hit = index.search("দোহা বন্দর")[0]
    assert hit.id == "stub" and hit.title_highlights
    assert index.get("stub").text == "" and len(index.sections("stub")) == 1


@pytest.mark.slow  # runs the installed command
def test_title_only_jsonl_lines_are_read(tmp_path: Path) -> None:
    source = tmp_path / "a.jsonl"
    source.write_text('{"id": "t", "title": "শিরোনাম", "text": ""}\n', encoding="utf-8")
    result = run("index", "--index", str(tmp_path / "ix"), str(source))
    assert result.returncode == 0 and "added 1" in result.stdout


# --- 7. make demo has an index of its own ------------------------------------------------------


def test_make_demo_never_touches_the_default_index() -> None:
    commands = subprocess.run(
        ["make", "-n", "demo"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    bnsearch_lines = [line for line in commands.splitlines() if "bnsearch " in line]
    assert len(bnsearch_lines) == 2
    assert all("--index demo-index" in line for line in bnsearch_lines)
    assert all("--rebuild" not in line for line in bnsearch_lines)


# --- 8. progress in text bytes, and the commit phase ------------------------------------------


def test_the_progress_bar_counts_text_and_shows_the_commit() -> None:
    import io

    from bnsearch.faces.progress import IndexProgress
    from bnsearch.model import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    progress = IndexProgress(screen)
    for step in range(1, 4):
        progress.last_line = 0  # draw every step
        progress(Progress(step * 10, step * 100, 1000, None, step * 2_000_000))
    progress(Progress(30, 1000, 1000, None, 6_000_000, phase="committing"))
    shown = screen.getvalue()
    assert "30%" in shown and "6.0 MB of text" in shown
    assert "kB" not in shown and "B/s" not in shown.replace("MB/s", "")
    assert shown.rstrip().endswith("writing the index (flushing and merging segments)…")


# --- the query language --------------------------------------------------------------------


def ids(results) -> set[str]:
    return {hit.id for hit in results}


def test_plus_and_AND_require_words(index: Index) -> None:
    both = ids(index.search("মেক্সিকো AND রাশিয়া"))
    assert both == {"other"}
    assert ids(index.search("+মেক্সিকো কাতার")) == {"other"}
    assert "other" in ids(index.search("মেক্সিকো কাতার"))
    assert len(ids(index.search("মেক্সিকো কাতার"))) > 1  # without +: either word


def test_NOT_excludes(index: Index) -> None:
    assert ids(index.search("NOT মেক্সিকো সিটি")) == set()
    assert ids(index.search("সিটি")) == {"other"}
    assert "other" not in ids(index.search("কাতার NOT মেক্সিকো", limit=100))


def test_an_unknown_field_names_the_known_ones(index: Index, index_path: Path) -> None:
    with pytest.raises(QueryError, match=r"unknown field foo:.*section:.*title:"):
        index.search("foo:কাতার")
    one_line(search(index_path, "foo:bar"), 2)
    # Other colons are text: times, links, a Bengali word before a colon.
    for text in ("১০:৩০ কাতার", "http://x কাতার", "উদাহরণ: কাতার"):
        assert index.search(text).total > 0


# --- the command line ------------------------------------------------------------------------


@pytest.mark.slow  # runs the installed command
def test_unquoted_words_stdin_and_leading_minus(index_path: Path) -> None:
    quoted = search(index_path, "-l", "মেক্সিকো সিটি").stdout
    assert search(index_path, "-l", "মেক্সিকো", "সিটি").stdout == quoted
    piped = run("search", "--index", str(index_path), "-l", "-", input="মেক্সিকো সিটি\n")
    assert piped.stdout == quoted
    excluded = search(index_path, "-l", "-n", "100", "কাতার", "-লালবাগ")
    assert excluded.returncode == 0 and "copy-a" not in excluded.stdout
    assert "q00" in excluded.stdout
    typo = search(index_path, "--limt", "3", "কাতার")  # an unknown option stays an error
    assert typo.returncode == 2 and "No such option '--limt'" in typo.stderr


@pytest.mark.slow  # runs the installed command
def test_count_ids_quiet_and_exit_statuses(index_path: Path) -> None:
    assert search(index_path, "-c", "কাতার").stdout == "30\n"
    assert search(index_path, "--count", "কোনোকিছুনেই").stdout == "0\n"
    assert search(index_path, "--count", "কোনোকিছুনেই").returncode == 1
    listed = search(index_path, "-l", "-n", "3", "কাতার").stdout.split()
    assert len(listed) == 3 and all(i.startswith(("q", "copy")) for i in listed)
    quiet = search(index_path, "-q", "কাতার")
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    assert search(index_path, "-q", "কোনোকিছুনেই").returncode == 1


@pytest.mark.slow  # runs the installed command
def test_colour_always_and_never(index_path: Path) -> None:
    assert "\x1b[" in search(index_path, "--color", "always", "কাতার").stdout
    never = search(index_path, "--color", "never", "কাতার").stdout
    assert "\x1b[" not in never and "**কাতার**" in never


@pytest.mark.slow  # runs the installed command
def test_jsonl_is_one_hit_per_line_and_trec_takes_a_tag(index_path: Path) -> None:
    lines = search(index_path, "--format", "jsonl", "-n", "4", "কাতার").stdout.splitlines()
    hits = [json.loads(line) for line in lines]
    assert [hit["rank"] for hit in hits] == [1, 2, 3, 4] and all("id" in hit for hit in hits)
    trec = search(index_path, "--format", "trec", "--tag", "myrun", "-n", "2", "কাতার").stdout
    assert [line.split()[-1] for line in trec.splitlines()] == ["myrun", "myrun"]


@pytest.mark.slow  # runs the installed command
def test_show_prints_an_article_or_one_section(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "# দোহা\n\nদোহা কাতারের রাজধানী।\n\n== ইতিহাস ==\nপুরনো শহর।\n\n=== বন্দর ===\nবড় বন্দর।\n",
        encoding="utf-8",
    )
    assert run("index", "--index", str(tmp_path / "ix"), str(corpus)).returncode == 0
    [article_id] = search(tmp_path / "ix", "-l", "দোহা").stdout.split()
    show = ("show", "--index", str(tmp_path / "ix"), article_id)
    whole = run(*show).stdout
    assert whole.splitlines()[0] == f"দোহা [{article_id}]"
    assert "== ইতিহাস ==" in whole and "=== ইতিহাস › বন্দর ===" in whole and "বড় বন্দর।" in whole
    assert run(*show, "বন্দর").stdout.strip().endswith("বড় বন্দর।")
    assert "পুরনো শহর" not in run(*show, "বন্দর").stdout
    assert "পুরনো শহর" in run(*show, "1").stdout
    lead = json.loads(run(*show, "0", "--json").stdout)
    assert lead["sections"] == [
        {"ordinal": 0, "level": 1, "section": "", "text": "দোহা কাতারের রাজধানী।"}
    ]
    assert "**রাজধানী**" in run(*show, "0", "--highlight", "রাজধানী").stdout
    assert "no section" in one_line(run(*show, "9"), 2)
    assert "no article" in one_line(run("show", "--index", str(tmp_path / "ix"), "nope"), 2)


# --- the library -------------------------------------------------------------------------------


def test_get_sections_count_and_delete(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix") as index:
        index.add_many(ARTICLES[:3])
        text = "শুরু\n\n== অংশ ==\nদোহা অংশ"
        index.add(Article("x", "শিরোনাম", text, "mine"))
        assert index.get("x") == Article("x", "শিরোনাম", text, "mine")
        [lead, part] = index.sections("x")
        assert (lead.ordinal, lead.heading, part.heading, part.path) == (0, "", "অংশ", ("অংশ",))
        assert index.count("কাতার") == 3 and index.count("দোহা") == 4
        assert index.delete("x") is True and index.delete("x") is False
        assert index.count("দোহা") == 3
        with pytest.raises(ArticleNotFoundError, match="no article with id 'x'"):
            index.get("x")
        with pytest.raises(KeyError):  # an ArticleNotFoundError is a KeyError too
            index.sections("x")


def test_results_and_hits_are_json(index: Index) -> None:
    results = index.search("কাতার", limit=2, sections=True)
    data = json.loads(json.dumps(results.to_dict(), ensure_ascii=False))
    assert data["hits"][0]["id"] == results[0].id and data["total"] == results.total
    assert json.loads(json.dumps(results[0].to_dict()))["title"] == results[0].title


def test_errors_are_importable_and_py_typed_ships() -> None:
    for name in bnsearch.__all__:
        assert getattr(bnsearch, name) is not None
    assert {"ArticleNotFoundError", "SourceNotFoundError", "QueryError"} <= set(bnsearch.__all__)
    assert (Path(bnsearch.__file__).parent / "py.typed").exists()


def test_index_of_a_path_and_a_closed_index_say_what_to_do(index_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match=r"Index\.open"):
        Index(str(index_path))  # type: ignore[arg-type]
    index = Index.open(index_path)
    index.close()
    with pytest.raises(InvalidArgumentError, match="closed"):
        index.search("কাতার")


# --- eval ------------------------------------------------------------------------------------


@pytest.mark.slow  # runs the installed command
def test_eval_reads_trec_eval_qrels_scores_runs_and_gives_map_and_p10(
    index_path: Path, tmp_path: Path
) -> None:
    queries = tmp_path / "queries.tsv"
    queries.write_text("1\tমেক্সিকো সিটি\n2\tলালবাগ কেল্লা\n", encoding="utf-8")
    qrels = tmp_path / "qrels"
    qrels.write_text("1 0 other 2\n2  0  copy-a  1\n", encoding="utf-8")  # spaces, as trec_eval
    searched = json.loads(
        run("eval", "--index", str(index_path), "--queries", str(queries),
            "--qrels", str(qrels), "--json").stdout
    )  # fmt: skip
    assert searched["mrr@10"] == 1.0 and "map" in searched and "p@10" in searched
    run_file = tmp_path / "run"
    run_file.write_text("1 Q0 q01 1 9.0 x\n1 Q0 other 2 8.0 x\n2 Q0 copy-a 1 5 x\n")
    scored = json.loads(run("eval", "--qrels", str(qrels), "--run", str(run_file), "--json").stdout)
    assert scored["mrr@10"] == 0.75 and scored["map"] == 0.75 and scored["p@10"] == 0.1
    text = run("eval", "--qrels", str(qrels), "--run", str(run_file)).stdout
    assert text.startswith("2 queries  MRR@10 0.750") and "MAP 0.750  P@10 0.100" in text


# --- romanized words -----------------------------------------------------------------------


def test_a_latin_word_left_as_typed_says_so(index: Index, index_path: Path) -> None:
    results = index.search("dhaka", transliterate=False)
    assert any("romanized Bengali is off" in notice for notice in results.notices)
    assert "note: dhaka:" in search(index_path, "--no-transliterate", "dhaka").stdout
    assert not any("Latin" in notice for notice in index.search("কাতার").notices)
