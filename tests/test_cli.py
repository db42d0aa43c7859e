"""The command line: help, version, analyze."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from bnsearch import __version__
from bnsearch.analysis import ANALYZER_VERSION
from bnsearch.faces.cli import main
from bnsearch.faces.render import render_text, use_colour
from bnsearch.model import Snippet


@pytest.fixture
def run():
    def invoke(*args: str, input: str | None = None):
        return CliRunner().invoke(main, list(args), input=input)

    return invoke


def test_help_lists_commands(run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    listed = result.output.split("Commands:")[1].split()
    for command in ("analyze", "check", "eval", "index", "search", "shell", "show", "stats"):
        assert command in listed


def test_version(run) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.output and ANALYZER_VERSION in result.output


def test_analyze_json(run) -> None:
    result = run("analyze", "--json", "কাতারের এবং Qatarকে")
    assert result.exit_code == 0
    tokens = json.loads(result.output)
    assert tokens == [
        {"text": "কাতারের", "start": 0, "end": 7, "term": "কাতার"},
        {"text": "এবং", "start": 8, "end": 11, "term": None},
        {"text": "Qatar", "start": 12, "end": 17, "term": "qatar"},
        {"text": "কে", "start": 17, "end": 19, "term": None},
    ]


def test_analyze_exact_field(run) -> None:
    result = run("analyze", "--json", "--field", "exact", "কাতারের এবং")
    assert [t["term"] for t in json.loads(result.output)] == ["কাতারের", "এবং"]


def test_analyze_reads_stdin(run) -> None:
    result = run("analyze", "--json", input="১৯৭৫ সালের\n")
    assert [t["term"] for t in json.loads(result.output)] == ["1975", "সাল"]
    assert json.loads(run("analyze", "--json", "-", input="দেশে").output)[0]["term"] == "দেশ"


def test_analyze_text_output_marks_stopwords(run) -> None:
    result = run("analyze", "কাতার এবং")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "কাতার" in lines[0] and "stopword" in lines[1]


def test_bad_field_is_a_usage_error(run) -> None:
    result = run("analyze", "--field", "fuzzy", "কাতার")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_console_script_and_module_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bnsearch", "analyze", "--json", "দোহায়"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout)[0]["term"] == "দোহা"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_follows_no_color_and_term(monkeypatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(_Terminal())
    monkeypatch.setenv("NO_COLOR", "")  # set but empty: colour stays (no-color.org)
    assert use_colour(_Terminal())
    monkeypatch.delenv("NO_COLOR")
    assert use_colour(_Terminal()) and not use_colour(io.StringIO())
    monkeypatch.setenv("TERM", "dumb")
    assert not use_colour(_Terminal())


def test_rendered_matches_are_styled_by_click() -> None:
    snippet = Snippet("কাতার দোহা", ((0, 5),))
    assert render_text(snippet, colour=False) == "**কাতার** দোহা"
    coloured = render_text(snippet, colour=True)
    assert click.unstyle(coloured) == "কাতার দোহা" and coloured != "কাতার দোহা"


def test_bidi_controls_in_documents_are_shown_as_symbols() -> None:
    """An override or isolate from a document would reorder what a terminal
    or a page draws after it: every face shows it as U+FFFD."""
    from bnsearch.faces.render import printable

    controls = "".join(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
    assert printable(f"নথি {controls}exe.live ফাইল") == "নথি " + "\ufffd" * 9 + "exe.live ফাইল"
    assert printable("যুক্ত\u200cঅক্ষর\u200d") == "যুক্ত\u200cঅক্ষর\u200d"  # joiners are text


def test_a_hit_without_a_title_is_shown_by_its_id(run, tmp_path) -> None:
    corpus = tmp_path / "passages.jsonl"
    passage = {"id": "p-7", "title": "", "text": "ঢাকা বাংলাদেশের রাজধানী।"}
    corpus.write_text(json.dumps(passage, ensure_ascii=False) + "\n", encoding="utf-8")
    assert run("index", "--index", str(tmp_path / "ix"), str(corpus)).exit_code == 0
    result = run("search", "--index", str(tmp_path / "ix"), "ঢাকা")
    assert result.exit_code == 0
    line = next(line for line in result.output.splitlines() if line.lstrip().startswith("1."))
    assert line.split() == ["1.", "p-7", line.split()[-1]]  # rank, the id once, the score
