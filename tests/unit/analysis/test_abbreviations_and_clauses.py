"""Keyword morphology edge cases (issue 13): abbreviations and brands with endings and suffixes;
any-order phrases that stay inside one sentence and clause unless the rule asks otherwise."""

from __future__ import annotations

import pytest
from vkc.analysis.matcher import Matcher
from vkc.analysis.rules import PhraseMode
from vkc.keywords.rules import check_rule


def surfaces(keyword: str, text: str, **options: object) -> list[str]:
    """Matches of a keyword as the API stores it (several words make a phrase rule)."""
    rule = check_rule({"text": keyword, **options}, rule_id=keyword)
    return [m.matched for m in Matcher.compile([rule]).match(text)]


@pytest.mark.parametrize(
    ("keyword", "text", "matched"),
    [
        ("жэк", "Опять в ЖЭКе никого нет", "ЖЭКе"),
        ("сдэк", "курьер СДЭКа не приехал", "СДЭКа"),
        ("мтс", "в МТСе сказали ждать", "МТСе"),
        ("мтс", "МТСовский тариф подорожал", "МТСовский"),
        ("втб", "ВТБшный банкомат съел карту", "ВТБшный"),
        ("мфц", "в МФЦшке очередь на час", "МФЦшке"),
        ("жкх", "ЖКХшники так и не пришли", "ЖКХшники"),
        ("сдэк", "сдэковский курьер опоздал", "сдэковский"),
        ("авито", "продала на авитошке за день", "авитошке"),
        ("рэс", "РЭСовцы приехали через час", "РЭСовцы"),
    ],
)
def test_abbreviation_or_brand_with_an_ending_or_suffix(keyword: str, text: str, matched: str) -> None:
    assert surfaces(keyword, text) == [matched]


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("мтс", "мистер"),  # a dictionary word is never cut into a stem
        ("жэк", "ЖЭКТОР"),  # capitals all the way: not an ending
        ("сдэк", "СДЭКАЛ"),
        ("банк", "банкет в субботу"),
    ],
)
def test_words_that_only_start_like_an_abbreviation_do_not_match(keyword: str, text: str) -> None:
    assert surfaces(keyword, text) == []


def test_any_order_phrase_does_not_cross_a_sentence() -> None:
    assert surfaces("быстрый курьер", "Доставка быстрая. Курьер нахамил") == []
    assert surfaces("быстрый курьер", "Курьер быстрый, вежливый") == ["Курьер быстрый"]


@pytest.mark.parametrize(
    "text",
    [
        "доставили быстро, но курьер нахамил",
        "доставили быстро но курьер нахамил",
        "доставили быстро, а курьер нахамил",
        "доставили быстро; курьер нахамил",
        "доставили быстро (курьер нахамил)",
        "доставили быстро — курьер нахамил",
        "доставили быстро - курьер нахамил",
        "доставили быстро: курьер нахамил",
    ],
)
def test_any_order_phrase_does_not_cross_a_clause(text: str) -> None:
    assert surfaces("быстро курьер", text) == []


def test_a_comma_inside_one_clause_does_not_split_a_phrase() -> None:
    assert surfaces("квартира недорого", "Сдаю квартиру, недорого") == ["квартиру, недорого"]


def test_a_rule_may_ask_to_cross_sentences_and_clauses() -> None:
    across = {"phrase_mode": PhraseMode.ANY_ORDER_ACROSS}
    assert surfaces("быстрый курьер", "Доставка быстрая. Курьер нахамил", **across) == ["быстрая. Курьер"]
    assert surfaces("быстро курьер", "доставили быстро, но курьер нахамил", **across) == ["быстро, но курьер"]


def test_exact_phrases_are_unchanged() -> None:
    assert surfaces("горячая вода", "нет горячей воды", phrase_mode=PhraseMode.EXACT) == ["горячей воды"]


def test_an_exact_phrase_is_not_split_by_punctuation() -> None:
    exact = {"phrase_mode": PhraseMode.EXACT}
    assert surfaces("горячая вода", "в душе горячая. вода в кухне холодная", **exact) == []
    assert surfaces("платная парковка", "стоянка платная, парковка у дома бесплатная", **exact) == []
    assert surfaces("платная парковка", "у дома платная парковка", **exact) == ["платная парковка"]


def test_a_hyphenated_word_still_matches_its_parts() -> None:
    assert surfaces("магазин", "интернет-магазин закрылся") == ["магазин"]
    assert surfaces("интернет магазин", "интернет-магазин закрылся") == ["интернет-магазин"]


def test_a_one_word_keyword_written_with_a_hyphen_matches_across_it() -> None:
    assert surfaces("кешбэк", "кеш-бэк не начислили") == ["кеш-бэк"]
    assert surfaces("кешбэк", "кеш - бэк не начислили") == []  # a dash between words is not a hyphen
