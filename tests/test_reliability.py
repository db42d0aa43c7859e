"""Faults and hostile input: never lose an article, never hang, never a traceback.

Each test drives the installed command (``python -m bnsearch``) or the API as
a user would, with the hostile input generated here, small and fast. Tests
that need a file the process cannot read run the command without the
capabilities that let root read everything (``setpriv``), or as they are
when not root.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from conftest import SEED_DIR
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from bnsearch import Index
from bnsearch.engine.indexing import update_index
from bnsearch.errors import (
    BnsearchError,
    IndexDamagedError,
    InvalidArgumentError,
    QueryError,
    QueryTooBroadError,
    UnsafeIndexError,
)
from bnsearch.ingest import Corpus, ReadLimits
from bnsearch.model import Article, Skipped
from bnsearch.storage import IndexDirectory, Prepared

MAIN = [sys.executable, "-m", "bnsearch"]


def cli(*args: str | bytes, prefix: tuple[str, ...] = (), **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("timeout", 120)
    return subprocess.run(
        [*prefix, *MAIN, *args], capture_output=True, text=True, errors="replace", **kwargs
    )


def one_line_error(result: subprocess.CompletedProcess, status: int = 2) -> str:
    """The error a failed command printed: exactly one line, no traceback."""
    assert result.returncode == status, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def unprivileged() -> tuple[str, ...]:
    """A command prefix under which file permissions apply (root reads any
    file otherwise)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be tested")
    return (setpriv, "--bounding-set", "-dac_override,-dac_read_search")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    directory = tmp_path / "corpus"
    shutil.copytree(SEED_DIR, directory, ignore=shutil.ignore_patterns("*.md"))
    return directory


def count(path: Path) -> int:
    with Index.open(path) as index:
        return index.stats().articles


def findable(path: Path, articles: dict[str, str]) -> list[str]:
    """The ids of ``articles`` (id → a word of its title) that a search for
    that word does not find."""
    lost = []
    with Index.open(path) as index:
        for article_id, word in articles.items():
            results = index.search(f'title:"{word}"', limit=100, snippets=False, suggest=False)
            if article_id not in {hit.id for hit in results}:
                lost.append(article_id)
    return lost


def jsonl_articles(number: int, stem: str = "প্রবন্ধ") -> list[dict]:
    return [
        {"id": f"a{i}", "title": f"{stem}{i:03d}", "text": f"{stem}{i:03d} একটি লেখা। " * 40}
        for i in range(number)
    ]


def mediawiki(pages: list[dict]) -> bytes:
    body = "".join(
        f"<page><title>{p['title']}</title><ns>0</ns><id>{p['id'][1:]}</id>"
        f"<revision><id>9{p['id'][1:]}</id><text>{p['text']}</text></revision></page>"
        for p in pages
    )
    return (
        f'<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/">{body}</mediawiki>'.encode()
    )


# --- 1. sources that cannot be read keep their articles -------------------------


def test_an_unreadable_file_keeps_its_article(tmp_path: Path, corpus: Path) -> None:
    index = tmp_path / "ix"
    assert cli("index", "--index", str(index), str(corpus)).returncode == 0
    victim = sorted(corpus.glob("*.txt"))[0]
    victim.chmod(0)
    try:
        result = cli("index", "--index", str(index), str(corpus), prefix=unprivileged())
    finally:
        victim.chmod(0o644)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{victim.resolve()}: cannot open (Permission denied)" in result.stderr
    assert "deleted 0" in result.stdout and "kept 1 article" in result.stdout
    assert count(index) == 4
    assert not findable(index, {victim.stem: "কাতার–মেক্সিকো"})


def test_an_unlistable_directory_keeps_its_articles(tmp_path: Path, corpus: Path) -> None:
    index = tmp_path / "ix"
    sub = corpus / "more"
    sub.mkdir()
    for number in range(3):
        (sub / f"n{number}.txt").write_text(f"# নদী{number}\nনদী{number} একটি নদী।")
    assert cli("index", "--index", str(index), str(corpus)).returncode == 0
    sub.chmod(0)
    try:
        result = cli("index", "--index", str(index), str(corpus), prefix=unprivileged())
    finally:
        sub.chmod(0o755)
    assert result.returncode == 1, result.stdout  # never a silent exit 0
    assert f"{sub.resolve()}: cannot list directory (Permission denied)" in result.stderr
    assert "deleted 0" in result.stdout and "kept 3 article(s)" in result.stdout
    assert count(index) == 7
    assert not findable(index, {f"more/n{i}": f"নদী{i}" for i in range(3)})


@pytest.mark.parametrize("kind", ["jsonl.gz", "xml.bz2"])
def test_a_truncated_archive_keeps_the_articles_after_the_break(tmp_path: Path, kind) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "ix"
    corpus.mkdir()
    records = jsonl_articles(60)
    if kind == "jsonl.gz":
        data = gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode())
        records = [{**r, "id": r["id"]} for r in records]
    else:
        records = [{**r, "id": f"1{r['id'][1:]}"} for r in records]  # page ids are numbers
        data = bz2.compress(mediawiki([{**r, "id": "p" + r["id"]} for r in records]))
    archive = corpus / f"dump.{kind}"
    archive.write_bytes(data)
    assert cli("index", "--index", str(index), str(corpus)).returncode == 0
    assert count(index) == 60
    archive.write_bytes(data[: len(data) // 2])
    result = cli("index", "--index", str(index), str(corpus))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "rest of file skipped" in result.stderr
    assert "deleted 0" in result.stdout and "kept " in result.stdout
    assert count(index) == 60
    assert not findable(index, {r["id"]: r["title"] for r in records})


def test_pruning_still_deletes_what_a_whole_file_no_longer_holds(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "ix"
    corpus.mkdir()
    records = jsonl_articles(5)
    path = corpus / "a.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    update_index(index, [corpus])
    path.write_text("".join(json.dumps(r) + "\n" for r in records[:3]))
    report = update_index(index, [corpus])
    assert (report.deleted, report.kept, count(index)) == (2, 0, 3)


# --- 2, 3. the API writes into the index as it is now ----------------------------


def test_add_many_keeps_another_writers_sources(tmp_path: Path, corpus: Path) -> None:
    index, other = tmp_path / "ix", tmp_path / "other"
    other.mkdir()
    (other / "x.txt").write_text("# দোহা\nদোহা কাতারের রাজধানী।")
    update_index(index, [corpus])
    with Index.open(index) as opened:  # opened before the command line writes
        assert cli("index", "--index", str(index), str(other)).returncode == 0
        opened.add_many([Article("api-1", "মরুভূমি", "মরুভূমি বালির দেশ।")])
        sources = opened.stats().sources
        assert str(corpus.resolve()) in sources and str(other.resolve()) in sources
        assert opened.stats().articles == 6
        assert {h.id for h in opened.search("মরুভূমি দোহা")} >= {"api-1", "x"}


def test_add_after_a_rebuild_by_another_process(tmp_path: Path, corpus: Path) -> None:
    index = tmp_path / "ix"
    update_index(index, [corpus])
    with Index.open(index) as opened:
        assert cli("index", "--rebuild", "--index", str(index), str(corpus)).returncode == 0
        report = opened.add(Article("api-2", "মরুভূমি", "মরুভূমি বালির দেশ।"))
        assert report.added == 1
        assert [h.id for h in opened.search("মরুভূমি")] == ["api-2"]
    assert count(index) == 5


def test_add_many_reports_articles_it_cannot_index(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix") as index:
        report = index.add_many(
            [Article("ok", "ক", "কাতার"), Article("bad\nid", "খ", "দোহা"), Article("", "গ", "x")]
        )
        assert report.added == 1 and len(report.skipped) == 2
        with pytest.raises(InvalidArgumentError):
            index.add_many([{"id": "x", "title": "t", "text": "t"}])  # type: ignore[list-item]


# --- 4, 15. only regular files are read; links that lead nowhere are reported ----


def test_a_fifo_does_not_block_indexing(tmp_path: Path, corpus: Path) -> None:
    os.mkfifo(corpus / "pipe.txt")
    os.mkfifo(tmp_path / "given.jsonl")
    given = str(tmp_path / "given.jsonl")
    result = cli("index", "--index", str(tmp_path / "ix"), str(corpus), given, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.count("not a regular file (a FIFO)") == 2
    assert count(tmp_path / "ix") == 4


def test_symlink_loops_and_dangling_links_are_skipped(tmp_path: Path, corpus: Path) -> None:
    (corpus / "loop.txt").symlink_to(corpus / "loop.txt")
    (corpus / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (corpus / "cycle").symlink_to(corpus, target_is_directory=True)  # a directory loop
    (corpus / "real").mkdir()
    (corpus / "real" / "r.txt").write_text("# দোহা\nদোহা কাতারের রাজধানী।")
    result = cli("index", "--index", str(tmp_path / "ix"), str(corpus), timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "loop.txt: cannot read (Too many levels of symbolic links)" in result.stderr
    assert "dangling.txt: broken symbolic link" in result.stderr
    assert "cycle: directory already walked" in result.stderr
    assert count(tmp_path / "ix") == 5


# --- 5. a failed write leaves nothing behind --------------------------------------


def _files(index: Path) -> set[str]:
    return {p.relative_to(index).as_posix() for p in index.rglob("*")}


def _leftovers(index: Path) -> list[str]:
    """Files in the index that the live generation does not account for."""
    directory = IndexDirectory(index)
    live = directory.current()
    generations = [p for p in index.iterdir() if p.name.startswith("g")]
    found = [p.name for p in generations if p != live]
    toc = TOC.read(FileStorage(str(live)), "MAIN")
    segments = {s.segment_id() for s in toc.segments}
    for path in live.iterdir():
        name = path.name
        if name in (
            "bnsearch.json",
            "romanized.sqlite",
            "MAIN_WRITELOCK",
            f"_MAIN_{toc.generation}.toc",
        ):
            continue
        if not any(name.startswith(segment + ".") for segment in segments):
            found.append(name)
    return found


def _file_size_limit(limit: int):
    def apply() -> None:  # in the child: writes past ``limit`` bytes fail (EFBIG)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@contextlib.contextmanager
def small_disk(path: Path, size: str = "3m"):
    """A tmpfs of ``size`` at ``path`` (root only), for a real 'disk full'."""
    path.mkdir()
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                           capture_output=True)  # fmt: skip
    if mount.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def _big_corpus(directory: Path, articles: int = 400) -> Path:
    directory.mkdir(exist_ok=True)
    lines = [
        json.dumps({"id": f"b{i}", "title": f"শহর{i}", "text": f"শহর{i} নগর বন্দর {i}। " * 300},
                   ensure_ascii=False)
        for i in range(articles)
    ]  # fmt: skip
    (directory / "big.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


@pytest.mark.slow
@pytest.mark.parametrize("how", ["incremental", "rebuild-2-procs"])
def test_a_write_that_fails_leaves_the_index_as_it_was(tmp_path: Path, corpus: Path, how) -> None:
    index = tmp_path / "ix"
    assert cli("index", "--index", str(index), str(corpus)).returncode == 0
    before = _files(index)
    big = _big_corpus(tmp_path / "big")
    args = ["index", "--index", str(index), str(big)]
    if how != "incremental":
        args = ["index", "--rebuild", "--procs", "2", "--index", str(index), str(corpus), str(big)]
    result = cli(*args, preexec_fn=_file_size_limit(256 << 10))
    message = one_line_error(result)
    assert message.startswith("bnsearch:") and "File too large" in message
    assert _files(index) == before and not _leftovers(index)
    assert count(index) == 4
    # Nothing left to stand in the way of the next write.
    assert cli("index", "--index", str(index), str(big)).returncode == 0
    assert count(index) == 404 and not _leftovers(index)


@pytest.mark.slow
def test_a_full_disk_is_reported_and_cleaned_up(tmp_path: Path, corpus: Path) -> None:
    with small_disk(tmp_path / "disk") as disk:
        index = disk / "ix"
        assert cli("index", "--index", str(index), str(corpus)).returncode == 0
        big = _big_corpus(tmp_path / "big", articles=1600)
        message = one_line_error(cli("index", "--index", str(index), str(big)))
        assert "No space left on device" in message and "unchanged" in message
        assert not _leftovers(index) and count(index) == 4
        smaller = _big_corpus(tmp_path / "small", articles=20)
        assert cli("index", "--index", str(index), str(smaller)).returncode == 0
        assert count(index) == 24


def test_leftovers_of_a_killed_writer_are_cleared_by_the_next_write(
    tmp_path: Path, corpus: Path
) -> None:
    index = tmp_path / "ix"
    update_index(index, [corpus])
    live = IndexDirectory(index).current()
    (live / "MAIN.tmp").mkdir()
    (live / "MAIN.tmp" / "run1.run").write_bytes(b"x" * 1000)
    (live / "abcdefghij.ctmp").write_bytes(b"x")
    (live / "_MAIN_7.toc.1732960000.5").write_bytes(b"x")
    segment = next(live.glob("MAIN_*.pst")).name.split(".")[0]
    for path in list(live.glob(f"{segment}.*")):  # an orphan segment: a copy no TOC lists
        shutil.copy(path, live / path.name.replace(segment, "MAIN_orphanorphanorph"))
    assert len(_leftovers(index)) > 4
    with Index.open(index) as opened:
        opened.add(Article("new", "নতুন", "নতুন লেখা।"))
    assert not _leftovers(index) and count(index) == 5


# --- 6. query cost is bounded --------------------------------------------------------


def test_the_time_budget_ends_a_search(seed_index: Path) -> None:
    with Index.open(seed_index) as index:
        with pytest.raises(QueryTooBroadError, match="ran out of its time budget"):
            index.search("কাতার", timeout=1e-9)
        assert index.search("কাতার", timeout=30).hits  # the index is still fine
    message = one_line_error(cli("search", "--index", str(seed_index), "--timeout", "1e-9", "কাতার"))
    assert message.startswith("bnsearch: the search ran out of its time budget (1e-09 s)")


def test_query_size_bounds(seed_index: Path) -> None:
    with Index.open(seed_index) as index:
        for query, match in [
            ("ক*", "at least 2 letters"),
            (" ".join(["কাতার"] * 65), "65 words; at most 64"),
            ("(" * 17 + "কাতার", "more than 16 deep"),
            ("(" * 30000, "characters long"),
            ("title:" * 5000 + "কাতার", "characters long"),
            (" OR ".join(["দোহা"] * 5000), "characters long"),
        ]:
            with pytest.raises(QueryTooBroadError, match=match):
                index.search(query)
        with pytest.raises(QueryTooBroadError):
            index.search("কাতার", section="(" * 300 + "ইতিহাস")
        # Within the bounds, deep but legal queries work.
        assert index.search("(" * 16 + "কাতার" + ")" * 16).hits
        assert index.search("title:" * 500 + "কাতার").hits


def test_a_prefix_searches_its_most_frequent_words_and_says_so(tmp_path: Path) -> None:
    words = [f"কাল{chr(0x995 + i % 30)}{i}" for i in range(120)]
    with Index.create(tmp_path / "ix") as index:
        index.add_many(
            Article(f"d{i}", f"লেখা {i}", " ".join(words[: i + 1])) for i in range(len(words))
        )
        results = index.search("কাল*", limit=200)
        assert results.total == 120
        assert any("left out" in notice for notice in results.notices)
        # The words kept are the most frequent: the first ones, in every document.
        assert "d0" in {hit.id for hit in results}
        assert not index.search("কাতার*").notices
    out = cli("search", "--index", str(tmp_path / "ix"), "কাল*")
    assert out.returncode == 0 and "note: কাল* stands for more words" in out.stdout


# --- 7. size caps: a decompression bomb costs time, not memory -----------------------


def test_a_decompression_bomb_is_read_past_in_small_pieces(tmp_path: Path) -> None:
    path = tmp_path / "bomb.jsonl.gz"
    good = json.dumps({"id": "good", "title": "ক", "text": "কাতার"}).encode()
    with gzip.open(path, "wb", compresslevel=1) as out:
        out.write(good + b"\n")
        zeros = b"0" * (1 << 20)
        for _ in range(64):  # a 64 MB line
            out.write(zeros)
        out.write(b"\n" + good.replace(b"good", b"after") + b"\n")
    assert path.stat().st_size < 1 << 20
    tracemalloc.start()
    events = list(Corpus([path], ReadLimits(article_bytes=1 << 20, line_bytes=2 << 20)))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [e.id for e in events if isinstance(e, Article)] == ["good", "after"]
    [skipped] = [e for e in events if isinstance(e, Skipped)]
    assert skipped.location == "line 2" and "line larger than 2 MB" in skipped.reason
    assert peak < 12 << 20


def test_articles_over_the_size_limit_are_skipped(tmp_path: Path) -> None:
    big = "কাতার দোহা। " * 20000  # 0.3 MB of UTF-8
    (tmp_path / "big.txt").write_text(big)
    (tmp_path / "small.txt").write_text("দোহা")
    (tmp_path / "a.jsonl").write_text(json.dumps({"id": "j", "text": big}) + "\n")
    (tmp_path / "w.xml").write_bytes(mediawiki([{"id": "p7", "title": "বড়", "text": big}]))
    events = list(Corpus([tmp_path], ReadLimits(article_bytes=100_000)))
    assert [e.id for e in events if isinstance(e, Article)] == ["small"]
    reasons = [e.reason for e in events if isinstance(e, Skipped)]
    assert len(reasons) == 3 and all("larger than 0.095" in r for r in reasons)
    result = cli("index", "--index", str(tmp_path / "ix"), "--max-article-mb", "0.1",
                 str(tmp_path))  # fmt: skip
    assert result.returncode == 1 and "added 1," in result.stdout
    assert "--max-article-mb" in result.stderr


# --- 8. an empty index answers, with nothing --------------------------------------------


@pytest.mark.slow
def test_searching_an_empty_index(tmp_path: Path) -> None:
    with Index.create(tmp_path / "made") as index:
        results = index.search("কাতার")
        assert (results.total, results.hits) == (0, [])
        assert index.stats().articles == 0 and index.check() == []
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("index", "--index", str(tmp_path / "walked"), str(empty)).returncode == 0
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe")
    assert (
        cli("index", "--index", str(tmp_path / "skipped"), str(tmp_path / "bad.txt")).returncode
        == 1
    )
    for name in ("made", "walked", "skipped"):
        result = cli("search", "--index", str(tmp_path / name), "কাতার")
        assert result.returncode == 1 and "no articles match" in result.stdout, result.stderr
        assert "Traceback" not in result.stderr


# --- 9, 10, 12. hostile queries: one line, exit 2 ------------------------------------------


@pytest.mark.slow
def test_hostile_queries_on_the_command_line(seed_index: Path, tmp_path: Path) -> None:
    ix = ["--index", str(seed_index)]
    for query in ["(" * 250 + "x", "(" * 30000, "title:" * 5000 + "x", " ".join(["ক"] * 10000)]:
        assert one_line_error(cli("search", *ix, query)).startswith("bnsearch: ")
    assert one_line_error(cli("search", *ix, "--section", "(" * 300, "কাতার"))
    # Bytes that are not UTF-8 on the command line: an error, and nothing raw on stdout.
    for flags in ([], ["--json"]):
        raw = subprocess.run([*MAIN, "search", *ix, *flags, b"\xff*"], capture_output=True,
                             timeout=60)  # fmt: skip
        assert raw.returncode == 2 and b"Traceback" not in raw.stderr
        assert raw.stdout == b"" and b"\xff" not in raw.stderr
        assert b"not valid text" in raw.stderr
    queries = tmp_path / "q.tsv"
    queries.write_bytes(b"1\tok\n2\t\xff\n")
    assert "not valid UTF-8" in one_line_error(cli("search", *ix, "--queries", str(queries)))
    queries.write_text("1\tকাতার\nno tab here\n")
    assert "q.tsv:2: expected 2 tab-separated columns" in one_line_error(
        cli("search", *ix, "--queries", str(queries))
    )


def test_hostile_queries_through_the_api(seed_index: Path) -> None:
    with Index.open(seed_index) as index:
        with pytest.raises(QueryError, match="lone surrogate"):
            index.search("\ud800*")
        with pytest.raises(QueryError, match="lone surrogate"):
            index.search("কাতার", section="\udcff")
        for bad in [
            {"query": None},
            {"query": b"\xe0\xa6\x95"},
            {"limit": 1.5},
            {"limit": "3"},
            {"limit": True},
            {"limit": 0},
            {"page": -1},
            {"page": 10**9},
            {"section": 5},
            {"sections": "yes"},
            {"timeout": -1},
            {"timeout": float("nan")},
        ]:
            arguments = {"query": "কাতার", **bad}
            with pytest.raises(InvalidArgumentError):
                index.search(**arguments)
        assert issubclass(InvalidArgumentError, BnsearchError)
    closed = Index.open(seed_index)
    closed.close()
    with pytest.raises(InvalidArgumentError, match="closed"):
        closed.search("কাতার")


def test_the_shell_survives_hostile_lines(seed_index: Path, tmp_path: Path) -> None:
    lines = ["(" * 300 + "x", ":section " + "(" * 300, "ক*", "কাতার"]
    result = subprocess.run(
        [*MAIN, "shell", "--index", str(seed_index), "--history", str(tmp_path / "h")],
        input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0 and "Traceback" not in result.stderr + result.stdout
    assert "more than 16 deep" in result.stdout and "at least 2 letters" in result.stdout


# --- 11, 17. hostile documents ------------------------------------------------------------


def test_hostile_jsonl_lines_are_skipped_one_by_one(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = [
        json.dumps({"id": "before", "text": "কাতার"}),
        '{"id": "deep", "text": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"id": "sur\\ud800", "text": "দোহা"}',
        json.dumps({"id": "new\nline", "text": "দোহা"}),
        json.dumps({"id": "after", "text": "দোহা"}),
    ]
    (corpus / "h.jsonl").write_text("\n".join(lines) + "\n")
    result = cli("index", "--index", str(tmp_path / "ix"), str(corpus))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "line 2: JSON nested too deeply" in result.stderr
    assert "line 3: invalid Unicode in the id" in result.stderr
    assert "line 4: the id contains a control character" in result.stderr
    assert "added 2," in result.stdout
    with Index.open(tmp_path / "ix") as index:
        assert {h.id for h in index.search("কাতার দোহা")} == {"before", "after"}


def test_a_file_name_that_is_not_utf8_is_skipped(tmp_path: Path, corpus: Path) -> None:
    with open(os.fsencode(corpus) + b"/bad\xff.txt", "w", encoding="utf-8") as out:
        out.write("# নাম\nনাম লেখা।")
    index = tmp_path / "ix"
    result = cli("index", "--index", str(index), str(corpus))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "bad\\xff.txt: the file name is not valid UTF-8" in result.stderr
    assert count(index) == 4 and not _leftovers(index)


# --- 13. a damaged index is reported, and `bnsearch check` finds what reads cannot -------


def _segment_file(index: Path, suffix: str) -> Path:
    return next(IndexDirectory(index).current().glob(f"MAIN_*{suffix}"))


def _live(index: Path, name: str) -> Path:
    return next(IndexDirectory(index).current().glob(name))


DAMAGE = {
    "truncated .pst": lambda ix: _truncate(_segment_file(ix, ".pst"), 0.5),
    "truncated .trm": lambda ix: _truncate(_segment_file(ix, ".trm"), 0.5),
    "truncated stored fields": lambda ix: _truncate(_segment_file(ix, "._stored.col"), 0.3),
    "truncated .toc": lambda ix: _truncate(_live(ix, "_MAIN_*.toc"), 0.5),
    "garbage bnsearch.json": lambda ix: _live(ix, "bnsearch.json").write_bytes(b"\x00{]"),
    "random bytes in CURRENT": lambda ix: (ix / "CURRENT").write_bytes(os.urandom(12)),
    "flipped .pst": lambda ix: _flip(_segment_file(ix, ".pst")),
}


def _truncate(path: Path, share: float) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * share)])


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for position in range(64, len(data), 97):
        data[position] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.slow
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_index_is_one_line_and_a_rebuild_mends_it(
    tmp_path: Path, corpus: Path, damage: str
) -> None:
    index = tmp_path / "ix"
    update_index(index, [corpus])
    DAMAGE[damage](index)
    outcomes = []
    for args in (["search", "কাতার দূতাবাস"], ["stats"], ["check"], ["search", "দো*"]):
        result = cli(*args, "--index", str(index))
        assert "Traceback" not in result.stderr, (damage, args, result.stderr)
        outcomes.append(result)
    damaged = [r for r in outcomes if r.returncode == 2]
    assert damaged, f"{damage} went unnoticed"
    for result in damaged:
        assert "is damaged" in result.stderr and "bnsearch index --rebuild" in result.stderr
    assert cli("index", "--rebuild", "--index", str(index), str(corpus)).returncode == 0
    assert count(index) == 4 and cli("check", "--index", str(index)).returncode == 0


@pytest.mark.slow
def test_check_finds_a_column_that_disagrees_with_the_stored_fields(
    tmp_path: Path, corpus: Path
) -> None:
    index = tmp_path / "ix"
    update_index(index, [corpus])
    result = cli("check", "--index", str(index))
    assert result.returncode == 0 and "is sound: 4 articles, 21 sections" in result.stdout
    column = _segment_file(index, ".article_id.col")
    data = column.read_bytes()
    # Swap two ids in the column's string table: the same length, wrong answers.
    first, second = b"000_d77cc1112f49de51", b"001_033b12f9f6b598bb"
    column.write_bytes(data.replace(first, b"\0").replace(second, first).replace(b"\0", second))
    result = cli("check", "--index", str(index))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "the article_id column says" in result.stderr
    column.unlink()
    result = cli("check", "--index", str(index))
    assert result.returncode == 2 and "Traceback" not in result.stderr


# --- 16. what documents hold never drives the terminal ----------------------------------


@pytest.mark.slow
def test_control_characters_from_documents_are_shown_not_sent(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    hostile = {
        "id": "esc",
        "title": "কাতার\x1b]0;pwned\x07 শিরোনাম",
        "text": "== ইতিহাস\x1b[2J ==\nকাতার \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ দূতাবাস\x07\x9b31m",
    }
    (corpus / "h.jsonl").write_text(json.dumps(hostile) + "\n")
    index = tmp_path / "ix"
    assert cli("index", "--index", str(index), str(corpus)).returncode == 0
    env = {**os.environ, "NO_COLOR": "1"}
    for args in ([], ["--sections"], ["--format", "html"]):
        result = cli("search", "--index", str(index), *args, "কাতার দূতাবাস", env=env)
        assert result.returncode == 0
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", result.stdout), args
        assert "␛]0;pwned␇" in result.stdout
    shell = subprocess.run(
        [*MAIN, "shell", "--index", str(index), "--history", str(tmp_path / "h")],
        input="কাতার\n:open 1\n", capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", shell.stdout)


# --- 18. Ctrl-C that comes after the commit has landed ------------------------------------


def test_ctrl_c_after_the_commit_lands_completes_the_run(
    tmp_path: Path, corpus: Path, monkeypatch
) -> None:
    index = tmp_path / "ix"
    update_index(index, [corpus])
    original = Prepared.install

    def publish_then_interrupt(self):
        os.kill(os.getpid(), signal.SIGINT)  # arrives while the new generation is published
        original(self)

    monkeypatch.setattr(Prepared, "install", publish_then_interrupt)
    report = update_index(index, [corpus], rebuild=True)
    assert report.interrupted_after_commit and report.added == 4
    assert count(index) == 4 and len([p for p in index.iterdir() if p.name.startswith("g")]) == 1


def test_ctrl_c_inside_the_commit_says_whether_it_landed(
    tmp_path: Path, corpus: Path, monkeypatch
) -> None:
    from whoosh.writing import SegmentWriter

    index = tmp_path / "ix"
    update_index(index, [corpus])
    original = SegmentWriter.commit
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "e.txt").write_text("# দোহা\nদোহা কাতারের রাজধানী।")

    def commit_then_interrupt(self, *args, **kwargs):
        original(self, *args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(SegmentWriter, "commit", commit_then_interrupt)
    report = update_index(index, [extra])
    assert report.interrupted_after_commit and count(index) == 5
    assert str(extra.resolve()) in Index.open(index).stats().sources

    def interrupt_before_commit(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(SegmentWriter, "commit", interrupt_before_commit)
    (extra / "f.txt").write_text("# নদী\nনদী।")
    with pytest.raises(KeyboardInterrupt):
        update_index(index, [extra])
    assert count(index) == 5 and not _leftovers(index)


# --- 19. index directories are trusted only when nobody else can write them --------------


def test_an_index_others_can_write_is_refused(tmp_path: Path, corpus: Path) -> None:
    index = tmp_path / "ix"
    update_index(index, [corpus])
    toc = next(IndexDirectory(index).current().glob("_MAIN_*.toc"))
    toc.chmod(0o666)
    with pytest.raises(UnsafeIndexError, match="anyone can write"):
        Index.open(index)
    message = one_line_error(cli("search", "--index", str(index), "কাতার"))
    assert "chmod -R o-w" in message
    toc.chmod(0o644)
    if os.geteuid() == 0:
        os.chown(toc, 65534, 65534)
        with pytest.raises(UnsafeIndexError, match="belongs to another user"):
            Index.open(index)
        os.chown(toc, 0, 0)
    assert Index.open(index).search("কাতার").hits


def test_errors_are_importable_and_damaged_is_a_bnsearch_error() -> None:
    assert issubclass(IndexDamagedError, BnsearchError)
    assert issubclass(QueryTooBroadError, QueryError)
