"""Top lemmas and trending lemmas."""

from __future__ import annotations

from collections import Counter

from vkc.analysis.terms import g2_score, lemma_counts, top_lemmas, trending_lemmas


def test_top_lemmas_by_lemma_and_pos() -> None:
    texts = ["Курьер опять опоздал", "курьеры всегда опаздывают", "этот курьер хороший", "и что с того?"]
    top = top_lemmas(texts, 3)
    assert top[0] == ("курьер", 3)
    lemmas = {lem for lem, _ in top_lemmas(texts, 50)}
    assert {"и", "что", "с", "этот", "опять", "всегда"}.isdisjoint(lemmas)  # stopwords, adverbs


def test_top_lemmas_deterministic_ties() -> None:
    assert top_lemmas(["банк кот", "кот банк"], 2) == [("банк", 2), ("кот", 2)]


def test_english_terms_by_lemma() -> None:
    assert lemma_counts(["fast deliveries", "the delivery"])["delivery"] == 2


def test_g2_known_value() -> None:
    # a=10 of 100, b=10 of 1000: E1 = 100*20/1100, E2 = 1000*20/1100,
    # G² = 2 * (10 ln(10/E1) + 10 ln(10/E2)) = 2 * (17.047 - 5.978) = 22.138
    assert round(g2_score(10, 10, 100, 1000), 3) == 22.138
    assert g2_score(0, 0, 10, 10) == 0.0


def test_trending_lemmas() -> None:
    baseline = Counter({"доставка": 50, "курьер": 40, "вода": 2, "тариф": 30})
    current = Counter({"доставка": 50, "курьер": 38, "вода": 40, "тариф": 3, "редкий": 2})
    out = trending_lemmas(current, baseline, 5)
    assert [t.lemma for t in out] == ["вода"]  # тариф fell, редкий is under min_count
    assert out[0].current == 40
    assert out[0].baseline == 2
    assert out[0].g2 > 10
    assert out[0].ratio > 1


def test_trending_new_term_without_baseline() -> None:
    out = trending_lemmas({"новое": 6}, {}, 5)
    assert [(t.lemma, t.g2) for t in out] == [("новое", 0.0)]
