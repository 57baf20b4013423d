"""Language identification by script, cheap enough to run on every comment.

Cyrillic text is Russian unless it uses letters Russian lacks (ў -> be; і ї є ґ -> uk; Kazakh
letters -> kk). Latin text is English when English function words make up enough of it, else
"und": Latin-script VK comments are often transliterated Russian, which no detector gets right.
Texts with under 3 Latin words, or no letters at all, are "und".
"""

from __future__ import annotations

from collections.abc import Sequence

from vkc.analysis.normalize import fold, is_cyrillic, is_latin
from vkc.analysis.stopwords import EN_MARKERS
from vkc.analysis.tokenize import Token, tokenize

UNDETERMINED = "und"
MIN_LATIN_WORDS = 3
EN_STOPWORD_SHARE = 0.2

_BE = frozenset("ўЎ")
_UK = frozenset("іїєґІЇЄҐ")
_KK = frozenset("әғқңөұүһӘҒҚҢӨҰҮҺ")


def detect_language(text: str, tokens: Sequence[Token] | None = None) -> str:
    """ISO 639-1 code ("ru", "uk", "be", "kk", "en") or "und"."""
    cyr = lat = 0
    marks: set[str] = set()
    for ch in text:
        if is_cyrillic(ch):
            cyr += 1
            if ch in _BE:
                marks.add("be")
            elif ch in _UK:
                marks.add("uk")
            elif ch in _KK:
                marks.add("kk")
        elif is_latin(ch):
            lat += 1
    if not cyr and not lat:
        return UNDETERMINED
    if cyr >= lat:
        for code in ("be", "kk", "uk"):
            if code in marks:
                return code
        return "ru"
    toks = tokenize(text) if tokens is None else tokens
    words = [fold(t.text) for t in toks if t.text.isalpha() and all(is_latin(c) for c in t.text)]
    if len(words) < MIN_LATIN_WORDS:
        return UNDETERMINED
    share = sum(w in EN_MARKERS for w in words) / len(words)
    return "en" if share >= EN_STOPWORD_SHARE else UNDETERMINED
