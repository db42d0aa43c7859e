"""`bnsearch serve`: every JSON endpoint and error status, the page's HTML
and its safety headers (in-process, through FastAPI's test client), and
the OpenAPI document driven by schemathesis, which must find no 500."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import schemathesis
from conftest import SEED_DIR, serving
from fastapi.testclient import TestClient
from schemathesis.checks import not_a_server_error

from bnsearch import Article, Index, __version__
from bnsearch.faces.serving import allowed_hosts
from bnsearch.faces.web import create_app

HOSTILE = Article(
    "xss",
    'দোহা <script>window.pwned = 1</script> "quoted" & <b>bold</b>',
    "দোহা বন্দর <script>window.pwned = 2</script><img src=x onerror=alert(1)>\n\n"
    "== <i>ইতিহাস</i> ==\nদোহা শহর <iframe src=//x></iframe>",
)


def make_app(index: Index, **options):
    """The app as served on loopback, answering the test client's host name too."""
    return create_app(
        index, hosts=allowed_hosts("127.0.0.1", ["testserver", "localhost"]), **options
    )


@pytest.fixture(scope="module")
def index_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("web") / "ix"
    Index.build(path, [SEED_DIR])
    with Index.open(path) as index:
        index.add(HOSTILE)
    return path


@pytest.fixture(scope="module")
def client(index_path: Path):
    with Index.open(index_path) as index, TestClient(make_app(index)) as test_client:
        yield test_client


def error_of(response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    message = body["error"]["message"]
    assert "\n" not in message and "Traceback" not in message
    return message


# --- the JSON API ------------------------------------------------------------------------


def test_search_gives_what_search_json_gives(client, index_path: Path) -> None:
    got = client.get("/api/v1/search", params={"q": "কাতার মেক্সিকো", "limit": 2}).json()
    with Index.open(index_path) as index:
        expected = index.search("কাতার মেক্সিকো", limit=2).to_dict()
    assert got == json.loads(json.dumps(expected))
    paged = client.get("/api/v1/search", params={"q": "কাতার", "limit": 1, "page": 2}).json()
    assert paged["page"] == 2 and paged["hits"][0]["rank"] == 2
    filtered = client.get(
        "/api/v1/search", params={"q": "কাতার", "section": "ইতিহাস", "sections": "true"}
    ).json()
    assert filtered["section"] == "ইতিহাস"
    assert all(hit["section"].endswith("ইতিহাস") for hit in filtered["hits"])


def test_search_errors(client) -> None:
    assert "at least 2 letters" in error_of(client.get("/api/v1/search?q=ক*"), 422)
    assert "unknown field" in error_of(client.get("/api/v1/search?q=foo:bar"), 400)
    assert "empty query" in error_of(client.get("/api/v1/search?q=%20"), 400)
    assert error_of(client.get("/api/v1/search"), 422).startswith("q:")
    assert error_of(client.get("/api/v1/search?q=x&limit=0"), 422).startswith("limit:")
    assert error_of(client.get("/api/v1/search?q=x&limit=101"), 422).startswith("limit:")
    assert error_of(client.get("/api/v1/search?q=x&page=1001"), 422).startswith("page:")
    assert error_of(client.get("/api/v1/search", params={"q": "ক" * 4001}), 422)
    assert error_of(client.get("/api/v1/nothing-here"), 404)


def test_analyze(client) -> None:
    body = client.get("/api/v1/analyze", params={"text": "কাতারের এবং"}).json()
    assert body["tokens"][0] == {"text": "কাতারের", "start": 0, "end": 7, "term": "কাতার"}
    assert body["tokens"][1]["term"] is None
    exact = client.get("/api/v1/analyze", params={"text": "কাতারের", "field": "exact"}).json()
    assert exact["tokens"][0]["term"] == "কাতারের"
    assert error_of(client.get("/api/v1/analyze?text=x&field=other"), 422).startswith("field:")


def test_articles_and_sections(client) -> None:
    article = client.get("/api/v1/articles/xss").json()
    assert article["title"] == HOSTILE.title and len(article["sections"]) == 2
    section = client.get("/api/v1/articles/xss/sections/1").json()
    assert section["section"] == "<i>ইতিহাস</i>" and "দোহা শহর" in section["text"]
    assert "no article" in error_of(client.get("/api/v1/articles/nope"), 404)
    assert "no section 7" in error_of(client.get("/api/v1/articles/xss/sections/7"), 404)
    assert error_of(client.get("/api/v1/articles/xss/sections/-1"), 422)


def test_stats_and_suggest(client) -> None:
    stats = client.get("/api/v1/stats").json()
    assert stats["articles"] == 5 and stats["schema_version"]
    suggest = client.get("/api/v1/suggest", params={"q": "মেক্সিক"}).json()
    assert suggest["completions"][:1] == ["মেক্সিকো"]
    misspelled = client.get("/api/v1/suggest", params={"q": "মেক্সিকোা দোহ"}).json()
    assert misspelled["did_you_mean"] and "completions" in misspelled


def test_writes_need_allow_writes(client, index_path: Path, tmp_path: Path) -> None:
    new = {"title": "নতুন", "text": "নতুন লেখা"}
    assert "read-only" in error_of(client.put("/api/v1/articles/n1", json=new), 403)
    assert "read-only" in error_of(client.delete("/api/v1/articles/xss"), 403)
    copy = tmp_path / "ix"
    shutil.copytree(index_path, copy)
    with Index.open(copy) as index, TestClient(make_app(index, allow_writes=True)) as writer:
        assert writer.put("/api/v1/articles/n1", json=new).json()["added"] == 1
        assert writer.get("/api/v1/search", params={"q": "নতুন"}).json()["total"] == 1
        assert writer.delete("/api/v1/articles/n1").json() == {"id": "n1", "deleted": True}
        assert error_of(writer.delete("/api/v1/articles/n1"), 404)
        assert error_of(writer.put("/api/v1/articles/n2", json={"title": 1}), 422)


def test_the_openapi_document_lists_the_api(client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    paths = set(document["paths"])
    assert {
        "/api/v1/search", "/api/v1/analyze", "/api/v1/articles/{article_id}",
        "/api/v1/articles/{article_id}/sections/{ordinal}", "/api/v1/stats", "/api/v1/suggest",
    } <= paths  # fmt: skip
    assert not any(path.startswith("/article/") or path == "/" for path in paths)


# --- the page ----------------------------------------------------------------------------


def test_the_page_is_rendered_on_the_server_and_escaped(client) -> None:
    page = client.get("/", params={"q": "দোহা", "sections": "true"})
    assert page.status_code == 200 and '<html lang="bn">' in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<mark>দোহা</mark>" in page.text
    assert "<script>window" not in page.text and "&lt;script&gt;window" in page.text
    assert "<img src=x" not in page.text and "<b>bold</b>" not in page.text
    scripts = re.findall(r"<script[^>]*>", page.text)
    assert scripts == [f'<script src="/static/app.js?v={__version__}" defer>']  # ours only
    assert 'href="/article/xss?q=' in page.text


def test_paging_links_and_did_you_mean_links(client) -> None:
    page = client.get("/", params={"q": "সম্পর্ক", "limit": 1}).text
    assert 'rel="next" href="/?q=' in page and "page=2" in page
    second = client.get("/", params={"q": "সম্পর্ক", "limit": 1, "page": 2}).text
    assert 'rel="prev"' in second and re.search(r'<span aria-current="page"[^>]*>২</span>', second)
    misspelled = client.get("/", params={"q": "মেক্সিকোা"}).text
    assert re.search(r'class="did-you-mean">[^<]*<a href="/\?q=', misspelled)


def test_the_article_view_opens_at_the_section_with_matches_marked(client) -> None:
    view = client.get("/article/xss", params={"q": "শহর", "section": 1})
    assert view.status_code == 200
    assert 'id="s1" class="current"' in view.text and "<mark>শহর</mark>" in view.text
    assert "&lt;iframe" in view.text and "<iframe" not in view.text
    missing = client.get("/article/nope")
    assert missing.status_code == 404 and "কোনো নিবন্ধ সূচিতে নেই: nope" in missing.text
    english = client.get("/article/nope", params={"lang": "en"})
    assert (
        "no article with id &#39;nope&#39;" in english.text and '<html lang="en">' in english.text
    )
    assert "<html" in missing.text  # an HTML page, not JSON, for the page routes


def test_page_errors_are_pages(client) -> None:
    bad = client.get("/", params={"q": "ক*"})
    assert bad.status_code == 400 and 'role="alert"' in bad.text
    assert client.get("/", params={"page": 0}).status_code == 422


# --- schema-driven: no input makes a 500 -----------------------------------------------------


def _schema():
    # The schema is read at import time: an index of the seed corpus built
    # then, in a directory of this process's own (test processes run side
    # by side with `make test`), removed when it ends.
    import atexit
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="bnsearch-schema-")) / "index"
    atexit.register(shutil.rmtree, path.parent, True)
    Index.build(path, [SEED_DIR])
    index = Index.open(path)
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", make_app(index))


schema = _schema()


@pytest.mark.slow  # a hundred requests or so per operation
@schema.parametrize()
def test_no_request_makes_a_server_error(case) -> None:
    case.call_and_validate(checks=[not_a_server_error], excluded_checks=None)


# --- the command --------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM"])  # Ctrl-C; systemd, Docker, kill
def test_serve_says_where_it_listens_and_stops_on_ctrl_c(index_path: Path, stop: str) -> None:
    import signal

    with serving(index_path) as (child, url):
        with urllib.request.urlopen(url + "api/v1/stats") as response:
            assert json.load(response)["articles"] == 5
        child.send_signal(getattr(signal, stop))
        assert child.wait(timeout=20) == 0
        assert "stopped" in child.stderr.read()


@pytest.mark.slow
def test_a_taken_port_is_one_line(index_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = subprocess.run(
            [sys.executable, "-m", "bnsearch", "serve", "--index", str(index_path), "--port", port],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "cannot listen" in result.stderr


@pytest.mark.slow
def test_many_readers_at_once_and_commits_from_another_process(
    index_path: Path, tmp_path: Path
) -> None:
    import threading
    import urllib.parse
    import urllib.request

    copy = tmp_path / "ix"
    shutil.copytree(index_path, copy)
    child = subprocess.Popen(
        [sys.executable, "-m", "bnsearch", "serve", "--index", str(copy), "--port", "0"],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        base = re.search(r"at (http://127\.0\.0\.1:\d+)/", child.stderr.readline()).group(1)

        def total(query: str) -> int:
            url = base + "/api/v1/search?" + urllib.parse.urlencode({"q": query})
            for _ in range(50):
                try:
                    with urllib.request.urlopen(url) as response:
                        return json.load(response)["total"]
                except urllib.error.HTTPError:
                    raise
                except OSError:
                    time.sleep(0.1)
            raise AssertionError("the server did not answer")

        expected = total("কাতার")
        seen: list[int] = []

        def reader() -> None:
            for query in ["কাতার", "মেক্সিকো", "দোহা", "কাতার"] * 5:
                count = total(query)
                if query == "কাতার":
                    seen.append(count)

        threads = [threading.Thread(target=reader) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert seen == [expected] * 80  # 8 readers at once, every answer whole
        assert total("নতুনশব্দ") == 0
        source = tmp_path / "more"
        source.mkdir()
        (source / "new.txt").write_text("# নতুন\n\nনতুনশব্দ এখানে।\n", encoding="utf-8")
        added = subprocess.run(
            [sys.executable, "-m", "bnsearch", "index", "--index", str(copy), str(source)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
        assert total("নতুনশব্দ") == 1  # the other process's commit, no restart
    finally:
        child.terminate()
        child.wait(timeout=20)


def test_a_damaged_index_is_a_503_with_one_line(index_path: Path, tmp_path: Path) -> None:
    from bnsearch.storage import IndexDirectory

    copy = tmp_path / "ix"
    shutil.copytree(index_path, copy)
    with Index.open(copy) as index, TestClient(make_app(index)) as client:
        assert client.get("/api/v1/search", params={"q": "কাতার"}).status_code == 200
        postings = next(IndexDirectory(copy).current().glob("MAIN_*.pst"))
        postings.write_bytes(postings.read_bytes()[:100])  # cut short under the server
        index.refresh()
        answers = [
            client.get("/api/v1/search", params={"q": query}) for query in ("দোহা", "মেক্সিকো")
        ]
        damaged = [a for a in answers if a.status_code == 503]
        assert damaged and all(a.status_code in (200, 503) for a in answers)
        assert "is damaged" in error_of(damaged[0], 503)


def test_every_message_of_the_library_has_its_bengali_text() -> None:
    """The page says the library's notices and errors in Bengali: a message
    key added without its text would show English on a Bengali page (the
    query compiler's notes are made by its ``note``)."""
    from bnsearch.faces.language import MESSAGES

    source = Path(__file__).resolve().parents[1] / "bnsearch"
    keys = set()
    for path in source.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r'(?:Message|self\.note)\(\s*"([a-z_]+)"', text))
    assert len(keys) > 20
    assert sorted(keys - set(MESSAGES)) == []


def test_an_article_without_a_title_is_shown_by_its_id(tmp_path: Path) -> None:
    """A collection of passages without titles: every hit link and the
    article page's heading name the passage by its id, never by nothing (an
    empty link is no link for a screen reader)."""
    corpus = tmp_path / "passages.jsonl"
    passage = {"id": "p-7", "title": "", "text": "ঢাকা বাংলাদেশের রাজধানী।"}
    corpus.write_text(json.dumps(passage, ensure_ascii=False) + "\n", encoding="utf-8")
    Index.build(tmp_path / "ix", [corpus])
    with Index.open(tmp_path / "ix") as index, TestClient(make_app(index)) as client:
        page = client.get("/", params={"q": "ঢাকা"}).text
        assert re.search(r"<h2><a href=[^>]*><bdi>p-7</bdi></a>", page)
        article = client.get("/article/p-7").text
        assert '<h1 id="title"><bdi>p-7</bdi></h1>' in article
