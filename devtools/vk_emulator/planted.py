"""Keywords the generator plants into comments, with the word forms it uses (ground truth for analysis).

Each keyword maps a grammatical slot (case + number) to its surface form, so templates can pick a
form that fits the sentence ("нет {gen}", "с {ins}"). Phrases also list reversed-order forms
("воды горячей"). The filler vocabulary shares no lemma with any word here (tests check it).
None of these lemmas has ё in any form, so ё/е variation lives in the filler words instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CASES = ("nom", "gen", "dat", "acc", "ins", "loc")
SLOTS = CASES + tuple(f"{c}_pl" for c in CASES)


@dataclass(frozen=True, slots=True)
class PlantedKeyword:
    """A lemma (or phrase) and its forms by slot; `reversed_forms` only for two-word phrases."""

    keyword: str
    forms: dict[str, str]
    reversed_forms: dict[str, str] = field(default_factory=dict)
    proper_noun: bool = False

    @property
    def is_phrase(self) -> bool:
        return " " in self.keyword

    def all_forms(self) -> set[str]:
        return set(self.forms.values()) | set(self.reversed_forms.values())

    def component_words(self) -> set[str]:
        """Every single word used by any form (for the filler-vocabulary exclusion check)."""
        return {w.lower() for form in self.all_forms() for w in form.split()}


def _noun(keyword: str, sg: str, pl: str, *, proper: bool = False) -> PlantedKeyword:
    forms = dict(zip(SLOTS, sg.split() + pl.split(), strict=True))
    return PlantedKeyword(keyword=keyword, forms=forms, proper_noun=proper)


PLANTED: tuple[PlantedKeyword, ...] = (
    _noun(
        "квартира",
        "квартира квартиры квартире квартиру квартирой квартире",
        "квартиры квартир квартирам квартиры квартирами квартирах",
    ),
    _noun(
        "доставка",
        "доставка доставки доставке доставку доставкой доставке",
        "доставки доставок доставкам доставки доставками доставках",
    ),
    _noun(
        "сбербанк",
        "Сбербанк Сбербанка Сбербанку Сбербанк Сбербанком Сбербанке",
        "Сбербанки Сбербанков Сбербанкам Сбербанки Сбербанками Сбербанках",
        proper=True,
    ),
    _noun(
        "ремонт",
        "ремонт ремонта ремонту ремонт ремонтом ремонте",
        "ремонты ремонтов ремонтам ремонты ремонтами ремонтах",
    ),
    _noun(
        "интернет",
        "интернет интернета интернету интернет интернетом интернете",
        "интернеты интернетов интернетам интернеты интернетами интернетах",
    ),
    _noun(
        "курьер",
        "курьер курьера курьеру курьера курьером курьере",
        "курьеры курьеров курьерам курьеров курьерами курьерах",
    ),
    _noun(
        "тариф",
        "тариф тарифа тарифу тариф тарифом тарифе",
        "тарифы тарифов тарифам тарифы тарифами тарифах",
    ),
    _noun(
        "банкомат",
        "банкомат банкомата банкомату банкомат банкоматом банкомате",
        "банкоматы банкоматов банкоматам банкоматы банкоматами банкоматах",
    ),
    _noun(
        "оператор",
        "оператор оператора оператору оператора оператором операторе",
        "операторы операторов операторам операторов операторами операторах",
    ),
    PlantedKeyword(
        keyword="горячая вода",
        forms={
            "nom": "горячая вода",
            "gen": "горячей воды",
            "dat": "горячей воде",
            "acc": "горячую воду",
            "ins": "горячей водой",
            "loc": "горячей воде",
        },
        reversed_forms={
            "nom": "вода горячая",
            "gen": "воды горячей",
            "acc": "воду горячую",
            "ins": "водой горячей",
        },
    ),
    PlantedKeyword(
        keyword="возврат денег",
        forms={
            "nom": "возврат денег",
            "gen": "возврата денег",
            "dat": "возврату денег",
            "acc": "возврат денег",
            "ins": "возвратом денег",
            "loc": "возврате денег",
            "nom_pl": "возвраты денег",
            "gen_pl": "возвратов денег",
        },
        reversed_forms={"gen": "денег возврата", "acc": "денег возврат"},
    ),
)

KEYWORDS: tuple[str, ...] = tuple(k.keyword for k in PLANTED)
BY_KEYWORD: dict[str, PlantedKeyword] = {k.keyword: k for k in PLANTED}

# Lemmas (and phrase component lemmas) the filler must never use.
FORBIDDEN_LEMMAS: frozenset[str] = frozenset(
    {
        "квартира",
        "доставка",
        "сбербанк",
        "ремонт",
        "интернет",
        "курьер",
        "тариф",
        "банкомат",
        "оператор",
        "горячий",
        "вода",
        "возврат",
        "деньги",
        "деньга",
    }
)
# Stems no filler token may contain at all (catches derived words: "квартирный", "доставщик").
FORBIDDEN_STEMS: tuple[str, ...] = (
    "квартир",
    "достав",
    "сбер",
    "ремонт",
    "интернет",
    "курьер",
    "тариф",
    "банкомат",
    "оператор",
    "горяч",
    "возврат",
    "денег",
    "деньг",
    "денеж",
)
