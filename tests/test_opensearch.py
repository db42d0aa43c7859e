"""The OpenSearch backend against real OpenSearch nodes (tools/opensearch-node):
export (idempotent, incremental, deletions, resumable), the terms OpenSearch
holds equal to bnsearch's own, search through the same API and command, and
faults on a three-node cluster with a replica per shard."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import SEED_DIR, SHARED
from opensearch_nodes import cluster, health

from bnsearch import Article, Index
from bnsearch.backends.opensearch import (
    GAP,
    OpenSearchIndex,
    OpenSearchUnavailableError,
    document_terms,
    export,
    whoosh_terms,
)
from bnsearch.errors import InvalidArgumentError
from bnsearch.ingest import searched_title

pytestmark = pytest.mark.slow  # real nodes: seconds to start


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    with cluster(tmp_path_factory.mktemp("opensearch")) as nodes:
        yield nodes[0]


@pytest.fixture
def native(tmp_path: Path) -> Path:
    path = tmp_path / "ix"
    Index.build(path, [SEED_DIR])
    with Index.open(path) as index:
        index.add_many(
            [
                Article("doha", "দোহা", "দোহা কাতারের রাজধানী।\n== বন্দর ==\nদোহা বন্দর পারস্য উপসাগরে।"),
                Article("river", "নদী", "নদী ও সাগর।\n== তথ্যসূত্র ==\nনদী বিষয়ক বই।"),
                # A name its lead gives (ওষুধ), searched with the title.
                Article("drug", "ঔষধ", "ঔষধ বা ওষুধ হল রোগ সারানোর দ্রব্য।\n== সেবন ==\nঔষধ খেতে হয়।"),
            ]
        )
    return path


def _url(node, name: str) -> str:
    return f"opensearch://127.0.0.1:{node.http}/{name}"


def _settled(node, count: int, timeout: float = 180.0) -> None:
    """Wait until the cluster has ``count`` nodes and every primary shard."""
    end = time.monotonic() + timeout
    while health(node.url, "yellow", timeout)["number_of_nodes"] != count:
        if time.monotonic() > end:
            raise TimeoutError(f"the cluster did not settle at {count} nodes")
        time.sleep(1)


def _count(node, name: str, kind: str) -> int:
    body = json.dumps({"query": {"term": {"kind": kind}}}).encode()
    request = urllib.request.Request(
        f"{node.url}/{name}/_count", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)["count"]


def test_export_is_idempotent_incremental_and_deletes(node, native: Path) -> None:
    url = _url(node, "incremental")
    with Index.open(native) as index:
        first = export(index, url)
        assert first.added == 7 and first.sections > 7
        again = export(index, url)
        assert (again.added, again.updated, again.deleted, again.sections) == (0, 0, 0, 0)
        assert again.unchanged == 7
        index.add(Article("doha", "দোহা", "দোহা কাতারের রাজধানী ও বৃহত্তম শহর।"))  # one section now
        assert index.delete("river")
        changed = export(index, url)
    assert (changed.updated, changed.deleted, changed.added) == (1, 1, 0)
    assert _count(node, "incremental", "article") == 6
    remote = OpenSearchIndex(url)
    assert remote.search("নদী সাগর").total == 0
    _, sections = remote.read("doha")
    assert [s.ordinal for s in sections] == [0]  # the old section 1 deleted
    assert "বৃহত্তম" in sections[0].text


def test_an_export_holds_one_choice_of_names(node, native: Path, tmp_path: Path) -> None:
    url = _url(node, "names")
    with Index.open(native) as index:
        export(index, url)
    Index.build(tmp_path / "plain", [SEED_DIR], lead_names=False)
    with Index.open(tmp_path / "plain") as plain:
        with pytest.raises(InvalidArgumentError, match="export to a new name"):
            export(plain, url)
    assert OpenSearchIndex(url).stats().lead_names


def test_opensearch_holds_bnsearchs_terms(node, native: Path) -> None:
    """Every field of every section: OpenSearch's term vectors equal the
    terms bnsearch's own Whoosh fields index (not this backend's export)."""
    url = _url(node, "terms")
    with Index.open(native) as index:
        export(index, url)
        remote = OpenSearchIndex(url)
        compared = 0
        for article_id in index.manifest():
            article, sections = index.read(article_id)
            title = searched_title(article.title, sections, index.lead_names)
            for section in sections:
                held = remote.terms(f"section:{article_id}:{section.ordinal}")
                held = {f: {t: n for t, n in ts.items() if t != GAP} for f, ts in held.items()}
                held = {f: ts for f, ts in held.items() if ts}
                expected = whoosh_terms(article, section, title)
                assert held == expected, (article_id, section.ordinal)
                compared += 1
    assert compared > 20


def test_bulk_files_hold_the_sections_articles_and_forms(native: Path, tmp_path: Path) -> None:
    """--ndjson: what a search needs, the table of forms too (close spellings
    and romanized readings read it)."""
    from bnsearch.backends.opensearch import export_ndjson

    with Index.open(native) as index:
        report = export_ndjson(index, tmp_path / "bulk", "demo")
    assert report.added == 7
    assert {p.name for p in (tmp_path / "bulk").iterdir()} >= {"index.json", "forms.json"}
    mapping = json.loads((tmp_path / "bulk" / "index.json").read_text())
    assert mapping["mappings"]["_meta"]["bnsearch_lead_names"] is True
    lines = "".join(p.read_text() for p in sorted((tmp_path / "bulk").glob("bulk-*.ndjson")))
    actions = [json.loads(line)["index"] for line in lines.splitlines()[::2]]
    kinds = {a["_index"] for a in actions}
    assert kinds == {"demo", "demo-forms"}
    forms = [json.loads(line) for line in lines.splitlines()[1::2] if '"key"' in line]
    assert any(f["term"] == "দোহা" and f["key"] for f in forms)


def test_phrases_keep_their_positions() -> None:
    terms = document_terms("body_exact", "কাতারের রাজধানী দোহা")
    assert terms.split(" ") == ["কাতারের", "রাজধানী", "দোহা"]
    assert GAP in document_terms("body", "কাতার ও দোহা").split(" ")  # a stopword's place


def test_search_through_the_same_api_and_command(node, native: Path) -> None:
    url = _url(node, "search")
    with Index.open(native) as index:
        export(index, url)
        queries = ("কাতারের দূতাবাস", "দোহা বন্দর", '"পারস্য উপসাগরে"', "দোহা -বন্দর", "katar", "ওষুধ")
        for query in queries:
            local = index.search(query)
            remote = Index.open(url).search(query)
            assert remote.total == local.total, query
            assert {h.id for h in remote.hits[:2]} == {h.id for h in local.hits[:2]}, query
    for query in ("ওষুধ", "ঔষধ"):  # the title, or the name its lead gives: the same page first
        hit = Index.open(url).search(query).hits[0]
        assert (hit.title, hit.section) == ("ঔষধ", "")
    hit = Index.open(url).search("দোহা বন্দর").hits[0]
    assert hit.section == "বন্দর" and hit.highlights and "দোহা" in hit.snippet
    command = [sys.executable, "-m", "bnsearch", "search", "--backend", url, "দোহা", "--json"]
    found = subprocess.run(command, capture_output=True, text=True)
    assert found.returncode == 0 and json.loads(found.stdout)["hits"][0]["id"] == "doha"


def test_a_page_that_never_names_the_questions_subject_falls_on_both(node, tmp_path: Path) -> None:
    """বাংলাদেশের রাজধানী কোথায়: the stub রাজধানী, which never names
    বাংলাদেশ, scores half on OpenSearch as natively (the genitive subject
    factor, from the words' matched queries)."""
    path = tmp_path / "ix"
    stub = "রাজধানী একটি দেশের কেন্দ্রীয় শহর। রাজধানী থেকে সরকার চলে। রাজধানী মানে প্রধান শহর।"
    outline = "এটি একটি রূপরেখা। " + " ".join(f"নদী {i}টি, জেলা {i}টি।" for i in range(30))
    outline += "\n== প্রশাসন ==\nবাংলাদেশের রাজধানী ঢাকা। " + "বিভাগ ও উপজেলা। " * 30
    with Index.create(path) as created:
        created.add_many(
            [Article("stub", "রাজধানী", stub), Article("bd", "বাংলাদেশের রূপরেখা", outline)]
            + [Article(f"o{i}", f"শহর {i}", f"রাজধানী শহর {i}। বাংলাদেশের নদী।") for i in range(4)]
        )
    url = _url(node, "subject")
    question = "বাংলাদেশের রাজধানী কোথায়"
    with Index.open(path) as index:
        export(index, url)
        local = [hit.id for hit in index.search(question).hits]
    remote = [hit.id for hit in Index.open(url).search(question).hits]
    assert local.index("bd") < local.index("stub")
    assert remote.index("bd") < remote.index("stub")


def test_an_unreachable_or_red_cluster_is_one_line_and_exit_2(node, native: Path) -> None:
    bnsearch = [sys.executable, "-m", "bnsearch"]
    gone = subprocess.run(
        [*bnsearch, "export", "--index", str(native), "--opensearch", "opensearch://127.0.0.1:9/x"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert gone.returncode == 2 and "cannot be reached" in gone.stderr
    assert len(gone.stderr.strip().splitlines()) == 1 and "Traceback" not in gone.stderr
    # A red index: its primary can be allocated to no node.
    body = json.dumps(
        {"settings": {"index.routing.allocation.require._name": "nowhere", "number_of_replicas": 0}}
    ).encode()
    request = urllib.request.Request(
        f"{node.url}/red?wait_for_active_shards=0", body, {"Content-Type": "application/json"},
        method="PUT",
    )  # fmt: skip
    urllib.request.urlopen(request).close()
    red = subprocess.run(
        [*bnsearch, "export", "--index", str(native), "--opensearch", _url(node, "red")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert red.returncode == 2 and "is red" in red.stderr and "Traceback" not in red.stderr
    with pytest.raises(OpenSearchUnavailableError):
        OpenSearchIndex("opensearch://127.0.0.1:9/x")


def test_serve_on_opensearch(node, native: Path) -> None:
    from conftest import serving

    url = _url(node, "served")
    with Index.open(native) as index:
        export(index, url)
    with serving(native, "--backend", url) as (_, base):
        page = urllib.request.urlopen(base + "?q=%E0%A6%A6%E0%A7%8B%E0%A6%B9%E0%A6%BE").read()
        assert b'data-id="doha"' in page and b"<mark>" in page
        with urllib.request.urlopen(base + "api/v1/search?q=doha") as answer:
            assert json.load(answer)["hits"][0]["id"] == "doha"
        article = urllib.request.urlopen(base + "article/doha?section=1").read().decode()
        assert 'id="s1" class="current"' in article and "বন্দর" in article
        with urllib.request.urlopen(base + "api/v1/suggest?q=%E0%A6%A6%E0%A7%8B") as answer:
            assert "দোহা" in json.load(answer)["completions"]
        with urllib.request.urlopen(base + "api/v1/stats") as answer:
            stats = json.load(answer)
            assert stats["articles"] == 7 and stats["lead_names"] is True


def test_the_whole_shared_corpus_has_bnsearchs_terms_in_opensearch(node, big: Path) -> None:
    """Every section of every article of the shared corpus: OpenSearch's
    term vectors equal what bnsearch's Whoosh fields index."""
    url = _url(node, "parity")
    compared = 0
    with Index.open(big) as index:
        export(index, url)
        remote = OpenSearchIndex(url)
        articles = list(index.manifest())
        for start in range(0, len(articles), 100):
            wanted = {}
            for article_id in articles[start : start + 100]:
                article, sections = index.read(article_id)
                title = searched_title(article.title, sections, index.lead_names)
                for section in sections:
                    key = f"section:{article_id}:{section.ordinal}"
                    wanted[key] = whoosh_terms(article, section, title)
            held = remote.terms_of(list(wanted))
            for key, expected in wanted.items():
                found = {
                    f: {t: n for t, n in ts.items() if t != GAP} for f, ts in held[key].items()
                }
                assert {f: ts for f, ts in found.items() if ts} == expected, key
                compared += 1
        assert compared > 14_000
        # Close spellings, joined words and romanized readings, found in the
        # export's table of forms (a fuzzy query for the close spellings):
        # the same notes as the native engine's for every shared question.
        queries = SHARED / "eval" / "questions" / "queries.tsv"
        noted = 0
        for line in queries.read_text(encoding="utf-8").splitlines():
            question = line.split("\t")[1]
            native = index.search(question, snippets=False).notices
            assert remote.search(question, snippets=False).notices == native, question
            noted += bool(native)
        assert noted >= 10
        # The genitive subject's article opens at its lead, which names the capital.
        # By a name its lead gives too: আবিসিনিয়া, ইথিওপিয়া's former name.
        for question in ("জাপানের রাজধানী কোথায়", "লাটভিয়ার রাজধানী কোথায় ?", "আবিসিনিয়ার রাজধানী কোথায়"):
            local = index.search(question, limit=1).hits[0]
            hit = remote.search(question, limit=1).hits[0]
            assert (hit.id, hit.section) == (local.id, local.section) == (local.id, ""), question
        # A country or language by its English name: the Bengali one is searched
        # too, and the articles about চীন, ফরাসি ভাষা come first on both.
        for question, name in (("চায়নার জনসংখ্যা কত ?", "চীন"), ("ফ্রেঞ্চ ভাষায় কত মানুষ কথা বলে ?", "ফরাসি")):
            local, there = index.search(question), remote.search(question)
            assert any("its Bengali name" in notice for notice in there.notices), question
            assert there.hits[0].id == local.hits[0].id, question
            assert name in there.hits[0].title, question


# --- faults, on three nodes with a replica per shard --------------------------------------


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    """The shared corpus (long enough for a node to die mid-export)."""
    corpus = SHARED / "corpus" / "bnwiki-2018.jsonl.gz"
    if not corpus.exists():
        pytest.skip("the shared corpus is not beside the repository")
    path = tmp_path_factory.mktemp("big") / "ix"
    Index.build(path, [corpus])
    return path


def test_faults_on_three_nodes(tmp_path: Path, big: Path) -> None:
    with cluster(tmp_path, nodes=3) as nodes, Index.open(big) as index:
        url = f"opensearch://127.0.0.1:{nodes[0].http}/faults"
        local = index.manifest()
        # A node killed during the bulk load: the export goes on (retries), or
        # fails and is run again; no acknowledged article is lost.
        killer = threading.Timer(4.0, nodes[2].kill)
        killer.start()
        try:
            export(index, url, shards=2, replicas=1)
        except OpenSearchUnavailableError:
            # Run again, as a user would, once the cluster has let the dead
            # node go: on a busy machine that takes longer than a request's
            # timeout, and a run straight after fails the same way.
            killer.join()
            _settled(nodes[0], 2)
            export(index, url, shards=2, replicas=1)
        killer.join()
        assert nodes[2].process.poll() is not None  # it died during the export
        assert health(nodes[0].url)["number_of_nodes"] == 2
        remote = OpenSearchIndex(url)
        assert _count(nodes[0], "faults", "article") == len(local)
        # Searches keep answering with a node down (replicas), and every
        # article is there.
        for article_id in list(local)[:: max(1, len(local) // 60)]:
            title = index.read(article_id)[0].title
            ids = [h.id for h in remote.search(title, limit=50).hits]
            assert article_id in ids or remote.read(article_id)[1], article_id
        # The exporter killed mid-way: run again, it completes.
        again = OpenSearchIndex(url)
        assert again.search("বাংলাদেশ").total > 100
        second = f"opensearch://127.0.0.1:{nodes[1].http}/resumed"
        command = [sys.executable, "-m", "bnsearch", "export", "--index", str(big),
                   "--opensearch", second, "--replicas", "1"]  # fmt: skip
        child = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        time.sleep(6)
        child.kill()
        child.wait()
        finished = subprocess.run(command, capture_output=True, text=True)
        assert finished.returncode == 0, finished.stderr
        assert _count(nodes[0], "resumed", "article") == len(local)
        assert _count(nodes[0], "resumed", "section") == _count(nodes[0], "faults", "section")
