"""Big digits drawn with block characters, readable from the floor two metres away.

Five rows high; each glyph is four cells wide (the colon and slash narrower). `scale`
doubles (or triples) every cell for a bigger terminal."""

from __future__ import annotations

FULL = "█"

_GLYPHS: dict[str, tuple[str, ...]] = {
    "0": ("████", "█  █", "█  █", "█  █", "████"),
    "1": ("  █ ", " ██ ", "  █ ", "  █ ", " ███"),
    "2": ("████", "   █", "████", "█   ", "████"),
    "3": ("████", "   █", " ███", "   █", "████"),
    "4": ("█  █", "█  █", "████", "   █", "   █"),
    "5": ("████", "█   ", "████", "   █", "████"),
    "6": ("████", "█   ", "████", "█  █", "████"),
    "7": ("████", "   █", "  █ ", " █  ", " █  "),
    "8": ("████", "█  █", "████", "█  █", "████"),
    "9": ("████", "█  █", "████", "   █", "████"),
    ":": (" ", "█", " ", "█", " "),
    "/": ("   █", "  █ ", " █  ", "█   ", "    "),
    " ": ("  ", "  ", "  ", "  ", "  "),
}
HEIGHT = 5
GAP = " "


def big(text: str, scale: int = 1) -> list[str]:
    """`text` (digits, ':', '/', spaces) as HEIGHT * scale rows of block characters."""
    unknown = set(text) - set(_GLYPHS)
    if unknown:
        raise ValueError(f"no big glyph for {''.join(sorted(unknown))!r}")
    rows = [GAP.join(_GLYPHS[ch][r] for ch in text) for r in range(HEIGHT)]
    wide = ["".join(cell * scale for cell in row) for row in rows]
    return [row for row in wide for _ in range(scale)]


def width(text: str, scale: int = 1) -> int:
    """How many cells `big(text, scale)` is wide."""
    return len(big(text)[0]) * scale if text else 0


def clock(seconds: int) -> str:
    """Seconds as the countdown shows them: "45", "1:30" (a minute or more)."""
    seconds = max(0, seconds)
    if seconds < 60:
        return str(seconds)
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d}"
