"""JIT compilation off for one transaction: the analysis writes in many short statements.

Why: PostgreSQL compiles a statement with LLVM once the planner's cost estimate passes
``jit_above_cost`` (100,000 by default, JIT on by default since PostgreSQL 12 and on RDS). The estimate
of the duplicate lookup, a loop over a batch's fingerprints, passed it whenever the fingerprint key
had no statistics yet (a new database, a new index): 7–10 ms of compilation for a statement that runs
in 3, once per task (measured: 12 ms → 3.5 ms for 824 fingerprints). No statement of a write path
runs long enough to gain from JIT.

``SET LOCAL`` ends with the transaction; behind RDS Proxy it pins the connection for that
transaction only, as the analysis' transaction-level advisory lock already does.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def off_for_transaction(session: Session) -> None:
    """No JIT compilation for the rest of the session's current transaction."""
    session.execute(text("SET LOCAL jit = off"))
