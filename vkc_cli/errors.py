"""What can go wrong in a command, each with the message the user sees and the exit code."""

from __future__ import annotations

from typing import Any

EXIT_OK = 0
EXIT_ERROR = 1  # the API refused, the service is unreachable, a job failed, or the input is unusable
EXIT_USAGE = 2  # bad arguments (argparse's own code)


class CliError(Exception):
    """An error the user can act on; `hint` says how."""

    def __init__(self, message: str, *, hint: str | None = None, exit_code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code

    def to_json(self) -> dict[str, Any]:
        return {"error": self.message, "hint": self.hint}


class ApiError(CliError):
    """An error response of the API: an RFC 9457 problem (or whatever a gateway sent instead)."""

    def __init__(self, status: int, problem: dict[str, Any], *, hint: str | None = None) -> None:
        self.status = status
        self.problem = problem
        super().__init__(format_problem(status, problem), hint=hint)

    def to_json(self) -> dict[str, Any]:
        return {"error": self.message, "hint": self.hint, "status": self.status, "problem": self.problem}


def format_problem(status: int, problem: dict[str, Any]) -> str:
    """`title: detail`, then one line per field error (`  - body.since: Input should be ...`)."""
    title = str(problem.get("title") or f"HTTP {status}")
    detail = problem.get("detail") or problem.get("message")
    lines = [f"{title}: {detail}" if detail and detail != title else title]
    for error in problem.get("errors") or []:
        if isinstance(error, dict):
            loc = ".".join(str(p) for p in error.get("loc") or [])
            msg = str(error.get("msg") or error.get("detail") or error)
            lines.append(f"  - {loc}: {msg}" if loc else f"  - {msg}")
        else:
            lines.append(f"  - {error}")
    return "\n".join(lines)
