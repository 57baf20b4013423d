"""Analysis engine throughput: comments analyzed per second by one worker process, 200 rules.

What is timed is exactly what the analyze worker calls per comment: ``Analyzer(rules).analyze(text)``
(keyword matches with snippets, sentiment, spam, profanity/insult, language, content lemmas and the
fingerprint). Corpus: every non-deleted comment text of the VK emulator's "small" dataset (seed 42;
template-generated VK-style comments with planted keywords, slang, emoji, spam and replies). If the
emulator is not importable, a deterministic synthetic corpus is used instead and reported as such.

Rules: the 11 planted keywords, 120 other single words, 50 phrases (half exact, half any-order;
10 with negative keywords), 12 substring rules and 7 regexes = 200.

Figures:
- ``comments_per_s_200_rules``: warm process (the lemma and per-token caches filled by one prior
  pass over the corpus, as in a warm Lambda), wall clock, best of 5 passes.
- ``comments_per_s_200_rules_cpu``: the same per second of process CPU time, best of 5 (on a
  shared machine the wall-clock figure moves with other load; this one much less).
- ``comments_per_s_200_rules_cold``: a fresh Morphology and matcher, first pass (every cache empty).
- ``match_only_comments_per_s_200_rules``: keyword matching alone, warm.
- ``compile_200_rules_ms``: ``Matcher.compile`` on a fresh morphology.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable

from vkc.analysis.analyzer import Analyzer
from vkc.analysis.matcher import Matcher
from vkc.analysis.morphology import Morphology
from vkc.analysis.rules import KeywordRule, PhraseMode, RuleKind

_WORDS_TEXT = """
заказ посылка магазин склад пункт выдача возврат оплата карта кредит вклад кэшбэк перевод комиссия
кредитка ипотека страховка полис штраф налог квитанция счетчик электричество отопление батарея
лифт подъезд двор парковка мусор дорога светофор автобус маршрут трамвай метро такси водитель
поликлиника врач запись больница аптека лекарство школа садик учитель экзамен кружок секция
связь роутер модем сигнал вышка покрытие абонент симка роуминг трафик скорость подключение
провайдер мастер сантехник электрик управляющая жкх субботник благоустройство детская площадка
клумба фонарь снег гололед дворник уборка ремонтник смета подрядчик застройщик новостройка
соседи шум собака кошка ветеринар приют волонтер акция скидка промокод бонус подарок розыгрыш
доставщик заказчик продавец кассир охранник администратор директор менеджер поддержка жалоба
претензия суд юрист прокуратура полиция участковый пожар авария прорыв затопление протечка
кафе ресторан пицца суши кофе бургер меню официант столик бронь банкет праздник концерт
стоматология парикмахерская
"""
_WORDS = _WORDS_TEXT.split()

_PHRASES = [
    "пункт выдачи", "служба поддержки", "горячая линия", "личный кабинет", "мобильное приложение",
    "кредитная карта", "детская площадка", "управляющая компания", "капитальный ремонт",
    "холодная вода", "вывоз мусора", "уличное освещение", "общественный транспорт", "плохая связь",
    "медленный интернет", "списание денег", "двойное списание", "блокировка карты", "номер заказа",
    "срок доставки", "трек номер", "отмена заказа", "замена товара", "гарантийный ремонт",
    "сервисный центр", "запись к врачу", "очередь в поликлинике", "детский сад", "школьный автобус",
    "прорыв трубы", "отключение света", "отключение воды", "протечка крыши", "шум соседей",
    "бездомная собака", "платная парковка", "яма на дороге", "ремонт дороги", "новый тариф",
    "повышение тарифа", "скорость интернета", "обрыв связи", "плохое покрытие", "смена оператора",
    "перенос номера", "кэшбэк баллы", "бонусная программа", "подарочная карта", "акция недели",
    "розыгрыш призов",
]  # fmt: skip

_REGEXES = [r"\d-?комн", r"\b\d{6}\b", r"заказ\s*№?\s*\d+", r"https?://\S+", r"\+7\d{10}", r"[A-Z]{2}\d{9}RU", r"#\w+"]


def build_rules() -> list[KeywordRule]:
    """The 200-rule set described in the module docstring (deterministic)."""
    from devtools.vk_emulator.planted import PLANTED

    rules: list[KeywordRule] = []
    for p in PLANTED:
        kind = RuleKind.PHRASE if p.is_phrase else RuleKind.WORD
        rules.append(KeywordRule(id=f"p:{p.keyword}", text=p.keyword, kind=kind, category="planted"))
    for w in _WORDS[:120]:
        rules.append(KeywordRule(id=f"w:{w}", text=w, category="word"))
    for i, ph in enumerate(_PHRASES[:50]):
        rules.append(
            KeywordRule(
                id=f"ph:{ph}",
                text=ph,
                kind=RuleKind.PHRASE,
                phrase_mode=PhraseMode.EXACT if i % 2 else PhraseMode.ANY_ORDER,
                negatives=["реклама", "не актуально"] if i % 5 == 0 else [],
                category="phrase",
            )
        )
    for w in _WORDS[120:132]:
        rules.append(KeywordRule(id=f"s:{w}", text=w, whole_word=False, category="substring"))
    for rx in _REGEXES:
        rules.append(KeywordRule(id=f"r:{rx}", text=rx, kind=RuleKind.REGEX, category="regex"))
    assert len(rules) == 200, len(rules)
    return rules


def corpus() -> tuple[list[str], str]:
    """Comment texts and a description of where they came from."""
    try:
        from devtools.vk_emulator import generate_dataset
    except ImportError:
        return _synthetic(20_000), "synthetic (deterministic, seed 42)"
    ds = generate_dataset(preset="small", seed=42)
    gt = ds.ground_truth()
    texts = []
    for e in gt["comments"]:
        if e["deleted"]:
            continue
        c = ds.comment(e["owner_id"], e["comment_id"])
        if c is not None:
            texts.append(c.text)
    return texts, "vk_emulator small seed=42"


def _synthetic(n: int) -> list[str]:
    rng = random.Random(42)
    words = [*_WORDS, "очень", "не", "спасибо", "опять", "когда", "уже", "норм", "жесть", "👍", "!!!", "((("]
    return [" ".join(rng.choice(words) for _ in range(rng.randint(3, 30))) for _ in range(n)]


def _rate(fn: Callable[[str], object], texts: list[str]) -> float:
    """Comments per second of wall-clock time for one pass."""
    t0 = time.perf_counter()
    for t in texts:
        fn(t)
    return len(texts) / (time.perf_counter() - t0)


def _cpu_rate(fn: Callable[[str], object], texts: list[str]) -> float:
    """Comments per second of this process's CPU time (less sensitive to a busy machine)."""
    t0 = time.process_time()
    for t in texts:
        fn(t)
    return len(texts) / (time.process_time() - t0)


def run() -> dict[str, float]:
    texts, _source = corpus()
    rules = build_rules()

    t0 = time.perf_counter()
    cold_morph = Morphology()
    Matcher.compile(rules, cold_morph)
    compile_ms = (time.perf_counter() - t0) * 1000

    cold = Analyzer(rules, Morphology())
    cold_rate = _rate(cold.analyze, texts)

    warm = Analyzer(rules, Morphology())
    _rate(warm.analyze, texts)  # fill caches, as a warm Lambda container has them
    warm_rate = max(_rate(warm.analyze, texts) for _ in range(5))
    cpu_rate = max(_cpu_rate(warm.analyze, texts) for _ in range(5))
    match_rate = max(_rate(warm.matcher.match, texts) for _ in range(5))
    matches = sum(len(warm.matcher.match(t)) for t in texts)

    return {
        "analysis.comments_per_s_200_rules": round(warm_rate, 1),
        "analysis.comments_per_s_200_rules_cpu": round(cpu_rate, 1),
        "analysis.comments_per_s_200_rules_cold": round(cold_rate, 1),
        "analysis.match_only_comments_per_s_200_rules": round(match_rate, 1),
        "analysis.compile_200_rules_ms": round(compile_ms, 1),
        "analysis.bench_corpus_comments": float(len(texts)),
        "analysis.bench_matches_per_comment": round(matches / max(len(texts), 1), 3),
    }


if __name__ == "__main__":
    _, source = corpus()
    print(json.dumps({"corpus": source, **run()}, ensure_ascii=False, indent=2))
