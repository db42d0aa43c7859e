"""README.md: its Python example runs, and its commands are the Makefile's."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_python_example_runs(seed_index: Path, tmp_path: Path) -> None:
    [example] = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
    assert len(example.strip().splitlines()) <= 6
    os.symlink(seed_index, tmp_path / "index")  # the example opens "index"
    result = subprocess.run(
        [sys.executable, "-c", example], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("1 ") and "কাতার" in result.stdout


def test_readme_opens_with_make_demo_and_make_test() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.DOTALL).group(1)
    assert [line.split()[:2] for line in first_block.splitlines()] == [
        ["make", "demo"],
        ["make", "test"],
    ]
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in ci and "make demo" in ci
