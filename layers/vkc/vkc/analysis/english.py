"""A small rule-based English lemmatizer for Latin-script tokens.

Why not a dictionary lemmatizer: simplemma ships ~50 MB of dictionaries for dozens of languages,
while VK comments contain little English (brand names, "delivery", "service"). These rules cover
regular plurals, -ing and -ed only, and return *candidates*: "making" -> ("making",
"mak", "make"). Matching intersects candidate sets, so an extra wrong candidate costs little, but
irregular forms (went, children, better) are not handled.
"""

from __future__ import annotations

from functools import lru_cache

# Words whose trailing "s"/"ed"/"ing" is not an inflection.
_INVARIANT = frozenset(
    {
        "news", "series", "species", "bus", "gas", "yes", "this", "his", "is", "was", "has", "does",
        "its", "us", "thus", "plus", "bonus", "virus", "status", "campus", "minus", "focus", "lens",
        "always", "perhaps", "whereas", "sometimes", "analysis", "basis", "crisis", "thesis",
        "less", "unless", "across", "process", "access", "success", "business", "address", "class",
        "glass", "boss", "loss", "miss", "kiss", "press", "stress", "dress", "express", "chess",
        "red", "bed", "need", "speed", "seed", "feed", "weed", "shed", "wed", "hundred", "bred",
        "sacred", "naked", "wicked", "indeed", "ted", "ned", "led", "fled",
        "thing", "nothing", "something", "anything", "everything", "king", "ring", "sing", "bring",
        "spring", "string", "wing", "swing", "sting", "ceiling", "morning", "evening", "during",
        "wedding", "pudding", "building", "meeting", "feeling", "ping", "bling", "ming",
    }
)  # fmt: skip

_VOWELS = frozenset("aeiou")


def _undouble(stem: str) -> str:
    """ "stopp" -> "stop": undo consonant doubling before -ing/-ed."""
    if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS and stem[-1] not in "lsz":
        return stem[:-1]
    return stem


def _verb_stems(stem: str) -> list[str]:
    """Candidate bases for a stem left after removing -ing/-ed."""
    out = [stem, _undouble(stem)]
    if stem and stem[-1] not in _VOWELS and stem[-1] not in "wxy":
        out.append(stem + "e")
    if stem.endswith("i"):
        out.append(stem[:-1] + "y")
    return out


@lru_cache(maxsize=65_536)
def english_lemmas(word: str) -> tuple[str, ...]:
    """Candidate lemmas of a lowercase English word, the word itself first, most likely second."""
    w = word
    if len(w) <= 3 or w in _INVARIANT or not w.isalpha():
        return (w,)
    cands: list[str] = []
    if w.endswith("ies") and len(w) > 4:
        cands.append(w[:-3] + "y")
    elif w.endswith(("sses", "shes", "ches", "xes", "zes")):
        cands.append(w[:-2])
    elif w.endswith("ves") and len(w) > 4:
        cands += [w[:-3] + "f", w[:-3] + "fe", w[:-1]]
    elif w.endswith("es") and len(w) > 4:
        cands += [w[:-1], w[:-2]]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        cands.append(w[:-1])
    elif w.endswith("ing") and len(w) > 5:
        cands += _verb_stems(w[:-3])
    elif w.endswith("ied") and len(w) > 4:
        cands.append(w[:-3] + "y")
    elif w.endswith("ed") and len(w) > 4:
        cands += [w[:-1], *_verb_stems(w[:-2])]
    seen: dict[str, None] = {w: None}
    for c in cands:
        if len(c) >= 2:
            seen.setdefault(c, None)
    return tuple(seen)


def english_keyword_lemmas(word: str) -> tuple[str, ...]:
    """Lemmas for a keyword: keywords are usually written in base form, so only a plural is reduced.

    Using every candidate here would let the keyword "bets" match "bet" and "betting" alike; the
    text side (``english_lemmas``) is the one that expands.
    """
    if word.endswith("s") and len(word) > 3:
        return english_lemmas(word)
    return (word,)
