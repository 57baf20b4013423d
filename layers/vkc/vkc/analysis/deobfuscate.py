"""Undo the disguises people put on obscene words, so the root check sees the plain spelling.

Why a module of its own: the disguises are many and independent of which words are obscene.
Latin and Greek look-alikes ("xyйня", "nиздец"), digits ("6ля", "пи3дец", "3.14здец"),
transliteration ("pizdec", "blyat"), repeated letters ("бляяять"), letters spelled apart
("п и з д е ц", "х.у.й", "бл-я") and symbols that hide letters ("х*й", "п@здец", "п...ц").

Two outputs: ``skeletons`` of one token (cached; the common path) and ``raw_candidates`` of a whole
text, which only runs when the text shows a symbol or spacing that word tokens would cut apart.
A candidate that still holds hidden letters comes back as a ``Masked`` pattern to test against
known word forms.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress

from vkc.analysis.normalize import is_cyrillic
from vkc.analysis.tokenize import Token

# Symbols that stand for a hidden letter. A run of two or more dots hides letters too ("х..ня").
MASK_CHARS = "*@#$%€&"
_MASK_SET = frozenset(MASK_CHARS)

# Digits used as letters inside a word ("6ля", "пи3дец", "п1здец", "д0лб0ёб").
_DIGITS = str.maketrans({"0": "о", "1": "и", "3": "з", "4": "ч", "6": "б", "9": "я"})
# Latin letters in a Cyrillic word, read by shape first ("xyй" -> "хуй", "nизда" -> "пизда").
_SHAPE = str.maketrans(
    {"a": "а", "b": "б", "c": "с", "d": "д", "e": "е", "f": "ф", "g": "д", "h": "н", "i": "и",
     "j": "й", "k": "к", "l": "л", "m": "м", "n": "п", "o": "о", "p": "р", "r": "г", "s": "с",
     "t": "т", "u": "и", "v": "в", "w": "ш", "x": "х", "y": "у", "z": "з"}
)  # fmt: skip
# The same word read by sound where shape and sound differ ("pизда" -> "пизда", "hуй" -> "хуй").
_SOUND = str.maketrans({"p": "п", "h": "х", "u": "у", "r": "р", "y": "у", "g": "г"})
_TRANSLIT_MULTI = (
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("ch", "ч"), ("sh", "ш"), ("ya", "я"), ("ja", "я"),
    ("yo", "е"), ("jo", "е"), ("yu", "ю"), ("ju", "ю"), ("ts", "ц"), ("kh", "х"), ("ye", "е"),
)  # fmt: skip
_TRANSLIT_ONE = str.maketrans(
    {"a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "z": "з", "i": "и", "j": "й",
     "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с", "t": "т",
     "u": "у", "f": "ф", "h": "х", "x": "х", "c": "ц", "w": "в", "q": "к", "y": "ы"}
)  # fmt: skip
_VOWEL_Y_RE = re.compile(r"(?<=[aeiou])y")
_REPEATS_RE = re.compile(r"(.)\1+")
_PI_RE = re.compile(r"3[.,]14(?=[^\W\d_])")  # "3.14здец": the digits of pi read as "пи"

# English words whose transliteration reads as a root ("ebay" -> "ебай"); compared as written.
ENGLISH_ALLOW = frozenset({"ebay", "ebook", "ebooks", "hue", "huey", "huawei", "sukhoi"})


def collapse_repeats(word: str) -> str:
    """ "бляяять" -> "блять", "ссука" -> "сука" (only for matching: no root has a double letter)."""
    return _REPEATS_RE.sub(r"\1", word)


def _has_latin(word: str) -> bool:
    return any("a" <= ch <= "z" for ch in word)


def _transliterate(word: str) -> str:
    t = _VOWEL_Y_RE.sub("й", word)
    for src, dst in _TRANSLIT_MULTI:
        t = t.replace(src, dst)
    return t.translate(_TRANSLIT_ONE)


@lru_cache(maxsize=131_072)
def skeletons(token: str) -> tuple[str, ...]:
    """Plain Cyrillic readings of one token, repeats collapsed; usually just one.

    Mixed-script tokens get a shape reading and a sound reading; pure Latin tokens a
    transliteration and a shape reading ("xyu" is "хуи" by shape, "huy" is "хуй" by sound).
    """
    t = token.lower().replace("ё", "е").replace("_", "")
    if not _has_latin(t):
        if "3" in t and not t.isdigit():  # 3 is a mirrored "е" as often as a "з" ("оху3ть")
            return (collapse_repeats(t.translate(_DIGITS)), collapse_repeats(t.replace("3", "е").translate(_DIGITS)))
        return (collapse_repeats(t.translate(_DIGITS)),)
    t = t.translate(_DIGITS) if any(ch.isalpha() for ch in t) else t
    if any(is_cyrillic(ch) for ch in t):
        readings = (t.translate(_SOUND).translate(_SHAPE), t.translate(_SHAPE))
    else:
        if t in ENGLISH_ALLOW:
            return ()
        readings = (_transliterate(t), t.translate(_SHAPE))
    return tuple(dict.fromkeys(collapse_repeats(r) for r in readings))


@dataclass(frozen=True, slots=True)
class Masked:
    """A word with hidden letters: ``pattern`` fully matches the plain forms it could stand for."""

    written: str
    pattern: re.Pattern[str]
    first: str  # first plain letter, or "" if the word starts hidden


# Words with symbols or dot runs that hide letters ("х*й", "п@здец", "х..ня", "*банный").
_MASKED_RE = re.compile(r"[\w*@#$%€&]*(?:[*@#$%€&]|(?<=\w)\.{2,}(?=\w))[\w*@#$%€&.]*")
# Words cut by separators ("х.у.й", "бл-я", "н_а_х_у_й"), joined back when a piece is one letter.
_SEPARATED_RE = re.compile(r"[^\W_]+(?:[._-][^\W_]+)+")
_MASK_RUN_RE = re.compile(r"[*@#$%€&]+|\.{2,}")
_SINGLES_RE = re.compile(r"(?<!\w)(?:[^\W\d_][ \t]+){2,}[^\W\d_](?!\w)")
_SEPARATORS = "._-"


def looks_disguised(text: str, tokens: Sequence[Token], one_letter: Sequence[bool] | None = None) -> bool:
    """Signs that word tokens alone would miss a word: a symbol that hides letters, a dot run, pi,
    a one-letter piece cut off by a separator ("бл-я", "х.у.й") or three letters spelled apart.

    Plain substring and token checks: a regex with look-arounds here cost more than the rest of
    the profanity check. ``one_letter``: whether each token is one character long, when the caller
    keeps it per word (the analyzer does); then only the one-letter tokens are looked at.
    """
    if (
        "*" in text or "@" in text or "#" in text or "$" in text or "%" in text or "€" in text or "&" in text
        or ".." in text or "3.14" in text or "3,14" in text
    ):  # fmt: skip
        return True
    n = len(text)
    if one_letter is not None:
        if True not in one_letter:
            return False
        if b"\x01\x01\x01" in bytes(one_letter):  # three one-letter tokens in a row
            return True
        for _, start, end in compress(tokens, one_letter):
            if (start and text[start - 1] in _SEPARATORS) or (end < n and text[end] in _SEPARATORS):
                return True
        return False
    run = 0
    for tok in tokens:
        if tok.end - tok.start != 1:
            run = 0
            continue
        if (tok.start and text[tok.start - 1] in _SEPARATORS) or (tok.end < n and text[tok.end] in _SEPARATORS):
            return True
        run += 1
        if run >= 3:
            return True
    return False


@lru_cache(maxsize=4096)
def _mask_pattern(word: str) -> Masked | None:
    """Pattern for a word with hidden letters, or None if too little of it is visible."""
    runs = list(_MASK_RUN_RE.finditer(word))
    letters = sum(ch.isalpha() for ch in _MASK_RUN_RE.sub("", word))
    hidden = sum(len(m.group()) for m in runs)
    if not runs or letters < 2 or hidden > letters + 1 or len(word) > 24:
        return None
    parts = []
    pos = 0
    for m in runs:
        parts.append(re.escape(_plain(word[pos : m.start()])))
        k = len(m.group())
        parts.append(f"[а-я]{{1,{k + 2}}}")  # "бл@@@ть": people type more symbols than letters
        pos = m.end()
    parts.append(re.escape(_plain(word[pos:])))
    return Masked(word, re.compile("".join(parts)), _plain(word[: runs[0].start()])[:1])


def _plain(fragment: str) -> str:
    """Visible letters of a masked word, read the way a Cyrillic token would be."""
    f = fragment.replace("ё", "е")
    if _has_latin(f):
        f = f.translate(_SHAPE) if any(is_cyrillic(ch) for ch in f) or not f.isascii() else _transliterate(f)
    return collapse_repeats(f.translate(_DIGITS))


def raw_candidates(text: str) -> tuple[list[str], list[Masked]]:
    """Words that tokens cut apart: joined spellings ("п и з д е ц", "бл-я") and masked words.

    Call only when ``looks_disguised``; the joined words are returned as written
    (pass them through ``skeletons``), the masked ones as patterns.
    """
    low = _PI_RE.sub("пи", text.lower())
    joined = ["".join(m.group().split()) for m in _SINGLES_RE.finditer(low)]
    if len(low) != len(text):  # "3.14здец" reads "пиздец" once pi is replaced
        joined += [m.group() for m in re.finditer(r"пи[^\W\d_]+", low)]
    for m in _SEPARATED_RE.finditer(low):
        segments = re.split(r"[._-]", m.group())
        if any(len(seg) == 1 for seg in segments):
            joined.append("".join(segments))
    masked: list[Masked] = []
    for m in _MASKED_RE.finditer(low):
        chain = m.group().rstrip(".")
        if chain.startswith("@") and ("_" in chain or chain[1:].isascii()):
            continue  # a VK/Telegram handle, not a hidden letter
        mp = _mask_pattern(chain)
        if mp is not None:
            masked.append(mp)
    return joined, masked
