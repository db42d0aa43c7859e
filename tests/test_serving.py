"""``bnsearch serve`` against hostile and careless clients: other host names
(DNS rebinding), cross-site writes, large and slow bodies, idle connections,
floods of costly queries, SIGTERM. Servers run on 127.0.0.1, and every
client loop here is bounded in count and time."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SEED_DIR, serving
from fastapi.testclient import TestClient
from test_web import make_app

from bnsearch import Article, Index
from bnsearch.engine.indexing import update_index
from bnsearch.faces.serving import BoundedH11Protocol, CostGate, allowed_hosts


@pytest.fixture(scope="module")
def index_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("serving") / "ix"
    update_index(path, [SEED_DIR], procs=1)
    with Index.open(path) as index:
        index.add(Article("ctl", "শিরোনাম\x1b[2J\x07 কাতার", "কাতার লেখা।"))
    return path


# --- hosts, origins, bodies: in process -------------------------------------------------


@pytest.fixture
def client(index_path: Path) -> Iterator[TestClient]:
    with Index.open(index_path) as index:
        yield TestClient(make_app(index), base_url="http://127.0.0.1:8000")


def test_only_the_servers_own_host_names_are_answered(client: TestClient) -> None:
    assert client.get("/api/v1/stats").status_code == 200
    for host in ("localhost:8000", "[::1]:8000", "127.0.0.1"):
        assert client.get("/api/v1/stats", headers={"Host": host}).status_code == 200
    for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example", ""):
        response = client.get("/api/v1/stats", headers={"Host": host})
        assert response.status_code == 400, host
        assert "host" in response.json()["error"]["message"]


def test_allowed_hosts_follow_the_address_and_the_option() -> None:
    assert "192.0.2.7" in allowed_hosts("192.0.2.7")
    assert "0.0.0.0" not in allowed_hosts("0.0.0.0")
    assert "search.example" in allowed_hosts("0.0.0.0", ["search.example"])


def test_writes_from_another_site_are_refused(index_path: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "ix"
    shutil.copytree(index_path, copy)
    with Index.open(copy) as index:
        client = TestClient(make_app(index, allow_writes=True), base_url="http://127.0.0.1")
        body = {"title": "নতুন", "text": "নতুন লেখা।"}
        for headers in (
            {"Origin": "http://evil.example"},
            {"Origin": "null"},
            {"Sec-Fetch-Site": "cross-site"},
        ):
            response = client.put("/api/v1/articles/x", json=body, headers=headers)
            assert response.status_code == 403, headers
        response = client.put(
            "/api/v1/articles/x", json=body, headers={"Origin": "http://127.0.0.1"}
        )
        assert response.status_code == 200
        assert client.delete("/api/v1/articles/x").status_code == 200


def test_no_server_path_reaches_a_client(client: TestClient, index_path: Path) -> None:
    stats = client.get("/api/v1/stats").json()
    article = client.get("/api/v1/articles/000_d77cc1112f49de51").json()
    for text in (json.dumps(stats), json.dumps(article)):
        assert str(index_path) not in text and str(SEED_DIR) not in text
    assert stats["path"] == "ix" and stats["sources"] == ["corpus"]


def test_a_read_only_server_refuses_a_body_before_reading_it(client: TestClient) -> None:
    sent = []

    def body() -> Iterator[bytes]:
        for _ in range(1000):
            sent.append(1)
            yield b"x" * 65536

    response = client.put(
        "/api/v1/articles/x", content=body(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 403
    assert len(sent) <= 2  # not read: the test client stops at the answer


def test_a_body_over_the_limit_is_refused(index_path: Path, tmp_path: Path) -> None:
    import shutil

    from bnsearch.faces.web import create_app

    copy = tmp_path / "ix"
    shutil.copytree(index_path, copy)
    with Index.open(copy) as index:
        # A small limit for the test: the guard is the same at 64 MB.
        app = create_app(index, allow_writes=True, hosts={"testserver"}, max_body=1000)
        client = TestClient(app)
        big = {"title": "x", "text": "ক" * 2000}
        response = client.put("/api/v1/articles/x", json=big)
        assert response.status_code == 413, response.text

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            yield json.dumps(big).encode()[:600]
            yield json.dumps(big).encode()[600:]

        response = client.put(
            "/api/v1/articles/x", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 413, response.text
        assert (
            client.put("/api/v1/articles/y", json={"title": "y", "text": "ছোট"}).status_code == 200
        )


def test_405_names_the_allowed_methods(client: TestClient) -> None:
    response = client.post("/api/v1/search?q=x")
    assert response.status_code == 405 and response.headers["allow"] == "GET"


def test_the_article_page_does_not_tick_the_search_options(client: TestClient) -> None:
    page = client.get("/article/000_d77cc1112f49de51").text
    assert '<details class="options" >' in page or '<details class="options">' in page
    assert 'value="true" checked' not in page
    assert page.count('<section id="s') >= 2  # the article's sections are all there


def test_control_characters_of_a_title_never_reach_the_page(client: TestClient) -> None:
    page = client.get("/article/ctl").text
    assert "\x1b" not in page and "\x07" not in page
    assert "শিরোনাম␛[2J␇ কাতার" in page


def test_costly_queries_wait_their_turn_and_then_are_turned_away() -> None:
    import anyio

    gate = CostGate(queue=2, retry_after=3)
    started = threading.Event()
    release = threading.Event()

    def slow() -> str:
        started.set()
        release.wait(10)
        return "slow"

    async def scenario() -> list[str]:
        outcomes: list[str] = []

        async def costly() -> None:
            try:
                outcomes.append(await gate.run(True, slow))
            except Exception as error:
                outcomes.append(type(error).__name__)

        async with anyio.create_task_group() as group:
            for _ in range(4):
                group.start_soon(costly)
            await anyio.sleep(0.3)
            # Cheap work is not held up by the costly ones.
            outcomes.append(await gate.run(False, lambda: "cheap"))
            release.set()
        return outcomes

    outcomes = anyio.run(scenario)
    assert outcomes[0] == "cheap" or "cheap" in outcomes[:3]
    assert outcomes.count("QueueFull") == 2 and outcomes.count("slow") == 2


def test_a_full_queue_is_a_503_with_retry_after(index_path: Path) -> None:
    from bnsearch.faces.serving import QueueFull

    class Full(CostGate):
        async def run(self, costly, work):
            if costly:
                raise QueueFull("too many costly searches (prefixes, many words) are running")
            return work()

    with Index.open(index_path) as index:
        client = TestClient(make_app(index, gate=Full()))
        response = client.get("/api/v1/search", params={"q": "কা*"})
        assert response.status_code == 503 and response.headers["retry-after"] == "5"
        assert client.get("/api/v1/search", params={"q": "কাতার"}).status_code == 200
        assert client.get("/", params={"q": "কা*"}).status_code == 503


# --- the running server: timeouts, load, SIGTERM ------------------------------------------


def _address(url: str) -> tuple[str, int]:
    host, port = url.split("//")[1].rstrip("/").split(":")
    return host, int(port)


@pytest.mark.slow
def test_idle_and_half_sent_connections_are_closed(index_path: Path) -> None:
    limit = BoundedH11Protocol.header_timeout + 5
    with serving(index_path) as (_, url):
        idle = socket.create_connection(_address(url))
        slow = socket.create_connection(_address(url))
        slow.sendall(b"GET /api/v1/stats HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        for connection in (idle, slow):
            connection.settimeout(limit)  # generous: a closing server answers well before
            try:
                assert connection.recv(100) == b""  # closed by the server
            except ConnectionResetError:
                pass
        # The server still answers.
        with urllib.request.urlopen(url + "api/v1/stats", timeout=5) as response:
            assert response.status == 200


@pytest.mark.slow
def test_cheap_searches_stay_fast_while_costly_ones_flood(index_path: Path) -> None:
    with serving(index_path) as (_, url):
        stop = time.monotonic() + 8
        statuses: list[int] = []

        def flood() -> None:
            query = urllib.parse.urlencode({"q": " ".join(f"{c}া*" for c in "কখগচজতদন")})
            while time.monotonic() < stop:
                try:
                    with urllib.request.urlopen(f"{url}api/v1/search?{query}", timeout=30) as r:
                        statuses.append(r.status)
                except urllib.error.HTTPError as error:
                    statuses.append(error.code)
                    time.sleep(0.2)

        flooders = [threading.Thread(target=flood) for _ in range(6)]
        for thread in flooders:
            thread.start()
        time.sleep(1)
        cheap = urllib.parse.urlencode({"q": "কাতার"})
        answered = []
        for _ in range(10):  # never turned away, never queued behind the costly ones
            with urllib.request.urlopen(f"{url}api/v1/search?{cheap}", timeout=30) as r:
                answered.append(r.status)
        for thread in flooders:
            thread.join()
        assert answered == [200] * 10
        assert 503 in statuses  # six at once: one runs, three wait, the rest are told to retry
