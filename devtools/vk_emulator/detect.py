"""Finds planted keyword forms in arbitrary text, for comments added at runtime or loaded from files.

Generated comments record their plants as they are built; a test checks that this scanner finds
exactly those, which also proves the filler vocabulary never produces a planted form by accident.
"""

from __future__ import annotations

import re
from functools import lru_cache

from devtools.vk_emulator.model import Plant
from devtools.vk_emulator.planted import PLANTED


@lru_cache(maxsize=1)
def _matcher() -> tuple[re.Pattern[str], dict[str, str]]:
    by_form: dict[str, str] = {}
    for kw in PLANTED:
        for form in kw.all_forms():
            by_form[form.lower()] = kw.keyword
    alternation = "|".join(re.escape(f) for f in sorted(by_form, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE), by_form


def find_plants(text: str) -> list[Plant]:
    """Every planted form in `text`, left to right, longest form first at each position."""
    pattern, by_form = _matcher()
    return [
        Plant(keyword=by_form[m.group(0).lower()], form=m.group(0), start=m.start(), end=m.end())
        for m in pattern.finditer(text)
    ]
