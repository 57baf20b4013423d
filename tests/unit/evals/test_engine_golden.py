"""The engine answers exactly as recorded in ``evals/engine_golden.json`` for every corpus line.

Why: speed work on ``Analyzer.analyze`` must not change a single result (matches, offsets,
snippets, scores, reasons, terms, lemmas, fingerprints). After a deliberate change of the engine's
answers, re-record with ``python -m evals.engine_golden write`` and say why in the commit.
"""

from __future__ import annotations

import json

from evals.engine_golden import GOLDEN, compute, diff


def test_engine_outputs_match_the_recorded_golden() -> None:
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    changed = diff(expected, compute())
    assert not changed, f"{len(changed)} lines changed, first: {changed[:10]}"
