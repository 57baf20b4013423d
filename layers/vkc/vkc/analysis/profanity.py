"""Obscene-language (мат) and insult flags.

Why own rules: the packaged detectors flag "корабля", "употребляя", "Сбербанк", "обслуживание" and
"Great post" because they search roots as substrings. Here each token is first normalized
(leet/homoglyphs, Latin transliteration, "п-и-з-д-а" spelled apart) and a root counts only at the
start of the token or right after a known verbal prefix ("за-", "вы-", "от-ъ-", "долбо-"); an
allowlist covers the remaining look-alike words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from vkc.analysis.morphology import Morphology
from vkc.analysis.normalize import fold, is_cyrillic
from vkc.analysis.tokenize import Token

_RAW_TOKEN_RE = re.compile(r"[\w@*$]+(?:[-._][\w@*$]+)*")

_PREFIX = (
    r"(?:а|о|об|обо|от|ото|по|на|за|до|вы|ни|недо|пере|под|при|про|рас|раз|с|у|в|вз|из|ис|во|"
    r"долбо|мудо|хитро|полу)?ъ?"
)
_ROOTS = (
    r"х[у*][йеяиюе*]",  # хуй, хуе-, хуя
    r"п[иеi*][з*]д",  # пизд-
    r"[е*]б(?:а|у|л|н|и|ы|ок|ош|ет|еш|ен|ун|уч|ыр|ись)",  # еб- with verbal endings only
    r"бл[я*](?:д|т|$)",  # бля, блядь, блять
    r"(?:долбо|мудо)[е*]б",
    r"муд(?:ак|ач|ил|о[зе]|ень|ищ|ан)",
    r"шлюх",
    r"залуп",
    r"манд(?:а|ы|у|ой|е|ец|еть|ит)$",
    r"сук(?:а|и|у|ой|ами|ин|ина|ины)$|сучк|сучар",
    r"пид[оа]р|пидр",
    r"г[ао]ндон",
    r"дроч",
    r"хер(?:ня|ни|не|ню|ов|ово|ово|а|ом|$)",
)
_PROFANE_RE = re.compile(rf"^{_PREFIX}(?:{'|'.join(_ROOTS)})")

# Innocent words that a root pattern could still reach (the anchored patterns already skip
# корабля, рубля, употребляя, застрахуй, скипидар, оскорблять, обслуживание, Сбербанк ...).
ALLOWLIST_PREFIXES: tuple[str, ...] = (
    "веб", "хлеб", "неб", "себ", "потреб", "употреб", "требу", "корабл", "рубл", "страх",
    "застрах", "скипидар", "оскорбл", "обслуж", "сбер", "колеб", "гребл", "учеб", "мандарин",
    "мандат", "сукно", "херсон", "херувим", "дрочен", "подстрах", "перестрах",
)  # fmt: skip

INSULT_LEMMAS = frozenset(
    {
        "дебил", "идиот", "урод", "мразь", "клоун", "тупой", "тупица", "дурак", "дура", "придурок",
        "кретин", "имбецил", "дегенерат", "даун", "чмо", "ничтожество", "тварь", "сволочь",
        "скотина", "быдло", "лох", "гнида", "падла", "упырь", "ублюдок", "недоумок",
        "олигофрен", "шизик", "псих", "овца", "козел", "мудак", "чушпан", "лошара", "тупорылый",
    }
)  # fmt: skip

# Markers that the insult is aimed at the reader/author rather than at a thing.
SECOND_PERSON = frozenset(
    {"ты", "тебя", "тебе", "тобой", "тя", "те", "твой", "вы", "вас", "вам", "вами", "ваш", "автор",
     "админ", "админы", "модератор", "сам", "сама", "сами"}
)  # fmt: skip
SHORT_COMMENT_TOKENS = 4  # "Дебил!" alone is addressed to someone

# "@" and "*" hide a letter (п@здец, х*й): both become the wildcard "*" the roots accept.
_LEET = str.maketrans({"0": "о", "@": "*", "3": "з", "4": "ч", "6": "б", "$": "с", "ё": "е"})
_CYR_LOOKALIKE = str.maketrans(
    {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "k": "к", "m": "м",
     "t": "т", "u": "и", "h": "н", "b": "б", "i": "и", "3": "з"}
)  # fmt: skip
_TRANSLIT_MULTI = (
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("ch", "ч"), ("sh", "ш"), ("ya", "я"), ("ja", "я"),
    ("yo", "е"), ("jo", "е"), ("yu", "ю"), ("ju", "ю"), ("ts", "ц"), ("kh", "х"),
)  # fmt: skip
_TRANSLIT_ONE = str.maketrans(
    {"a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "z": "з", "i": "и", "j": "й",
     "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с", "t": "т",
     "u": "у", "f": "ф", "h": "х", "x": "х", "c": "с", "w": "в", "q": "к", "y": "ы"}
)  # fmt: skip
_VOWEL_Y_RE = re.compile(r"(?<=[aeiou])y")
_RUNS_RE = re.compile(r"(.)\1{2,}")


class ProfanityResult(BaseModel):
    """``profanity``: obscene words; ``insult``: a name-calling word aimed at a person."""

    model_config = ConfigDict(frozen=True)

    profanity: bool
    insult: bool
    terms: tuple[str, ...]  # the offending tokens, as written


@lru_cache(maxsize=131_072)
def skeleton(token: str) -> str:
    """Normalized spelling of a token for root matching (п@здец -> пиздец, pizdec -> пиздец)."""
    t = token.lower().replace("_", "")
    if any(is_cyrillic(ch) for ch in t):
        t = t.translate(_LEET).translate(_CYR_LOOKALIKE)
    elif any("a" <= ch <= "z" for ch in t):
        t = _VOWEL_Y_RE.sub("й", t)
        for src, dst in _TRANSLIT_MULTI:
            t = t.replace(src, dst)
        t = t.translate(_TRANSLIT_ONE).translate(_LEET)
    else:
        t = t.translate(_LEET)
    return _RUNS_RE.sub(r"\1", t)


@lru_cache(maxsize=131_072)
def is_profane_word(token: str) -> bool:
    """True if one token (as written, possibly obfuscated) is an obscene word."""
    sk = skeleton(token)
    if len(sk) < 3 or not _PROFANE_RE.match(sk):
        return False
    return not sk.startswith(ALLOWLIST_PREFIXES)


def _candidate_words(text: str) -> list[str]:
    """Raw words including leet symbols; letters spelled apart ("п-и-з-д-а", "х у й") are joined."""
    words: list[str] = []
    singles: list[str] = []
    for m in _RAW_TOKEN_RE.finditer(text):
        raw = m.group()
        segments = re.split(r"[-._]", raw)
        if len(segments) >= 3 and sum(map(len, segments)) <= 2 * len(segments):
            words.append("".join(segments))
        else:
            words.extend(s for s in segments if s)
        if len(raw) == 1:
            singles.append(raw)
            continue
        if len(singles) >= 3:
            words.append("".join(singles))
        singles = []
    if len(singles) >= 3:
        words.append("".join(singles))
    return words


def _looks_obfuscated(text: str, tokens: Sequence[Token]) -> bool:
    """Leet symbols that split a word ("п@здец", "х*й") or 3+ single letters in a row
    ("п и з д е ц", "пи-з-д-е-ц"). Digits inside a word ("пи3дец") stay one token and are
    handled by the per-token check, so they need no raw pass."""
    if "@" in text or "*" in text or "$" in text:
        return True
    run = 0
    for tok in tokens:
        run = run + 1 if tok.end - tok.start == 1 else 0
        if run >= 3:
            return True
    return False


class ProfanityDetector:
    """Profanity from raw text; insults from the lemmas of the word tokens."""

    def __init__(self, morph: Morphology) -> None:
        self._morph = morph
        self._is_insult = lru_cache(maxsize=131_072)(self._insult_word)

    def _insult_word(self, norm: str) -> bool:
        return len(norm) >= 2 and not self._morph.info(norm).lemma_set.isdisjoint(INSULT_LEMMAS)

    def detect(self, text: str, tokens: Sequence[Token], norms: Sequence[str] | None = None) -> ProfanityResult:
        # Word tokens cover plain, transliterated and mixed-script spellings (one cached lookup
        # each); the slower raw pass runs only when the text shows signs of obfuscation.
        found = [t.text for t in tokens if is_profane_word(t.text)]
        if _looks_obfuscated(text, tokens):
            found += [w for w in _candidate_words(text) if is_profane_word(w)]
        norms = [fold(t.text) for t in tokens] if norms is None else norms
        is_insult = self._is_insult
        insults = [t.text for t, n in zip(tokens, norms, strict=True) if is_insult(n)]
        insult = bool(insults) and (len(tokens) <= SHORT_COMMENT_TOKENS or not SECOND_PERSON.isdisjoint(norms))
        out = tuple(dict.fromkeys(found + (insults if insult else [])))
        return ProfanityResult(profanity=bool(found), insult=insult, terms=out)
