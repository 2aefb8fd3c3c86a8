"""What a person sees in a real (pseudo-)terminal: `list` and `show` fit its width, and
stay plain and unwrapped when piped."""

from __future__ import annotations

from terminal import output_lines

from voicecoach import catalog
from voicecoach.cli import main


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
