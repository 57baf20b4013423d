"""Rule-based spam signals and a duplicate fingerprint.

Each signal adds a weight; a comment is spam at ``SPAM_THRESHOLD``. A link or a phone alone is not
enough (people share links), but a link plus "заработок без вложений", or "пиши в лс" plus an offer,
is. The same text posted under many posts is the strongest signal and needs data from other
comments: the caller compares ``fingerprint`` values and passes the count to ``with_duplicates``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from vkc.analysis.normalize import fold
from vkc.analysis.tokenize import Token, tokenize

SPAM_THRESHOLD = 0.6
DUPLICATE_WEIGHT = 0.5  # same fingerprint seen under at least one other post

_URL_RE = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|(?<![\w@.])(?:[a-z0-9-]+\.)+(?:ru|com|net|org|su|me|io|ly|cc|gl|link|site|online|shop|store|"
    r"xyz|info|biz|pro|club|top|to|рф)(?:/\S*)?(?!\w)",
)
# Cheap gate for _URL_RE: a dot between a letter/digit and a letter, or a scheme.
_URL_GATE_RE = re.compile(r"[a-z0-9]\.[a-zр]|://")
_PHONE_RE = re.compile(r"(?<!\d)(?:\+7|8|7)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?!\d)")
_HANDLE_RE = re.compile(r"(?<![\w.@])@[a-z0-9_.]{3,}")
_DM_RE = re.compile(
    r"\b(?:пиши|пишите|напиши|напишите|стучи|стучите|обращайтесь|жду)\b[^.!?\n]{0,25}?"
    r"\b(?:в\s+)?(?:лс|личк\w*|личн\w+\s+сообщени\w*|директ|dm|телег\w*|тг|whatsapp|ватсап\w*|"
    r"вотсап\w*|вайбер\w*|telegram)\b"
    r"|\b(?:подробност\w*|подробнее|инфа|информация|условия|детали)\s+в\s+(?:лс|личк\w*|директ\w*)\b",
)
_MONEY_RE = re.compile(
    r"заработ\w*\s+(?:без\s+вложени|от\s+\d|на\s+дому|дома|в\s+интернете|онлайн|в\s+сети)"
    r"|без\s+вложений|пассивн\w+\s+доход|доход\w*\s+от\s+\d|удал[её]нн\w+\s+работ\w*"
    r"|\d+\s*(?:тыс\w*|т\.р|к|000)\s*(?:руб\w*|р\.?|₽)?\s*(?:в|за)\s+(?:день|неделю|час|сутки)"
    r"|быстр\w+\s+(?:заработ|деньг|займ)|казино|ставк\w+\s+на\s+спорт|бонус\w*\s+за\s+регистрац"
    r"|промокод|раскрутк\w+|накрутк\w+|подписчик\w*\s+(?:дешево|недорого|быстро)"
    r"|работ\w*\s+(?:на\s+дому|из\s+дома)|скидк\w*\s+до\s+\d+\s*%|розыгрыш\w*\s+(?:айфон|iphone|денег|приз)",
)
_INVITE_RE = re.compile(
    r"подпи[сш](?:ывайтесь|ывайся|ись|итесь)\s+на|переход\w*\s+(?:по\s+ссылке|https?:|www\.)|"
    r"подробност\w*\s+по\s+ссылке|вступа\w+\s+в\s+(?:группу|"
    r"сообщество|чат|канал)|ссылк\w+\s+в\s+(?:профиле|шапке|описании)|заходи\w*\s+(?:в|на)\s+"
    r"(?:мою|мой|наш|нашу)\s+(?:группу|канал|страниц\w+|профиль)",
)
_CAPS_GATE_RE = re.compile(r"[A-ZА-ЯЁ]{4}")
_LETTER_RE = re.compile(r"[^\W\d_]")
_UPPER_RE = re.compile(r"[A-ZА-ЯЁ]")
_EMOJI_RE = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")
_SPACE_RE = re.compile(r"\s")
_WEIGHTS: dict[str, float] = {
    "link": 0.4,
    "phone": 0.4,
    "handle": 0.3,
    "dm_call": 0.6,
    "money_offer": 0.6,
    "invite": 0.4,
    "caps": 0.2,
    "emoji_flood": 0.2,
}
CAPS_MIN_LETTERS = 12
CAPS_RATIO = 0.7
EMOJI_MIN = 6
EMOJI_RATIO = 0.3


class SpamVerdict(BaseModel):
    """Spam flag with the signals that fired and their summed weight (capped at 1)."""

    model_config = ConfigDict(frozen=True)

    is_spam: bool
    score: float
    reasons: tuple[str, ...]

    def with_duplicates(self, other_posts: int) -> SpamVerdict:
        """Add the cross-post duplicate signal: the same fingerprint under ``other_posts`` posts."""
        if other_posts <= 0 or "duplicate" in self.reasons:
            return self
        return _verdict((*self.reasons, "duplicate"))


def _verdict(reasons: Sequence[str]) -> SpamVerdict:
    if not reasons:
        return _CLEAN
    score = sum(DUPLICATE_WEIGHT if r == "duplicate" else _WEIGHTS[r] for r in reasons)
    score = round(min(1.0, score), 4)
    return SpamVerdict(is_spam=score >= SPAM_THRESHOLD, score=score, reasons=tuple(reasons))


_CLEAN = SpamVerdict(is_spam=False, score=0.0, reasons=())
_DM, _MONEY, _INVITE = 1, 2, 4
_DM_WORDS = frozenset(
    {
        "пиши", "пишите", "напиши", "напишите", "стучи", "стучите", "обращайтесь", "жду",
        "подробности", "подробнее", "инфа", "информация", "условия", "детали",
    }
)  # fmt: skip
_MONEY_STEMS = (
    "заработ", "вложени", "пассивн", "доход", "удален", "быстр", "казино", "ставк", "бонус",
    "промокод", "раскрутк", "накрутк", "подписчик", "работ", "скидк", "розыгрыш",
)  # fmt: skip
_MONEY_WORDS = frozenset({"день", "неделю", "час", "сутки"})
_INVITE_STEMS = ("подпис", "подпиш", "переход", "вступа", "ссылк", "заходи", "подробност")


@lru_cache(maxsize=131_072)
def _triggers(norm: str) -> int:
    """Which phrase regexes a word can start: they only run when some word could begin them."""
    mask = 0
    if norm in _DM_WORDS:
        mask |= _DM
    if norm in _MONEY_WORDS or norm.startswith(_MONEY_STEMS):
        mask |= _MONEY
    if norm.startswith(_INVITE_STEMS):
        mask |= _INVITE
    return mask


def assess_spam(text: str, tokens: Sequence[Token] | None = None, norms: Sequence[str] | None = None) -> SpamVerdict:
    """Spam signals of one comment on its own (see ``SpamVerdict.with_duplicates``)."""
    low = text.lower()  # one lowercase copy instead of case-insensitive regexes (3x faster)
    if norms is None:
        norms = [fold(t.text) for t in (tokenize(text) if tokens is None else tokens)]
    mask = 0
    for norm in norms:
        mask |= _triggers(norm)
    reasons: list[str] = []
    if _URL_GATE_RE.search(low) and _URL_RE.search(low):
        reasons.append("link")
    if ("7" in low or "8" in low) and _PHONE_RE.search(low):
        reasons.append("phone")
    if "@" in low and _HANDLE_RE.search(low):
        reasons.append("handle")
    if mask & _DM and _DM_RE.search(low):
        reasons.append("dm_call")
    if mask & _MONEY and _MONEY_RE.search(low):
        reasons.append("money_offer")
    if mask & _INVITE and _INVITE_RE.search(low):
        reasons.append("invite")
    if len(text) >= CAPS_MIN_LETTERS and _CAPS_GATE_RE.search(text):
        letters = len(_LETTER_RE.findall(text))
        if letters >= CAPS_MIN_LETTERS and len(_UPPER_RE.findall(text)) >= CAPS_RATIO * letters:
            reasons.append("caps")
    emoji = len(_EMOJI_RE.findall(text))
    if emoji >= EMOJI_MIN and emoji >= EMOJI_RATIO * (len(text) - len(_SPACE_RE.findall(text))):
        reasons.append("emoji_flood")
    return _verdict(reasons)


def fingerprint(text: str, tokens: Sequence[Token] | None = None, norms: Sequence[str] | None = None) -> str:
    """Stable id of a comment's wording: folded word tokens, no punctuation, emoji or case.

    "Заработок БЕЗ вложений!!! 💰" and "заработок без вложений" share a fingerprint, so the caller
    can count the same text across posts. Digits are kept: they often carry the phone or price.
    """
    if norms is None:
        norms = [fold(t.text) for t in (tokenize(text) if tokens is None else tokens)]
    key = " ".join(norms)
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()
