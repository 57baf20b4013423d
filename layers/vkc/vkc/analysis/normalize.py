"""Character-level normalization of single tokens.

Why per token: offsets must point into the original text, so the text itself is never rewritten;
each token is folded on its own and keeps its original [start, end) span.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Latin and Greek letters that look like Cyrillic ones. Used only inside a token that already
# contains Cyrillic letters ("Cбербанк" with a Latin C, "Κвартира" with a Greek Kappa), so plain
# English words are never turned into Cyrillic.
_LOOKALIKE_TO_CYRILLIC: dict[str, str] = {
    # Latin
    "A": "А", "a": "а", "B": "В", "C": "С", "c": "с", "E": "Е", "e": "е", "H": "Н",
    "K": "К", "k": "к", "M": "М", "O": "О", "o": "о", "P": "Р", "p": "р", "T": "Т",
    "X": "Х", "x": "х", "y": "у", "Y": "У",
    # Greek
    "Α": "А", "α": "а", "Β": "В", "Ε": "Е", "ε": "е", "Η": "Н", "Κ": "К", "κ": "к",
    "Μ": "М", "Ο": "О", "ο": "о", "Ρ": "Р", "ρ": "р", "Τ": "Т", "τ": "т", "Χ": "Х", "χ": "х",
    "Υ": "У", "γ": "у",
}  # fmt: skip

_LOOKALIKE_TABLE = str.maketrans(_LOOKALIKE_TO_CYRILLIC)


def is_cyrillic(ch: str) -> bool:
    """True for letters of the Cyrillic blocks (basic and supplement)."""
    return "\u0400" <= ch <= "\u052f"


def is_latin(ch: str) -> bool:
    """True for ASCII Latin letters and Latin-1/Extended-A letters."""
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ("\u00c0" <= ch <= "\u024f" and ch.isalpha())


def _strip_marks(token: str) -> str:
    """Compose (и + breve -> й), then drop the marks left over (stress accents, stray combiners)."""
    composed = unicodedata.normalize("NFC", token)
    if composed.isascii():
        return composed
    return "".join(ch for ch in composed if unicodedata.category(ch) != "Mn")


def _fold_script(token: str) -> str:
    """Map look-alike Latin/Greek letters to Cyrillic when the token is mixed-script."""
    has_cyr = False
    has_other = False
    for ch in token:
        if is_cyrillic(ch):
            has_cyr = True
        elif ch.isalpha():
            has_other = True
    if has_cyr and has_other:
        return token.translate(_LOOKALIKE_TABLE)
    return token


@lru_cache(maxsize=262_144)
def fold_cased(token: str) -> str:
    """Token with marks removed, look-alikes mapped and ё→е, but case preserved.

    Used by case-sensitive rules, which compare the case shape of the surface form.
    """
    return _fold_script(_strip_marks(token)).replace("ё", "е").replace("Ё", "Е")


@lru_cache(maxsize=262_144)
def fold(token: str) -> str:
    """The matching key of a token: lowercase, ё→е, no marks, look-alikes mapped to Cyrillic."""
    return fold_cased(token).lower()


def fold_text(text: str) -> str:
    """Fold a whole phrase or lemma (keywords, lexicon entries) the same way as tokens."""
    return " ".join(fold(part) for part in text.split())


def case_shape(token: str) -> tuple[bool, ...]:
    """Upper/lower pattern of a token; case-sensitive rules compare these shapes."""
    return tuple(ch.isupper() for ch in token)
