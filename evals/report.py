"""Plain-text rendering of a split's figures for the terminal and CI logs."""

from __future__ import annotations

from evals.evaluate import BinaryReport, SentimentReport, SplitReport

MAX_MISSES_SHOWN = 12


def _pct(correct: int, total: int) -> str:
    return f"{correct / total:.3f} ({correct}/{total})" if total else "-"


def sentiment_lines(r: SentimentReport, show_misses: int = 0) -> list[str]:
    m = r.overall
    out = [f"  accuracy {m.accuracy:.3f}   macro-F1 {m.macro_f1:.3f}   n={m.n}"]
    for lab, fig in m.per_class.items():
        out.append(
            f"    {lab:9s} precision {fig.precision:.3f}  recall {fig.recall:.3f}  F1 {fig.f1:.3f}  n={fig.support}"
        )
    out.append(f"  hard kinds (sarcasm+negation+emoji+mixed): {_pct(*r.hard_goal)}")
    for tag, (c, t) in r.hard.items():
        out.append(f"    {tag:14s} {_pct(c, t)}")
    out.append("  confusion (rows gold, columns predicted): " + " ".join(f"{lab[:3]:>5s}" for lab in m.labels))
    for lab, row in zip(m.labels, m.confusion, strict=True):
        out.append(f"    {lab:38s}  " + " ".join(f"{v:5d}" for v in row))
    for ex, pred in r.misses[:show_misses]:
        out.append(f"    miss {ex.id}: gold {ex.label} got {pred} {list(ex.tags)}: {ex.text[:100]!r}")
    return out


def binary_lines(r: BinaryReport, show_misses: int = 0) -> list[str]:
    f = r.figures
    out = [
        f"  precision {f.precision:.3f}  recall {f.recall:.3f}  F1 {f.f1:.3f}  accuracy {f.accuracy:.3f}"
        f"  (tp {f.tp} fp {f.fp} fn {f.fn} tn {f.tn})"
    ]
    weak = [(k, c, t) for k, (c, t) in r.by_kind.items() if c < t]
    if weak:
        out.append("  kinds with misses (+ positive lines, - negative lines): ")
        out.extend(f"    {k:28s} {_pct(c, t)}" for k, c, t in weak)
    for ex in r.misses[:show_misses]:
        out.append(f"    miss {ex.id}: gold {ex.label} {list(ex.tags)}: {ex.text[:100]!r}")
    return out


def render(report: SplitReport, show_misses: int = 0) -> str:
    lines = [f"=== {report.split} ==="]
    for name, part in (
        ("sentiment", report.sentiment),
        ("spam", report.spam),
        ("profanity + insult", report.profanity),
        ("keyword morphology", report.morphology),
    ):
        lines.append(f"{name}:")
        if part is None:
            lines.append("  no lines in this split yet")
        elif isinstance(part, SentimentReport):
            if report.sentiment_note:
                lines.append(f"  note: {report.sentiment_note}")
            lines.extend(sentiment_lines(part, show_misses))
        else:
            lines.extend(binary_lines(part, show_misses))
    misses = report.goal_misses()
    lines.append("goals: " + ("all met" if not misses else "NOT met: " + "; ".join(misses)))
    return "\n".join(lines)
