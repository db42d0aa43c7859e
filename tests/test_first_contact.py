"""What a new user meets in the first hour: the documented limits at their
edge, ids with any characters, scores that fall with the rank, batch exit
statuses, signals, snippets that mark only real cuts, ids that do not
collide, a reader's standard input, the API's small promises."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SEED_DIR
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from test_reliability import cli, one_line_error
from test_web import make_app

from bnsearch import Article, Index
from bnsearch.engine.indexing import update_index
from bnsearch.errors import IndexDamagedError, QueryError
from bnsearch.search.parse import MAX_TERMS
from bnsearch.search.snippets import ELLIPSIS, make_snippet


@pytest.fixture(scope="module")
def index_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("first") / "ix"
    update_index(path, [SEED_DIR], procs=1)
    return path


# --- 2. the documented maximum is a query, not a damaged index -------------------------


@pytest.mark.slow
def test_sixty_four_words_are_searched(index_path: Path) -> None:
    words = " ".join(["কাতার"] * MAX_TERMS)
    result = cli("search", "-c", words, "--index", str(index_path))
    assert result.returncode == 0 and int(result.stdout) == 2, result.stderr
    with Index.open(index_path) as index:
        assert index.search(" ".join(f"শব্দ{n} কাতার" for n in range(MAX_TERMS // 2))).total
    assert "at most 64" in one_line_error(cli("search", words + " দোহা", "--index", str(index_path)))


VOCABULARY = ["কাতার", "দোহা", "রাশিয়া", "মেক্সিকো", "দূতাবাস", "সম্পর্ক", "dhaka", "১৯৭৫",
              "কাতারের", "এবং", "কী", "OR", "AND", "NOT", "-কাতার", "+দোহা", "title:কাতার",
              "section:ইতিহাস", "কাতা*", '"আল থানি"', "(", ")"]  # fmt: skip


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=MAX_TERMS))
def test_no_query_within_the_limits_reports_damage(index_path: Path, words: list[str]) -> None:
    with Index.open(index_path) as index:
        try:
            index.search(" ".join(words), sections=True)
        except IndexDamagedError as error:  # a sound index: this is a bug
            raise AssertionError(f"{words}: {error}") from None
        except QueryError:
            pass  # refused by the language's rules, with a message


def test_a_bug_is_not_called_damage(index_path: Path, monkeypatch) -> None:
    from bnsearch.search import pipeline

    def broken(*args, **kwargs):
        return 1 << 70 > 0 and int("x")  # a ValueError raised outside the engine

    monkeypatch.setattr(pipeline, "rank", broken)
    with Index.open(index_path) as index, pytest.raises(ValueError):
        index.search("কাতার")


# --- 3. scores fall with the rank, so both evaluation paths agree ---------------------------


@pytest.mark.slow
def test_scores_fall_with_the_rank_and_a_run_scores_as_the_search(
    index_path: Path, tmp_path: Path
) -> None:
    queries = tmp_path / "queries.tsv"
    queries.write_text("q1\tকাতার–রাশিয়া সম্পর্ক\nq2\tকাতার\nq3\tদূতাবাস\nq4\tআর্মেনিয়া মেক্সিকো\n")
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text(
        "q1 0 002_11aff6c9bfaa5fee 1\nq2 0 000_d77cc1112f49de51 1\n"
        "q3 0 003_2868b3d8c8007add 1\nq4 0 001_033b12f9f6b598bb 1\n"
    )
    run = cli("search", "--queries", str(queries), "--format", "trec", "--index", str(index_path))
    lines = [line.split() for line in run.stdout.splitlines()]
    by_query: dict[str, list[float]] = {}
    for qid, _, _, _, score, _ in lines:
        by_query.setdefault(qid, []).append(float(score))
    for qid, scores in by_query.items():
        assert scores == sorted(scores, reverse=True), qid
    (tmp_path / "run.trec").write_text(run.stdout)
    searched = cli("eval", "--json", "--queries", str(queries), "--qrels", str(qrels),
                   "--index", str(index_path))  # fmt: skip
    scored = cli("eval", "--json", "--run", str(tmp_path / "run.trec"), "--qrels", str(qrels))
    a, b = json.loads(searched.stdout), json.loads(scored.stdout)
    for measure in ("mrr@10", "ndcg@10"):
        key = next(k for k in a if k.lower().replace("_", "") == measure.replace("_", ""))
        assert a[key] == b[key], (measure, a, b)


# --- 4. ids with any characters open from the page's own links -----------------------------


ID_CHARACTERS = st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x7f")


@settings(max_examples=12, deadline=None)
@given(st.lists(st.text(ID_CHARACTERS, min_size=1, max_size=12), min_size=1, max_size=4,
                unique=True))  # fmt: skip
def test_any_id_opens_through_the_pages_link(tmp_path_factory, ids: list[str]) -> None:
    path = tmp_path_factory.mktemp("ids") / "ix"
    articles = [Article(i, f"শিরোনাম {n}", f"অনন্য{n}শব্দ লেখা।") for n, i in enumerate(ids)]
    with Index.create(path) as index:
        index.add_many(articles)
        client = TestClient(make_app(index))
        for n, article in enumerate(articles):
            page = client.get("/", params={"q": f"অনন্য{n}শব্দ"}).text
            href = re.search(r'<a class="title" href="([^"]+)"', page) or re.search(
                r'href="(/article[^"]+)"', page
            )
            assert href, page
            link = href.group(1).replace("&amp;", "&")
            opened = client.get(link)
            assert opened.status_code == 200 and f"শিরোনাম {n}" in opened.text, (article.id, link)
            api = client.get(f"/api/v1/articles/{_path(article.id)}")
            if not any(part in (".", "..") for part in article.id.split("/")):
                assert api.status_code == 200 and api.json()["id"] == article.id, article.id


def _path(article_id: str) -> str:
    from urllib.parse import quote

    return quote(article_id, safe="")


def test_an_article_in_a_subfolder_opens(tmp_path: Path) -> None:
    (tmp_path / "corpus" / "sub").mkdir(parents=True)
    (tmp_path / "corpus" / "sub" / "meghna.txt").write_text("# মেঘনা\n\nমেঘনা একটি নদী।")
    update_index(tmp_path / "ix", [tmp_path / "corpus"], procs=1)
    with Index.open(tmp_path / "ix") as index:
        client = TestClient(make_app(index))
        assert client.get("/api/v1/articles/sub%2Fmeghna").json()["title"] == "মেঘনা"
        assert client.get("/api/v1/articles/sub/meghna/sections/0").status_code == 200
        page = client.get("/", params={"q": "মেঘনা"}).text
        assert 'href="/article/sub%2Fmeghna?' in page
        assert client.get("/article/sub%2Fmeghna").status_code == 200


# --- 5. SIGTERM cancels an indexing run as Ctrl-C does ------------------------------------


@pytest.mark.slow
def test_sigterm_cancels_a_rebuild_and_keeps_the_index(tmp_path: Path, shared_articles) -> None:
    import time

    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in shared_articles))
    index = tmp_path / "ix"
    update_index(index, [SEED_DIR], procs=1)
    child = subprocess.Popen(
        [sys.executable, "-m", "bnsearch", "index", "--rebuild", "--index", str(index),
         str(corpus)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(2)
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=120)
    assert child.returncode == 143 and "the index is unchanged" in err, err
    with Index.open(index) as opened:
        assert opened.stats().articles == 4


# --- 7. batch mode: the others are answered, the exit status says -------------------------


def test_a_bad_query_in_a_batch_makes_exit_2(index_path: Path, tmp_path: Path) -> None:
    queries = tmp_path / "queries.tsv"
    queries.write_text("1\tকাতার\n2\tfoo:bar\n3\tদোহা\n")
    result = cli("search", "-c", "--queries", str(queries), "--index", str(index_path))
    assert result.returncode == 2
    assert result.stdout.splitlines() == ["1\t2", "3\t2"]
    assert "query 2: unknown field foo:" in result.stderr


# --- 8. tests stay away from the user's files ----------------------------------------------


def test_tests_run_away_from_the_users_index_and_home() -> None:
    assert Path.cwd() != REPO and not (Path.cwd() / "index").exists()
    assert Path.home() == Path.cwd() and "BNSEARCH_INDEX" not in os.environ


# --- 9. "…" only where text is left out ------------------------------------------------------


def test_an_abbreviation_is_not_a_sentence_end() -> None:
    text = (
        "বাংলাদেশের রাষ্ট্রপতি অধ্যাপক ড. ইয়াজউদ্দিন আহম্মেদ দায়িত্ব নেন। "
        "তিনি মো. আব্দুল হামিদের আগে ছিলেন। পরের বাক্য অন্য কথা বলে।"
    )
    start = text.index("রাষ্ট্রপতি")
    end = text.index("ইয়াজউদ্দিন") + len("ইয়াজউদ্দিন")
    snippet = make_snippet(text, [(start, start + 10), (end - 10, end)], size=120)
    assert "ড. ইয়াজউদ্দিন" in snippet.text and ELLIPSIS not in snippet.text.split("ড.")[1][:5]


def test_fragments_that_meet_are_joined_by_a_space() -> None:
    sentences = [f"বাক্য {n} এখানে শেষ।" for n in range(6)]
    text = " ".join(sentences)
    first = text.index("বাক্য 1")
    second = text.index("বাক্য 2")
    snippet = make_snippet(text, [(first, first + 5), (second, second + 5)], size=60)
    assert f" {ELLIPSIS} " not in snippet.text, snippet.text


# --- 10. ids of files in two folders do not replace each other -----------------------------


@pytest.mark.slow
def test_the_same_file_name_in_two_folders_is_refused_not_replaced(tmp_path: Path) -> None:
    for folder, title in (("a", "এক"), ("b", "দুই")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.txt").write_text(f"# {title}\n\n{title} লেখা।")
    index = tmp_path / "ix"
    assert cli("index", "--index", str(index), str(tmp_path / "a")).returncode == 0
    result = cli("index", "--index", str(index), str(tmp_path / "b"))
    assert result.returncode == 1 and "updated 0" in result.stdout
    assert f"already the id of an article from {tmp_path / 'a' / 'x.txt'}" in result.stderr
    with Index.open(index) as opened:
        assert opened.get("x").title == "এক"
    shutil.rmtree(tmp_path / "a")  # moved away for good: the id may now be taken
    result = cli("index", "--index", str(index), str(tmp_path / "b"))
    assert result.returncode == 0 and "updated 1" in result.stdout


# --- smaller things ------------------------------------------------------------------------------


def test_index_reads_json_lines_from_standard_input(tmp_path: Path) -> None:
    lines = [{"id": "s1", "title": "নদী", "text": "পদ্মা একটি নদী।"}, "{bad"]
    text = "\n".join(json.dumps(x, ensure_ascii=False) if isinstance(x, dict) else x for x in lines)
    result = cli("index", "--index", str(tmp_path / "ix"), "-", input=text)
    assert result.returncode == 1 and "added 1" in result.stdout
    assert "<stdin>:line 2: malformed JSON" in result.stderr
    with Index.open(tmp_path / "ix") as index:
        assert index.get("s1").title == "নদী"


def test_the_api_answers_head_and_an_empty_query_as_documented(index_path: Path) -> None:
    with Index.open(index_path) as index:
        client = TestClient(make_app(index))
        for url in ("/", "/api/v1/stats", "/api/v1/search?q=কাতার", "/article/000_d77cc1112f49de51"):
            head, get = client.head(url), client.get(url)
            assert head.status_code == get.status_code == 200 and head.content == b"", url
            assert head.headers["content-length"] == get.headers["content-length"]
        response = client.get("/api/v1/search", params={"q": ""})
        assert response.status_code == 400 and "empty query" in response.json()["error"]["message"]


def test_html_output_lists_the_other_sections(index_path: Path) -> None:
    result = cli("search", "--format", "html", "--sections", "দূতাবাস", "--index", str(index_path))
    assert '<ul class="sections">' in result.stdout and "<mark>দূতাবাস</mark>" in result.stdout


def test_field_filters_highlight_the_title_and_heading(index_path: Path) -> None:
    with Index.open(index_path) as index:
        hit = index.search("title:কাতার দূতাবাস").hits[0]
        assert hit.title[slice(*hit.title_highlights[0])] == "কাতার"
        hit = index.search("section:ইতিহাস").hits[0]
        assert hit.section[slice(*hit.section_highlights[0])] == "ইতিহাস"
        plain = index.search("দূতাবাস").hits[0]  # a filter's word is not a text word
        assert all(plain.snippet[s:e] != "ইতিহাস" for s, e in plain.highlights)


# --- 11, 12. what a command and a first search load ----------------------------------------


@pytest.mark.slow
def test_the_command_line_loads_no_engine_until_a_command_runs() -> None:
    code = (
        "import sys, bnsearch.faces.cli\n"
        "names = ('numpy', 'whoosh', 'icu', 'fastapi', 'prompt_toolkit', 'bnsearch.api')\n"
        "heavy = [m for m in names if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout
    search = subprocess.run(
        [sys.executable, "-c", "import sys, bnsearch.api; print('fastapi' in sys.modules,"
         " 'prompt_toolkit' in sys.modules, 'bnsearch.engine.indexing' in sys.modules)"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert search.stdout.split() == ["False", "False", "False"], search.stdout


def test_a_first_search_reads_columns_whole(index_path: Path, monkeypatch) -> None:
    """The document table of a freshly opened index reads the article-id
    column in one piece, not through Whoosh's reader, which builds its
    offsets an item at a time."""
    from whoosh.columns import VarBytesColumn

    built = []
    original = VarBytesColumn.Reader.__init__

    def counting(self, *args, **kwargs):
        built.append(args)
        original(self, *args, **kwargs)

    monkeypatch.setattr(VarBytesColumn.Reader, "__init__", counting)
    with Index.open(index_path) as index:
        assert index.search("কাতার").hits
    assert len(built) <= 2, len(built)  # the title column, for the page's titles
