"""Obscene-language (мат) and insult flags.

Why own rules: the packaged detectors flag "корабля", "употребляя", "Сбербанк", "обслуживание" and
"Great post" because they search roots as substrings. Here each token is first read through
``deobfuscate`` (look-alikes, digits, transliteration, repeats) and a root counts only at the start
of the word or right after a known verbal prefix ("за-", "вы-", "от-ъ-", "долбо-"); an allow-list
covers the remaining look-alike words. Symbols that hide letters ("х*й", "п...ц") are matched
against a list of obscene forms instead, since the hidden letters are unknown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from vkc.analysis.deobfuscate import Masked, looks_disguised, raw_candidates, skeletons
from vkc.analysis.insults import STRONG_LEMMAS, InsultFinder, rude_phrases
from vkc.analysis.morphology import Morphology
from vkc.analysis.normalize import fold
from vkc.analysis.results import DumpMixin
from vkc.analysis.tokenize import Token

_PREFIX = (
    r"(?:а|о|об|обо|от|ото|по|на|за|до|вы|ни|недо|пере|под|при|про|рас|раз|с|у|в|вз|из|ис|во|"
    r"долбо|долба|мудо|хитро|полу)?ъ?"
)
_ROOTS = (
    r"х[у*][йеяиюе*]",  # хуй, хуе-, хуя
    r"хул[ия]$",  # хули
    r"п[иеi*][з*][дж]",  # пизд-, пизж-
    r"пзд",  # пздц: vowels dropped
    r"[е*]б(?:а|у|л|н|и|ы|ок|к|ош|ет|еш|ен|ун|уч|ыр|ись)",  # еб- with verbal endings only
    r"бл[я*](?:д|т|$)",  # бля, блядь, блять
    r"(?:долбо|долба|мудо)[е*]б",
    r"муд(?:ак|ач|ац|ил|о[зе]|ень|ищ|ан)",
    r"шлюх",
    r"залуп",
    r"манд(?:а|ы|у|ой|е|ец|еть|ит)$",
    r"сук(?:а|и|у|ой|ами|ин|ина|ины)$|сучк|сучар",
    r"пид[оа]р|пидр",
    r"г[ао]ндон",
    r"дроч",
    r"хер(?:ня|ни|не|ню|ов|ово|а|ом|$)",
)
_PROFANE_RE = re.compile(rf"^{_PREFIX}(?:{'|'.join(_ROOTS)})")
# Whole words too short for a root, mostly with vowels dropped ("бл, опять", "пнх", "ёб твою").
DROPPED_VOWELS = frozenset({"бл", "блт", "пздц", "пзд", "пздец", "пзц", "пнх", "нх", "еб"})

# Innocent words that a root pattern could still reach (the anchored patterns already skip
# корабля, рубля, употребляя, застрахуй, скипидар, оскорблять, обслуживание, Сбербанк ...).
ALLOWLIST_PREFIXES: tuple[str, ...] = (
    "веб", "хлеб", "неб", "себ", "потреб", "употреб", "требу", "корабл", "рубл", "страх",
    "застрах", "скипидар", "оскорбл", "обслуж", "сбер", "колеб", "гребл", "учеб", "мандарин",
    "мандат", "сукно", "херсон", "херувим", "дрочен", "подстрах", "перестрах", "себаст",
    "оглобл", "бляха", "бляш", "ухуд", "похуд", "захуд",
)  # fmt: skip
# "сука" is also the breeders' word for a female dog.
_DOG_CONTEXT_RE = re.compile(r"собак|щен|кобел|вязк|течк|питомник|пород|лабрадор|овчарк")

# Obscene word forms that masked words ("х*й", "п...ц", "бл@@ть") are compared against.
OBSCENE_FORMS: tuple[str, ...] = tuple(
    " ".join(
        (
            "хуй хуя хую хуем хуе хуи хуев хуйня хуйни хуйню хуйней хуево хуевый хуевая хуевое хуевые хуета",
            "хуеты хуету хуесос хуило нахуй нахуя похуй похую охуеть охуел охуела охуели охуенно охуенный",
            "охуительно охуевший охуевшие ахуеть ахуел ахуели нихуя хуярить хуярят нахуярили хули пизда пизды",
            "пизде пизду пиздой пиздец пиздеца пиздецом пиздос пиздато пиздатый пиздеж пиздит пиздят пиздишь",
            "пиздеть спиздил спиздили спиздила пиздюк пиздюка пиздюли пиздюлей пиздабол пиздаболы пиздобол",
            "распиздяй распиздяи пизданулся пизданулась пиздануть ебать ебал ебала ебали ебет ебут ебаный",
            "ебаная ебаное ебаные ебанный ебанутый ебанутая ебанутые ебануться ебанько ебанат ебло ебало",
            "ебучий ебучая заебал заебала заебали заебало заебись заебался наебал наебали наебать уебок уебки",
            "уебан уебище выебываться выебываются доебался отъебись съебись съебался поебать поебень разъебай",
            "долбоеб долбоебы долбаеб блядь бля блять бляди блядский блядство блядина мудак мудаки мудака",
            "мудацкий мудачье мудила мудозвон сука суки суку сукой сучка сучара пидор пидоры пидора пидорас",
            "пидорасы пидар пидр гондон гандон гондоны гандоны залупа залупу шлюха шлюхи хер херня херни",
            "херню нахер похер нахера",
        )
    ).split()
)
_ENDINGS = ("", "ы", "и", "а", "у", "ом", "ов", "ей", "ами", "ой", "е", "ю", "я")
INSULT_FORMS: frozenset[str] = frozenset(
    stem + e for lemma in STRONG_LEMMAS for stem in {lemma, lemma.rstrip("аяоеьй")} for e in _ENDINGS
)


def _by_first(forms: Sequence[str] | frozenset[str]) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for f in forms:
        out.setdefault(f[0], []).append(f)
    return {k: tuple(v) for k, v in out.items()}


_OBSCENE_BY_FIRST = _by_first(OBSCENE_FORMS)
_INSULT_BY_FIRST = _by_first(INSULT_FORMS)


@dataclass(slots=True, unsafe_hash=True)
class ProfanityResult(DumpMixin):
    """``profanity``: obscene words; ``insult``: name-calling or a rude phrase aimed at a person."""

    profanity: bool
    insult: bool
    terms: tuple[str, ...]  # the offending words or phrases, as written


_CLEAN = ProfanityResult(False, False, ())


def is_obscene_skeleton(sk: str) -> bool:
    """True for a plain, lowercase Cyrillic spelling that is an obscene word (3+ letters)."""
    return len(sk) >= 3 and _PROFANE_RE.match(sk) is not None and not sk.startswith(ALLOWLIST_PREFIXES)


@lru_cache(maxsize=131_072)
def is_profane_word(token: str) -> bool:
    """True if one token (as written, possibly disguised) is an obscene word."""
    if token.lower().replace("ё", "е") in DROPPED_VOWELS:  # as written: "job" must not read as "ёб"
        return True
    return any(is_obscene_skeleton(sk) for sk in skeletons(token))


def _masked_match(word: Masked, by_first: dict[str, tuple[str, ...]]) -> bool:
    if word.first:
        pool: Sequence[str] = by_first.get(word.first, ())
    else:
        pool = [f for forms in by_first.values() for f in forms]
    return any(word.pattern.fullmatch(f) for f in pool)


class ProfanityDetector:
    """Profanity from the tokens (and, when the text hides letters, from the raw text); insults
    from lemmas and phrases."""

    def __init__(self, morph: Morphology) -> None:
        self._insults = InsultFinder(morph)

    def insult_tier(self, norm: str) -> int:
        """``InsultFinder.tier`` of a folded word (0: no insult word), for callers that cache it."""
        return self._insults.tier(norm)

    def detect(
        self,
        text: str,
        tokens: Sequence[Token],
        norms: Sequence[str] | None = None,
        found: list[str] | None = None,
        tiers: Sequence[int] | None = None,
        one_letter: Sequence[bool] | None = None,
    ) -> ProfanityResult:
        """``found``: the tokens' texts that ``is_profane_word`` accepts, ``tiers``: each token's
        ``insult_tier``, and ``one_letter``: whether each token is one character long, when the
        caller keeps them per word."""
        norms = [fold(t.text) for t in tokens] if norms is None else norms
        if found is None:
            found = [t.text for t in tokens if is_profane_word(t.text)]
        insults = self._insults.find(text, tokens, norms, tiers)
        if looks_disguised(text, tokens, one_letter):
            joined, masked = raw_candidates(text)
            for word in joined:
                if is_profane_word(word):
                    found.append(word)
                elif any(self._insults.is_strong(sk) for sk in skeletons(word)):
                    insults.append(word)  # "д.е.б.и.л.ы"
            for m in masked:
                if _masked_match(m, _OBSCENE_BY_FIRST):
                    found.append(m.written)
                elif _masked_match(m, _INSULT_BY_FIRST):
                    insults.append(m.written)  # "д*бил", "мр@зи"
        if found and _DOG_CONTEXT_RE.search(text.lower()):
            found = [w for w in found if not fold(w).startswith("сук")]
        insults += rude_phrases(tokens, norms)
        if not found and not insults:
            return _CLEAN  # nearly every comment: one shared record (results are read-only)
        out = tuple(dict.fromkeys(found + insults))
        return ProfanityResult(bool(found), bool(insults), out)
