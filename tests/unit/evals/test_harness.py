"""The evaluation harness itself: splits that never move, figures computed as defined."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.corpus import CorpusError, Example, read
from evals.metrics import binary, multiclass
from evals.split import SPLITS, compute, split_of


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_a_line_keeps_its_split_when_the_corpus_grows_and_is_reordered(tmp_path: Path) -> None:
    rows: list[dict[str, object]] = [
        {"id": f"s{i}", "text": f"текст {i}", "sentiment": "neutral", "hard": [], "source": "news"} for i in range(200)
    ]
    _write(tmp_path / "sentiment.jsonl", rows[:120])
    before = {i: s for s, ids in compute(tmp_path)["sentiment"].items() for i in ids}
    _write(tmp_path / "sentiment.jsonl", list(reversed(rows)))
    after = {i: s for s, ids in compute(tmp_path)["sentiment"].items() for i in ids}
    assert all(after[i] == s for i, s in before.items())
    shares = {s: sum(1 for v in after.values() if v == s) for s in SPLITS}
    assert 90 <= shares["train"] <= 150
    assert shares["dev"] >= 20
    assert shares["test"] >= 20


def test_lines_of_one_group_share_a_split() -> None:
    lines = [Example("spam", f"x{i}", "Заработок от 5000 в день, пиши в лс", True, group="g7") for i in range(30)]
    assert len({split_of(ex) for ex in lines}) == 1


def test_a_malformed_line_names_its_file_and_line(tmp_path: Path) -> None:
    _write(tmp_path / "spam.jsonl", [{"id": "a", "text": "t", "spam": False, "kind": "news", "source": "x"}])
    with (tmp_path / "spam.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"id": "b", "text": "t", "spam": "yes", "kind": "news", "source": "x"}\n')
    with pytest.raises(CorpusError, match=r"spam\.jsonl:2"):
        read("spam", tmp_path)


def test_figures_follow_their_definitions() -> None:
    m = multiclass(["a", "a", "b", "c"], ["a", "b", "b", "a"], ["a", "b", "c"])
    assert m.accuracy == 0.5
    assert m.confusion == [[1, 1, 0], [0, 1, 0], [1, 0, 0]]
    assert m.per_class["a"].precision == 0.5
    assert m.per_class["b"].recall == 1.0
    assert round(m.macro_f1, 4) == round((0.5 + 2 / 3 + 0.0) / 3, 4)
    b = binary([True, True, False, False], [True, False, True, False])
    assert (b.precision, b.recall, b.f1, b.tp, b.fp, b.fn, b.tn) == (0.5, 0.5, 0.5, 1, 1, 1, 1)
