"""Recall/precision gate on the VK emulator's planted keywords (devtools/vk_emulator/planted.py).

Every non-deleted comment of the "small" dataset (seed 42) is matched with one rule per planted
keyword (nouns as words, the two phrases in any order). A match counts as correct only if keyword,
start and end equal a planted entry; anything else is a false positive.
"""

from __future__ import annotations

from typing import Any

import pytest
from vkc.analysis.matcher import Matcher
from vkc.analysis.rules import KeywordRule, RuleKind

from devtools.vk_emulator import generate_dataset
from devtools.vk_emulator.planted import PLANTED

MIN_RECALL = 0.98
MIN_PRECISION = 0.95


@pytest.fixture(scope="module")
def scored() -> dict[str, Any]:
    ds = generate_dataset(preset="small", seed=42)
    gt = ds.ground_truth()
    rules = [
        KeywordRule(id=p.keyword, text=p.keyword, kind=RuleKind.PHRASE if p.is_phrase else RuleKind.WORD)
        for p in PLANTED
    ]
    matcher = Matcher.compile(rules)
    tp = fp = fn = comments = 0
    misses: list[tuple[str, str]] = []
    for entry in gt["comments"]:
        if entry["deleted"]:
            continue
        comment = ds.comment(entry["owner_id"], entry["comment_id"])
        assert comment is not None
        text = comment.text
        comments += 1
        truth = {(p["keyword"], p["start"], p["end"]) for p in entry["planted"]}
        got = {(m.rule_id, m.start, m.end) for m in matcher.match(text)}
        tp += len(truth & got)
        fp += len(got - truth)
        fn += len(truth - got)
        misses.extend((text[s:e], text) for _, s, e in (got ^ truth))
    return {"tp": tp, "fp": fp, "fn": fn, "comments": comments, "misses": misses[:20]}


def test_recall(scored: dict[str, Any]) -> None:
    recall = scored["tp"] / (scored["tp"] + scored["fn"])
    print(f"planted recall {recall:.4f} over {scored['comments']} comments ({scored['tp']} found)")
    assert scored["tp"] > 0
    assert recall >= MIN_RECALL, scored["misses"]


def test_precision(scored: dict[str, Any]) -> None:
    precision = scored["tp"] / (scored["tp"] + scored["fp"])
    print(f"planted precision {precision:.4f} ({scored['fp']} false positives)")
    assert precision >= MIN_PRECISION, scored["misses"]
