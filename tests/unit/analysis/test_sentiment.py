"""Sentiment on a hand-written set of VK-style comments.

The set was written before the lexicon was checked against it: 37/40 at first; then "не работает"
and "нахамить" were added, fixing 2 of the 3 misses, so it is no longer held out. It is tiny:
treat it as a regression guard, not a benchmark.
"""

from __future__ import annotations

import pytest
from vkc.analysis.morphology import default_morphology
from vkc.analysis.sentiment import SentimentLabel, SentimentScorer
from vkc.analysis.tokenize import tokenize

P, N, Z = SentimentLabel.POSITIVE, SentimentLabel.NEUTRAL, SentimentLabel.NEGATIVE

LABELLED: list[tuple[str, SentimentLabel]] = [
    ("Спасибо большое, всё доставили вовремя!", P),
    ("Курьер опоздал на три часа, ужас", Z),
    ("Отличный сервис, рекомендую всем 👍", P),
    ("Не понравилось, больше не закажу", Z),
    ("не очень", Z),
    ("Не плохо, но могло быть и лучше", Z),
    ("норм, пойдёт", P),
    ("топ 🔥🔥", P),
    ("Интернет опять не работает третий день!!!", Z),
    ("Сбербанк списал деньги дважды, верните!", Z),
    ("Когда будет доставка в Заречный район?", N),
    ("А во сколько открываетесь завтра?", N),
    ("жесть какая-то", Z),
    ("отстой, а не тариф", Z),
    ("огонь 🔥", P),
    ("ахахах лол", P),
    ("Оператор нахамил и бросил трубку", Z),
    ("Банкомат съел карту, никто не помогает", Z),
    ("Ремонт сделали быстро и качественно, спасибо мастерам", P),
    ("Без проблем вернули деньги", P),
    ("Дорого, но качество на высоте", P),
    ("так себе сервис", Z),
    ("Кто-нибудь знает, где ближайший офис?", N),
    ("Подскажите номер поддержки", N),
    ("спасибо))", P),
    ("опять отключили горячую воду ((", Z),
    ("Мошенники, не связывайтесь с ними", Z),
    ("Очень довольна, всё супер!", P),
    ("Ничего особенного", Z),
    ("Вчера получил посылку", N),
    ("лучший магазин в городе ❤️", P),
    ("зачем так долго ждать ответа оператора?", Z),
    ("Не рекомендую эту доставку", Z),
    ("круто, молодцы!", P),
    ("Где мой заказ? Жду уже неделю", N),
    ("Не так уж и плохо", P),
    ("кринж", Z),
    ("Всё работает, проблему решили", P),
    ("Цены выросли на 20%", N),
    ("хорошо, что предупредили", P),
]


@pytest.fixture(scope="module")
def scorer() -> SentimentScorer:
    return SentimentScorer(default_morphology())


def label(scorer: SentimentScorer, text: str) -> SentimentLabel:
    return scorer.score(text, tokenize(text)).label


def test_accuracy_on_hand_written_set(scorer: SentimentScorer) -> None:
    wrong = [(t, want, label(scorer, t)) for t, want in LABELLED if label(scorer, t) != want]
    accuracy = 1 - len(wrong) / len(LABELLED)
    print(f"sentiment accuracy {accuracy:.3f} on {len(LABELLED)} comments; misses: {wrong}")
    assert len(LABELLED) >= 30
    assert accuracy >= 0.85, wrong


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("понравилось", P),
        ("не понравилось", Z),
        ("плохо", Z),
        ("не плохо", P),
        ("не очень", Z),
        ("не очень хорошо", Z),
        ("хорошо", P),
        ("без проблем", P),
    ],
)
def test_negation(scorer: SentimentScorer, text: str, want: SentimentLabel) -> None:
    assert label(scorer, text) == want


def test_exclamation_intensifies(scorer: SentimentScorer) -> None:
    calm = scorer.score("отлично", tokenize("отлично")).score
    loud = scorer.score("отлично!!!", tokenize("отлично!!!")).score
    assert 0 < calm < loud <= 1


def test_emoji_only(scorer: SentimentScorer) -> None:
    assert label(scorer, "👍👍") == P
    assert label(scorer, "😡🤬") == Z
    assert label(scorer, "🤷") == N


def test_parenthetical_is_not_a_smiley(scorer: SentimentScorer) -> None:
    assert label(scorer, "Офис (на Ленина) открыт до 20:00") == N


def test_score_range(scorer: SentimentScorer) -> None:
    for text, _ in LABELLED:
        s = scorer.score(text, tokenize(text))
        assert -1 <= s.score <= 1


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # a negated complaint is praise: these read as complaints before ("проблем", "пожалели")
        ("никаких проблем со связью", P),
        ("претензий нет, всё чётко", P),
        ("ни разу не пожалела", P),
        ("не зря подписалась на группу", P),
        ("нареканий нет", P),
        # a hedged denial negates what follows it
        ("не сказал бы что доволен", Z),
        ("не то чтобы рада", Z),
        ("не скажу, что понравилось", Z),
    ],
)
def test_negation_of_complaints_and_hedged_denials(scorer: SentimentScorer, text: str, want: SentimentLabel) -> None:
    assert label(scorer, text) == want


@pytest.mark.parametrize("text", ["ужасно вкусные эклеры", "страшно довольна покупкой", "чертовски удобно"])
def test_negative_adverb_before_praise_only_intensifies(scorer: SentimentScorer, text: str) -> None:
    assert label(scorer, text) == P


@pytest.mark.parametrize("text", ["ужасно", "ужасно долго ждали", "страшно подумать, сколько ждать"])
def test_negative_adverb_alone_stays_negative(scorer: SentimentScorer, text: str) -> None:
    assert label(scorer, text) == Z


@pytest.mark.parametrize(
    ("text", "first", "later"),
    [
        # the break sits among words that carry nothing, which the scorer jumps over
        ("ну вот, такие дела у нас отличный сервис", 0.0, 1.0),
        ("ну вот такие дела, у нас отличный сервис", 0.0, 1.0),
        ("отличный сервис, ну вот такие дела", 1.0, 0.0),
        ("ну вот такие дела у нас отличный сервис", 1.0, 0.0),  # no break: all in the first clause
    ],
)
def test_the_first_clause_ends_at_the_first_break(
    scorer: SentimentScorer, text: str, first: float, later: float
) -> None:
    tokens = tokenize(text)
    for _ in range(2):  # the second time the scorer knows which words carry nothing
        reading = scorer.read(text, tokens)
        assert (reading.first_clause > 0, reading.later_clauses > 0) == (first > 0, later > 0)
