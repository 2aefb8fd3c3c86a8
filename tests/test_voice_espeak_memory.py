"""espeak-ng reads only the text it is given (the segfault seen once in CI).

pyttsx3 2.99 told `espeak_Synth` each text was ten times its length, and espeak-ng copies
that many bytes: past the end of the text, a crash whenever the text ends near an unmapped
page. Here the text ends right before one, every time, in a child process (a crash would
kill the test run)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("espeak-ng") is None,
    reason="needs Linux (mprotect) and espeak-ng",
)

TEXT_BEFORE_AN_UNMAPPED_PAGE = textwrap.dedent(
    """
    import ctypes, mmap

    from voicecoach.voice.render import list_voices

    list_voices()  # starts the process's one engine, as every session does
    from pyttsx3.drivers import _espeak

    page = mmap.PAGESIZE
    memory = mmap.mmap(-1, 2 * page)
    base = ctypes.addressof(ctypes.c_char.from_buffer(memory))
    if ctypes.CDLL(None).mprotect(ctypes.c_void_p(base + page), page, 0) != 0:  # PROT_NONE
        raise SystemExit("mprotect failed")
    text = b"Hold it there."
    start = base + page - len(text) - 1  # the text and its NUL end where the page ends
    ctypes.memmove(start, text + b"\\0", len(text) + 1)
    # a stand-in for a bytes object at the end of a mapping: a char array has a len too
    _espeak.Synth((ctypes.c_char * len(text)).from_address(start))  # as the driver calls it
    while _espeak.IsPlaying():  # espeak-ng's own thread is done with it before exit
        pass
    print("spoken")
    """
)


def in_a_child(script: str) -> subprocess.CompletedProcess[str]:
    """`script` run by a Python of its own (a crash there cannot kill the test run)."""
    return subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_synthesis_reads_no_byte_past_the_end_of_the_text() -> None:
    done = in_a_child(TEXT_BEFORE_AN_UNMAPPED_PAGE)
    crashed = done.returncode == -signal.SIGSEGV
    assert not crashed, f"espeak-ng read past the text and crashed:\n{done.stderr}"
    assert (done.returncode, done.stdout.strip()) == (0, "spoken"), done.stderr


def test_pyttsx3_s_driver_speaks_through_the_synth_that_voicecoach_replaces() -> None:
    """The fix replaces the module's `Synth`: it holds only while pyttsx3's driver calls
    `_espeak.Synth(...)` through the module, with the parameters the replacement takes (a
    newer pyttsx3 that calls espeak-ng another way must be looked at again)."""
    import ast
    import inspect

    from pyttsx3.drivers import espeak

    from voicecoach.voice import render

    render.list_voices()  # sets the driver up, replacement included
    from pyttsx3.drivers import _espeak

    assert "_espeak.Synth(" in inspect.getsource(espeak)
    assert _espeak.Synth is render._synth_true_size
    ours = list(inspect.signature(render._synth_true_size).parameters)
    module = ast.parse(inspect.getsource(_espeak))
    theirs = next(f for f in module.body if isinstance(f, ast.FunctionDef) and f.name == "Synth")
    assert [a.arg for a in theirs.args.args] == ours


EXIT_WHILE_RENDERING_AHEAD = textwrap.dedent(
    """
    import atexit
    from pyttsx3.drivers import _espeak

    # registered first, so it runs last: what espeak-ng is doing once the program's own
    # exit handlers are done and the interpreter starts to tear itself down
    atexit.register(lambda: print("busy" if _espeak.IsPlaying() else "idle"))

    from voicecoach.voice import make_renderer

    renderer = make_renderer()
    long = "Lift your hips slowly, hold it there, and lower them again. " * 8
    renderer.prerender(["Ready.", *(f"{i}. {long}" for i in range(20))])
    while not _espeak.IsPlaying():  # the background thread is rendering ahead: quit now
        pass
    """
)


def test_quitting_while_phrases_render_ahead_waits_for_espeak_to_go_quiet() -> None:
    """espeak-ng renders on a thread of its own and calls into Python when it has sound:
    after exit it would do so into a half torn-down interpreter (seen: tracebacks about a
    removed temp folder at exit)."""
    done = in_a_child(EXIT_WHILE_RENDERING_AHEAD)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "idle", "")
