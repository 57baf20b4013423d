"""Run the real engine on a split of the corpus and compute every quality figure.

What runs is what production runs: ``Analyzer(rules).analyze(text)``, the call the analyze worker
makes per comment, and keyword rules built by ``vkc.keywords.rules.check_rule``, the path every
rule takes from the API to the engine. Spam lines that share a fingerprint get the cross-post
duplicate signal the analysis store adds (``SpamVerdict.with_duplicates``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from evals.corpus import SENTIMENT_LABELS, Example, read
from evals.metrics import Binary, MultiClass, binary, multiclass
from evals.split import SPLITS_FILE, compute, load

# The hard kinds: accuracy on them together is a goal of its own.
HARD_GOAL_TAGS = frozenset({"sarcasm", "negation", "emoji", "emoji-only", "emoji_only", "mixed"})

GOALS: dict[str, tuple[str, float]] = {
    "sentiment_accuracy": (">=", 0.85),
    "sentiment_hard_accuracy": (">=", 0.70),
    "spam_f1": (">=", 0.90),
    "profanity_recall": (">=", 0.95),
    "profanity_precision": (">=", 0.95),
    "morphology_recall": (">=", 0.98),
    "morphology_precision": (">=", 0.97),
}

SentimentPredictor = Callable[[Sequence[str]], list[str]]


def split_examples(task: str, split: str) -> list[Example]:
    """The lines of ``task`` in ``split``, as assigned by splits.json (fresh hash if it is absent).

    A line newer than splits.json is assigned by the same hash, so the harness never drops data;
    ``make split`` records it.
    """
    examples = read(task)
    stored = load() if SPLITS_FILE.exists() else {}
    assigned = {i: s for s, ids in stored.get(task, {}).items() for i in ids}
    fresh = {i: s for s, ids in compute().get(task, {}).items() for i in ids} if examples else {}
    return [ex for ex in examples if assigned.get(ex.id, fresh.get(ex.id)) == split]


@dataclass(frozen=True, slots=True)
class SentimentReport:
    overall: MultiClass
    hard: dict[str, tuple[int, int]]  # tag -> (correct, total)
    hard_goal: tuple[int, int]  # sarcasm/negation/emoji/mixed together
    misses: list[tuple[Example, str]]

    @property
    def hard_accuracy(self) -> float:
        correct, total = self.hard_goal
        return correct / total if total else 0.0


def engine_sentiment() -> SentimentPredictor:
    from vkc.analysis.analyzer import Analyzer

    analyzer = Analyzer(())

    def predict(texts: Sequence[str]) -> list[str]:
        return [analyzer.analyze(t).sentiment.label.value for t in texts]

    return predict


def evaluate_sentiment(examples: Sequence[Example], predict: SentimentPredictor) -> SentimentReport:
    gold = [str(ex.label) for ex in examples]
    pred = predict([ex.text for ex in examples])
    hard: dict[str, list[int]] = {}
    goal = [0, 0]
    misses = []
    for ex, g, p in zip(examples, gold, pred, strict=True):
        ok = int(g == p)
        if not ok:
            misses.append((ex, p))
        for tag in ex.tags:
            cell = hard.setdefault(tag, [0, 0])
            cell[0] += ok
            cell[1] += 1
        if HARD_GOAL_TAGS.intersection(ex.tags):
            goal[0] += ok
            goal[1] += 1
    return SentimentReport(
        multiclass(gold, pred, SENTIMENT_LABELS),
        {t: (c[0], c[1]) for t, c in sorted(hard.items())},
        (goal[0], goal[1]),
        misses,
    )


@dataclass(frozen=True, slots=True)
class BinaryReport:
    figures: Binary
    by_kind: dict[str, tuple[int, int]]  # kind -> (correct, total)
    misses: list[Example]


def _binary_report(examples: Sequence[Example], pred: list[bool]) -> BinaryReport:
    gold = [bool(ex.label) for ex in examples]
    by_kind: dict[str, list[int]] = {}
    misses = []
    for ex, g, p in zip(examples, gold, pred, strict=True):
        for kind in ex.tags or ("-",):
            cell = by_kind.setdefault(f"{'+' if g else '-'}{kind}", [0, 0])
            cell[0] += int(g == p)
            cell[1] += 1
        if g != p:
            misses.append(ex)
    return BinaryReport(binary(gold, pred), {k: (c[0], c[1]) for k, c in sorted(by_kind.items())}, misses)


def evaluate_spam(examples: Sequence[Example]) -> BinaryReport:
    from vkc.analysis.analyzer import Analyzer

    analyzer = Analyzer(())
    results = [analyzer.analyze(ex.text) for ex in examples]
    # The store flags a fingerprint seen under other posts; here every other line with the same
    # fingerprint in the whole spam file stands for another post.
    everywhere = Counter(analyzer.analyze(ex.text).fingerprint for ex in read("spam"))
    pred = [r.spam.with_duplicates(everywhere[r.fingerprint] - 1).is_spam for r in results]
    return _binary_report(examples, pred)


def evaluate_profanity(examples: Sequence[Example]) -> BinaryReport:
    from vkc.analysis.analyzer import Analyzer

    analyzer = Analyzer(())
    pred = []
    for ex in examples:
        p = analyzer.analyze(ex.text).profanity
        pred.append(p.profanity or p.insult)
    return _binary_report(examples, pred)


def rule_fields(example: Example) -> dict[str, Any]:
    """The keyword fields of a morphology line, as a client would send them to /v1/keywords."""
    from vkc.analysis.rules import PhraseMode, RuleKind

    fields = {k: v for k, v in example.extra.items() if k not in ("keyword", "mode")}
    fields["text"] = example.extra["keyword"]
    mode = example.extra.get("mode")
    if mode in {m.value for m in RuleKind}:
        fields["kind"] = mode
    elif mode in {m.value for m in PhraseMode}:
        fields["phrase_mode"] = mode
    return fields


def evaluate_morphology(examples: Sequence[Example]) -> BinaryReport:
    from vkc.analysis.analyzer import Analyzer
    from vkc.keywords.rules import check_rule

    rules = [check_rule(rule_fields(ex), rule_id=ex.id) for ex in examples]
    analyzer = Analyzer(rules)
    pred = [any(m.rule_id == ex.id for m in analyzer.analyze(ex.text).matches) for ex in examples]
    return _binary_report(examples, pred)


@dataclass(frozen=True, slots=True)
class SplitReport:
    split: str
    sentiment: SentimentReport | None
    spam: BinaryReport | None
    profanity: BinaryReport | None
    morphology: BinaryReport | None
    sentiment_note: str = ""  # how the sentiment figures were obtained, when not by the shipped weights live
    sentiment_in_sample: bool = False  # the figures score lines the shipped weights were fitted on
    sentiment_recorded: bool = False  # the figures come from the train-only fit's recorded answers

    def figures(self) -> dict[str, float]:
        """The ``quality.*`` figures of this split (only for tasks that have lines in it)."""
        s = self.split
        out: dict[str, float] = {}
        if self.sentiment:
            m = self.sentiment.overall
            out[f"quality.sentiment_accuracy_{s}"] = m.accuracy
            out[f"quality.sentiment_macro_f1_{s}"] = m.macro_f1
            out[f"quality.sentiment_hard_accuracy_{s}"] = self.sentiment.hard_accuracy
            out[f"quality.sentiment_n_{s}"] = m.n
            out[f"quality.sentiment_hard_n_{s}"] = self.sentiment.hard_goal[1]
            if s == "dev":
                out["quality.sentiment_dev_in_sample"] = float(self.sentiment_in_sample)
                out["quality.sentiment_dev_from_train_only_fit"] = float(self.sentiment_recorded)
        if self.spam:
            f = self.spam.figures
            out |= {f"quality.spam_f1_{s}": f.f1, f"quality.spam_precision_{s}": f.precision}
            out |= {f"quality.spam_recall_{s}": f.recall, f"quality.spam_n_{s}": f.n}
        if self.profanity:
            f = self.profanity.figures
            out |= {f"quality.profanity_recall_{s}": f.recall, f"quality.profanity_precision_{s}": f.precision}
            out[f"quality.profanity_n_{s}"] = f.n
        if self.morphology:
            f = self.morphology.figures
            out |= {f"quality.morphology_recall_{s}": f.recall, f"quality.morphology_precision_{s}": f.precision}
            out[f"quality.morphology_n_{s}"] = f.n
        return {k: round(v, 4) for k, v in out.items()}

    def goal_misses(self) -> list[str]:
        """Goals this split does not meet (a task with no lines fails its goals: nothing is measured)."""
        figures = self.figures()
        misses = []
        for name, (_, bound) in GOALS.items():
            value = figures.get(f"quality.{name}_{self.split}")
            if value is None:
                misses.append(f"{name}: not measured (no lines in {self.split})")
            elif value < bound:
                misses.append(f"{name}: {value:.3f} < {bound}")
        return misses


def dev_sentiment(dev: Sequence[Example]) -> tuple[SentimentPredictor, str, bool, bool]:
    """How to score dev honestly: (predictor, note, in-sample?, from the training record?).

    When the shipped weights were refitted on train + dev (``make train``'s default), dev is scored
    from the train-only model's answers recorded at training time (``evals/fit_record.py``); a
    stale record falls back to the shipped weights and says the figure is in-sample.
    """
    from vkc.analysis.sentiment_model import MODEL_PATH

    from evals import fit_record

    record = fit_record.load()
    if record is None or not record.dev_in_fit or not MODEL_PATH.exists():
        return engine_sentiment(), "", False, False
    stale = fit_record.stale_reason(record, MODEL_PATH, dev)
    if stale:
        note = f"IN-SAMPLE: the shipped weights were fitted on train+dev and the training record is stale: {stale}"
        return engine_sentiment(), note, True, False
    answers = record.dev_predictions
    by_text = {ex.text: answers[ex.id] for ex in dev}
    note = (
        f"dev is inside the shipped weights' training data (fitted on train+dev, C={record.c:g}); these are the"
        " answers of the train-only fit that chose C, recorded by `make train` in evals/sentiment_fit.json"
    )
    return (lambda texts: [by_text[t] for t in texts]), note, False, True


def evaluate_split(split: str, sentiment: SentimentPredictor | None = None) -> SplitReport:
    sent = split_examples("sentiment", split)
    spam = split_examples("spam", split)
    prof = split_examples("profanity", split)
    morph = split_examples("morphology", split)
    note, in_sample, recorded = "", False, False
    if sentiment is None and split == "dev" and sent:
        sentiment, note, in_sample, recorded = dev_sentiment(sent)
    return SplitReport(
        split,
        evaluate_sentiment(sent, sentiment or engine_sentiment()) if sent else None,
        evaluate_spam(spam) if spam else None,
        evaluate_profanity(prof) if prof else None,
        evaluate_morphology(morph) if morph else None,
        note,
        in_sample,
        recorded,
    )
