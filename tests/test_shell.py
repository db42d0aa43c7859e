"""The search shell, driven as a person would: through a pseudo-terminal."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pexpect
import pytest

pytestmark = pytest.mark.slow  # a pseudo-terminal per test

# prompt_toolkit draws the prompt with cursor movements, not a literal space.
PROMPT = "bnsearch>"
# Around a command's output it switches bracketed paste off, then on again
# before the next prompt: those frame the output exactly.
OUTPUT_STARTS, OUTPUT_ENDS = "\x1b[?2004l", "\x1b[?2004h"


@pytest.fixture
def shell(seed_index: Path, tmp_path: Path):
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bnsearch", "shell", "--index", str(seed_index), "--history", str(tmp_path / "h")],
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 160),
    )
    child.expect("Ctrl-D to leave")
    child.expect(PROMPT)
    yield child
    if child.isalive():
        child.terminate(force=True)


def ask(child, line: str) -> str:
    child.sendline(line)
    child.expect_exact(OUTPUT_STARTS)
    child.expect_exact(OUTPUT_ENDS)
    output = child.before
    child.expect(PROMPT)
    return output


def test_search_open_more_section_limit_and_quit(shell, tmp_path: Path) -> None:
    out = ask(shell, "কাতারের দূতাবাস")
    assert "articles" in out and "1. " in out and "**" in out  # hits, marked matches
    out = ask(shell, ":open 1")
    assert out.count("==") >= 1 and "**" in out  # the whole section, matches marked
    assert "no more results" in ask(shell, ":more")
    out = ask(shell, ":section বাণিজ্য")
    # The heading the filter matched is marked, as the words are.
    assert "› **বাণিজ্য**" in out and "› ইতিহাস" not in out
    assert "2 hits per page" in ask(shell, ":limit 2")
    out = ask(shell, "মেক্সিকো")
    assert "page 1" in out and "3. " not in out
    assert "unknown command" in ask(shell, ":nonsense")
    assert ":open N" in ask(shell, ":help")
    shell.sendline(":quit")
    shell.expect(pexpect.EOF)
    shell.close()
    assert shell.exitstatus == 0
    assert "কাতারের দূতাবাস" in (tmp_path / "h").read_text(encoding="utf-8")  # history kept


def test_ctrl_c_clears_the_line_and_ctrl_d_leaves(shell) -> None:
    shell.send("অসমাপ্ত কোয়েরি")
    shell.sendintr()  # Ctrl-C: the line is dropped, the shell goes on
    shell.expect_exact(OUTPUT_ENDS)
    shell.expect(PROMPT)
    assert "1 article" in ask(shell, "আজারবাইজান -আর্মেনিয়া")
    shell.sendeof()  # Ctrl-D
    shell.expect(pexpect.EOF)
    shell.close()
    assert shell.exitstatus == 0 and shell.signalstatus is None


def test_sigint_during_a_search_does_not_end_the_shell(shell) -> None:
    shell.sendline("কাতার")
    shell.kill(signal.SIGINT)  # may land during the search, its output or the next prompt
    # Wait for what the shell prints after it, however long the search took
    # (a fixed sleep let a slow search's output run into the next answer).
    time.sleep(0.5)  # the signal is handled before the next line is typed
    shell.sendline(":limit 7")
    shell.expect_exact("7 hits per page", timeout=60)
    shell.expect(PROMPT)
    assert shell.isalive()
    assert "articles" in ask(shell, "মেক্সিকো")
    shell.sendeof()
    shell.expect(pexpect.EOF)


def test_a_search_shows_that_it_runs_and_a_too_broad_query_ends(shell) -> None:
    out = ask(shell, "কাতার")
    assert "searching… (Ctrl-C cancels)" in out and "articles" in out
    out = ask(shell, "ক*")  # refused at once, with one line; the shell goes on
    assert "at least 2 letters" in out
    assert "articles" in ask(shell, "দোহা")


# --- drawn in tmux, read back with capture-pane -----------------------------------------------


@pytest.fixture
def tmux(seed_index: Path, tmp_path: Path):
    import shutil
    import subprocess

    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install tmux; .ci/run installs it)")
    socket = str(tmp_path / "tmux.sock")

    def tmux_command(*args: str) -> str:
        result = subprocess.run(
            ["tmux", "-S", socket, *args], capture_output=True, text=True, check=True
        )
        return result.stdout

    command = f"{sys.executable} -m bnsearch shell --index {seed_index} --history {tmp_path / 'h'}"
    tmux_command(
        "-f", "/dev/null", "new-session", "-d", "-x", "90", "-y", "30",
        "env", "TERM=screen", "NO_COLOR=1", *command.split(),
    )  # fmt: skip
    yield tmux_command
    subprocess.run(["tmux", "-S", socket, "kill-server"], capture_output=True)


def screen(tmux, expected: str, timeout: float = 20.0) -> list[str]:
    """The pane's lines, once ``expected`` is on it."""
    end = time.monotonic() + timeout
    while True:
        lines = tmux("capture-pane", "-p").splitlines()
        if any(expected in line for line in lines) or time.monotonic() > end:
            return lines
        time.sleep(0.1)


def prompts_drawn(tmux, count: int, timeout: float = 20.0) -> None:
    """Wait until the pane shows ``count`` prompts."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        lines = tmux("capture-pane", "-p").splitlines()
        if sum(line.startswith("bnsearch>") for line in lines) >= count:
            return
        time.sleep(0.05)


def test_tmux_draws_bengali_editing_and_ctrl_c_right(tmux) -> None:
    screen(tmux, "bnsearch>")
    tmux("send-keys", "কাতার দোহায়")
    tmux("send-keys", "Left", "Left", "Left", "X")
    lines = screen(tmux, "X")
    # Three code points back from the end (য়, া, হ… as prompt_toolkit moves):
    # X lands inside the word and the line shows exactly what was typed.
    assert [line for line in lines if "bnsearch>" in line] == ["bnsearch> কাতার দোহXায়"]
    tmux("send-keys", "C-c")
    prompts_drawn(tmux, 2)  # a person types on once the new prompt is there
    tmux("send-keys", "দোহা")
    lines = screen(tmux, "> দোহা")
    prompts = [line for line in lines if "bnsearch>" in line]
    assert prompts == ["bnsearch> কাতার দোহXায়", "bnsearch> দোহা"]  # no bnsbnsearch>
    tmux("send-keys", "Enter")
    lines = screen(tmux, "articles match")
    assert sum("bnsearch> দোহা" in line for line in lines) == 1  # the prompt once


def test_tmux_wraps_snippets_at_spaces_with_an_indent(tmux, seed_index: Path) -> None:
    from bnsearch import Index
    from bnsearch.faces.terminal import text_width

    screen(tmux, "bnsearch>")
    tmux("send-keys", "কাতার মেক্সিকো", "Enter")
    screen(tmux, "  2. ")
    lines = tmux("capture-pane", "-p", "-J").splitlines()  # -J: as the shell wrote them
    assert all(text_width(line) <= 90 for line in tmux("capture-pane", "-p").splitlines())
    first = lines.index(next(line for line in lines if line.startswith("  1. ")))
    snippet = []
    for line in lines[first + 1 :]:
        if not line.startswith("     "):
            break
        snippet.append(line[5:])
    assert len(snippet) >= 2  # wrapped by the shell, each line indented
    with Index.open(seed_index) as index:
        expected = index.search("কাতার মেক্সিকো")[0].snippet
    shown = " ".join(snippet).replace("**", "")
    assert shown.split() == expected.split()  # every word whole: no break inside one
