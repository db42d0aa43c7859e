"""Real OpenSearch nodes for the tests: OpenSearch 2.19 from Maven Central,
started by tools/opensearch-node (built by `make opensearch-node`), one JVM
a node, on free loopback ports; a cluster of several for the fault tests."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LAUNCHER = REPO / "tools" / "opensearch-node"
BUILT = LAUNCHER / "target" / "lib" / ".complete"


@dataclass
class Node:
    name: str
    http: int
    transport: int
    home: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http}"

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_java() -> None:
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: the OpenSearch tests start real nodes (Java 17)")
    if not BUILT.exists():
        found = subprocess.run(["make", "-s", "opensearch-node"], cwd=REPO, capture_output=True)
        if found.returncode != 0 or not BUILT.exists():
            pytest.fail("could not build tools/opensearch-node: " + found.stderr.decode()[-500:])


def _start(node: Node, cluster: str, seeds: list[Node]) -> None:
    args = [str(node.home), cluster, node.name, str(node.http), str(node.transport)]
    if seeds:
        args += [",".join(str(n.transport) for n in seeds), ",".join(n.name for n in seeds)]
    classpath = f"{LAUNCHER / 'target' / 'classes'}{os.pathsep}{LAUNCHER / 'target' / 'lib' / '*'}"
    with open(node.home.parent / f"{node.name}.log", "w") as log:  # the child keeps it open
        node.process = subprocess.Popen(
            ["java", "-Xms256m", "-Xmx512m", "-XX:+UseSerialGC", "-cp", classpath,
             "bnsearch.opensearch.NodeLauncher", *args],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip


def health(url: str, wait_for: str | None = None, timeout: float = 120.0) -> dict:
    """The cluster's health, waiting (up to ``timeout``) for a status."""
    end = time.monotonic() + timeout
    query = f"?wait_for_status={wait_for}&timeout=5s" if wait_for else ""
    while True:
        try:
            with urllib.request.urlopen(url + "/_cluster/health" + query, timeout=10) as answer:
                found = json.load(answer)
            if wait_for is None or not found.get("timed_out"):
                return found
        except OSError:
            pass
        if time.monotonic() > end:
            raise TimeoutError(f"OpenSearch at {url} did not become {wait_for or 'reachable'}")
        time.sleep(0.5)


@contextlib.contextmanager
def cluster(folder: Path, nodes: int = 1) -> Iterator[list[Node]]:
    """``nodes`` OpenSearch nodes forming one cluster on loopback."""
    require_java()
    made = [Node(f"node{n}", _free_port(), _free_port(), folder / f"node{n}") for n in range(nodes)]
    name = f"bnsearch-{os.getpid()}-{int(time.time())}"
    try:
        for node in made:
            node.home.mkdir(parents=True)
            _start(node, name, made if nodes > 1 else [])
        health(made[0].url, "green")
        if nodes > 1:
            end = time.monotonic() + 120
            while health(made[0].url)["number_of_nodes"] < nodes:
                if time.monotonic() > end:
                    raise TimeoutError("the cluster did not form")
                time.sleep(0.5)
        yield made
    finally:
        for node in made:
            if node.process is not None and node.process.poll() is None:
                node.process.terminate()
        for node in made:
            if node.process is not None:
                try:
                    node.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    node.kill()
