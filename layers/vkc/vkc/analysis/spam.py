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

from pydantic import BaseModel, ConfigDict

from vkc.analysis.normalize import fold
from vkc.analysis.tokenize import Token, tokenize

SPAM_THRESHOLD = 0.6
DUPLICATE_WEIGHT = 0.5  # same fingerprint seen under at least one other post

_URL_RE = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|(?<![\w@.])(?:[a-z0-9-]+\.)+(?:ru|com|net|org|su|me|io|ly|cc|gl|link|site|online|shop|store|"
    r"xyz|info|biz|pro|club|top|to|рф)(?:/\S*)?(?!\w)",
    re.IGNORECASE,
)
_PHONE_RE = re.compile(r"(?<!\d)(?:\+7|8|7)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?!\d)")
_HANDLE_RE = re.compile(r"(?<![\w.@])@[a-z0-9_.]{3,}", re.IGNORECASE)
_DM_RE = re.compile(
    r"\b(?:пиши|пишите|напиши|напишите|стучи|стучите|обращайтесь|жду)\b[^.!?\n]{0,25}?"
    r"\b(?:в\s+)?(?:лс|личк\w*|личн\w+\s+сообщени\w*|директ|dm|телег\w*|тг|whatsapp|ватсап\w*|"
    r"вотсап\w*|вайбер\w*|telegram)\b"
    r"|\b(?:подробност\w*|подробнее|инфа|информация|условия|детали)\s+в\s+(?:лс|личк\w*|директ\w*)\b",
    re.IGNORECASE,
)
_MONEY_RE = re.compile(
    r"заработ\w*\s+(?:без\s+вложени|от\s+\d|на\s+дому|дома|в\s+интернете|онлайн|в\s+сети)"
    r"|без\s+вложений|пассивн\w+\s+доход|доход\w*\s+от\s+\d|удал[её]нн\w+\s+работ\w*"
    r"|\d+\s*(?:тыс\w*|т\.р|к|000)\s*(?:руб\w*|р\.?|₽)?\s*(?:в|за)\s+(?:день|неделю|час|сутки)"
    r"|быстр\w+\s+(?:заработ|деньг|займ)|казино|ставк\w+\s+на\s+спорт|бонус\w*\s+за\s+регистрац"
    r"|промокод|раскрутк\w+|накрутк\w+|подписчик\w*\s+(?:дешево|недорого|быстро)"
    r"|работ\w*\s+(?:на\s+дому|из\s+дома)|скидк\w*\s+до\s+\d+\s*%|розыгрыш\w*\s+(?:айфон|iphone|денег|приз)",
    re.IGNORECASE,
)
_INVITE_RE = re.compile(
    r"подпи[сш](?:ывайтесь|ывайся|ись|итесь)\s+на|переход\w*\s+(?:по\s+ссылке|https?:|www\.)|"
    r"подробност\w*\s+по\s+ссылке|вступа\w+\s+в\s+(?:группу|"
    r"сообщество|чат|канал)|ссылк\w+\s+в\s+(?:профиле|шапке|описании)|заходи\w*\s+(?:в|на)\s+"
    r"(?:мою|мой|наш|нашу)\s+(?:группу|канал|страниц\w+|профиль)",
    re.IGNORECASE,
)
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
    score = sum(DUPLICATE_WEIGHT if r == "duplicate" else _WEIGHTS[r] for r in reasons)
    score = round(min(1.0, score), 4)
    return SpamVerdict(is_spam=score >= SPAM_THRESHOLD, score=score, reasons=tuple(reasons))


def _is_emoji(ch: str) -> bool:
    o = ord(ch)
    return 0x1F300 <= o <= 0x1FAFF or 0x2600 <= o <= 0x27BF


def assess_spam(text: str) -> SpamVerdict:
    """Spam signals of one comment on its own (see ``SpamVerdict.with_duplicates``)."""
    reasons: list[str] = []
    if _URL_RE.search(text):
        reasons.append("link")
    if _PHONE_RE.search(text):
        reasons.append("phone")
    if _HANDLE_RE.search(text):
        reasons.append("handle")
    if _DM_RE.search(text):
        reasons.append("dm_call")
    if _MONEY_RE.search(text):
        reasons.append("money_offer")
    if _INVITE_RE.search(text):
        reasons.append("invite")
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) >= CAPS_MIN_LETTERS and sum(ch.isupper() for ch in letters) >= CAPS_RATIO * len(letters):
        reasons.append("caps")
    emoji = sum(1 for ch in text if _is_emoji(ch))
    visible = sum(1 for ch in text if not ch.isspace())
    if emoji >= EMOJI_MIN and emoji >= EMOJI_RATIO * visible:
        reasons.append("emoji_flood")
    return _verdict(reasons)


def fingerprint(text: str, tokens: Sequence[Token] | None = None) -> str:
    """Stable id of a comment's wording: folded word tokens, no punctuation, emoji or case.

    "Заработок БЕЗ вложений!!! 💰" and "заработок без вложений" share a fingerprint, so the caller
    can count the same text across posts. Digits are kept: they often carry the phone or price.
    """
    toks = tokenize(text) if tokens is None else tokens
    key = " ".join(fold(t.text) for t in toks)
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()
