"""Retrieval metrics and the eval command."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from bnsearch.evaluation import mrr, ndcg, recall

RELEVANT = {"a": 2, "b": 1}


def test_mrr() -> None:
    assert mrr(["a", "x"], RELEVANT) == 1.0
    assert mrr(["x", "y", "b"], RELEVANT) == pytest.approx(1 / 3)
    assert mrr(["x"] * 10 + ["a"], RELEVANT) == 0.0  # beyond rank 10


def test_ndcg_is_graded() -> None:
    assert ndcg(["a", "b"], RELEVANT) == pytest.approx(1.0)
    swapped = (1 / math.log2(2) + 3 / math.log2(3)) / (3 / math.log2(2) + 1 / math.log2(3))
    assert ndcg(["b", "a"], RELEVANT) == pytest.approx(swapped)
    assert ndcg(["x"], RELEVANT) == 0.0


def test_recall() -> None:
    assert recall(["a"], RELEVANT) == 0.5
    assert recall(["x"] * 100 + ["a", "b"], RELEVANT) == 0.0


def test_eval_command(seed_index: Path, tmp_path: Path) -> None:
    (tmp_path / "q.tsv").write_text("q1\tকাতারের আমির\nq2\tআর্জেন্টিনা বাণিজ্য\n", encoding="utf-8")
    (tmp_path / "r.tsv").write_text(
        "q1\t0\t000_d77cc1112f49de51\t2\nq1\t0\t002_11aff6c9bfaa5fee\t1\n"
        "q2\t0\t003_2868b3d8c8007add\t2\n",
        encoding="utf-8",
    )
    (tmp_path / "s.tsv").write_text("q2\t003_2868b3d8c8007add\tবাণিজ্য এবং দ্বিপাক্ষিক সম্পর্ক\n")
    args = ["--index", str(seed_index), "--queries", str(tmp_path / "q.tsv"),
            "--qrels", str(tmp_path / "r.tsv"), "--sections", str(tmp_path / "s.tsv")]  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "bnsearch", "eval", *args, "--json"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["queries"] == 2 and data["mrr@10"] == 1.0 and data["recall@100"] == 1.0
    assert data["section_accuracy@1"] == 1.0
    text = subprocess.run(
        [sys.executable, "-m", "bnsearch", "eval", *args], capture_output=True, text=True
    ).stdout
    assert text.startswith("2 queries  MRR@10 1.000") and "q2" in text


def test_eval_reports_bad_files(seed_index: Path, tmp_path: Path) -> None:
    (tmp_path / "q.tsv").write_text("no tab here\n", encoding="utf-8")
    (tmp_path / "r.tsv").write_text("", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bnsearch", "eval", "--index", str(seed_index),
         "--queries", str(tmp_path / "q.tsv"), "--qrels", str(tmp_path / "r.tsv")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 2 and "q.tsv:1: expected 2" in result.stderr
