"""What a user can ask for. The phrase table that maps words to these lives in
`voicecoach.ears.phrases`; every recognizer and the keyboard produce these values."""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    NEXT = "next"
    BACK = "back"
    REPEAT = "repeat"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    READY = "ready"
    HELP = "help"
    TIME = "time"
    SLOWER = "slower"
    FASTER = "faster"
    YES = "yes"
    NO = "no"
    PAIN = "pain"
