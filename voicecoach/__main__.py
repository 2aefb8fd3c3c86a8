"""`python -m voicecoach` and the `voicecoach` console script.

The imports happen inside `main`, so a Ctrl-C in the very first moments (while Python
loads the program) is a clean exit 130 too, not a traceback."""

import sys


def main() -> None:
    try:
        from voicecoach.cli import run

        run()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
