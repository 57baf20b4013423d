"""Spam signals of one comment: the features the spam model weighs.

Why hand-made features under a learned model: spam changes its words weekly, but its moves stay
the same (a link or a phone plus an offer, a call to write privately, a prize to "collect"). Each
move is a named signal, so a verdict can say why; the model only learns how much each one counts
and how the innocent look-alikes (a neighbour giving a pram away, a promo code shared by a
customer, news about a casino raid) pull the other way.

Speed: word families are found from the folded tokens (one cached lookup per distinct word), and a
regex runs only when a cheap check says it could match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache, reduce
from operator import or_

from vkc.analysis.tokenize import Token, tokenize


def _stems(words: str) -> tuple[str, ...]:
    return tuple(words.split())


# Word families, matched as prefixes of folded tokens (ё is already е). Order defines the bit.
FAMILIES: dict[str, tuple[str, ...]] = {
    "loan": _stems("займ заим микрозайм кредит рефинанс ломбард автоломбард банкротств"),
    "loan_terms": _stems(
        "одобр отказ проверк проверок справок справк зарплат просрочк поручител залог паспорт процент ставк карту "
        "истори"
    ),
    "earn": _stems(
        "заработ доход пассивн инвест крипт биткоин битк бирж трейдинг арбитраж токен майн сигнал памп аирдроп "
        "airdrop nft usdt профит прибыл схем подработ поднять"
    ),
    "job": _stems(
        "работ подработ ваканси требуют требуетс набор набира курьер сотрудник удален удаленк вахт дроп закладчик "
        "модератор оператор команду"
    ),
    "job_terms": _stems(
        "дому дома опыт оформлен трудов выплат ежедневн еженедельн график обучени смен документ самозанят зп оплата "
        "платим"
    ),
    "bet": _stems(
        "ставк прогноз казино слот фриспин букмекер кэф коэф капер каппер депозит фрибет договорн договорняк "
        "рулетк aviator занос экспресс проход покер зеркало 1xставк"
    ),
    "give": _stems("розыгрыш разыгр раздаю раздача раздаем дарю дарим кидаю конкурс итоги репост"),
    "sub": _stems("подпис подпиш вступа вступи добавляй загляни заглядыва заходите"),
    "venue": _stems(
        "канал паблик группу группе групп чат телеграм тг телег тгк инст ютуб сообществ тик страничк club public"
    ),
    "money": _stems("деньг денег денежн рубл тысяч тыс млн миллион"),
    "linkword": _stems("перейди$ перейдите$ переходи$ переходите$ жми$ жмите$"),
    "period": _stems("день сутки неделю месяц час вечер смену дня"),
    "tg": _stems("тг tg тгк телег телеграм telegram"),
    "civic": _stems(
        "горяч аварий аварийк дежурн служб доверия диспетчер справочн соцзащит администрац ук мэри поликлиник "
        "единый бюро водоканал почта приют участков экстренн 112 газов лифтов жэк тсж ветклиник мчс вокзал"
    ),
    "prize": _stems(
        "выиграл выиграли выиграла выигрыш победител победили приз подарок компенсац выплат бонус начислен "
        "положен счастлив поздравля победой"
    ),
    "prize_act": _stems("забер забрать забирай получ активир подтверд крути оплатите реквизит введите"),
    "visit": _stems("заходил заходит смотрит смотрел гост подглядыва посещ лайкал посмотрела"),
    "page": _stems("страниц профил стр страничк аккаунт"),
    "adult": _stems(
        "интим секс эскорт знакомств досуг вызову приват вебкам спонсор обязательств цензур откровенн одинок xxx "
        "массаж скучаешь"
    ),
    "service": _stems(
        "услуг недорог ключ выезд круглосуточн гарант замер звоните звони звонки посуточн сдаю сдам сдается сдаем "
        "ремонт заказ пенсионер качеств сложност вскрыт эвакуатор грузоперевоз грузчик юрист мастер клининг "
        "доставк бронь тел т"
    ),
    "dm": _stems("лс личку личке личн директ вотсап ватсап whatsapp вайбер сообщени"),
    "write": _stems(
        "пиши пишите напиши напишите стучи обращайтесь жду писать обращаться скину пришлю отправлю расскажу$ "
        "рассказываю$ научу$"
    ),
    "cta": _stems(
        "жми переходи$ переходите$ успей регистрир забирай заходи проверь проверяй узнай ставь оставь кликай активируй "
        "скачивай бери играй вводи"
    ),
    "urgent": _stems("срочно сегодня успей осталось последний спешите пока быстр минут"),
    "promise": _stems("гарант проверен реальн легальн прозрачн бесплатн халяв безопасн анонимн точность проходимост"),
    "warn": _stems("мошенн развод осторожн ведитесь бдительн фейк обман предупрежд полици украл опроверг"),
    "news": _stems(
        "заявил сообщ данным цб суд прокуратур задержа эксперт госдум указ закон регион оштраф лиценз власт "
        "предложили запрет мэр министерств"
    ),
    "ask": _stems("подскажите нибудь почему сколько где можно правда стоит знает посоветуйте кто как зачем ли"),
    "private": _stems(
        "отдам отдаю даром самовывоз продам продаю нашла нашел нашли потерял потерялся ищу сосед соседи соседка "
        "кому заберите"
    ),
    "promo": _stems("промокод промик купон скидк кэшбэк кешбек кэшбек акци распродаж"),
    "self": _stems("я мне меня моя мой мою сама сам брала брал заказала купила"),
}
_FAMILY_BITS = {name: 1 << i for i, name in enumerate(FAMILIES)}
# Very short stems, and stems ending in "$", are matched whole, not as prefixes ("т" is "тел.", not
# every word with т-; "переходи" is a call, "переходит" is not).
_EXACT_MIN = 3


# Bits past the families: the word is a top-level domain, a number word, all digits.
_TLD_BIT = 1 << len(FAMILIES)
_NUMBER_BIT = 1 << (len(FAMILIES) + 1)
_DIGITS_BIT = 1 << (len(FAMILIES) + 2)
_PHONE_TOKEN_BIT = 1 << (len(FAMILIES) + 3)  # "89o22223344": a phone with letters inside one token


@lru_cache(maxsize=131_072)
def word_families(norm: str) -> int:
    """Bit mask of the families a folded word belongs to (plus the word-kind bits above)."""
    mask = (
        (_TLD_BIT if norm in TLD_WORDS else 0)
        | (_NUMBER_BIT if norm in _NUMBER_WORDS else 0)
        | (_DIGITS_BIT if norm.isdigit() else 0)
        | (_PHONE_TOKEN_BIT if len(norm) >= 10 and norm[0] in "+78" and sum(map(str.isdigit, norm)) >= 8 else 0)
    )
    for name, stems in FAMILIES.items():
        for stem in stems:
            if (norm == stem.rstrip("$")) if len(stem) < _EXACT_MIN or stem[-1] == "$" else norm.startswith(stem):
                mask |= _FAMILY_BITS[name]
                break
    return mask


_TLD = (
    r"ru|com|net|org|su|me|io|ly|cc|gl|link|site|online|shop|store|xyz|info|biz|pro|club|top|to|win|"
    r"bet|live|fun|space|website|рф|ру|ком"
)
_URL_RE = re.compile(rf"(?:https?://|www\.)\S+|(?<![\w@.])(?:[\w-]+\.)+(?:{_TLD})(?:/\S*)?(?![\w])")
_SHORTENERS = ("bit.ly", "clck.ru", "vk.cc", "goo.gl", "tinyurl", "cutt.ly", "is.gd", "u.to", "bit . ly")
_TRUSTED = (
    "gosuslugi",
    "gov.ru",
    ".gov",
    "mos.ru",
    "cbr.ru",
    "pochta.ru",
    "wikipedia.org",
    "youtube.com",
    "youtu.be",
    "ria.ru",
    "tass.ru",
    "yandex.ru",
    "2gis",
    "speedtest.net",
    "change.org",
    "e1.ru",
    "vk.com/video",
    "vk.com/wall",
    "vk.com/photo",
    "pravo.gov",
    "rbc.ru",
    "kommersant.ru",
    "interfax",
    "sberbank.ru",
    "nalog",
    "mintrans",
    "trudvsem",
    "добровольцыроссии",
    "gorodsreda",
    "pastvu",
    "midural",
)
# Top-level domains as separate words: a domain spelled to dodge link filters ("zaim - online . ru",
# "займ24 точка ру", "dohod[.]online", "vk gosti ру") leaves one of these as a token of its own.
TLD_WORDS = frozenset(
    _stems(
        "ru ру рф com ком net su online онлайн site store shop club клаб xyz info biz pro top win bet "
        "live fun space website me ly io cc gl link to org c0m"
    )
)
_DOT_WORDS = frozenset({"точка", "dot", "тчк"})
_SPACED_TLD = frozenset({"ru", "ру", "рф", "com", "ком", "net", "su"})
_PLAIN_DOT_GAPS = frozenset({".", "/"})
_TME_RE = re.compile(
    r"t\.me/|t\s*\.\s*me\s*/|(?:\bтг|\btg|телег\w*|телеграм\w*|tg-канал)\s*[:\-]?\s*@?[a-z][a-z0-9_]{3,}"
)
_HANDLE_RE = re.compile(r"(?<![\w.@])@[a-z0-9_.]{3,}")
_LATIN_UNDERSCORE_RE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")
# Phones: +7/8/7 then 10 digits in any grouping, also with letter O for zero and I for one.
_PHONE_RE = re.compile(r"(?<![\d\w])(?:\+\s*7|8|7)[\s().*\-]*((?:[\dоoil|][\s().*\-]*){9,10})(?![\d])")
_CITY_PHONE_RE = re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{2}(?![\d-])")
_NUMBER_WORDS = frozenset(
    _stems(
        "ноль один два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать тринадцать "
        "четырнадцать пятнадцать шестнадцать семнадцать восемнадцать девятнадцать двадцать тридцать сорок "
        "пятьдесят шестьдесят семьдесят восемьдесят девяносто сто двести триста четыреста пятьсот шестьсот "
        "семьсот восемьсот девятьсот плюс"
    )
)
_AMOUNT_RE = re.compile(
    r"\d[\d\s]*(?:к|тыс\w*|тыщ\w*|т\.?р\.?|000|₽|р\.?|руб\w*|\$)?\s*(?:в|за)\s+(?:день|сутки|неделю|месяц|час|вечер|смену)"
    r"|\d+\s*%\s*(?:в|за)\s+(?:день|сутки|неделю|месяц)|доход\w*\s+от\s+\d|от\s+\d[\d\s]*(?:к|тыс\w*|000|₽|р\b|руб\w*)"
)
_PLUS_CALL_RE = re.compile(
    r"(?:пиши|пишите|ставь|ставьте|оставь|оставьте)\s+(?:\+|плюс|[«\"]?\w+[»\"]?\s+в\s+(?:лс|личку))"
)
_PROFILE_RE = re.compile(
    r"(?:ссылк\w*|сайт|анкет\w*)\s+(?:в|на|у\s+меня\s+на)\s+(?:моем\s+|моей\s+)?(?:профил\w*|шапк\w*|описани\w*|странице|стене|закреп\w*)"
    r"|(?:в|на)\s+(?:моем|моей|мой|мою)\s+(?:профил\w*|странице|страничк\w*|стене)"
    r"|(?:заходи\w*|переходи\w*|загляни\w*|жми)\s+(?:ко\s+мне\s+)?(?:в|на)\s+(?:мой\s+|мою\s+)?(?:профил\w*|страниц\w*|страничк\w*)"
)
_LETTER_RE = re.compile(r"[^\W\d_]")
_ANY_DIGIT_RE = re.compile(r"\d")
_EMOJI_RE = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u203c\u2049]")
EMOJI_RE = _EMOJI_RE  # the analyzer scans once for spam and sentiment
_SPACE_RE = re.compile(r"\s")
CAPS_MIN_LETTERS = 12
EMOJI_MIN = 6
EMOJI_RATIO = 0.3

# Pairs of families that together make an offer ("займ" + "без отказа", "работа" + "на дому").
PAIRS: tuple[tuple[str, str, str], ...] = (
    ("loan_offer", "loan", "loan_terms"),
    ("job_offer", "job", "job_terms"),
    ("giveaway", "give", "venue"),
    ("prize_claim", "prize", "prize_act"),
    ("visitors", "visit", "page"),
    ("channel_promo", "sub", "venue"),
    ("dm_write", "write", "dm"),
)

# Feature names in model order; the first group are the reasons a verdict can give.
REASONS: tuple[str, ...] = (
    "link", "short_link", "obfuscated_link", "telegram", "handle", "phone", "dm_call", "profile_link",
    "plus_call", "money_offer", "loan_offer", "job_offer", "betting", "giveaway", "prize", "visitors",
    "adult", "invite", "caps", "emoji_flood",
)  # fmt: skip
CONTEXT: tuple[str, ...] = (
    "trusted_link", "service", "urgent", "promise", "cta", "warn", "news", "ask", "private", "promo",
    "self", "question_mark", "exclaim", "amount", "loan_word", "earn_word", "job_word", "sub_word",
    "prize_word", "phone_city", "long", "emoji", "civic", "phone_landline", "offer_with_contact",
)  # fmt: skip
FEATURES: tuple[str, ...] = REASONS + CONTEXT
INDEX = {name: i for i, name in enumerate(FEATURES)}


_B = _FAMILY_BITS
_AMOUNT_GATE = _B["period"] | _B["earn"] | _B["job"] | _B["bet"]
_PAIR_MASKS = {name: _B[a] | _B[b] for name, a, b in PAIRS}
# Context features that are just "a word of this family is present": (feature index, family bit).
_FAMILY_FEATURES = tuple(
    (INDEX[name], _B[family])
    for name, family in (
        ("service", "service"), ("urgent", "urgent"), ("promise", "promise"), ("cta", "cta"),
        ("warn", "warn"), ("news", "news"), ("ask", "ask"), ("private", "private"), ("promo", "promo"),
        ("self", "self"), ("civic", "civic"), ("loan_word", "loan"), ("earn_word", "earn"),
        ("job_word", "job"), ("sub_word", "venue"), ("prize_word", "prize"), ("betting", "bet"),
    )
)  # fmt: skip


_DM_WORDS = frozenset(
    {"лс", "личку", "личке", "директ", "директе", "личные", "личных", "вотсап", "ватсап", "whatsapp", "вайбер"}
)
_DM_PREPOSITIONS = frozenset({"в", "во", "по"})


def _write_to_me(norms: Sequence[str]) -> bool:
    """ "напишите мне", or "пишите" closing the comment: the sender asks to be contacted."""
    last = len(norms) - 1
    return any(word_families(n) & _B["write"] and (i == last or norms[i + 1] == "мне") for i, n in enumerate(norms))


def _dm_after_preposition(norms: Sequence[str]) -> bool:
    """ "в лс", "в личку", "подробности в директе": a call to move the talk out of sight."""
    return any(n in _DM_WORDS and i and norms[i - 1] in _DM_PREPOSITIONS for i, n in enumerate(norms))


def _phone_words(norms: Sequence[str]) -> bool:
    """Four number words or digit groups in a row, at least two of them words ("восемь 912 ...")."""
    run = words = 0
    for n in norms:
        if n in _NUMBER_WORDS:
            run += 1
            words += 1
        elif n.isdigit() and len(n) <= 3:
            run += 1
        else:
            run = words = 0
        if run >= 4 and words >= 2:
            return True
    return False


def _obfuscated_domain(text: str, tokens: Sequence[Token], norms: Sequence[str]) -> bool:
    """A top-level domain cut off from its name by spaces, a word for "dot", brackets or a comma,
    or a domain spelled in single letters ("r a b o t a . r u")."""
    for i in range(1, len(norms)):
        if norms[i] not in TLD_WORDS:
            continue
        gap = text[tokens[i - 1].end : tokens[i].start]
        if norms[i - 1] in _DOT_WORDS or norms[i] == "c0m":
            return True
        if gap in _PLAIN_DOT_GAPS:
            continue  # an ordinary domain: the link signal covers it
        if "." in gap or "•" in gap or "," in gap.strip():
            return True
        if norms[i] in _SPACED_TLD and tokens[i - 1].text.isascii() and not gap.strip(" «»\"'"):
            return True  # "vk gosti ру", "kompensaciya ru"; not English prose ("a store", "to")
    return False


def _spelled_out_domain(text: str, tokens: Sequence[Token]) -> bool:
    run = 0
    dotted = False
    for i, tok in enumerate(tokens):
        if tok.end - tok.start == 1 and not tok.text.isdigit():
            run += 1
            dotted = dotted or (i > 0 and "." in text[tokens[i - 1].end : tok.start])
            if run >= 5 and dotted:
                return True
        else:
            run = 0
            dotted = False
    return False


_I = INDEX
_LINK, _TRUSTED_LINK, _SHORT, _OBF = _I["link"], _I["trusted_link"], _I["short_link"], _I["obfuscated_link"]
_PHONE, _LANDLINE, _CITY = _I["phone"], _I["phone_landline"], _I["phone_city"]
_M_LOAN_OFFER, _M_JOB_OFFER, _M_DM_WRITE = _PAIR_MASKS["loan_offer"], _PAIR_MASKS["job_offer"], _PAIR_MASKS["dm_write"]
_CONTACTS = frozenset(
    _I[name]
    for name in ("link", "short_link", "obfuscated_link", "telegram", "handle", "phone", "dm_call", "profile_link")
)
_OFFER_FAMILIES = 0
for _family in (
    "loan",
    "earn",
    "job",
    "bet",
    "give",
    "prize",
    "adult",
    "service",
    "visit",
    "promise",
    "money",
    "promo",
):
    _OFFER_FAMILIES |= _B[_family]
_PAIR_FEATURES = tuple(
    (_PAIR_MASKS[pair], _I[name])
    for pair, name in (
        ("giveaway", "giveaway"),
        ("prize_claim", "prize"),
        ("visitors", "visitors"),
        ("channel_promo", "invite"),
    )
)


# Family bits ``active`` tests, as plain names (a dict lookup each, per comment, otherwise).
_F_ADULT = _B["adult"]
_F_DM = _B["dm"]
_F_EARN = _B["earn"]
_F_JOB = _B["job"]
_F_LINKWORD = _B["linkword"]
_F_LOAN = _B["loan"]
_F_PAGE = _B["page"]
_F_TG = _B["tg"]
_F_WRITE = _B["write"]
# Lowercase letters: a text holding one is not all capitals (they change under ``upper()``).
_LOWER_RE = re.compile("[a-zа-яё]")


@lru_cache(maxsize=65_536)
def _family_features(mask: int) -> tuple[int, ...]:
    return tuple(i for i, bit in _FAMILY_FEATURES if mask & bit)


def active(
    text: str,
    norms: Sequence[str],
    tokens: Sequence[Token] | None = None,
    families: Iterable[int] | None = None,
    emojis: Sequence[str] | None = None,
    lower: str | None = None,
) -> list[int]:
    """Indices (into ``FEATURES``) of the signals present in one comment; every feature is 0/1.

    ``emojis``: ``EMOJI_RE.findall(text)``, and ``lower``: ``text.lower()``, when the caller has
    them (each a full pass over the text).
    """
    # the patterns are written with е, as the folded tokens
    low = (text.lower() if lower is None else lower).replace("ё", "е")
    # ``families``: each token's ``word_families``, when the caller keeps them per word
    mask = reduce(or_, map(word_families, norms) if families is None else families, 0)
    on = list(_family_features(mask))
    tld = bool(mask & _TLD_BIT)
    urls: list[str] = []
    if tld or "://" in low or "www." in low:
        urls = _URL_RE.findall(low)
        if urls:
            trusted = [u for u in urls if any(t in u for t in _TRUSTED)]
            if len(trusted) < len(urls):
                on.append(_LINK)
            if trusted:
                on.append(_TRUSTED_LINK)
            if any(s in low for s in _SHORTENERS):
                on.append(_SHORT)
    if tld or " . " in text:
        if tokens is None:
            tokens = tokenize(text)
        if (tld and _obfuscated_domain(text, tokens, norms)) or (" . " in text and _spelled_out_domain(text, tokens)):
            on.append(_OBF)
    if ("t.me" in low or mask & _F_TG) and _TME_RE.search(low):
        on.append(_I["telegram"])
    if "_" in low and urls:
        for url in urls:  # "t.me/gorod_chat" is a link, not also a handle
            low = low.replace(url, " ")
    if ("@" in low and _HANDLE_RE.search(low)) or ("_" in low and _LATIN_UNDERSCORE_RE.search(low)):
        on.append(_I["handle"])
    digits = sum(map(len, filter(str.isdigit, norms))) if mask & _DIGITS_BIT else 0  # in all-digit tokens
    phone = False
    if digits >= 6 or mask & _PHONE_TOKEN_BIT:  # a phone has 10-11 digits, a few may be letters ("9o4")
        m = _PHONE_RE.search(low)
        if m:
            # mobiles (9xx) are what private offers and spam give; 8-800 and city codes are services
            phone = m.group(1).lstrip(" ().*-")[:1] == "9"
            on.append(_PHONE if phone else _LANDLINE)
        elif _CITY_PHONE_RE.search(low):
            on.append(_CITY)
    if not phone and mask & _NUMBER_BIT and _phone_words(norms):
        on.append(_PHONE)
    if (
        mask & _M_DM_WRITE == _M_DM_WRITE
        or (mask & _F_DM and _dm_after_preposition(norms))
        or (mask & _F_WRITE and _write_to_me(norms))
    ):
        on.append(_I["dm_call"])
    if (mask & _F_PAGE or "шапк" in low or "стене" in low or "закреп" in low or "описани" in low) and (
        _PROFILE_RE.search(low)
    ):
        on.append(_I["profile_link"])
    if ("+" in low or "плюс" in low or "«" in low or '"' in low) and _PLUS_CALL_RE.search(low):
        on.append(_I["plus_call"])
    amount = bool(mask & _AMOUNT_GATE and (digits or _ANY_DIGIT_RE.search(low)) and _AMOUNT_RE.search(low))
    if amount:
        on.append(_I["amount"])
    if mask & _F_EARN and (amount or "без вложени" in low or "пассивн" in low):
        on.append(_I["money_offer"])
    if mask & _M_LOAN_OFFER == _M_LOAN_OFFER or (
        mask & _F_LOAN and ("без отказ" in low or "до зарплат" in low or "под 0" in low)
    ):
        on.append(_I["loan_offer"])
    if mask & _M_JOB_OFFER == _M_JOB_OFFER or (mask & _F_JOB and amount):
        on.append(_I["job_offer"])
    for pair_mask, i in _PAIR_FEATURES:
        if mask & pair_mask == pair_mask:
            on.append(i)
    if mask & _F_ADULT or "18+" in low or "🔞" in text:
        on.append(_I["adult"])
    if "?" in text:
        on.append(_I["question_mark"])
    if "!" in text and (text.count("!") >= 2 or "‼" in text):
        on.append(_I["exclaim"])
    if len(norms) >= 12:
        on.append(_I["long"])
    if (
        len(text) >= CAPS_MIN_LETTERS
        and _LOWER_RE.search(text) is None  # found early in almost every text: no upper() copy
        and text == text.upper()
        and len(_LETTER_RE.findall(text)) >= CAPS_MIN_LETTERS
    ):
        on.append(_I["caps"])  # shouting: every letter upper case
    emoji = len(_EMOJI_RE.findall(text) if emojis is None else emojis)
    if emoji >= 3:
        on.append(_I["emoji"])
        if emoji >= EMOJI_MIN and emoji >= EMOJI_RATIO * (len(text) - len(_SPACE_RE.findall(text))):
            on.append(_I["emoji_flood"])
    # What spam is: an offer plus a way to reach the sender. A domain spelled to dodge filters is
    # both: nobody hides a link they are not selling.
    if ((not _CONTACTS.isdisjoint(on) or mask & _F_LINKWORD) and mask & _OFFER_FAMILIES) or _OBF in on:
        on.append(_I["offer_with_contact"])
    return on


def extract(text: str, norms: Sequence[str], tokens: Sequence[Token] | None = None) -> list[float]:
    """Dense feature vector of one comment (what the trainer fits on)."""
    f = [0.0] * len(FEATURES)
    for i in active(text, norms, tokens):
        f[i] = 1.0
    return f
