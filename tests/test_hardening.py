"""Hostile index directories, damaged files that reads cannot see, and readers
during rebuilds: an index is never a way to hurt the user who opens it, and
``bnsearch check`` is right both ways.

Each case was a failure found by a fault and hostile-input probe; the tests
drive the command (``python -m bnsearch``) or the API as a user would.
Cases that need another user plant files with ``setpriv`` as ``nobody``.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import SEED_DIR
from test_reliability import cli, one_line_error
from whoosh.fields import ID
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from bnsearch import Index
from bnsearch.engine.indexing import update_index
from bnsearch.errors import IndexDamagedError
from bnsearch.model import Article
from bnsearch.storage import IndexDirectory


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """An index of the seed corpus, built in one process."""
    index = tmp_path / "ix"
    update_index(index, [SEED_DIR], procs=1)
    return index


@pytest.fixture
def public(tmp_path: Path):
    """A directory another user can reach (pytest's own are private)."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="bnsearch-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def as_nobody(*command: str) -> None:
    """Run a command as the unprivileged user ``nobody`` (root only)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("planting files as another user needs root and setpriv")
    subprocess.run(
        ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command], check=True
    )


def generation(index: Path) -> Path:
    return IndexDirectory(index).current()


def segment_file(index: Path, suffix: str) -> Path:
    return next(generation(index).glob(f"MAIN_*{suffix}"))


# --- 1. a planted lock never truncates another file ------------------------------------


def test_a_lock_planted_as_a_link_is_refused_and_its_target_kept(
    tmp_path: Path, built: Path
) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious")
    (built / "write.lock").unlink(missing_ok=True)
    (built / "write.lock").symlink_to(victim)
    message = one_line_error(cli("index", "--index", str(built), str(SEED_DIR)))
    assert "write.lock" in message and "refusing" in message
    assert victim.read_text() == "precious"


@pytest.mark.slow
@pytest.mark.parametrize("mode", [0o777, 0o1777])
def test_a_lock_planted_by_another_user_truncates_nothing(public: Path, mode: int) -> None:
    tmp_path = public
    victim = tmp_path / "victim"
    victim.write_text("precious")
    victim.chmod(0o600)
    for index, fresh in ((tmp_path / "old", False), (tmp_path / "empty", True)):
        if fresh:
            index.mkdir()
        else:
            update_index(index, [SEED_DIR], procs=1)
            (index / "write.lock").unlink()
        index.chmod(mode)
        as_nobody("ln", "-s", str(victim), str(index / "write.lock"))
        result = cli("index", "--index", str(index), str(SEED_DIR))
        assert "anyone can write" in one_line_error(result)
        assert victim.read_text() == "precious" and "stale lock" not in result.stderr


@pytest.mark.slow
def test_a_world_writable_directory_is_neither_read_nor_rebuilt(built: Path) -> None:
    built.chmod(0o1777)
    for args in (["search", "কাতার"], ["index", "--rebuild", str(SEED_DIR)]):
        assert "anyone can write" in one_line_error(cli(*args, "--index", str(built)))
    assert (built / "CURRENT").read_text().strip() == "g000001"


# --- 4. CURRENT is read with a bound, after the trust check -----------------------------


@pytest.mark.slow
def test_current_linked_to_an_endless_file_is_damage_not_memory(built: Path) -> None:
    (built / "CURRENT").unlink()
    (built / "CURRENT").symlink_to("/dev/zero")
    started = time.monotonic()
    message = one_line_error(cli("search", "কাতার", "--index", str(built), timeout=30))
    assert "is damaged" in message and "CURRENT" in message
    assert time.monotonic() - started < 20


def test_current_as_a_fifo_does_not_hang(built: Path) -> None:
    (built / "CURRENT").unlink()
    os.mkfifo(built / "CURRENT")
    message = one_line_error(cli("stats", "--index", str(built), timeout=30))
    assert "CURRENT is not a regular file" in message


def test_current_in_another_users_directory_is_not_read(public: Path) -> None:
    public.chmod(0o777)
    other = public / "theirs"
    as_nobody("mkdir", str(other))
    as_nobody("mkfifo", str(other / "CURRENT"))
    message = one_line_error(cli("search", "কাতার", "--index", str(other), timeout=30))
    assert "belongs to another user" in message


# --- 12–14. every damaged file is one line, never a traceback ----------------------------


def _toc_with_schema(index: Path, schema: object) -> None:
    from unittest import mock

    storage = FileStorage(str(generation(index)))
    toc = TOC.read(storage, "MAIN")
    toc.schema = schema
    toc.generation += 1  # a newer table of contents, read in place of the sound one
    with mock.patch("whoosh.index.ensure_schema", lambda schema: schema):
        toc.write(storage, "MAIN")


DAMAGE = {
    "empty .trm": lambda ix: segment_file(ix, ".trm").write_bytes(b""),
    "overwritten .trm": lambda ix: segment_file(ix, ".trm").write_bytes(b"\x07" * 4096),
    "nested bnsearch.json": lambda ix: (generation(ix) / "bnsearch.json").write_text("[" * 100_000),
    "bnsearch.json sources not strings": lambda ix: (generation(ix) / "bnsearch.json").write_text(
        json.dumps({**json.loads((generation(ix) / "bnsearch.json").read_text()), "sources": [1]})
    ),
    # A field where the schema should be: Whoosh reads it, then refuses it.
    "table of contents without a schema": lambda ix: _toc_with_schema(ix, ID()),
}


@pytest.mark.slow
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_every_damaged_file_is_one_line_from_every_command(built: Path, damage: str) -> None:
    DAMAGE[damage](built)
    for args in (["search", "কাতার"], ["stats"], ["check"]):
        message = one_line_error(cli(*args, "--index", str(built)))
        assert "is damaged" in message and "bnsearch index --rebuild" in message, damage


def test_the_server_answers_503_for_a_damaged_file(built: Path) -> None:
    from fastapi.testclient import TestClient
    from test_web import make_app

    with Index.open(built) as index:
        segment_file(built, ".trm").write_bytes(b"")
        client = TestClient(make_app(index), raise_server_exceptions=False)
        response = client.get("/api/v1/search", params={"q": "কাতার"})
    assert response.status_code == 503
    message = response.json()["error"]["message"]
    assert "is damaged" in message and str(built) not in message


# --- 2, 16. `bnsearch check` is right both ways ----------------------------------------


def check(index: Path) -> subprocess.CompletedProcess:
    return cli("check", "--index", str(index))


def test_check_calls_an_updated_index_sound(built: Path, tmp_path: Path) -> None:
    with Index.open(built) as index:
        index.add(Article("000_d77cc1112f49de51", "কাতার", "দোহা কাতারের রাজধানী।"))
        index.add(Article("new", "নতুন", "নতুন লেখা।\n== ইতিহাস ==\nপুরোনো কথা।"))
        index.delete("001_033b12f9f6b598bb")
    result = check(built)
    assert result.returncode == 0 and "is sound: 4 articles" in result.stdout, result.stderr


@pytest.mark.slow
def test_check_calls_a_two_process_build_sound(tmp_path: Path) -> None:
    # Enough articles for both writer processes, each with several sections.
    lines = [
        json.dumps({"id": f"a{n}", "title": f"প্রবন্ধ {n}", "text": f"শুরু {n}।\n"
                    + "".join(f"== অংশ {k} ==\nলেখা {n} {k}।\n" for k in range(4))},
                   ensure_ascii=False)
        for n in range(1500)
    ]  # fmt: skip
    (tmp_path / "many.jsonl").write_text("\n".join(lines), encoding="utf-8")
    index = tmp_path / "ix"
    update_index(index, [tmp_path / "many.jsonl"], procs=2, multisegment=True)
    with Index.open(index) as opened:
        assert len(opened._searcher().reader().leaf_readers()) == 2
    result = check(index)
    assert result.returncode == 0 and "is sound: 1,500 articles" in result.stdout, result.stderr


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _halve(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


COLUMN_DAMAGE = {
    "emptied body length column": lambda ix: _empty(segment_file(ix, "._body_len.col")),
    "truncated title length column": lambda ix: _halve(segment_file(ix, "._title_len.col")),
    "deleted heading length column": lambda ix: segment_file(ix, "._heading_len.col").unlink(),
    "emptied title column": lambda ix: _empty(segment_file(ix, ".title.col")),
    "emptied heading column": lambda ix: _empty(segment_file(ix, ".heading.col")),
    "deleted source column": lambda ix: segment_file(ix, ".source.col").unlink(),
    "truncated ordinal column": lambda ix: _halve(segment_file(ix, ".ordinal.col")),
    "content hash column with other hashes": lambda ix: segment_file(
        ix, ".content_hash.col"
    ).write_bytes(segment_file(ix, ".content_hash.col").read_bytes().replace(b"a", b"b")),
}


@pytest.mark.slow
@pytest.mark.parametrize("damage", list(COLUMN_DAMAGE))
def test_check_finds_every_damaged_column(built: Path, damage: str) -> None:
    assert check(built).returncode == 0
    COLUMN_DAMAGE[damage](built)
    result = check(built)
    assert result.returncode == 2 and "Traceback" not in result.stderr, (damage, result.stderr)
    assert "is damaged" in result.stderr


# --- 17. readers never see "damaged" while rebuilds replace the generation ---------------


@pytest.mark.slow
def test_searches_during_rebuilds_never_see_damage(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    update_index(index, [SEED_DIR], procs=1)
    failures: list[str] = []
    stop = threading.Event()

    def search_loop() -> None:
        with Index.open(index) as opened:
            while not stop.is_set():
                try:
                    if not opened.search("কাতার", limit=3).hits:
                        failures.append("no hits")
                    opened.read("000_d77cc1112f49de51")
                except Exception as error:  # every error is a failure here
                    failures.append(f"{type(error).__name__}: {error}")

    def open_loop() -> None:
        while not stop.is_set():
            try:
                with Index.open(index) as opened:
                    opened.stats()
            except Exception as error:
                failures.append(f"open: {type(error).__name__}: {error}")

    rebuild_while(index, 12, [search_loop] * 3 + [open_loop], stop)
    assert not failures, failures[:5]


def rebuild_while(index: Path, times: int, loops: list, stop: threading.Event) -> None:
    """Rebuild ``index`` ``times`` times while each of ``loops`` runs in a
    thread of its own; then set ``stop`` and wait for them."""
    threads = [threading.Thread(target=loop) for loop in loops]
    for thread in threads:
        thread.start()
    try:
        for _ in range(times):
            update_index(index, [SEED_DIR], rebuild=True, procs=1)
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def test_a_reader_opening_a_removed_generation_follows_current(built: Path) -> None:
    directory = IndexDirectory(built)
    old = directory.current()
    update_index(built, [SEED_DIR], rebuild=True, procs=1)
    assert not old.exists()
    # CURRENT read just before the rebuild removed the generation it named.
    (built / "CURRENT").write_text(old.name + "\n")
    with pytest.raises(IndexDamagedError):
        directory.current()
    (built / "CURRENT").write_text("g000002\n")
    assert directory.current().name == "g000002"


@pytest.mark.slow
def test_fifty_rebuilds_under_a_server_and_the_command_line(tmp_path: Path) -> None:
    import urllib.error
    import urllib.parse
    import urllib.request

    from conftest import serving

    index = tmp_path / "ix"
    update_index(index, [SEED_DIR], procs=1)
    failures: list[str] = []
    stop = threading.Event()
    with serving(index) as (_, url):
        query = urllib.parse.urlencode({"q": "কাতার"})

        def server_loop() -> None:
            while not stop.is_set():
                try:
                    with urllib.request.urlopen(f"{url}api/v1/search?{query}", timeout=30) as r:
                        if not json.load(r)["hits"]:
                            failures.append("server: no hits")
                except urllib.error.HTTPError as error:
                    failures.append(f"server: {error.code} {error.read()[:200]!r}")

        def command_loop() -> None:
            while not stop.is_set():
                result = cli("search", "-c", "কাতার", "--index", str(index))
                if result.returncode != 0:
                    failures.append(f"command: {result.returncode} {result.stderr.strip()}")

        rebuild_while(index, 50, [server_loop, server_loop, command_loop], stop)
    assert not failures, failures[:5]


# --- 5. the time budget holds while the romanized table is read or built ------------------


def test_a_search_reads_the_romanized_table_written_with_the_index(
    built: Path, monkeypatch
) -> None:
    from bnsearch.engine import romanized

    assert (generation(built) / romanized.TABLE_NAME).is_file()

    def never(*args, **kwargs):
        raise AssertionError("a search built the table")

    monkeypatch.setattr(romanized.MemoryForms, "__init__", never)
    with Index.open(built) as index:
        assert index.readings("kotar")[0][0] == "কাতার"
        assert index.search("kotarer rajdhani").hits


def test_an_update_adds_its_forms_to_the_table(built: Path, monkeypatch) -> None:
    from bnsearch.engine import romanized

    with Index.open(built) as index:
        assert not index.readings("jhinaidoho")
        index.add(Article("j", "ঝিনাইদহ", "ঝিনাইদহ একটি জেলা। ঝিনাইদহ শহর।\n== ইতিহাস ==\nঝিনাইদহ।"))
        monkeypatch.setattr(romanized.MemoryForms, "__init__", lambda *a, **k: 1 / 0)
        assert index.readings("jhinaidoho")[0][0] == "ঝিনাইদহ"


@pytest.mark.slow
def test_the_budget_holds_while_an_old_index_builds_the_table(built: Path, monkeypatch) -> None:
    from bnsearch.engine import romanized
    from bnsearch.errors import QueryTooBroadError

    (generation(built) / romanized.TABLE_NAME).unlink()  # as written by an older bnsearch
    real = romanized.bengali_key

    def slow(term: str) -> str:
        time.sleep(0.01)  # ~550 forms: seconds, past the budget
        return real(term)

    monkeypatch.setattr(romanized, "bengali_key", slow)
    with Index.open(built) as index:
        with pytest.raises(QueryTooBroadError):
            index.search("dhaka", timeout=0.3)
        monkeypatch.setattr(romanized, "bengali_key", real)
        assert index.readings("kotar")[0][0] == "কাতার"  # built at last, without a budget


# --- 6, 10, 11. input that would hold memory or flood the output ------------------------


@pytest.mark.slow
def test_millions_of_bad_lines_keep_a_few_examples(tmp_path: Path) -> None:
    import gzip
    import tracemalloc

    source = tmp_path / "bad.jsonl.gz"
    with gzip.open(source, "wb") as out:
        out.write(b"{bad\n" * 300_000)
    tracemalloc.start()
    report = update_index(tmp_path / "ix", [source], procs=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert report.skipped_count == 300_000 and len(report.skipped) == 100
    assert peak < 30 << 20, f"{peak / 1e6:.0f} MB"
    assert "skipped 300000" in report.summary()


@pytest.mark.slow
def test_the_command_shows_the_first_skipped_lines_then_counts(tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text("{bad\n" * 500)
    result = cli("index", "--index", str(tmp_path / "ix"), str(source))
    assert result.returncode == 1
    assert result.stderr.count("skipped: ") == 101  # 100 lines, then "more inputs"
    assert "500 input(s) skipped" in result.stderr


@pytest.mark.slow
def test_analyze_streams_a_large_input(tmp_path: Path) -> None:
    import resource

    text = "বাংলাদেশের রাজধানী ঢাকা। " * 400_000  # 10 million characters
    result = subprocess.run(
        [sys.executable, "-c", (
            "import resource, subprocess, sys;"
            "p = subprocess.run([sys.executable, '-m', 'bnsearch', 'analyze', '--json', '-'],"
            " input=sys.stdin.buffer.read(), capture_output=True);"
            "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
            "print(p.returncode, len(p.stdout), peak)"
        )],
        input=text.encode(), capture_output=True, timeout=300,
    )  # fmt: skip
    status, size, peak_kb = map(int, result.stdout.split())
    assert status == 0 and size > 50_000_000
    assert peak_kb < 400_000, f"{peak_kb / 1000:.0f} MB for {len(text.encode()) / 1e6:.0f} MB"
    assert resource is not None


def test_analyze_offsets_run_on_across_pieces() -> None:
    from bnsearch.faces.cli import _pieces

    text = ("কাতারের রাজধানী দোহা। " * 5000) + "শেষ"
    pieces = list(_pieces(io.StringIO(text), size=1000))
    assert "".join(pieces) == text and len(pieces) > 50
    assert all(piece[-1].isspace() for piece in pieces[:-1])
    result = cli("analyze", "--json", "-", input=text)
    tokens = json.loads(result.stdout)
    assert all(text[t["start"] : t["end"]] == t["text"] for t in tokens)
    assert tokens[-1]["text"] == "শেষ"


@pytest.mark.slow
def test_an_article_of_fifty_thousand_headings_is_capped(tmp_path: Path) -> None:
    from bnsearch.ingest.sections import MAX_SECTIONS

    body = "শুরু।\n" + "".join(f"== অংশ {k} ==\nলেখা {k}।\n" for k in range(50_000))
    (tmp_path / "many.txt").write_text("# অনেক\n\n" + body, encoding="utf-8")
    result = cli("index", "--index", str(tmp_path / "ix"), str(tmp_path / "many.txt"))
    assert result.returncode == 0 and "50,001 sections" in result.stderr
    with Index.open(tmp_path / "ix") as index:
        sections = index.sections("many")
        assert len(sections) == MAX_SECTIONS
        assert "লেখা 49999" in sections[-1].text  # nothing is lost
        hit = index.search("লেখা", sections=True).hits[0]
        assert len(hit.sections) == 20 and hit.more_sections
        assert hit.to_dict()["more_sections"] is True


# --- 15. Ctrl-C while the command starts ------------------------------------------------


@pytest.mark.slow
def test_ctrl_c_while_the_command_starts_is_one_line(built: Path) -> None:
    import signal

    # From 0.15 s: the interpreter itself has started (its own start-up is not
    # bnsearch's to guard). On a busy machine it starts later: the signals
    # come later by as much as a bare interpreter's run now exceeds 0.1 s.
    bare = []
    for _ in range(3):
        started = time.monotonic()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.monotonic() - started)
    later = max(0.0, max(bare) - 0.1)
    for delay in (0.15 + later, 0.25 + later, 0.35 + later, 0.5 + later):
        child = subprocess.Popen(
            [sys.executable, "-m", "bnsearch", "search", "কাতার", "--index", str(built)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(delay)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=60)
        assert "Traceback" not in err and "KeyboardInterrupt" not in err, (delay, err)
        # 0: done before the signal came; -2: it came while Python was exiting
        # (which then restores the default action, as any Python program has it).
        assert child.returncode in (0, 130, -signal.SIGINT), (delay, child.returncode, err)


# --- 18. the metadata changes with the index, or the user is told ------------------------


def _full(path, text):
    raise OSError(28, "No space left on device")


def _refused(temporary, path):
    temporary.unlink()
    raise OSError(5, "Input/output error")


@pytest.mark.parametrize(
    ("where", "failure", "said", "added"),
    [
        ("_prepare", _full, "it is unchanged", 0),  # before the commit: nothing changes
        ("_install", _refused, "was written, but its metadata could not", 1),  # after it
    ],
)
def test_metadata_that_cannot_be_written_is_said(
    built: Path, monkeypatch, where: str, failure, said: str, added: int
) -> None:
    from bnsearch import storage
    from bnsearch.errors import IndexWriteError

    monkeypatch.setattr(storage, where, failure)
    with pytest.raises(IndexWriteError, match=said):
        Index.open(built).add(Article("new", "নতুন", "নতুন লেখা।"))
    monkeypatch.undo()
    with Index.open(built) as index:
        assert index.count("নতুন") == added and index.check() == []
    assert not [p.name for p in generation(built).iterdir() if p.name.startswith(".")]


def test_a_rebuild_that_cannot_publish_keeps_the_old_index(built: Path, monkeypatch) -> None:
    from bnsearch import storage
    from bnsearch.errors import IndexWriteError

    real = storage._install

    def refuse_current(temporary, path):
        if path.name == "CURRENT":
            temporary.unlink()
            raise OSError(5, "Input/output error")
        real(temporary, path)

    monkeypatch.setattr(storage, "_install", refuse_current)
    with pytest.raises(IndexWriteError, match="could not publish"):
        update_index(built, [SEED_DIR], rebuild=True, procs=1)
    assert sorted(p.name for p in built.iterdir() if p.name.startswith("g")) == ["g000001"]
    assert (built / "CURRENT").read_text().strip() == "g000001"


# --- 20. an emptied source directory is not taken for deleted articles -------------------


@pytest.mark.slow
def test_an_empty_source_directory_prunes_nothing_unless_asked(tmp_path: Path) -> None:
    source = tmp_path / "mount"
    source.mkdir()
    for path in SEED_DIR.glob("*.txt"):
        shutil.copy(path, source)
    index = tmp_path / "ix"
    assert cli("index", "--index", str(index), str(source)).returncode == 0
    for path in source.iterdir():
        path.unlink()
    message = one_line_error(cli("index", "--index", str(index), str(source)))
    assert "is empty, but the index holds 4 article(s)" in message and "--prune-empty" in message
    with Index.open(index) as opened:
        assert opened.stats().articles == 4
    result = cli("index", "--index", str(index), "--prune-empty", str(source))
    assert result.returncode == 0 and "deleted 4" in result.stdout
