"""Builds VK-looking comment texts and records exactly where each planted keyword form landed."""

from __future__ import annotations

import bisect
import itertools
import random

from devtools.vk_emulator import vocabulary as voc
from devtools.vk_emulator.model import Plant
from devtools.vk_emulator.planted import PLANTED, PlantedKeyword

# (tone, weight): "long" is a calm multi-sentence story, "emoji" is emoji only.
_TONES = (("positive", 20), ("negative", 28), ("neutral", 30), ("slang", 10), ("long", 7), ("spam", 2), ("emoji", 3))
_POOLS = {"positive": voc.POSITIVE, "negative": voc.NEGATIVE, "neutral": voc.NEUTRAL, "slang": voc.SLANG}
_EMOJI = {"positive": voc.EMOJI_POSITIVE, "negative": voc.EMOJI_NEGATIVE}


class TextMaker:
    """Seeded text source: the same rng sequence gives the same texts, plants and tones."""

    def __init__(self, rng: random.Random, plant_rate: float = 0.25) -> None:
        self.rng = rng
        self.plant_rate = plant_rate
        self._tone_names = [t for t, _ in _TONES]
        self._tone_cum = list(itertools.accumulate(w for _, w in _TONES))

    def comment(self, mention: str | None = None) -> tuple[str, list[Plant], str | None]:
        """A comment text, its plants and its tone label (None when mixed or unclear)."""
        rng = self.rng
        # bisect over cumulative weights: what random.choices does, without its per-call overhead
        tone = self._tone_names[bisect.bisect(self._tone_cum, rng.random() * self._tone_cum[-1])]
        parts: list[str] = []
        plants: list[Plant] = []
        pos = 0
        if mention:
            parts.append(mention)
            pos += len(mention)

        def add(sentence: str, found: list[Plant] | None = None) -> None:
            nonlocal pos
            if parts:
                # Most people end a sentence with a dot; some just run them together.
                joiner = " "
                if parts[-1][-1] not in ".,!?…" and sentence[0].isalpha() and rng.random() < 0.7:
                    joiner = ". "
                parts.append(joiner)
                pos += len(joiner)
            if found:
                plants.extend(Plant(p.keyword, p.form, p.start + pos, p.end + pos) for p in found)
            parts.append(sentence)
            pos += len(sentence)

        if tone == "emoji":
            add("".join(rng.choice(voc.EMOJI_NEUTRAL + voc.EMOJI_POSITIVE) for _ in range(rng.randint(1, 4))))
            return "".join(parts), plants, None
        if tone == "spam":
            add(rng.choice(voc.SPAM))
            return "".join(parts), plants, "spam"
        if tone == "long":
            sentences = rng.sample(voc.NARRATIVE, rng.randint(8, min(20, len(voc.NARRATIVE))))
            plant_at = rng.randrange(len(sentences) + 1) if rng.random() < self.plant_rate * 2 else -1
            for i, s in enumerate(sentences):
                if i == plant_at:
                    add(*self._keyword_sentence("neutral"))
                add(s)
            if plant_at == len(sentences):
                add(*self._keyword_sentence("neutral"))
            return "".join(parts), plants, None

        roll = rng.random()
        n = 1 if roll < 0.6 else 2 if roll < 0.9 else 3
        template_tone = tone if tone in ("positive", "negative") else "neutral"
        planted_slots = {i for i in range(n) if rng.random() < self.plant_rate}
        if len(planted_slots) > 1 and rng.random() < 0.5:
            planted_slots = {min(planted_slots)}
        used: set[str] = set()
        for i in range(n):
            for _ in range(3):  # people rarely repeat a sentence verbatim
                if i in planted_slots:
                    sentence, found = self._keyword_sentence(template_tone, lower=tone == "slang")
                else:
                    sentence, found = rng.choice(_POOLS[tone]), []
                if sentence not in used:
                    break
            used.add(sentence)
            add(sentence, found)
        if tone in _EMOJI and rng.random() < 0.5:
            add(rng.choice(_EMOJI[tone]) * rng.randint(1, 3))
        elif rng.random() < 0.08:
            add(rng.choice(voc.EMOJI_NEUTRAL))
        if rng.random() < 0.04:
            add(rng.choice(voc.LINKS))
        label = tone if tone in ("positive", "negative", "neutral") else None
        return "".join(parts), plants, label

    def _keyword_sentence(self, tone: str, *, lower: bool = False) -> tuple[str, list[Plant]]:
        rng = self.rng
        kw: PlantedKeyword = rng.choice(PLANTED)
        reversed_pick = bool(kw.reversed_forms) and rng.random() < 0.25
        forms = kw.reversed_forms if reversed_pick else kw.forms
        templates = [t for t in voc.KEYWORD_TEMPLATES[tone] if t[0] in forms]
        if not templates:
            forms = kw.forms
            templates = [t for t in voc.KEYWORD_TEMPLATES[tone] if t[0] in forms]
        slot, template = rng.choice(templates)
        form = forms[slot]
        roll = rng.random()
        if roll < 0.05:
            form = form.upper()
        elif lower or roll < 0.12:
            form = form.lower()
        prefix, suffix = template.split("{}")
        if not prefix:
            form = form[0].upper() + form[1:]
        if lower:
            prefix, suffix = prefix.lower(), suffix.lower()
        if not prefix and not lower and not kw.is_phrase and rng.random() < 0.05:
            prefix = "#"
        sentence = f"{prefix}{form}{suffix}"
        return sentence, [Plant(kw.keyword, form, len(prefix), len(prefix) + len(form))]

    def post(self) -> str:
        rng = self.rng
        lines = [rng.choice(voc.POST_TEXTS)]
        if rng.random() < 0.4:
            lines.extend(rng.sample(voc.NARRATIVE, rng.randint(1, 4)))
        if rng.random() < 0.2:
            lines.append(rng.choice(voc.LINKS))
        return " ".join(lines)
