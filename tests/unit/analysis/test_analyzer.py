"""The analyze worker's entry point."""

from __future__ import annotations

from vkc.analysis.analyzer import Analyzer, CommentAnalysis
from vkc.analysis.rules import KeywordRule
from vkc.analysis.sentiment import SentimentLabel

RULES = [
    KeywordRule(id=1, text="доставка", category="логистика"),
    KeywordRule(id=2, text="горячая вода", kind="phrase", category="ЖКХ"),
]


def test_analyze_everything_at_once() -> None:
    text = "Доставка опять опоздала!!! Пиши в лс, заработок без вложений bit.ly/x 😡"
    r = Analyzer(RULES).analyze(text)
    assert isinstance(r, CommentAnalysis)
    assert [(m.rule_id, m.matched) for m in r.matches] == [(1, "Доставка")]
    assert r.sentiment.label is SentimentLabel.NEGATIVE
    assert r.spam.is_spam
    assert "dm_call" in r.spam.reasons
    assert not r.profanity.profanity
    assert r.language == "ru"
    assert "доставка" in r.lemmas
    assert "опоздать" in r.lemmas
    assert len(r.fingerprint) == 16


def test_analysis_is_deterministic_and_serialisable() -> None:
    a = Analyzer(RULES)
    text = "Нет горячей воды третий день, ты клоун а не управляющий"
    first = a.analyze(text)
    assert a.analyze(text) == first == Analyzer(RULES).analyze(text)
    dumped = first.model_dump(mode="json")
    assert dumped["matches"][0]["matched"] == "горячей воды"
    assert dumped["profanity"]["insult"] is True


def test_empty_and_symbol_only_text() -> None:
    for text in ("", "   ", "👍", "..."):
        r = Analyzer(RULES).analyze(text)
        assert r.matches == ()
        assert r.lemmas == ()
        assert r.language == "und"


def test_analyzer_without_rules() -> None:
    r = Analyzer().analyze("отличный сервис")
    assert r.matches == ()
    assert r.sentiment.label is SentimentLabel.POSITIVE


def test_results_survive_pickling_between_processes() -> None:
    import pickle

    text = "Доставка опять опоздала!!! Пиши в лс, заработок без вложений bit.ly/x 😡 хуйня, ты клоун"
    first = Analyzer(RULES).analyze(text)
    back = pickle.loads(pickle.dumps(first))  # noqa: S301 - our own bytes
    assert back == first
    assert type(back.matches[0]) is type(first.matches[0])
    assert back.sentiment.label is SentimentLabel.NEGATIVE
    assert back.model_dump(mode="json") == first.model_dump(mode="json")
