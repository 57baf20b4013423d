"""The honest dev figure: when the shipped weights were refitted on train + dev, ``make eval`` must
score dev from the train-only fit recorded at training time, and refuse a record that no longer
matches the weights or the corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

from vkc.analysis.sentiment_model import MODEL_PATH

from evals import fit_record
from evals.corpus import Example
from evals.evaluate import evaluate_split, split_examples


def test_the_committed_record_vouches_for_the_committed_weights_and_dev_lines() -> None:
    record = fit_record.load()
    assert record is not None, "evals/sentiment_fit.json is missing: run `make train`"
    dev = split_examples("sentiment", "dev")
    assert fit_record.stale_reason(record, MODEL_PATH, dev) is None
    test_ids = {ex.id for ex in split_examples("sentiment", "test")}
    assert set(record.dev_predictions) == {ex.id for ex in dev}
    assert not test_ids & set(record.dev_predictions), "training must never see the test split"
    assert "test" not in record.fit_on


def test_make_eval_reports_dev_from_the_train_only_fit_when_dev_was_in_the_shipped_fit() -> None:
    record = fit_record.load()
    assert record is not None
    assert record.dev_in_fit
    report = evaluate_split("dev")
    assert report.sentiment is not None
    assert report.sentiment_recorded
    assert not report.sentiment_in_sample
    assert "train-only" in report.sentiment_note
    figures = report.figures()
    assert figures["quality.sentiment_dev_from_train_only_fit"] == 1.0
    assert figures["quality.sentiment_accuracy_dev"] == record.doc["dev_figures_train_only"]["accuracy"]


def test_a_record_for_other_weights_or_other_dev_lines_is_stale(tmp_path: Path) -> None:
    record = fit_record.load()
    assert record is not None
    dev = split_examples("sentiment", "dev")
    other_weights = tmp_path / "sentiment_linear.npz"
    shutil.copyfile(MODEL_PATH, other_weights)
    with other_weights.open("ab") as fh:
        fh.write(b"\0")
    assert "not the file" in (fit_record.stale_reason(record, other_weights, dev) or "")
    first = dev[0]
    flipped = "positive" if first.label == "neutral" else "neutral"
    relabelled = [Example(first.task, first.id, first.text, flipped, first.tags), *dev[1:]]
    assert "dev lines changed" in (fit_record.stale_reason(record, MODEL_PATH, relabelled) or "")
