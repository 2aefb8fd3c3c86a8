"""The command line. `main(argv) -> exit code` is the one place where errors become
messages and exit codes; nothing else prints tracebacks or calls sys.exit.

Each subcommand lives in `voicecoach/commands/<name>.py` with `register(subparsers)` and
`run(args) -> int`. Command modules import their heavy dependencies inside `run`, so
`voicecoach list` starts fast.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

from voicecoach import __version__
from voicecoach.errors import REFUSED, ExitCode, SystemRefused, VoicecoachError, printable
from voicecoach.outfiles import stdout_to_devnull
from voicecoach.signals import SIGNALS, detach_terminal, reason, signum_of, terminal_hung_up

COMMANDS = (
    "list",
    "show",
    "validate",
    "schema",
    "start",
    "voices",
    "devices",
    "model",
    "check",
    "eval",
    "history",
    "config",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse would sys.exit(2) itself
        raise _ArgError(f"{self.prog}: {message}", self.prog)


class _ArgError(Exception):
    def __init__(self, message: str, prog: str) -> None:
        super().__init__(message)
        self.prog = prog  # "voicecoach start": whose --help lists the options


FIRST_STEPS = """\
first steps:
  voicecoach list                  the routines you can start
  voicecoach show back-hip-knee    a routine's whole plan, step by step
  voicecoach check                 speaker, microphone and speech recognition
  voicecoach start back-hip-knee   a workout: say "ready" to begin an exercise,
                                   "help" for what you can say; q then y ends it
  voicecoach history               your sessions, a calendar and your streaks

Run 'voicecoach COMMAND --help' for a command's options and examples."""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="voicecoach",
        description="An offline, voice-guided, hands-free workout coach.",
        epilog=FIRST_STEPS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"voicecoach {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        module = importlib.import_module(f"voicecoach.commands.{name.replace('-', '_')}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM or SIGHUP, whenever it came
        signum = signum_of(exc)
        _say_stopped(signum)
        return 128 + signum
    except Exception:
        if SIGNALS.received is None:
            raise
        # the signal's KeyboardInterrupt was raised inside a library that called back into
        # Python and came back as that library's own error (pydantic-core building a
        # model's schema turns it into a SchemaError): the signal still ends the program
        _say_stopped(SIGNALS.received)
        return 128 + SIGNALS.received


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except _ArgError as exc:
        print(exc, file=sys.stderr)
        print(f"  hint: run '{exc.prog} --help'", file=sys.stderr)
        return ExitCode.USAGE
    except SystemExit as exc:  # --help / --version
        return int(exc.code or 0)
    if not args.command:
        parser.print_help()
        return ExitCode.USAGE
    try:
        code = int(args.run(args))
        sys.stdout.flush()  # a short output is still buffered: its write fails here, not
        return code  # in the interpreter's last flush ("Exception ignored", exit 120)
    except VoicecoachError as exc:
        return _report(exc)
    except BrokenPipeError:  # `| head -1`: the reader has what it wanted
        stdout_to_devnull()
        return ExitCode.OK
    except OSError as exc:
        if SIGNALS.received == signal.SIGHUP:  # the terminal hung up: nothing to write on
            return 128 + signal.SIGHUP
        if exc.errno in REFUSED:  # the system refused a file (or stdout: `> full-disk`)
            if exc.filename is None:  # what failed may be stdout: its last flush must not
                with contextlib.suppress(OSError, ValueError):
                    sys.stdout.flush()
                stdout_to_devnull()
            return _report(SystemRefused.of(exc))
        raise


def _report(exc: VoicecoachError) -> int:
    print(f"voicecoach: {printable(str(exc))}", file=sys.stderr)
    return int(exc.exit_code)


def _say_stopped(signum: int) -> None:
    """One line on stderr (which may be gone: a hung-up terminal)."""
    words = {"interrupted": "interrupted", "terminated": "stopped (SIGTERM)"}
    message = words.get(reason(signum), f"stopped ({signal.Signals(signum).name})")
    with contextlib.suppress(OSError, ValueError):
        print(f"\nvoicecoach: {message}", file=sys.stderr)


def run() -> None:
    """Console-script entry point: Ctrl-C, SIGTERM and SIGHUP end it cleanly from here on."""
    try:
        SIGNALS.install()  # a signal while it starts its watcher thread is the signal's too
        code = main()
    except KeyboardInterrupt as exc:  # in the instant before main's own handler
        code = 128 + signum_of(exc)
    SIGNALS.ignore()  # the program is ending: a signal now changes nothing
    if SIGNALS.received == signal.SIGHUP and terminal_hung_up():
        detach_terminal()  # exit without writing to a terminal that is gone
    sys.exit(code)
