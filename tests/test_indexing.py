"""Building and updating an index: incremental runs, bad input, versions,
locking and crash safety."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DATA, SEED_DIR
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.qparser import QueryParser

from bnsearch.api import Index
from bnsearch.engine.codec import COMPRESS_FROM, ArrayBlockCodec
from bnsearch.engine.indexing import update_index
from bnsearch.errors import (
    IndexExistsError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
)
from bnsearch.model import Article
from bnsearch.storage import IndexDirectory


def cli(*args: str, cwd: Path | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bnsearch", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        **kwargs,
    )


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    directory = tmp_path / "corpus"
    shutil.copytree(SEED_DIR, directory, ignore=shutil.ignore_patterns("*.md"))
    return directory


def article_ids(path: Path) -> list[str]:
    with Index.open(path) as index:
        ix = index._ix
        with ix.searcher() as searcher:
            return sorted({doc["article_id"] for doc in searcher.all_stored_fields()})


def body_hits(path: Path, word: str) -> int:
    """How many articles have ``word`` (in any form) in a section body."""
    with Index.open(path) as index:
        ix = index._ix
        with ix.searcher() as searcher:
            query = QueryParser("body", ix.schema).parse(word)
            return len({hit["article_id"] for hit in searcher.search(query, limit=None)})


# --- building and incremental updates -------------------------------------------


def test_build_from_seeds(tmp_path: Path, corpus: Path) -> None:
    report = Index.build(tmp_path / "ix", [corpus])
    assert (report.added, report.updated, report.deleted, report.unchanged) == (4, 0, 0, 0)
    assert not report.skipped and report.sections == 21
    with Index.open(tmp_path / "ix") as index:
        stats = index.stats()
    assert (stats.articles, stats.sections) == (4, 21)
    assert stats.terms["body"] > 300 and stats.size_bytes > 0
    assert stats.sources == [str(corpus.resolve())]


def test_unchanged_corpus_reindexes_nothing(tmp_path: Path, corpus: Path) -> None:
    Index.build(tmp_path / "ix", [corpus])
    report = Index.build(tmp_path / "ix", [corpus])
    assert (report.added, report.updated, report.deleted, report.unchanged) == (0, 0, 0, 4)
    assert report.sections == 0


def test_touching_one_article_reindexes_only_it(tmp_path: Path, corpus: Path) -> None:
    Index.build(tmp_path / "ix", [corpus])
    target = corpus / "002_11aff6c9bfaa5fee.txt"
    target.write_text(target.read_text(encoding="utf-8") + " জলপাইগুড়ি", encoding="utf-8")
    os.utime(corpus / "000_d77cc1112f49de51.txt")  # a new mtime alone changes nothing
    report = Index.build(tmp_path / "ix", [corpus])
    assert (report.added, report.updated, report.deleted, report.unchanged) == (0, 1, 0, 3)
    assert report.sections == 7  # the touched article's sections only
    assert body_hits(tmp_path / "ix", "জলপাইগুড়ি") == 1
    assert len(article_ids(tmp_path / "ix")) == 4


def test_deleting_a_file_removes_its_sections(tmp_path: Path, corpus: Path) -> None:
    Index.build(tmp_path / "ix", [corpus])
    (corpus / "003_2868b3d8c8007add.txt").unlink()
    report = Index.build(tmp_path / "ix", [corpus], prune=False)
    assert report.deleted == 0 and len(article_ids(tmp_path / "ix")) == 4
    report = Index.build(tmp_path / "ix", [corpus])  # pruning: on for directories
    assert report.deleted == 1
    assert "003_2868b3d8c8007add" not in article_ids(tmp_path / "ix")
    assert body_hits(tmp_path / "ix", "আর্জেন্টিনা") == 0


def test_pruning_stays_within_the_given_sources(tmp_path: Path, corpus: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.txt").write_text("# দোহা\n\nদোহা কাতারের রাজধানী।", encoding="utf-8")
    Index.build(tmp_path / "ix", [corpus, other])
    report = Index.build(tmp_path / "ix", [other])
    assert report.deleted == 0 and len(article_ids(tmp_path / "ix")) == 5


def test_rebuild_starts_from_scratch(tmp_path: Path, corpus: Path) -> None:
    Index.build(tmp_path / "ix", [corpus])
    report = Index.build(tmp_path / "ix", [corpus], rebuild=True)
    assert (report.added, report.unchanged) == (4, 0)
    generations = [p.name for p in (tmp_path / "ix").iterdir() if p.name.startswith("g")]
    assert generations == ["g000002"]  # the old generation is gone


def test_api_create_add_and_replace(tmp_path: Path) -> None:
    with Index.create(tmp_path / "ix") as index:
        index.add(Article("q", "কাতার", "কাতার একটি দেশ। == ইতিহাস == পুরনো দেশ।"))
        report = index.add_many(
            [Article("q", "কাতার", "কাতার একটি ছোট দেশ।"), Article("d", "দোহা", "দোহা।")]
        )
        assert (report.added, report.updated) == (1, 1)
        assert index.stats().articles == 2 and index.stats().sections == 2
    with pytest.raises(IndexExistsError):
        Index.create(tmp_path / "ix")


@pytest.mark.parametrize("build", ["update_index", "add_many"])
def test_positions_of_small_blocks_are_left_uncompressed(tmp_path: Path, build: str) -> None:
    articles = [Article(f"a{n}", f"নদী {n}", f"নদী পদ্মা। শব্দ{n} আছে।") for n in range(8)]
    if build == "add_many":
        with Index.create(tmp_path / "ix") as index:
            index.add_many(articles)
    else:
        folder = tmp_path / "corpus"
        folder.mkdir()
        for article in articles:
            (folder / f"{article.id}.txt").write_text(f"# {article.title}\n\n{article.text}")
        update_index(tmp_path / "ix", [folder])
    with Index.open(tmp_path / "ix") as index:
        reader = index._searcher().reader()
        assert all(isinstance(s.codec(), ArrayBlockCodec) for s in index._ix._segments())

        def compressed(term: str) -> bool:
            postings = reader.postings("body_exact", term)
            postings.id()  # reads the first block
            return postings._data[2][:1] == b"\x01"  # the positions' flag

        assert len(list(reader.postings("body_exact", "পদ্মা").all_ids())) >= COMPRESS_FROM
        assert compressed("পদ্মা")  # eight postings: compressed
        assert not compressed("শব্দ3")  # one posting: as it is
        assert len(index.search("শব্দ3")) == 1 and len(index.search("পদ্মা")) == 8


def test_open_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="bnsearch index"):
        Index.open(tmp_path / "nothing")


# --- bad input ---------------------------------------------------------------------


def test_bad_input_is_reported_skipped_and_counted(tmp_path: Path, corpus: Path) -> None:
    (corpus / "bad.txt").write_bytes(b"\xff\xfe\x00")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "lines.jsonl").write_text(
        '{"id": "j1", "title": "দোহা", "text": "দোহা কাতারের রাজধানী।"}\n{"id": oops}\n',
        encoding="utf-8",
    )
    shutil.copy(DATA / "bnwiki-sample.xml", corpus / "dump.xml")
    result = cli("index", "--index", str(tmp_path / "ix"), str(corpus))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("skipped: ")]
    assert len(lines) == 4
    assert any("bad.txt: binary file" in line for line in lines)
    assert any("empty.txt: empty file" in line for line in lines)
    assert any("lines.jsonl:line 2: malformed JSON" in line for line in lines)
    assert any("dump.xml:page 1005 'ভাঙা পাতা': page has no revision text" in line for line in lines)
    assert "added 7," in result.stdout and "skipped 4" in result.stdout
    # Nothing partial: every good article is whole and searchable.
    assert len(article_ids(tmp_path / "ix")) == 7


def test_exit_status_zero_when_everything_is_indexed(tmp_path: Path, corpus: Path) -> None:
    result = cli("index", "--index", str(tmp_path / "ix"), str(corpus))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("added 4, updated 0, deleted 0, unchanged 0, skipped 0")


def test_index_environment_variable(tmp_path: Path, corpus: Path) -> None:
    env = {**os.environ, "BNSEARCH_INDEX": str(tmp_path / "envix")}
    assert cli("index", str(corpus), env=env).returncode == 0
    stats = json.loads(cli("stats", "--json", env=env).stdout)
    assert stats["articles"] == 4 and stats["path"] == str(tmp_path / "envix")


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    result = cli("index", "--memory-mb", "0")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    result = cli("stats", "--index", str(tmp_path / "none"))
    assert result.returncode == 2
    assert result.stderr.strip().startswith("bnsearch: no index at")
    assert len(result.stderr.strip().splitlines()) == 1


# --- versions -------------------------------------------------------------------


@pytest.mark.slow
def test_an_index_of_another_version_is_refused(tmp_path: Path, corpus: Path) -> None:
    Index.build(tmp_path / "ix", [corpus])
    directory = IndexDirectory(tmp_path / "ix")
    generation = directory.current()
    meta = directory.read_meta(generation)
    directory.write_meta(generation, {**meta, "analyzer_version": "bn-analysis-0"})
    with pytest.raises(IndexVersionError, match=r"rebuild it with `bnsearch index --rebuild`"):
        Index.open(tmp_path / "ix")
    for args in (["stats"], ["index", str(corpus)]):
        result = cli(*args, "--index", str(tmp_path / "ix"))
        assert result.returncode == 2
        assert "--rebuild" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert cli("index", "--rebuild", "--index", str(tmp_path / "ix"), str(corpus)).returncode == 0
    assert Index.open(tmp_path / "ix").stats().analyzer_version != "bn-analysis-0"


# --- locking ----------------------------------------------------------------------


def test_a_second_writer_is_refused(tmp_path: Path, corpus: Path) -> None:
    Index.build(tmp_path / "ix", [corpus])
    with IndexDirectory(tmp_path / "ix").lock():
        result = cli("index", "--index", str(tmp_path / "ix"), str(corpus), timeout=60)
        with pytest.raises(IndexLockedError):
            Index.build(tmp_path / "ix", [corpus])
    assert result.returncode == 2
    assert "is being written by another process (pid" in result.stderr
    assert Index.build(tmp_path / "ix", [corpus]).unchanged == 4  # released


def test_a_stale_lock_is_cleared(tmp_path: Path, corpus: Path) -> None:
    Index.build(tmp_path / "ix", [corpus])
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    (tmp_path / "ix" / "write.lock").write_text(f"{dead}\n")
    result = cli("index", "--index", str(tmp_path / "ix"), str(corpus))
    assert result.returncode == 0
    assert f"cleared a stale lock left by process {dead}" in result.stderr


# --- crash safety ----------------------------------------------------------------


@pytest.fixture
def big_corpus(tmp_path: Path) -> Path:
    """Enough text that indexing takes seconds: the seeds, many times over."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEED_DIR.glob("*.txt"))]
    path = tmp_path / "big" / "many.jsonl"
    path.parent.mkdir()
    with path.open("w", encoding="utf-8") as out:
        for number in range(3000):
            text = texts[number % 4].split("\n", 2)[2]
            record = {"id": f"m{number}", "title": f"প্রবন্ধ {number}", "text": text}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path.parent


def start_and_kill(args: list[str], lock: Path, sig: int) -> subprocess.CompletedProcess:
    """Start an indexing run, wait until it holds the write lock and has been
    working for a moment, then send it ``sig``."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bnsearch", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if lock.exists() and lock.read_text().strip() == str(process.pid):
            break
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    time.sleep(1.5)
    assert process.poll() is None, "indexing finished before it could be interrupted"
    process.send_signal(sig)
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(args, process.returncode, stdout, stderr)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_interrupted_update_leaves_the_last_commit(tmp_path, corpus, big_corpus, sig) -> None:
    index = tmp_path / "ix"
    Index.build(index, [corpus])
    before = article_ids(index)
    result = start_and_kill(
        ["index", "--index", str(index), str(big_corpus)], index / "write.lock", sig
    )
    if sig == signal.SIGINT:
        assert result.returncode == 130 and "the index is unchanged" in result.stderr
        assert "Traceback" not in result.stderr
    else:
        assert result.returncode == -signal.SIGKILL
    assert article_ids(index) == before
    assert body_hits(index, "কাতারের") == 2
    # The lock died with the process; the next run works.
    assert Index.build(index, [corpus]).unchanged == 4


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text in (entry / "cmdline").read_text(errors="replace"):
                found.append(int(entry.name))
        except OSError:
            pass
    return found


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_interrupted_rebuild_keeps_the_old_index(tmp_path, corpus, big_corpus, sig) -> None:
    index = tmp_path / "ix"
    Index.build(index, [corpus])
    # Two writer processes: the workers must end with the parent.
    args = ["index", "--rebuild", "--procs", "2", "--index", str(index), str(big_corpus)]
    result = start_and_kill(args, index / "write.lock", sig)
    if sig == signal.SIGINT:
        assert result.returncode == 130 and "Traceback" not in result.stderr
    else:
        assert result.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while processes_mentioning(str(index)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not processes_mentioning(str(index)), "a writer process outlived the kill"
    assert article_ids(index) == sorted(p.stem for p in corpus.glob("*.txt"))
    assert body_hits(index, "মেক্সিকো") == 2
    report = Index.build(index, [corpus])  # cleans up the half-built generation
    assert report.unchanged == 4
    assert [p.name for p in index.iterdir() if p.name.startswith("g")] == ["g000001"]


# --- one write path ---------------------------------------------------------------


@pytest.mark.slow
def test_add_many_while_the_command_line_indexes(tmp_path: Path, corpus: Path) -> None:
    """Index.add_many and `bnsearch index` share one write path: run at the
    same time, one waits for the other, and nothing either wrote is lost."""
    index = tmp_path / "ix"
    Index.build(index, [corpus])
    other = tmp_path / "other"
    other.mkdir()
    lines = [json.dumps({"id": f"o{i}", "title": f"নদী{i}", "text": f"নদী{i} পদ্মা মেঘনা। " * 200},
                        ensure_ascii=False) for i in range(300)]  # fmt: skip
    (other / "o.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    api_articles = [Article(f"api{i}", f"পাহাড় {i}", f"পাহাড় পর্বত {i}।") for i in range(20)]
    with Index.open(index) as opened:
        writer = subprocess.Popen(
            [sys.executable, "-m", "bnsearch", "index", "--index", str(index), str(other)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            lock = index / "write.lock"
            deadline = time.monotonic() + 30  # until the command line holds the lock
            while not lock.read_text().strip() and time.monotonic() < deadline:
                time.sleep(0.01)
            report = opened.add_many(api_articles)
        finally:
            _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        assert report.added == 20
        stats = opened.stats()
        assert set(stats.sources) == {str(corpus.resolve()), str(other.resolve())}
        assert stats.articles == 4 + 300 + 20
        found = {h.id for h in opened.search("পাহাড়", limit=100)}
        found |= {h.id for h in opened.search("পদ্মা", limit=1000)}
        assert found >= {a.id for a in api_articles} | {f"o{i}" for i in range(300)}


@pytest.mark.slow
def test_two_writer_processes_each_write_a_segment(tmp_path: Path) -> None:
    """With --procs 2 the worker processes index the documents (one segment
    each), not the parent; and the index holds what one process writes."""
    texts = [
        p.read_text(encoding="utf-8").split("\n", 2)[2] for p in sorted(SEED_DIR.glob("*.txt"))
    ]
    source = tmp_path / "many.jsonl"
    lines = [
        json.dumps({"id": f"m{n}", "title": f"প্রবন্ধ {n}", "text": texts[n % 4]}, ensure_ascii=False)
        for n in range(400)
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    update_index(tmp_path / "two", [source], procs=2)
    update_index(tmp_path / "one", [source], procs=1)
    with Index.open(tmp_path / "two") as two, Index.open(tmp_path / "one") as one:
        segments = two._searcher().reader().leaf_readers()
        assert len(segments) == 2 and all(reader.doc_count() for reader, _ in segments)
        assert two.stats().articles == one.stats().articles == 400
        for query in ("মেক্সিকো", "প্রবন্ধ ৭", "নদী"):
            assert [h.id for h in two.search(query, limit=50)] == [
                h.id for h in one.search(query, limit=50)
            ]


@pytest.mark.slow
def test_a_cancelled_parallel_writer_never_blocks_the_exit(tmp_path: Path) -> None:
    """Ctrl-C inside a job queue's first put() can leave its feeder thread
    without the finalizer that stops it (seen: a Ctrl-C'd two-process
    rebuild that never exited). Recreate that state; cancelling must still
    let the process end."""
    script = f"""
from whoosh import index
from bnsearch.engine.parallel import ParallelWriter
from bnsearch.engine.schema import make_schema
ix = index.create_in({str(tmp_path)!r}, make_schema())
writer = ParallelWriter(ix, procs=2)
writer._jobs.put(("nothing", 0))  # starts the queue's feeder thread
writer._jobs._close.cancel()      # as if Ctrl-C came before put() registered it
writer.cancel()
print("cancelled")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)  # fmt: skip
    assert result.returncode == 0 and result.stdout.strip() == "cancelled", result.stderr


@pytest.mark.parametrize("block", [16, 1024])
def test_array_blocks_hold_what_whoosh_blocks_hold(tmp_path: Path, block: int) -> None:
    """The same documents written with Whoosh's own codec and with ours read
    back the same postings: document numbers, frequencies and positions, in
    lists of one block and of many (phrases need the positions)."""
    from whoosh import fields
    from whoosh import index as whoosh_index
    from whoosh.codec.whoosh3 import W3Codec

    from bnsearch.engine.codec import ArrayBlockCodec

    schema = fields.Schema(
        body=fields.TEXT(phrase=True), tags=fields.KEYWORD(), count=fields.TEXT(phrase=False)
    )
    rng = random.Random(5)
    words = [f"w{n}" for n in range(20)]
    # Common words (lists of many blocks) and words of one document (lists
    # of one posting, most terms of a real segment).
    documents = [
        {
            name: " ".join(rng.choices(words, k=rng.randint(0, 30)) + [f"only{n}"] * (n % 3))
            for name in schema.names()
        }
        for n in range(1000)
    ]
    readers = []
    for name, codec in (
        ("whoosh", W3Codec(blocklimit=block)),
        ("ours", ArrayBlockCodec(blocklimit=block)),
    ):
        folder = tmp_path / name
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), schema)
        writer = ix.writer(codec=codec)
        for document in documents:
            writer.add_document(**document)
        writer.commit()
        readers.append(ix.reader())
    theirs, ours = readers
    for field in schema.names():
        assert list(theirs.lexicon(field)) == list(ours.lexicon(field))
        for text in theirs.lexicon(field):
            expected, found = theirs.postings(field, text), ours.postings(field, text)
            assert _term_info(theirs, field, text) == _term_info(ours, field, text)
            kind = "positions" if field == "body" else "frequency"
            assert list(expected.items_as(kind)) == list(found.items_as(kind))
            expected.reset()
            found.reset()
            assert list(_ids_and_weights(expected)) == list(_ids_and_weights(found))
    assert max(theirs.doc_frequency("body", t) for t in theirs.lexicon("body")) > 3 * 16


def _term_info(reader, field: str, text: bytes) -> tuple:
    info = reader.term_info(field, text)
    blocks = []
    matcher = reader.postings(field, text)
    while matcher.is_active():  # each block's header: what skipping reads
        blocks.append(
            (
                matcher.block_min_id(),
                matcher.block_max_id(),
                matcher.block_max_weight(),
                matcher.block_min_length(),
                matcher.block_max_length(),
            )
        )
        matcher.skip_to(matcher.block_max_id() + 1)
    return (
        info.weight(),
        info.doc_frequency(),
        info.min_length(),
        info.max_length(),
        info.max_weight(),
        info.min_id(),
        info.max_id(),
        blocks,
    )


def _ids_and_weights(matcher):
    while matcher.is_active():
        yield matcher.id(), matcher.weight(), matcher.value()
        matcher.next()


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.tuples(st.sampled_from("abc"), st.binary(max_size=3)), max_size=8),
            st.booleans(),
        ),
        max_size=30,
    ),
    st.booleans(),
)
def test_the_field_sorted_pool_gives_whoosh_s_order(documents, spill: bool) -> None:
    """Postings added document by document, one by one or a field's at once
    as columns, come out as Whoosh's pool sorts them, from memory (as tuples
    and as each field's sorted lists) and from runs spilled to disk (merged
    term by term, and first into fewer runs when there are many)."""
    import tempfile

    from whoosh.filedb.filestore import FileStorage

    from bnsearch.engine import pool as pool_module
    from bnsearch.engine.pool import FieldColumns, FieldSortedPool, SortedPool

    items = sorted(
        {(field, term, docnum, 1.0, b"v" + term) for docnum, (doc, _) in enumerate(documents)
         for field, term in doc}, key=lambda item: item[2],
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        # Small run chunks (terms, postings) and few runs merged at once.
        for name, value in (("_RUN_TERMS", 2), ("_RUN_POSTINGS", 3), ("_MAX_OPEN_RUNS", 3)):
            patch.setattr(pool_module, name, value)
        pool = FieldSortedPool(FileStorage(folder), None, limitmb=1)
        if spill:
            pool.limit = 600  # bytes: a run every few postings
        for docnum, (_, as_columns) in enumerate(documents):
            mine = [item for item in items if item[2] == docnum]
            if not as_columns:
                for item in mine:
                    pool.add(item)
                continue
            for field in sorted({item[0] for item in mine}):
                rows = [item for item in mine if item[0] == field]
                terms = [term for _, term, _, _, _ in rows]
                values = [value for *_, value in rows]
                pool.add_field(
                    field, docnum, FieldColumns(terms, [1] * len(rows), [1.0] * len(rows), values)
                )
        found = pool.items()
        if not spill:
            assert isinstance(found, SortedPool)
            fields = list(found.fields())
            assert [f.fieldname for f in fields] == sorted({item[0] for item in items})
            for field in fields:
                assert field.terms == sorted(set(field.terms))
                for term, start, end in zip(
                    field.terms, field.bounds, field.bounds[1:], strict=False
                ):
                    assert field.docnums[start:end] == sorted(
                        item[2] for item in items if item[:2] == (field.fieldname, term)
                    )
            found = [item for field in fields for item in field]
        assert list(found) == sorted(items)
        assert pool.fieldnames == {item[0] for item in items}
        assert not spill or len(items) < 10 or os.listdir(folder) == []  # runs read and gone


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["কাতার", "দোহা", "এবং", "নদী", "নদীর", "2024", "abc"]), max_size=40))
def test_bnsearch_formats_index_as_whoosh_s_formats(words: list[str]) -> None:
    """The same words, counts, weights and positions as Whoosh's Frequency
    and Positions formats, through the real analyzers."""
    from whoosh.formats import Frequency, Positions

    from bnsearch.analysis import exact_analyzer, stem_analyzer
    from bnsearch.engine.formats import ArrayPositions, Counts

    text = " ".join(words)
    for ours, theirs, analyzer in (
        (Counts(), Frequency(), stem_analyzer()),
        (ArrayPositions(), Positions(), exact_analyzer()),
    ):
        found = sorted(ours.word_values(text, analyzer, mode="index"))
        expected = sorted(theirs.word_values(text, analyzer, mode="index"))
        assert [row[:3] for row in found] == [row[:3] for row in expected]
        for (_, _, _, value), (_, _, _, whoosh_value) in zip(found, expected, strict=True):
            assert ours.decode_frequency(value) == theirs.decode_frequency(whoosh_value)
            if isinstance(ours, ArrayPositions):
                assert ours.decode_positions(value) == theirs.decode_positions(whoosh_value)
    # The schema's fields, through Whoosh's own indexing call.
    from whoosh.fields import TEXT

    from bnsearch.engine.schema import make_schema

    schema = make_schema()
    for name in ("body", "body_exact", "title", "heading_exact"):
        field = schema[name]
        plain = TEXT(analyzer=field.analyzer, phrase=name.endswith("_exact"))
        found = sorted(field.index(text))
        expected = sorted(plain.index(text))
        assert [row[:3] for row in found] == [row[:3] for row in expected]
        for (_, _, _, value), (_, _, _, whoosh_value) in zip(found, expected, strict=True):
            assert field.format.decode_frequency(value) == plain.format.decode_frequency(
                whoosh_value
            )


def _assert_same_index(ours: Path, theirs: Path) -> None:
    """The same terms, postings (numbers, weights, values), field lengths,
    stored fields and columns in two indexes."""
    with Index.open(ours) as first, Index.open(theirs) as second:
        a, b = first._searcher().reader(), second._searcher().reader()
        assert a.doc_count_all() == b.doc_count_all() > 0
        for name in a.schema.names():
            if not a.schema[name].indexed:
                continue
            assert list(a.lexicon(name)) == list(b.lexicon(name)), name
            for text in a.lexicon(name):
                assert list(_ids_and_weights(a.postings(name, text))) == list(
                    _ids_and_weights(b.postings(name, text))
                ), (name, text)
            if a.schema[name].scorable:
                assert [a.doc_field_length(d, name) for d in range(a.doc_count_all())] == [
                    b.doc_field_length(d, name) for d in range(b.doc_count_all())
                ]
        for docnum in range(a.doc_count_all()):
            assert a.stored_fields(docnum) == b.stored_fields(docnum)
        for name in ("article_id", "ordinal", "heading", "source", "content_hash"):
            assert list(a.column_reader(name)) == list(b.column_reader(name)), name


def test_the_lean_writer_writes_what_whoosh_s_writer_writes(tmp_path: Path, monkeypatch) -> None:
    """The seed corpus indexed with the field-sorted pool and its
    add_document, and with Whoosh's own: the same terms, postings (numbers,
    weights, values), field lengths, stored fields and columns."""
    from bnsearch.engine import indexing

    update_index(tmp_path / "ours", [SEED_DIR], procs=1)
    monkeypatch.setattr(indexing, "use_field_sorted_pool", lambda writer: None)
    update_index(tmp_path / "whoosh", [SEED_DIR], procs=1)
    _assert_same_index(tmp_path / "ours", tmp_path / "whoosh")


def test_a_pool_that_spills_to_disk_writes_the_same_index(tmp_path: Path, monkeypatch) -> None:
    """With a pool of 50 kB, the postings go through sorted runs on disk and
    Whoosh's merge of them (the writer's tuple path), not the in-memory
    columns: the index is the same."""
    from bnsearch.engine import indexing, pool

    update_index(tmp_path / "memory", [SEED_DIR], procs=1)
    runs = []
    save = pool.FieldSortedPool.save

    def counted_save(self) -> None:
        runs.append(bool(self._fields))
        save(self)

    def small_pool(writer) -> None:
        pool.use_field_sorted_pool(writer)
        writer.pool.limit = 50_000  # bytes: a run every few sections

    monkeypatch.setattr(pool.FieldSortedPool, "save", counted_save)
    monkeypatch.setattr(indexing, "use_field_sorted_pool", small_pool)
    update_index(tmp_path / "runs", [SEED_DIR], procs=1)
    assert sum(runs) >= 5
    _assert_same_index(tmp_path / "runs", tmp_path / "memory")


@settings(max_examples=30, deadline=None)
@given(st.sets(st.binary(min_size=1, max_size=12), max_size=300), st.integers(1, 5))
def test_the_term_table_is_written_as_whoosh_writes_it(keys: set[bytes], batch: int) -> None:
    """Rows, hash tables and extras byte for byte as Whoosh's
    OrderedHashWriter writes them, with rows flushed every few terms."""
    import tempfile

    from whoosh.filedb.filestore import FileStorage
    from whoosh.filedb.filetables import OrderedHashWriter

    from bnsearch.engine import codec

    with tempfile.TemporaryDirectory() as folder:
        storage = FileStorage(folder)
        theirs = OrderedHashWriter(storage.create_file("theirs"))
        ours = codec._TermTableWriter(OrderedHashWriter(storage.create_file("ours")))
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(codec, "_PENDING_TERMS", batch)
            for key in sorted(keys):
                theirs.add(key, key[::-1] * 2)
                ours.add(key, key[::-1] * 2)
            theirs.close()
            ours.close()
        assert storage.open_file("ours").read() == storage.open_file("theirs").read()


def test_a_spilled_run_is_read_back_in_small_chunks(tmp_path: Path, monkeypatch) -> None:
    """A run's chunks hold at most _RUN_TERMS terms and, unless one term's
    list is longer, _RUN_POSTINGS postings: the merge holds little of each."""
    import pickle

    from whoosh.filedb.filestore import FileStorage

    from bnsearch.engine import pool as pool_module

    monkeypatch.setattr(pool_module, "_RUN_TERMS", 5)
    monkeypatch.setattr(pool_module, "_RUN_POSTINGS", 20)
    pool = pool_module.FieldSortedPool(FileStorage(str(tmp_path)), None, limitmb=1)
    sizes = [1, 3, 30, 2, 2, 9, 1, 1, 1, 1, 1, 1, 12]
    rows = [
        ("body", f"t{n:02d}".encode(), list(range(size)), [1.0] * size, [b""] * size)
        for n, size in enumerate(sizes)
    ]
    pool._write_groups(rows)
    chunks = []
    with open(tmp_path / pool.runs[0], "rb") as run:
        while True:
            try:
                chunks.append(pickle.load(run))
            except EOFError:
                break
    assert [row for _, batch in chunks for row in batch] == [row[1:] for row in rows]
    for _, batch in chunks:
        postings = [len(ids) for _, ids, _, _ in batch]
        assert len(batch) <= 5 and (sum(postings[:-1]) < 20)
    assert len(chunks) > len(rows) // 5
