"""Lemmatization behind a small interface, with a per-process cache.

rumorph (Rust, OpenCorpora dictionary inside the wheel) is the default backend. Anything that
implements ``MorphBackend`` can replace it (pymorphy3 would: ``parse(w)`` gives normal_form, tag.POS
and score; ``lexeme`` gives forms) without touching the matcher.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, Protocol

from vkc.analysis.english import english_keyword_lemmas, english_lemmas
from vkc.analysis.normalize import fold, is_cyrillic, is_latin

# Parses less likely than this are ignored on the text side ("стекло" is not read as "стечь",
# "воду" not as "вод"). Every remaining parse contributes a lemma: recall over precision.
MIN_PARSE_PROB = 0.05

# VK slang and abbreviations the dictionary reads wrongly ("норм" -> "норма", "лс" -> "лса").
SLANG_LEMMAS: dict[str, tuple[str, ...]] = {
    "норм": ("нормально",),
    "нормас": ("нормально",),
    "спс": ("спасибо",),
    "пасиб": ("спасибо",),
    "пасиба": ("спасибо",),
    "пж": ("пожалуйста",),
    "плиз": ("пожалуйста",),
    "лс": ("личка", "личный"),
    "ок": ("окей",),
    "оки": ("окей",),
    "щас": ("сейчас",),
    "чел": ("человек",),
    "комп": ("компьютер",),
    "инет": ("интернет",),
    "сбер": ("сбербанк",),
    "тинек": ("тинькофф",),
    "тинька": ("тинькофф",),
    "тинёк": ("тинькофф",),
    "тг": ("телеграм",),
    "кв": ("квартира",),
}


# What VK writers attach to an abbreviation or a brand: case endings ("в ЖЭКе", "СДЭКа", "МТСом")
# and the common derivations ("сдэковский", "ВТБшный", "МФЦшка", "ЖКХшник").
_ABBR_TAIL = (
    r"(?:(?:ов|ев)?ск(?:ий|ая|ое|ие|ого|ому|ой|ую|им|ими|их|ом)"
    r"|шн(?:ый|ая|ое|ые|ого|ому|ой|ую|ым|ыми|ых|ом)"
    r"|шк(?:а|и|е|у|ой|ам|ами|ах)|шек"
    r"|а?шник(?:|и|а|у|ом|е|ов|ам|ами|ах)"
    r"|(?:ов|ев)(?:ец|цы|ца|цу|цем|цом|цев|цам|цами|цах)"
    r"|а|у|е|ом|ой|ы|и|ов|ам|ами|ах|ю|я|ем|ей)"
)
_ABBR_CASED_RE = re.compile(r"([А-ЯЁA-Z]{2,})-?(" + _ABBR_TAIL + ")")
_ABBR_TAIL_RE = re.compile("-?" + _ABBR_TAIL)
MIN_ABBR_STEM = 2


def abbreviation_stems(surface: str, norm: str, known: bool) -> tuple[str, ...]:
    """Stems a token may carry as an abbreviation or brand with an ending or suffix.

    "ЖЭКе" -> ("жэк",) from its case shape, whatever the dictionary says. A lowercase word the
    dictionary does not know gives every stem that leaves a valid tail ("сдэковский" -> "сдэк",
    "сдэков", ...): the matcher keeps only stems that are keywords, so the guesses cost nothing.
    """
    m = _ABBR_CASED_RE.fullmatch(surface)
    if m is not None and m.group(2).islower():
        return (fold(m.group(1)),)
    if known or len(norm) <= MIN_ABBR_STEM + 1:
        return ()
    return tuple(
        norm[:cut]
        for cut in range(len(norm) - 1, MIN_ABBR_STEM - 1, -1)
        if _ABBR_TAIL_RE.fullmatch(norm, cut) is not None
    )


class Parse(NamedTuple):
    """One morphological reading of a word."""

    lemma: str
    pos: str
    prob: float


class MorphBackend(Protocol):
    """What the analysis engine needs from a morphological analyzer."""

    def parse(self, word: str) -> Sequence[Parse]:
        """Readings of a lowercase word, most likely first."""
        ...

    def is_known(self, word: str) -> bool:
        """True if the word is in the dictionary (not a guess)."""
        ...

    def forms(self, word: str) -> Sequence[str]:
        """All inflected forms of the lexeme whose lemma is ``word`` (empty if unknown)."""
        ...


class RumorphBackend:
    """``MorphBackend`` over rumorph.Analyzer (about 0.4M words/s uncached)."""

    def __init__(self) -> None:
        import rumorph

        self._analyzer = rumorph.Analyzer()

    def parse(self, word: str) -> list[Parse]:
        return [Parse(a.lemma, a.pos, a.prob) for a in self._analyzer.analyze(word)]

    def is_known(self, word: str) -> bool:
        return bool(self._analyzer.is_known(word))

    def forms(self, word: str) -> list[str]:
        for a in self._analyzer.analyze(word):
            if fold(a.lemma) == word:
                return [f.word for f in a.forms()]
        return []


@dataclass(frozen=True, slots=True)
class WordInfo:
    """Everything the engine needs about one folded token, computed once per process."""

    norm: str
    lemmas: tuple[str, ...]  # most likely first; includes norm
    lemma_set: frozenset[str]
    pos: str  # part of speech of the most likely reading ("X" for Latin, "NUM" for digits)
    known: bool  # in the dictionary; typo tolerance applies only to unknown words
    script: str  # "cyr", "lat", "num" or "other"


def script_of(word: str) -> str:
    """Dominant script of a folded token."""
    if word.isdigit():
        return "num"
    for ch in word:
        if is_cyrillic(ch):
            return "cyr"
    for ch in word:
        if is_latin(ch):
            return "lat"
    return "other"


class Morphology:
    """Cached word analysis over a backend; one instance per process is enough."""

    def __init__(self, backend: MorphBackend | None = None, cache_size: int = 262_144) -> None:
        self.backend: MorphBackend = backend if backend is not None else RumorphBackend()
        self.info = lru_cache(maxsize=cache_size)(self._info)
        self.forms = lru_cache(maxsize=16_384)(self._forms)

    def _info(self, norm: str) -> WordInfo:
        script = script_of(norm)
        if script == "cyr":
            parses = self.backend.parse(norm)
            # slang readings first: "лс" is личка, not the dictionary's guess "лса"
            ranked: dict[str, None] = dict.fromkeys(SLANG_LEMMAS.get(norm, ()))
            pos = "X"
            for p in parses:
                if p.prob >= MIN_PARSE_PROB or not ranked:
                    lemma = fold(p.lemma)
                    ranked.setdefault(lemma, None)
                    for extra in SLANG_LEMMAS.get(lemma, ()):  # "сбере" -> сбер -> сбербанк
                        ranked.setdefault(extra, None)
                    if pos == "X":
                        pos = p.pos
            ranked.setdefault(norm, None)
            lemmas = tuple(ranked)
            known = self.backend.is_known(norm)
        elif script == "lat":
            lemmas = english_lemmas(norm)
            # the most likely lemma first: the reduced form when one exists
            if len(lemmas) > 1:
                lemmas = (lemmas[1], lemmas[0], *lemmas[2:])
            pos, known = "X", False
        else:
            lemmas, pos, known = (norm,), ("NUM" if script == "num" else "X"), False
        return WordInfo(norm, lemmas, frozenset(lemmas), pos, known, script)

    def _forms(self, lemma: str) -> tuple[str, ...]:
        if script_of(lemma) != "cyr":
            return (lemma,)
        return tuple(dict.fromkeys(fold(f) for f in self.backend.forms(lemma)))

    def keyword_lemmas(self, norm: str) -> frozenset[str]:
        """Lemmas a keyword word stands for.

        A keyword is usually written in its base form: if some reading has the word itself as
        lemma, only that lemma is used ("стекло" means стекло, not стечь). Otherwise every reading
        counts ("квартиру" -> квартира).
        """
        script = script_of(norm)
        if script == "lat":
            return frozenset(english_keyword_lemmas(norm))
        if script != "cyr":
            return frozenset({norm})
        out = {norm, *SLANG_LEMMAS.get(norm, ())}
        lemmas = [fold(p.lemma) for p in self.backend.parse(norm)]
        if norm not in lemmas:
            out.update(lemmas)
        return frozenset(out)


_DEFAULT: Morphology | None = None


def default_morphology() -> Morphology:
    """The process-wide Morphology over rumorph (created on first use, reused by warm Lambdas)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Morphology()
    return _DEFAULT
