"""The shipped sentiment model: its weights load without NumPy, the cached scorer adds up exactly
the features the trainer saw, and the analyzer falls back to the lexicon without weights."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from vkc.analysis.analyzer import Analyzer
from vkc.analysis.morphology import default_morphology
from vkc.analysis.normalize import fold
from vkc.analysis.npz import NpzError, load_npz
from vkc.analysis.sentiment import SentimentLabel
from vkc.analysis.sentiment_features import HASH_SIZE, N_DENSE, comment_features, feature_index, sparse_scale
from vkc.analysis.sentiment_model import MODEL_PATH, LinearSentimentModel, SentimentClassifier
from vkc.analysis.tokenize import tokenize

TEXTS = [
    "Отличный банк, четвёртый раз блокируют карту без причины 👍",
    "доставили быстро, но половины заказа нет",
    "не плохо, но могло быть и лучше",
    "Спасибо большое, всё доставили вовремя!!!",
    "Когда будет доставка в Заречный район?",
    "ни разу не пожалел что перешёл в этот банк))",
    "курьер прям малодец 🔥🔥",
    "",
]


@pytest.fixture(scope="module")
def model() -> LinearSentimentModel:
    return LinearSentimentModel()


def test_the_committed_weights_have_the_shape_the_features_need() -> None:
    arrays = load_npz(MODEL_PATH)
    assert arrays["w"][1] == (HASH_SIZE + N_DENSE, 3)
    assert list(arrays["meta"][0]) == [18, N_DENSE, 3]


@pytest.mark.parametrize("text", TEXTS)
def test_cached_scoring_equals_the_plain_sum_of_the_training_features(model: LinearSentimentModel, text: str) -> None:
    morph = default_morphology()
    classifier = SentimentClassifier(morph, model)
    tokens = tokenize(text)
    norms = [fold(t.text) for t in tokens]
    reading = classifier.lexicon.read(text, tokens, norms)
    keys, dense = comment_features(text, tokens, norms, reading, morph)
    w, _ = load_npz(MODEL_PATH)["w"]
    b, _ = load_npz(MODEL_PATH)["b"]
    scale = sparse_scale(len(keys))
    expected = [float(b[c]) for c in range(3)]
    for key in keys:
        for c in range(3):
            expected[c] += scale * w[3 * feature_index(key) + c]
    for k, x in enumerate(dense):
        for c in range(3):
            expected[c] += x * w[3 * (HASH_SIZE + k) + c]
    for _ in range(2):  # cold caches, then warm ones
        got = model.logits(text, tokens, norms, reading, morph)
        assert all(math.isclose(g, e, rel_tol=1e-6, abs_tol=1e-6) for g, e in zip(got, expected, strict=True))


def test_the_analyzer_uses_the_model_and_reads_plain_comments_right() -> None:
    analyzer = Analyzer(())
    assert isinstance(analyzer._sentiment, SentimentClassifier)
    assert analyzer._sentiment.model is not None
    assert analyzer.analyze("Спасибо большое, всё доставили вовремя!").sentiment.label is SentimentLabel.POSITIVE
    assert analyzer.analyze("доставили быстро, но половины заказа нет").sentiment.label is SentimentLabel.NEGATIVE
    assert analyzer.analyze("Не понравилось, больше не закажу").sentiment.label is SentimentLabel.NEGATIVE
    assert analyzer.analyze("Когда будет доставка в Заречный район?").sentiment.label is SentimentLabel.NEUTRAL
    score = analyzer.analyze("Спасибо большое, всё доставили вовремя!").sentiment.score
    assert -1.0 <= score <= 1.0


def test_emoji_alone_are_read_by_the_curated_weights() -> None:
    analyzer = Analyzer(())
    assert analyzer.analyze("👎").sentiment.label is SentimentLabel.NEGATIVE
    assert analyzer.analyze("🔥🔥").sentiment.label is SentimentLabel.POSITIVE


def test_without_weights_the_lexicon_decides() -> None:
    morph = default_morphology()
    text = "Отличный сервис, рекомендую всем 👍"
    tokens = tokenize(text)
    norms = [fold(t.text) for t in tokens]
    plain = SentimentClassifier(morph, model=False)
    assert plain.model is None
    assert plain.score(text, tokens, norms) == plain.lexicon.score(text, tokens, norms)


def test_a_file_that_is_not_an_npz_array_is_refused(tmp_path: Path) -> None:
    import zipfile

    bad = tmp_path / "bad.npz"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("w.npy", b"not an array")
    with pytest.raises(NpzError):
        load_npz(bad)
