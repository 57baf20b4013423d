"""``quality.*`` figures for ``bench.run`` (``python -m bench.run quality``).

Quality on the dev and test splits (as ``make eval`` records them), plus what the sentiment model
costs the engine: comments per second of CPU time with and without it (the analysis benchmark's
corpus and 200 rules, warm caches, the two measured alternately so machine load hits both alike),
the time to load its weights (added to a cold start) and the size of the file.
"""

from __future__ import annotations

import time

from evals.evaluate import evaluate_split

ROUNDS = 5


def engine_cost() -> dict[str, float]:
    from vkc.analysis.analyzer import Analyzer
    from vkc.analysis.morphology import Morphology
    from vkc.analysis.sentiment_model import MODEL_PATH, LinearSentimentModel, SentimentClassifier

    from bench.analysis_bench import build_rules, corpus

    texts, _ = corpus()
    morph = Morphology()
    with_model = Analyzer(build_rules(), morph)
    lexicon_only = Analyzer(build_rules(), morph)
    lexicon_only._sentiment = SentimentClassifier(morph, model=False)
    for analyzer in (with_model, lexicon_only):
        for t in texts:
            analyzer.analyze(t)
    best = {"model": 0.0, "lexicon": 0.0}
    for _ in range(ROUNDS):
        for name, analyzer in (("model", with_model), ("lexicon", lexicon_only)):
            t0 = time.process_time()
            for t in texts:
                analyzer.analyze(t)
            best[name] = max(best[name], len(texts) / (time.process_time() - t0))
    t0 = time.perf_counter()
    LinearSentimentModel()
    load_ms = (time.perf_counter() - t0) * 1000
    return {
        "quality.engine_comments_per_s_cpu_200_rules": round(best["model"], 1),
        "quality.engine_comments_per_s_cpu_200_rules_lexicon_sentiment": round(best["lexicon"], 1),
        "quality.sentiment_model_load_ms": round(load_ms, 1),
        "quality.sentiment_model_mb": round(MODEL_PATH.stat().st_size / 1e6, 2),
    }


def run() -> dict[str, float]:
    figures: dict[str, float] = {}
    for split in ("dev", "test"):
        figures |= evaluate_split(split).figures()
    return figures | engine_cost()
