"""The one table of spoken phrases -> intents, shared by every recognizer and `eval`.

A recognizer turns audio into words; `match` decides whether those words are a command.
Keeping both the table and the decision here means Vosk, PocketSphinx and the evaluator
can never disagree about what "okay next please" means.

Rules of `match` (a command is a *short* utterance):
- a phrase anywhere in the utterance counts ("okay next please" -> next), longest phrase
  first ("say that again" is one repeat, not "again" plus two extra words);
- at most `MAX_EXTRA_WORDS` words that belong to no phrase, no filler ("um", "please") and
  no aside ("hmm", "thanks"):
  "could you please go back" is still a command, "this band keeps slipping off my foot"
  or "no I think the next one is harder" is talk;
- two different intents in one utterance: the safety intents win in the order
  pain > stop > pause (stopping is never harmful); yes/no next to another intent are an
  acknowledgement and yield to it ("yes, next" -> next); any other mix is ambiguous -> None.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from voicecoach.intents import Intent

PHRASES: dict[Intent, tuple[str, ...]] = {
    Intent.NEXT: ("next", "next one", "okay next", "done", "skip"),
    Intent.BACK: ("back", "go back", "previous"),
    Intent.REPEAT: ("repeat", "again", "say that again"),
    Intent.PAUSE: ("pause", "wait", "hold on"),
    Intent.RESUME: ("resume", "continue"),
    Intent.STOP: ("stop", "end workout"),
    Intent.READY: ("ready", "i'm ready"),
    Intent.HELP: ("help", "what can i say"),
    Intent.TIME: ("how long", "how much longer", "time left"),
    Intent.SLOWER: ("slower",),
    Intent.FASTER: ("faster",),
    Intent.YES: ("yes",),
    Intent.NO: ("no",),
    Intent.PAIN: ("it hurts", "pain"),
}

# Words people wrap around a command. They never make a command by themselves and do not
# count as "extra" words. Recognizers may add them to their grammar so that
# "um next please" decodes as words rather than being forced onto a command.
FILLERS: tuple[str, ...] = ("um", "uh", "okay", "please", "now", "alright", "so", "just")

# Hesitations as recognizers spell them, and courtesies: like fillers they are no "extra"
# words ("hmm, next", "next, thanks"), but they stay out of the grammars built from
# FILLERS (PocketSphinx and Vosk are tuned on those; "erm" is in no dictionary). Whisper
# writes a spoken "um" as "oh", "erm" or "hmm"; "ah" is left out: Whisper hears "faster"
# as "ah stop" (dev clips). "thank you" counts as "thanks" (`words`).
ASIDES: tuple[str, ...] = ("oh", "er", "erm", "hmm", "mm", "well", "right", "thanks", "hey")

MAX_EXTRA_WORDS = 2  # words outside any phrase/filler a command utterance may contain
MAX_WORDS = 6  # longer utterances are conversation, not commands

# Higher wins when two different intents are heard in one utterance.
_PRIORITY: dict[Intent, int] = {Intent.PAIN: 3, Intent.STOP: 2, Intent.PAUSE: 1}
_ACKS = frozenset({Intent.YES, Intent.NO})

_SPELLINGS = {"ok": "okay", "im": "i'm"}


def words(text: str) -> list[str]:
    """Lower-case words of `text`, punctuation dropped, a few spellings unified."""
    raw = re.findall(r"[a-z']+", text.lower().replace("’", "'"))
    out = [_SPELLINGS.get(w.strip("'"), w.strip("'")) for w in raw]
    out = [w for w in out if w]
    for i in range(len(out) - 1, 0, -1):  # "thank you" -> "thanks"
        if out[i - 1 : i + 1] == ["thank", "you"]:
            out[i - 1 : i + 1] = ["thanks"]
    return out


def _phrase_index() -> list[tuple[tuple[str, ...], Intent]]:
    """All phrases as word tuples, longest first (so longest match wins)."""
    pairs = [(tuple(p.split()), intent) for intent, ps in PHRASES.items() for p in ps]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


_INDEX = _phrase_index()


def _scan(ws: list[str]) -> Iterator[tuple[int, int, Intent | None]]:
    """(index, length, intent) of each phrase in the words `ws`, greedy longest match
    left to right, and (index, 1, None) for each word that is in no phrase."""
    i = 0
    while i < len(ws):
        for phrase, intent in _INDEX:
            if tuple(ws[i : i + len(phrase)]) == phrase:
                yield i, len(phrase), intent
                i += len(phrase)
                break
        else:
            yield i, 1, None
            i += 1


def find(text: str) -> tuple[list[Intent], int, int]:
    """Intents of the phrases in `text` (in order), the number of extra words, and the
    total number of words. Greedy longest match, left to right."""
    ws = words(text)
    found: list[Intent] = []
    extra = 0
    for i, _, intent in _scan(ws):
        if intent is not None:
            found.append(intent)
        elif ws[i] not in FILLERS and ws[i] not in ASIDES:
            extra += 1
    return found, extra, len(ws)


def locate(text: str) -> list[tuple[Intent, float, float]]:
    """Each phrase found in `text` (as `find` finds them) with where it lies in the text,
    as fractions (0..1) of its letters: a spoken sentence's timing, roughly."""
    ws = words(text)
    ends = [0]
    for w in ws:
        ends.append(ends[-1] + len(w) + 1)
    total = max(1, ends[-1])
    return [
        (intent, ends[i] / total, ends[i + n] / total)
        for i, n, intent in _scan(ws)
        if intent is not None
    ]


def resolve(intents: Iterable[Intent]) -> Intent | None:
    """One intent from all those heard in one utterance (see the module rules)."""
    distinct = list(dict.fromkeys(intents))
    if len(distinct) <= 1:
        return distinct[0] if distinct else None
    urgent = max(distinct, key=lambda i: _PRIORITY.get(i, 0))
    if _PRIORITY.get(urgent, 0) > 0:
        return urgent
    rest = [i for i in distinct if i not in _ACKS]
    return rest[0] if len(rest) == 1 else None


def match(text: str, max_extra: int = MAX_EXTRA_WORDS) -> Intent | None:
    """The intent a short utterance asks for, or None for talk, noise or ambiguity.

    `max_extra`: how many words outside phrases and fillers to tolerate; a recognizer
    that inserts stray words on noise may ask for fewer."""
    found, extra, total = find(text)
    if not found or extra > max_extra or total > MAX_WORDS:
        return None
    return resolve(found)


def vocabulary() -> list[str]:
    """Every word of every phrase plus the fillers, sorted (for dictionaries/grammars)."""
    vocab = {w for ps in PHRASES.values() for p in ps for w in p.split()}
    return sorted(vocab | set(FILLERS))


def all_phrases() -> list[str]:
    """Every phrase of the table, in table order (e.g. a Vosk grammar list)."""
    return [p for ps in PHRASES.values() for p in ps]


def jsgf(with_fillers: bool = True) -> str:
    """A JSGF grammar: optional fillers, one command phrase, optional fillers.

    Only the command set is in the grammar; rejecting other speech is the recognizer's
    job (a grammar always returns *something*)."""
    cmds = " | ".join(all_phrases())
    lines = ["#JSGF V1.0;", "grammar voicecoach;", f"<cmd> = {cmds};"]
    if with_fillers:
        lines.append(f"<filler> = {' | '.join(FILLERS)};")
        lines.append("public <utt> = [<filler>] <cmd> [<filler>];")
    else:
        lines.append("public <utt> = <cmd>;")
    return "\n".join(lines) + "\n"
