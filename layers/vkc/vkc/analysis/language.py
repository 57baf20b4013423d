"""Language identification by script, cheap enough to run on every comment.

Cyrillic text is Russian unless it uses letters Russian lacks (ў -> be; і ї є ґ -> uk; Kazakh
letters -> kk). Latin text is English when English function words make up enough of it, else
"und": Latin-script VK comments are often transliterated Russian, which no detector gets right.
Texts with under 3 Latin words, or no letters at all, are "und".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from vkc.analysis.normalize import fold, is_latin
from vkc.analysis.stopwords import EN_MARKERS
from vkc.analysis.tokenize import Token, tokenize

UNDETERMINED = "und"
MIN_LATIN_WORDS = 3
EN_STOPWORD_SHARE = 0.2

_MENTION_RE = re.compile(r"\[(?:id|club|public)\d+\|[^\]]*\]")
_CYR_RE = re.compile("[\u0400-\u052f]")
_LAT_RE = re.compile("[a-zA-Z\u00c0-\u024f]")
_BE_RE = re.compile("[ўЎ]")
_UK_RE = re.compile("[іїєґІЇЄҐ]")
_KK_RE = re.compile("[әғқңөұүһӘҒҚҢӨҰҮҺ]")
_NON_RU_RE = re.compile("[ўЎіїєґІЇЄҐәғқңөұүһӘҒҚҢӨҰҮҺ]")
# A Latin letter or a letter Russian lacks: one scan settles the common Russian-only text, which
# otherwise took two full scans that both fail (_LAT_RE, then _NON_RU_RE).
_NOT_PLAIN_RU_RE = re.compile("[a-zA-Z\u00c0-\u024fўЎіїєґІЇЄҐәғқңөұүһӘҒҚҢӨҰҮҺ]")


def detect_language(text: str, tokens: Sequence[Token] | None = None) -> str:
    """ISO 639-1 code ("ru", "uk", "be", "kk", "en") or "und"."""
    if "[" in text:  # "[id1|Имя], ..." reply mentions are markup, not language
        stripped = _MENTION_RE.sub("", text)
        if stripped != text:
            text, tokens = stripped, None
    if _NOT_PLAIN_RU_RE.search(text) is None:  # the common case: "ru" if it has a Cyrillic letter
        return "ru" if _CYR_RE.search(text) is not None else UNDETERMINED
    if _LAT_RE.search(text) is None:
        if _CYR_RE.search(text) is None:
            return UNDETERMINED
        cyr, lat = 1, 0
    else:
        cyr = len(_CYR_RE.findall(text))
        lat = len(_LAT_RE.findall(text))
    if cyr >= lat:
        if _NON_RU_RE.search(text) is None:
            return "ru"
        if _BE_RE.search(text):
            return "be"
        if _KK_RE.search(text):
            return "kk"
        return "uk"
    toks = tokenize(text) if tokens is None else tokens
    words = [fold(t.text) for t in toks if t.text.isalpha() and all(is_latin(c) for c in t.text)]
    if len(words) < MIN_LATIN_WORDS:
        return UNDETERMINED
    share = sum(w in EN_MARKERS for w in words) / len(words)
    return "en" if share >= EN_STOPWORD_SHARE else UNDETERMINED
