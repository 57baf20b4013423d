"""Keyword matching: word forms, phrases, flags, offsets (russian-text.md §3a; predecessor defect 15)."""

from __future__ import annotations

import re

import pytest
from vkc.analysis.matcher import (
    Match,
    Matcher,
    make_snippet,
    needs_digit,
    required_literal,
    required_lowered_literal,
    within_one_edit,
)
from vkc.analysis.rules import KeywordRule, PhraseMode, RuleKind


def rule(text: str, **kw: object) -> KeywordRule:
    return KeywordRule.model_validate({"id": kw.pop("id", text), "text": text, **kw})


def found(rules: list[KeywordRule], text: str) -> list[Match]:
    return Matcher.compile(rules).match(text)


def surfaces(rules: list[KeywordRule], text: str) -> list[str]:
    return [m.matched for m in found(rules, text)]


@pytest.mark.parametrize(
    "form",
    ["квартира", "квартиры", "квартире", "квартиру", "квартирой", "квартир", "квартирам", "квартирах", "КВАРТИРАМИ"],
)
def test_noun_in_every_form(form: str) -> None:
    assert surfaces([rule("квартира")], f"Сдаю {form} недорого") == [form]


@pytest.mark.parametrize("form", ["хороший", "хорошая", "хорошую", "хорошими", "хорошего"])
def test_adjective_forms(form: str) -> None:
    assert surfaces([rule("хороший")], f"очень {form} дом") == [form]


@pytest.mark.parametrize("form", ["рекомендую", "рекомендовал", "рекомендуем", "рекомендовали", "рекомендовать"])
def test_verb_forms(form: str) -> None:
    assert surfaces([rule("рекомендовать")], f"всем {form}!") == [form]


def test_keyword_written_in_an_inflected_form() -> None:
    assert surfaces([rule("квартиру")], "продам квартиры") == ["квартиры"]


def test_phrase_any_form() -> None:
    r = rule("горячая вода", kind=RuleKind.PHRASE)
    assert surfaces([r], "Опять нет горячей воды") == ["горячей воды"]
    assert surfaces([r], "включите горячую воду!") == ["горячую воду"]


def test_phrase_any_order_within_window() -> None:
    r = rule("горячая вода", kind=RuleKind.PHRASE, phrase_mode=PhraseMode.ANY_ORDER)
    assert surfaces([r], "вода опять не горячая") == ["вода опять не горячая"]
    # default window = 2 words + 2: too far apart
    assert surfaces([r], "вода у нас в доме уже неделю не горячая") == []
    wide = rule("горячая вода", kind=RuleKind.PHRASE, window=10)
    assert surfaces([wide], "вода у нас в доме уже неделю не горячая") == ["вода у нас в доме уже неделю не горячая"]


def test_phrase_exact_order() -> None:
    r = rule("возврат денег", kind=RuleKind.PHRASE, phrase_mode=PhraseMode.EXACT)
    assert surfaces([r], "жду возврата денег") == ["возврата денег"]
    assert surfaces([r], "денег возврат так и не сделали") == []
    assert surfaces([r], "возврат моих денег") == []


def test_phrase_needs_distinct_tokens_for_repeated_words() -> None:
    r = rule("вода вода", kind=RuleKind.PHRASE)
    assert surfaces([r], "вода") == []
    assert surfaces([r], "вода и вода") == ["вода и вода"]


def test_yo_equals_ye() -> None:
    assert surfaces([rule("ёлка")], "купили елку") == ["елку"]
    assert surfaces([rule("елка")], "купили ёлку") == ["ёлку"]


def test_latin_and_greek_lookalikes() -> None:
    text = "Cбербанк и Κвартира"  # Latin C, Greek capital Kappa
    assert surfaces([rule("сбербанк"), rule("квартира")], text) == ["Cбербанк", "Κвартира"]


def test_pure_latin_word_is_not_turned_into_cyrillic() -> None:
    assert surfaces([rule("сор")], "COP 28 summit") == []


def test_typo_in_long_word() -> None:
    ms = found([rule("рекомендую")], "рекамендую всем")
    assert [m.matched for m in ms] == ["рекамендую"]
    assert ms[0].fuzzy is True
    assert surfaces([rule("доставка")], "доствка опять опоздала") == ["доствка"]  # deletion
    assert surfaces([rule("доставка")], "доатсвка") == []  # two edits


def test_typo_swap() -> None:
    assert surfaces([rule("интернет")], "интренет не работает") == ["интренет"]


def test_no_fuzzy_for_short_keywords() -> None:
    assert surfaces([rule("тариф")], "тарис") == []
    assert surfaces([rule("кот")], "кит") == []


def test_fuzzy_off_and_known_words_are_not_typos() -> None:
    assert surfaces([rule("рекомендую", fuzzy=False)], "рекамендую") == []
    # "курьез" is a real word one letter away from "курьер": dictionary words are never typos
    assert surfaces([rule("курьер")], "какой курьез") == []


def test_case_sensitive_flag() -> None:
    r = rule("МТС", case_sensitive=True)
    assert surfaces([r], "мтс и МТС") == ["МТС"]
    r2 = rule("Сбербанк", case_sensitive=True)
    assert surfaces([r2], "сбербанке или Сбербанке") == ["Сбербанке"]
    assert surfaces([rule("МТС")], "мтс и МТС") == ["мтс", "МТС"]


def test_whole_word_vs_substring() -> None:
    assert surfaces([rule("банк")], "Сбербанк и банк") == ["банк"]
    sub = found([rule("банк", whole_word=False)], "Сбербанке и банк")
    assert [(m.matched, m.start, m.end) for m in sub] == [("банк", 4, 8), ("банк", 12, 16)]


def test_short_words_never_match_inside_words() -> None:
    assert surfaces([rule("кот", whole_word=False)], "котлеты и скот") == []
    assert surfaces([rule("ип")], "типичный") == []
    assert surfaces([rule("ип")], "открыл ИП") == ["ИП"]


def test_negatives_veto_the_rule() -> None:
    r = rule("квартира", negatives=["посредник", "без комиссии"])
    assert surfaces([r], "Ищу квартиру без посредников") == []
    assert surfaces([r], "Сдам квартиру, комиссия 50%") == ["квартиру"]
    assert surfaces([r], "Сдам квартиру без комиссии") == []
    other = rule("ремонт")
    assert surfaces([r, other], "квартира после ремонта, посредник") == ["ремонта"]


def test_regex_on_raw_text_with_offsets() -> None:
    r = rule(r"\d-?комн", kind=RuleKind.REGEX)
    text = "👍🏽 Сдаю 2-комнатную"
    ms = found([r], text)
    assert [(m.matched, text[m.start : m.end]) for m in ms] == [("2-комн", "2-комн")]
    assert ms[0].lemmas == ()


def test_regex_case_flag() -> None:
    assert surfaces([rule("МТС", kind=RuleKind.REGEX, case_sensitive=True)], "мтс МТС") == ["МТС"]
    assert surfaces([rule("мтс", kind=RuleKind.REGEX)], "мтс МТС") == ["мтс", "МТС"]


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        (r"\d-?комн", True),
        (r"заказ\s*№?\s*\d+", True),
        (r"[0-9]{6}", True),
        (r"(\d)\1", True),
        (r"https?://\S+", False),
        (r"x\d?", False),  # the digit is optional
        (r"(?:\d|a)", False),  # an alternative without one
        (r"[\dA]", False),  # a class that holds a letter too
        (r"(?=\d)", False),  # look-arounds are not followed
        (r"[^\d]", False),
    ],
)
def test_regex_digit_gate_is_conservative(pattern: str, needs: bool) -> None:
    assert needs_digit(pattern) is needs


@pytest.mark.parametrize(
    ("pattern", "ignore_case", "literal"),
    [
        (r"https?://\S+", True, "://"),  # cased letters do not count under IGNORECASE
        (r"https?://\S+", False, "http"),
        (r"\+7\d{10}", True, "+7"),
        (r"заказ\s*№?\s*\d+", False, "заказ"),
        (r"заказ\s*№?\s*\d+", True, ""),
        (r"ab|cd", False, ""),  # alternatives: nothing is required
        (r"(?:ab)?c", False, "c"),
    ],
)
def test_regex_literal_gate(pattern: str, ignore_case: bool, literal: str) -> None:
    assert required_literal(pattern, re.IGNORECASE if ignore_case else 0) == literal


@pytest.mark.parametrize(
    ("pattern", "ignore_case", "lowered"),
    [
        (r"заказ\s*№?\s*\d+", True, "заказ"),
        (r"ЗАКАЗ\s*\d+", True, "заказ"),
        (r"[A-Z]{2}\d{9}RU", True, "ru"),
        (r"\d-?комн", True, "мн"),  # "о" has an extra equivalent in sre (U+1C82): not counted
        (r"Sale\d", True, "ale"),  # "s" matches "ſ", whose lowercase is not "s": not counted
        (r"(?i)заказ\d", False, "заказ"),  # an inline flag counts
        (r"заказ\s*\d+", False, ""),  # case-sensitive: required_literal's job
        (r"(?a)заказ\d", True, ""),  # ASCII-only case folding: not gated
    ],
)
def test_regex_lowered_literal_gate(pattern: str, ignore_case: bool, lowered: str) -> None:
    assert required_lowered_literal(pattern, re.IGNORECASE if ignore_case else 0) == lowered


def test_case_insensitive_regexes_gated_by_a_lowered_literal_still_match() -> None:
    rules = [
        rule(r"заказ\s*№?\s*\d+", kind=RuleKind.REGEX, id="o"),
        rule(r"[A-Z]{2}\d{9}RU", kind=RuleKind.REGEX, id="t"),
        rule(r"\d-?комн", kind=RuleKind.REGEX, id="k"),
    ]
    text = "ЗаКаЗ № 123, трек ab123456789ru, 2-КОМН и 3комн"
    assert surfaces(rules, text) == ["ЗаКаЗ № 123", "ab123456789ru", "2-КОМН", "3комн"]
    assert surfaces(rules, "2-к\u1c82мн") == ["2-к\u1c82мн"]  # sre's extra equivalent of "о" still matches
    assert surfaces(rules, "заказ без номера, 123456789 RU") == []


def test_literal_gated_regexes_still_match() -> None:
    rules = [rule(r"https?://\S+", kind=RuleKind.REGEX, id="u"), rule(r"\+7\d{3}", kind=RuleKind.REGEX, id="p")]
    assert surfaces(rules, "HTTPS://A.B и +7123") == ["HTTPS://A.B", "+7123"]
    assert surfaces(rules, "http:/ a.b, +8123") == []


def test_digit_regexes_still_match_beside_other_rules() -> None:
    rules = [rule(r"\d{3}", kind=RuleKind.REGEX, id="n"), rule(r"https?://\S+", kind=RuleKind.REGEX, id="u")]
    rules.append(rule("заказ", id="w"))
    assert surfaces(rules, "заказ 123 тут http://a.b") == ["заказ", "123", "http://a.b"]
    assert surfaces(rules, "без цифр http://a.b") == ["http://a.b"]
    assert surfaces(rules, "١٢٣ арабские цифры") == ["١٢٣"]  # \d is any Unicode digit


def test_invalid_regex_is_rejected() -> None:
    with pytest.raises(ValueError, match="regular expression"):
        rule("(", kind=RuleKind.REGEX)


def test_english_lemmas() -> None:
    assert surfaces([rule("delivery")], "Fast deliveries, slow delivery") == ["deliveries", "delivery"]
    assert surfaces([rule("service")], "services") == ["services"]
    assert surfaces([rule("deliveries")], "one delivery") == ["delivery"]


def test_slang_abbreviation() -> None:
    assert surfaces([rule("сбербанк")], "в сбере опять очередь") == ["сбере"]


@pytest.mark.parametrize(
    "text",
    [
        "😀👍🏽 Квартира!",
        "👨‍👩‍👧 семья ищет квартиру",
        "ква\u0301ртира с ударением",  # combining acute accent inside the word
        "квартира\u0306й и квартиру",
        "🇷🇺\n\tКвартиры 🏠🏠 квартирами",
    ],
)
def test_offsets_point_into_the_original_text(text: str) -> None:
    ms = found([rule("квартира")], text)
    assert ms
    for m in ms:
        assert text[m.start : m.end] == m.matched
        assert m.snippet[m.highlight_start : m.highlight_end] == m.matched
        assert text[m.snippet_start : m.snippet_start + len(m.snippet)] == m.snippet


def test_combining_accent_word_still_matches() -> None:
    assert surfaces([rule("квартира")], "ква\u0301ртиру") == ["ква\u0301ртиру"]


def test_snippet_is_word_aligned_and_bounded() -> None:
    text = "слово " * 30 + "квартира" + " длинноеслово" * 20
    (m,) = found([rule("квартира")], text)
    assert len(m.snippet) <= 2 * 60 + len("квартира")
    assert not m.snippet.startswith(("лово", "ово", " "))
    assert m.snippet.split()[0] in ("слово",)
    assert m.snippet.split()[-1] == "длинноеслово"


def test_make_snippet_short_text() -> None:
    assert make_snippet("кв", 0, 2) == ("кв", 0)


def test_match_carries_rule_and_lemmas() -> None:
    (m,) = found([rule("горячая вода", id=7, kind=RuleKind.PHRASE, category="ЖКХ")], "нет горячей воды")
    assert (m.rule_id, m.category, m.lemmas, m.fuzzy) == (7, "ЖКХ", ("вода", "горячий"), False)


def test_inactive_rules_do_not_match() -> None:
    assert surfaces([rule("квартира", active=False)], "квартира") == []


def test_deterministic_order_and_rerun() -> None:
    rules = [
        rule("вода", id="b"),
        rule("горячая вода", id="a", kind=RuleKind.PHRASE),
        rule(r"вод\w+", id="c", kind="regex"),
    ]
    text = "горячей воды нет, вода холодная"
    first = [(m.rule_id, m.start, m.end) for m in found(rules, text)]
    assert first == [("a", 0, 12), ("b", 8, 12), ("c", 8, 12), ("b", 18, 22), ("c", 18, 22)]
    compiled = Matcher.compile(rules)
    assert [compiled.match(text) for _ in range(3)] == [compiled.match(text)] * 3


def test_many_rules_share_one_index() -> None:
    rules = [rule(f"слово{i}", id=i) for i in range(300)] + [rule("квартира", id="q")]
    ms = found(rules, "квартиру сдам")
    assert [m.rule_id for m in ms] == ["q"]


def test_rule_without_words_is_reported_unmatchable() -> None:
    compiled = Matcher.compile([rule("!!!", id="x")])
    assert compiled.unmatchable == ("x",)
    assert compiled.match("!!!") == []


@pytest.mark.parametrize(
    ("a", "b", "ok"),
    [
        ("рекомендую", "рекамендую", True),
        ("интернет", "интренет", True),
        ("доставка", "доствка", True),
        ("доставка", "доставкаа", True),
        ("доставка", "дотсавкаа", False),
        ("абв", "абв", True),
    ],
)
def test_within_one_edit(a: str, b: str, ok: bool) -> None:
    assert within_one_edit(a, b) is ok
