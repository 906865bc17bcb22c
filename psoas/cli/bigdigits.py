"""Large block digits for the session countdown, readable from a mat across the room."""

from __future__ import annotations

GLYPHS = {
    "0": ("███", "█ █", "█ █", "█ █", "███"),
    "1": (" █ ", "██ ", " █ ", " █ ", "███"),
    "2": ("███", "  █", "███", "█  ", "███"),
    "3": ("███", "  █", "███", "  █", "███"),
    "4": ("█ █", "█ █", "███", "  █", "  █"),
    "5": ("███", "█  ", "███", "  █", "███"),
    "6": ("███", "█  ", "███", "█ █", "███"),
    "7": ("███", "  █", "  █", "  █", "  █"),
    "8": ("███", "█ █", "███", "█ █", "███"),
    "9": ("███", "█ █", "███", "  █", "███"),
    ":": ("   ", " █ ", "   ", " █ ", "   "),
}


def big(text: str) -> str:
    """Five lines of block characters for digits and ':'; other characters are dropped."""
    chars = [GLYPHS[c] for c in text if c in GLYPHS]
    return "\n".join("  ".join(g[row] for g in chars) for row in range(5))


def clock_text(seconds: float) -> str:
    """Whole seconds left, rounded up so a countdown shows 1 until it ends, as m:ss past 59."""
    whole = max(0, int(-(-seconds // 1)))
    return f"{whole // 60}:{whole % 60:02d}" if whole >= 60 else str(whole)
