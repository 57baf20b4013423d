"""The engine's full output on every corpus line, to prove a speed-up changed no answer.

Why: the throughput work on ``Analyzer.analyze`` (caches, merged token passes, plain result
classes) must leave every result as it was, not just the ``make eval`` figures. This records, for
each line of ``evals/corpus/*.jsonl`` analyzed with the 200 bench rules
(``bench.analysis_bench.build_rules``), everything ``analyze`` returns: matches with offsets and
snippets, sentiment label/score/raw, spam flag/score/reasons, profanity and insult with terms,
language, lemmas and the fingerprint. Scores are rounded to 9 decimals (the engine already rounds
them to 4, so this only guards against float noise).

    python -m evals.engine_golden write   # record evals/engine_golden.json (digests per line)
    python -m evals.engine_golden check   # compare; prints the lines that differ
    python -m evals.engine_golden dump F  # full outputs, one line each, into F, to diff by hand

The committed file holds one short digest per line (the full outputs are megabytes), plus the
digest of all lines together.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).with_name("engine_golden.json")
CORPUS = Path(__file__).with_name("corpus")
TASKS = ("sentiment", "spam", "profanity", "morphology")


def corpus_lines() -> Iterator[tuple[str, str]]:
    """(``task:id``, text) of every corpus line, in file order."""
    for task in TASKS:
        with (CORPUS / f"{task}.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    obj = json.loads(line)
                    yield f"{task}:{obj['id']}", str(obj["text"])


def _r(x: float) -> float:
    return round(float(x), 9)


def describe(a: Any) -> dict[str, Any]:
    """Everything one analysis says, as plain JSON values (attribute access only, so it reads any
    implementation of the result classes)."""
    return {
        "matches": [
            [
                str(m.rule_id),
                m.category,
                m.matched,
                m.start,
                m.end,
                list(m.lemmas),
                m.fuzzy,
                m.snippet,
                m.snippet_start,
                m.highlight_start,
                m.highlight_end,
            ]
            for m in a.matches
        ],
        "sentiment": [str(a.sentiment.label), _r(a.sentiment.score), _r(a.sentiment.raw)],
        "spam": [a.spam.is_spam, _r(a.spam.score), list(a.spam.reasons)],
        "profanity": [a.profanity.profanity, a.profanity.insult, list(a.profanity.terms)],
        "language": a.language,
        "lemmas": list(a.lemmas),
        "fingerprint": a.fingerprint,
    }


def bench_lines() -> Iterator[tuple[str, str]]:
    """The throughput bench's comments (the VK emulator's, many with keyword matches)."""
    from bench.analysis_bench import corpus

    texts, _ = corpus()
    for i, text in enumerate(texts):
        yield f"bench:{i}", text


def outputs(lines: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """(key, canonical JSON of the analysis) per line; analyzed twice, the second pass warm, so a
    cache that answers differently once filled shows up as a difference between the passes."""
    from vkc.analysis.analyzer import Analyzer

    from bench.analysis_bench import build_rules

    analyzer = Analyzer(build_rules())
    cold = [json.dumps(describe(analyzer.analyze(text)), ensure_ascii=False, sort_keys=True) for _, text in lines]
    for (key, text), first in zip(lines, cold, strict=True):
        warm = json.dumps(describe(analyzer.analyze(text)), ensure_ascii=False, sort_keys=True)
        if warm != first:
            raise AssertionError(f"{key}: the warm analysis differs from the cold one")
        yield key, first


def digest(s: str) -> str:
    return hashlib.blake2b(s.encode("utf-8"), digest_size=6).hexdigest()


def _total(digests: Any) -> str:
    return hashlib.blake2b("".join(digests).encode(), digest_size=16).hexdigest()


def compute() -> dict[str, Any]:
    """Per-line digests of the corpus; the bench comments (not labelled, 5,829 of them) only as one
    total digest, to keep the committed file small (``dump`` shows which of them changed)."""
    per_line = {key: digest(out) for key, out in outputs(list(corpus_lines()))}
    bench = _total(digest(out) for _, out in outputs(list(bench_lines())))
    return {"lines": len(per_line), "total": _total(per_line.values()), "bench_total": bench, "digests": per_line}


def diff(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Keys whose output changed (or that appeared or vanished)."""
    a, b = expected["digests"], actual["digests"]
    out = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    if expected["bench_total"] != actual["bench_total"]:
        out.append("bench:* (some bench comment; use dump to find it)")
    return out


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "check"
    if cmd == "write":
        GOLDEN.write_text(json.dumps(compute(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        print(f"wrote {GOLDEN}")
        return 0
    if cmd == "dump":
        with open(argv[1], "w", encoding="utf-8") as fh:
            for key, out in outputs([*corpus_lines(), *bench_lines()]):
                fh.write(f"{key}\t{out}\n")
        return 0
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    changed = diff(expected, compute())
    for key in changed[:50]:
        print(f"changed: {key}")
    print(f"{len(changed)} of {expected['lines']} lines differ")
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
