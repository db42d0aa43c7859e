"""Shared fixtures: the repository's seed corpus, the shared data, reporting."""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]
SEED_DIR = REPO / "corpus"
DATA = Path(__file__).resolve().parent / "data"
# ../shared beside the repository (CI and development machines), or elsewhere.
SHARED = Path(os.environ.get("BNSEARCH_SHARED", REPO.parent / "shared"))
SHARED_CORPUS = SHARED / "corpus" / "bnwiki-2018.jsonl.gz"

settings.register_profile(
    "default", deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow]
)

# Figures that tests compute and the terminal summary prints.
REPORT: dict[str, str] = {}


def failures_in_threads(check: Callable[[], list[str]], threads: int = 4) -> list[str]:
    """Run ``check`` in several threads at once; what it reported as wrong."""
    failures: list[str] = []
    workers = [threading.Thread(target=lambda: failures.extend(check())) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return failures


def read_table(name: str) -> list[list[str]]:
    """Rows of a tab-separated table in tests/data, without comments."""
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SEED_DIR.glob("*.txt"))}


def iter_shared_articles() -> Iterator[dict]:
    with gzip.open(SHARED_CORPUS, "rt", encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


@pytest.fixture(scope="session")
def shared_articles() -> list[dict]:
    if not SHARED_CORPUS.exists():
        pytest.skip(f"shared corpus not found at {SHARED_CORPUS} (set BNSEARCH_SHARED)")
    return list(iter_shared_articles())


# Tests that need the shared corpus are part of the full run only.
_SHARED_FIXTURES = {"shared_index", "shared_articles"}


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if _SHARED_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def pytest_terminal_summary(terminalreporter) -> None:
    if REPORT:
        terminalreporter.section("bnsearch figures")
        for key, value in REPORT.items():
            terminalreporter.write_line(f"{key}: {value}")


settings.register_profile(
    "thorough", deadline=None, max_examples=5000, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def away_from_the_users_files(tmp_path_factory, monkeypatch) -> None:
    """Every test runs in an empty directory with a home of its own and none
    of bnsearch's variables: no test reads the index/ a user built in the
    repository, their history or their settings."""
    place = tmp_path_factory.mktemp("cwd")
    monkeypatch.chdir(place)
    monkeypatch.setenv("HOME", str(place))
    for name in ("BNSEARCH_INDEX", "BNSEARCH_HISTORY", "NO_COLOR", "XDG_STATE_HOME"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> Path:
    """An index of the four seed articles (built once per test session)."""
    from bnsearch import Index

    path = tmp_path_factory.mktemp("seed") / "index"
    Index.build(path, [SEED_DIR])
    return path


@pytest.fixture(scope="session")
def shared_index(shared_articles) -> Path:
    """An index of the shared corpus, kept in .pytest_cache between runs
    (an incremental update of an unchanged corpus rewrites nothing)."""
    from bnsearch import Index
    from bnsearch.analysis import ANALYZER_VERSION
    from bnsearch.engine.schema import SCHEMA_VERSION

    path = REPO / ".pytest_cache" / f"shared-index-s{SCHEMA_VERSION}-{ANALYZER_VERSION}"
    path.parent.mkdir(parents=True, exist_ok=True)
    # One builder at a time: pytest-xdist's workers each ask for it.
    with open(path.parent / "shared-index.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for old in path.parent.glob("shared-index-*"):  # built by other versions
            if old != path and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
        Index.build(path, [SHARED_CORPUS])
    return path


@contextlib.contextmanager
def serving(index: Path, *args: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """``bnsearch serve`` on a free port of 127.0.0.1, answering; yields the
    process and its base URL (the process is killed afterwards)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "bnsearch", "serve", "--index", str(index), "--port", "0", *args],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = child.stderr.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        assert match, line
        url = match.group(1)
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "api/v1/stats", timeout=5).close()
                break
            except OSError:
                time.sleep(0.1)
        yield child, url
    finally:
        child.kill()
        child.wait()
