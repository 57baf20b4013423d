"""Insults and rude phrases without мат: name-calling aimed at a person, and "shut up"-type phrases.

Why tiers: "дебил", "мразь", "ублюдок" insult whoever they name, but "олень", "крыса", "тупой",
"клоун" are also animals, knives and circus artists. Strong words count unless the writer is
naming themselves ("я как дура поверила") or quoting the word ("слово «дебил»"); ambiguous ones
count only when aimed: at "ты/вы", after a dash ("Мэр — клоун"), as a call ("Эй, олень"),
before ", а не ..." ("Клоуны, а не банк"), after an insulting adjective ("тупая овца") or, for
adjectives, next to a person ("мерзкая продавщица").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from vkc.analysis.deobfuscate import collapse_repeats
from vkc.analysis.morphology import Morphology
from vkc.analysis.tokenize import Token

STRONG_LEMMAS = frozenset(
    {
        "дебил", "идиот", "идиотка", "кретин", "кретинка", "дегенерат", "имбецил", "олигофрен",
        "недоумок", "дебилка", "тупица", "придурок", "придурка", "урод", "уродина", "ублюдок",
        "мразь", "тварь", "сволочь", "скотина", "быдло", "гнида", "падла", "упырь", "чмо",
        "ничтожество", "дармоед", "ворюга", "лошара", "лох", "хабалка", "хамка", "хамло", "хам",
        "жлоб", "карга", "мымра", "кровопийца", "гопота", "отморозок", "ушлепок", "нищеброд",
        "дура", "дурак", "алкаш", "мудак", "чушпан", "подонок", "негодяй", "сучара", "гад",
        "безмозглый", "криворукий", "безрукий", "тупорылый", "конченый", "конченный", "дебильный",
        "дебилоид", "идиотина", "козлина", "свинота", "хамье", "ворье", "сволота", "мразота", "гадина",
        "гаденыш", "засранец", "говнюк", "олух", "балбес", "болван", "остолоп", "бестолочь", "нелюдь",
        "отброс", "быдлота", "дурачье", "чепушила", "терпила", "упоротый", "тупень", "шалава",
    }
)  # fmt: skip
AMBIGUOUS_NOUNS = frozenset(
    {
        "олень", "козел", "баран", "овца", "корова", "свинья", "крыса", "курица", "скот", "осел",
        "дятел", "шакал", "клоун", "даун", "псих", "шизик", "тролль", "неудачник", "вор", "жулик",
        "чучело", "шавка", "умник", "бездарь", "бездельник", "обезьяна", "петух", "индюк", "овощ",
        "психопат", "шизофреник", "неадекват", "маргинал", "тормоз",
    }
)  # fmt: skip
AMBIGUOUS_ADJECTIVES = frozenset(
    {
        "тупой", "отбитый", "поехавший", "ненормальный", "мерзкий", "идиотский", "убогий",
        "невменяемый", "неадекватный", "чокнутый", "долбанутый", "тупорогий", "мерзотный",
    }
)  # fmt: skip
# Insulting only when said to someone ("ты больной?"), never next to a person ("больной человек").
ADDRESS_ONLY = frozenset({"больной"})
# Adjectives that turn an animal into name-calling ("тупая овца", "жирная корова").
MODIFIERS = frozenset({"тупой", "жирный", "старый", "вонючий", "драный", "пьяный", "тупорогий", "безмозглый"})
PERSON_NOUNS = frozenset(
    {
        "человек", "люди", "мужик", "баба", "тетка", "девушка", "парень", "сосед", "соседка",
        "водитель", "курьер", "кассир", "кассирша", "продавец", "продавщица", "официант",
        "официантка", "повар", "бариста", "менеджер", "оператор", "мастер", "сантехник",
        "электрик", "монтажник", "охранник", "директор", "начальник", "администратор", "админ",
        "модератор", "автор", "журналист", "депутат", "чиновник", "мэр", "губернатор",
        "гаишник", "контролер", "контролерша", "кондуктор", "таксист", "маршрутчик", "врач",
        "медсестра", "учитель", "училка", "мамаша", "бабка", "жилец", "председатель",
        "сотрудник", "консультант", "кладовщик", "доставщик", "мент", "коллектор", "банкир",
        "комментатор", "пешеход", "самокатчик", "работник", "специалист",
    }
)  # fmt: skip
# Words that aim what follows at the reader ("автор" and moderators are the usual addressees).
SECOND_PERSON = frozenset(
    {
        "ты", "тебя", "тебе", "тобой", "тя", "вы", "вас", "вам", "вами", "твой", "твоя", "твое",
        "твои", "ваш", "ваша", "ваше", "ваши", "автор", "админ", "админы", "модератор", "модераторы",
    }
)  # fmt: skip
SELF = frozenset({"я", "меня", "мне", "мной", "себя", "себе", "сама", "сам"})
MENTION_LEMMAS = frozenset({"слово", "назвать", "называть", "обозвать", "обзывать", "термин"})
CALL_WORDS = frozenset({"эй", "слышь", "ну"})
_ADDRESS_WINDOW = 6  # within the clause


def _w(words: str) -> frozenset[str]:
    return frozenset(words.split())


_MOUTH = _w("рот пасть хлебало хлебальник варежку ебало ебальник хавальник едало")
_SHUT = _w("закрой закройте захлопни захлопните завали завалите прикрой")
_YOUR = _w("свой свою")
_GO = _w("пошел пошла пошли пшел вали валите свали свалите катись катитесь убирайся убирайтесь иди идите")
_WHERE = _w("нахуй нахер лесом отсюда подальше проспись проспитесь поплачь нафиг нахрен")
_WHERE2 = (
    (_w("на"), _w("хуй хер хрен фиг")),
    (_w("в"), _w("жопу баню")),
    (_w("к"), _w("черту чертям")),
)
_YOU = _w("ты вы")
_DIE = _w("сдох сдохла сдохли подавился подавилась подавились провалился провалились")
_SILENT = _w("молчи молчите тихо молча")
_ASKED = _w("спросить спросили спрашивал спрашивали")
_SUCH = _w("такой такая такие")
_ALONE = _w(
    "заткнись заткнитесь проваливай проваливайте отвали отвалите отвянь отвяжись сгинь сгиньте "
    "умолкни умолкните подавись подавитесь подотрись подотритесь"
)
Step = tuple[frozenset[str], bool]  # (words, optional)


def _seq(*parts: frozenset[str] | Step) -> tuple[Step, ...]:
    return tuple(p if isinstance(p, tuple) else (p, False) for p in parts)


# Rude phrases as word sequences over folded tokens (an optional word may be skipped). Why not one
# regex: an alternation of 30 phrases costs ~200 µs per comment in Python's re; this about 1 µs.
RUDE_PHRASES: tuple[tuple[Step, ...], ...] = (
    _seq(_w("заткни заткните"), (_YOUR, True), _MOUTH),
    _seq(_SHUT, (_YOUR, True), _MOUTH),
    _seq(_MOUTH, _SHUT),
    _seq(_GO, (_YOU, True), _WHERE),
    _seq(
        _w("пошел пошла пошли пшел вали валите убирайся убирайтесь выйди"), (_YOU, True), _w("вон")
    ),  # not "иди вон туда"
    *(_seq(_GO, (_YOU, True), a, b) for a, b in _WHERE2),
    _seq(_w("да"), _w("пошли"), _w("вы")),
    _seq(_w("да"), _w("пошел пошла"), _w("ты")),
    _seq(_w("шел шла"), _w("бы"), _w("ты")),
    _seq(_w("шли"), _w("бы"), _w("вы")),
    _seq(_w("чтоб чтобы"), _YOU, _DIE),
    _seq(_w("не"), _w("вякай вякайте")),
    _seq(_w("хватит"), _w("вякать")),
    _seq(_w("сиди сидите"), (_w("и"), True), _SILENT),
    _seq(_w("тебя вас"), (_w("забыли"), True), (_w("не"), True), _ASKED),
    _seq(_w("никто"), _w("тебя вас"), _w("не"), _ASKED),
    _seq(_w("мозгов"), _w("нет ноль")),
    _seq(_w("без"), _w("мозгов")),
    _seq(_YOU, _w("кто"), _SUCH),
    _seq(_w("кто"), _YOU, _SUCH),
    _seq(_w("слышь"), _YOU),
)
_BY_FIRST: dict[str, list[tuple[Step, ...]]] = {}
for _phrase in RUDE_PHRASES:
    for _word in _phrase[0][0]:
        _BY_FIRST.setdefault(_word, []).append(_phrase[1:])
_SHOVE = _w("засунь засуньте")
_SHOVE_TAIL = ((_w("в"), _w("жопу")), (_w("куда"), _w("подальше")))
# Every phrase holds one of these less common words: without one, the comment is not scanned.
_GATE = (
    _MOUTH
    | _SHUT
    | _GO
    | _WHERE
    | _DIE
    | _SILENT
    | _ASKED
    | _SUCH
    | _ALONE
    | _SHOVE
    | _w("заткни заткните шел шла шли вякай вякайте вякать мозгов слышь")
)


_STARTS = _ALONE | _SHOVE | frozenset(_BY_FIRST)  # the words a rude phrase can start at


def _match_rest(rest: tuple[Step, ...], norms: Sequence[str], j: int) -> int:
    """End index of the phrase's remaining words matched from ``j``, or -1."""
    if not rest:
        return j
    words, optional = rest[0]
    if j < len(norms) and norms[j] in words:
        end = _match_rest(rest[1:], norms, j + 1)
        if end >= 0:
            return end
    return _match_rest(rest[1:], norms, j) if optional else -1


def rude_phrases(tokens: Sequence[Token], norms: Sequence[str]) -> list[str]:
    """Rude phrases of a comment ("закрой рот", "пошёл вон"), as written."""
    if _GATE.isdisjoint(norms):
        return []
    out = []
    for i, n in enumerate(norms):
        if n not in _STARTS:  # one test for the many words that start nothing
            continue
        if n in _ALONE:
            if not (n.startswith("отвал") and i and norms[i - 1] == "на"):  # "сделали на отвали"
                out.append(tokens[i].text)
            continue
        if n in _SHOVE and any(
            norms[k] in a and norms[k + 1] in b
            for k in range(i + 1, min(i + 7, len(norms) - 1))
            for a, b in _SHOVE_TAIL
        ):
            out.append(tokens[i].text)
            continue
        for rest in _BY_FIRST.get(n, ()):
            end = _match_rest(rest, norms, i + 1)
            if end > 0:
                out.append(" ".join(t.text for t in tokens[i:end]))
                break
    return out


_ALL = STRONG_LEMMAS | AMBIGUOUS_NOUNS | AMBIGUOUS_ADJECTIVES | ADDRESS_ONLY
_CLAUSE_END_RE = re.compile(r"[.!?\n…,;:()]")
_DASH_RE = re.compile(r"\s[-–—]\s|[–—]")
_STRONG, _NOUN, _ADJ, _ADDRESS = 1, 2, 3, 4
_CACHE_MAX = 262_144


class InsultFinder:
    """Name-calling aimed at a person, from the lemmas of the word tokens."""

    def __init__(self, morph: Morphology) -> None:
        self._morph = morph
        self._tiers: dict[str, int] = {}  # a plain dict: looked up for every token of every comment

    def tier(self, norm: str) -> int:
        """0, or which kind of insult word this is (strong, ambiguous noun/adjective, address-only)."""
        t = self._tiers.get(norm)
        if t is None:
            if len(self._tiers) >= _CACHE_MAX:
                self._tiers.clear()
            t = self._tiers[norm] = self._tier(norm)
        return t

    def _lemmas(self, norm: str) -> frozenset[str]:
        return self._morph.info(norm).lemma_set

    def _tier(self, norm: str) -> int:
        if len(norm) < 2:
            return 0
        lemmas = self._lemmas(norm)
        if lemmas.isdisjoint(_ALL):
            squeezed = collapse_repeats(norm)  # "дебииилы"
            if squeezed == norm or not (lemmas := self._lemmas(squeezed)):
                return 0
        if not lemmas.isdisjoint(STRONG_LEMMAS):
            return _STRONG
        if not lemmas.isdisjoint(AMBIGUOUS_NOUNS):
            return _NOUN
        if not lemmas.isdisjoint(AMBIGUOUS_ADJECTIVES):
            return _ADJ
        if not lemmas.isdisjoint(ADDRESS_ONLY):
            return _ADDRESS
        return 0

    def is_strong(self, norm: str) -> bool:
        return self.tier(norm) == _STRONG

    def find(
        self, text: str, tokens: Sequence[Token], norms: Sequence[str], word_tiers: Sequence[int] | None = None
    ) -> list[str]:
        """The insulting tokens of a comment, as written; ``word_tiers``: each token's ``tier``,
        when the caller keeps them."""
        tier = self.tier
        if word_tiers is None:
            tiers = self._tiers
            hits = [i for i, n in enumerate(norms) if (tiers[n] if n in tiers else tier(n))]
        elif any(word_tiers):
            hits = [i for i, t in enumerate(word_tiers) if t]
        else:
            return []
        if not hits:
            return []
        sentence = _clause_ids(text, tokens)
        return [tokens[i].text for i in hits if self._aimed(i, tier(norms[i]), text, tokens, norms, sentence)]

    def _aimed(
        self, i: int, kind: int, text: str, tokens: Sequence[Token], norms: Sequence[str], sentence: list[int]
    ) -> bool:
        s = sentence[i]
        lo = i
        while lo > 0 and sentence[lo - 1] == s:
            lo -= 1
        hi = i
        while hi + 1 < len(tokens) and sentence[hi + 1] == s:
            hi += 1
        near = norms[max(lo, i - _ADDRESS_WINDOW) : min(hi, i + _ADDRESS_WINDOW) + 1]
        addressed = not SECOND_PERSON.isdisjoint(near)
        if _quoted(text, tokens[i].start) or any(
            not self._lemmas(n).isdisjoint(MENTION_LEMMAS) for n in norms[max(lo, i - 2) : i]
        ):
            return False
        before = norms[max(lo, i - _ADDRESS_WINDOW) : i]
        if not addressed and (not SELF.isdisjoint(before) or (i > lo and norms[i - 1] == "как")):
            return False  # "я как дура поверила", "стоял как идиот"
        if kind == _STRONG and not (norms[i] == "дурака" and i > lo and norms[i - 1] == "в"):
            return True  # except the card game ("играли в дурака")
        if addressed or kind == _ADDRESS:
            return addressed
        gap_before = text[tokens[i - 1].end : tokens[i].start] if i > lo else ""
        gap_prev = text[tokens[i - 2].end : tokens[i - 1].start] if i - 1 > lo else ""
        if _DASH_RE.search(gap_before) or (i - 1 > lo and self.tier(norms[i - 1]) and _DASH_RE.search(gap_prev)):
            return True  # "Мэр — клоун", "Бариста — криворукая курица"
        if kind == _ADJ:
            around = norms[max(lo, i - 2) : min(hi, i + 2) + 1]
            return any(not self._lemmas(n).isdisjoint(PERSON_NOUNS) for n in around)
        gap_after = text[tokens[i].end : tokens[i + 1].start] if i + 1 < len(tokens) else text[tokens[i].end :]
        if i == lo and (i == hi or "," in gap_after or "!" in gap_after):
            return True  # a call: "Клоуны, ...", "Олень!", "..., неудачник"
        if i > 0 and norms[i - 1] in CALL_WORDS:
            return True  # "Эй, олень"
        if i + 2 < len(tokens) and norms[i + 1] == "а" and norms[i + 2] == "не":
            return True  # "Клоуны, а не банк"
        return i > lo and not self._lemmas(norms[i - 1]).isdisjoint(MODIFIERS)  # "тупая овца"


def _clause_ids(text: str, tokens: Sequence[Token]) -> list[int]:
    """Clause number of each token: sentence punctuation and commas start a new one."""
    out = []
    s = 0
    prev_end = 0
    for tok in tokens:
        if _CLAUSE_END_RE.search(text, prev_end, tok.start):
            s += 1
        out.append(s)
        prev_end = tok.end
    return out


def _quoted(text: str, pos: int) -> bool:
    """Inside «...» or "..." (a title or a word being discussed)."""
    head = text[:pos]
    return head.count("«") > head.count("»") or head.count('"') % 2 == 1 or head.count("“") > head.count("”")
