"""What a person sees in a real (pseudo-)terminal: `list` and `show` fit its width, and
stay plain and unwrapped when piped."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

import pytest
from terminal import ROOT, Screen, environment, output_lines

from voicecoach import catalog
from voicecoach.cli import main
from voicecoach.screen import digits


def test_list_at_80_columns_has_no_line_longer_than_80():
    lines = output_lines("list", cols=80)
    assert max(len(line) for line in lines) <= 80
    text = "\n".join(lines)
    for entry in catalog.entries():
        assert entry.name in text


def test_list_grows_with_a_wide_terminal():
    lines = output_lines("list", cols=160)
    assert 80 < max(len(line) for line in lines) <= 160


def test_show_wraps_at_the_terminal_width_under_its_label():
    lines = output_lines("show", "back-hip-knee", cols=80)
    assert max(len(line) for line in lines) <= 80
    about = next(i for i, line in enumerate(lines) if line.startswith("About: "))
    assert lines[about + 1].startswith(" " * len("About: "))
    assert lines[about + 1].strip()


def test_piped_show_keeps_each_line_whole_for_grep(capsys):
    assert main(["show", "back-hip-knee"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) > 80
    assert "\x1b" not in out


def test_piped_list_is_the_plain_table(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["NAME", "TITLE", "EXERCISES", "MINUTES", "EQUIPMENT"]
    assert "\x1b" not in out


# ------------------------------------------------------------------ a session on screen

SHORT = """
schema_version = 1
name = "short"
title = "Short"
frequency = "daily"
disclaimer = "Stop if it hurts."
[source]
title = "Mine"
[[exercises]]
id = "wall-sit"
name = "Wall Sit"
setup = ["Back to the wall."]
sides = ["right", "left"]
side_order = "block"
sets = 2
rest_between_sets = 3
work = { kind = "timed", seconds = 12 }
"""


def shown_countdown(text: str) -> int | None:
    """The number the panel shows in big block digits, read back off the screen."""
    rows = text.splitlines()
    for seconds in range(599, -1, -1):  # the longest first: "12" holds a whole "1"
        glyph = digits.big(digits.clock(seconds))
        for top in range(len(rows) - len(glyph) + 1):
            col = rows[top].find(glyph[0])
            while col >= 0:
                below = rows[top : top + len(glyph)]
                if all(row[col : col + len(g)] == g for row, g in zip(below, glyph, strict=True)):
                    # a whole figure: blank cells on both sides
                    left = all(row[col - 1 : col] in ("", " ") for row in below)
                    right = all(row[col + len(glyph[0]) : col + len(glyph[0]) + 1] in ("", " ")
                                for row in below)  # fmt: skip
                    if left and right:
                        return seconds
                col = rows[top].find(glyph[0], col + 1)
    return None


@pytest.fixture
def short_routine(tmp_path):
    path = tmp_path / "short.toml"
    path.write_text(SHORT)
    return path


@pytest.mark.slow
def test_a_session_in_an_80x24_terminal_shows_the_panel_and_pauses_on_space(short_routine):
    term = Screen("start", str(short_routine), "--text", "--engine", "keys", "--ready-timeout", "0")
    try:
        at_work = lambda t: (  # noqa: E731  (not the rest before it: its count waits for its words)
            "set 2 of 2" in t and "WORK" in t and shown_countdown(t) is not None
        )
        assert term.wait_for(at_work, 90), term.text
        first = term.text
        term.pump(1.0)
        second = term.text
        assert "WALL SIT" in first
        assert "RIGHT SIDE" in first
        a, b = shown_countdown(first), shown_countdown(second)
        assert a is not None, first
        assert b is not None, second
        assert b < a
        assert all(len(line) <= 80 for line in first.splitlines())
        term.send(" ")
        assert term.wait_for(lambda t: "PAUSED" in t, 5), term.text
        paused = term.text
        term.pump(1.2)
        assert shown_countdown(term.text) == shown_countdown(paused)  # frozen
        term.send("q")
        assert term.wait_for(lambda t: "End the workout?" in t, 5), term.text
        term.send("y")
        assert term.wait_exit(15) == 0
    finally:
        term.close()
    assert "Session stopped" in term.text  # the panel is gone; the closing words stay


def piped(routine, *options: str) -> str:
    """What `start ROUTINE --fast OPTIONS` prints with its stdout piped."""
    done = subprocess.run(
        [sys.executable, "-m", "voicecoach", "start", str(routine), "--fast", *options],
        capture_output=True,
        env=environment(),
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    return done.stdout.decode()


def test_the_same_session_piped_has_plain_lines_only(short_routine):
    out = piped(short_routine)
    assert "\x1b" not in out
    assert not re.search(r"\[(tick|hold_end|rest_over|done|start)\]", out)
    assert all(ch.isprintable() for line in out.splitlines() for ch in line)
    lines = out.splitlines()
    assert all(re.match(r"\[\d\d:\d\d\] ", line) for line in lines)
    assert any("] Wall Sit · set 2 of 2 · right · " in line for line in lines)


def test_cues_are_words_in_the_piped_transcript_when_asked_for(short_routine):
    out = piped(short_routine, "--cues")
    assert re.search(r"· (beep|tick)$", out, re.MULTILINE)
    assert "[tick]" not in out


@pytest.mark.slow
def test_quiet_screen_prints_the_plain_transcript_in_a_terminal(short_routine):
    term = Screen(
        "start", str(short_routine), "--text", "--quiet-screen", "--engine", "keys",
        "--ready-timeout", "0",
    )  # fmt: skip
    try:
        assert term.wait_for(lambda t: "] Wall Sit · set 1 of 2 · right · Go" in t, 60), term.text
        term.send("q")
        assert term.wait_for(lambda t: "End the workout?" in t, 5), term.text
        term.send("y")
        assert term.wait_exit(15) == 0
    finally:
        term.close()
    assert "╭" not in term.text  # no panel
    assert b"\x1b[?1049h" not in term.raw  # never the alternate screen


@pytest.mark.slow
def test_ctrl_c_gives_the_terminal_back(short_routine):
    term = Screen("start", str(short_routine), "--text", "--engine", "keys")
    try:
        assert term.wait_for(lambda t: "WALL SIT" in t, 60), term.text
        term.send("\x03")
        assert term.wait_exit(15) == 130
    finally:
        term.close()
    entered = term.raw.rfind(b"\x1b[?1049h")
    assert entered >= 0
    left = term.raw.rfind(b"\x1b[?1049l")
    assert left > entered  # the alternate screen is left
    assert term.raw.rfind(b"\x1b[?25h") > entered  # and the cursor shown again
    # the summary it had no time to say stays on the terminal: written after the panel
    # has left the screen, never on it, where it would vanish with it
    assert b"Summary: You did 0 of 1 exercise in" in term.raw[left:]
    assert b"Summary:" not in term.raw[:left]


@pytest.mark.slow
def test_sigterm_gives_the_terminal_back(short_routine):
    term = Screen("start", str(short_routine), "--text", "--engine", "keys")
    try:
        assert term.wait_for(lambda t: "WALL SIT" in t, 60), term.text
        term.child.kill(signal.SIGTERM)
        term.wait_exit(15)
    finally:
        term.close()
    entered = term.raw.rfind(b"\x1b[?1049h")
    assert entered >= 0
    assert term.raw.rfind(b"\x1b[?1049l") > entered
    assert term.raw.rfind(b"\x1b[?25h") > entered
