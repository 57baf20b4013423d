"""A workspace's active keyword rules, their version, and a per-process cache of compiled analyzers.

Why a version: compiling 200 rules (lemma index, fuzzy forms) costs far more than one task's lookup,
and every comment records the version it was analyzed with, so re-analysis skips comments that are
already current. The version is a hash of the active keywords' (id, updated_at) plus the engine's
own version, so any create, update, delete or (de)activation changes it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import Text, literal_column, select, text
from sqlalchemy.orm import Session

from vkc.analysis.analyzer import Analyzer
from vkc.analysis.rules import KeywordRule
from vkc.db.models_analysis import Keyword
from vkc.keywords.rules import rule_of

# Bump when the engine's output for the same text and rules changes: every comment is then stale.
ENGINE_VERSION = "1"
CACHE_SIZE = 16  # workspaces whose analyzers a warm worker keeps


@dataclass(frozen=True, slots=True)
class RuleSet:
    version: str
    analyzer: Analyzer
    keyword_ids: frozenset[uuid.UUID]


#: One keyword's stamp, rendered by PostgreSQL for both functions below (so they always agree).
_STAMP = "id::text || '@' || extract(epoch FROM updated_at)::text"


def _digest(stamps: str) -> str:
    return hashlib.blake2b(f"{ENGINE_VERSION}|{stamps}".encode(), digest_size=16).hexdigest()


def rules_version(session: Session, workspace_id: uuid.UUID) -> str:
    """32 hex chars identifying the workspace's active rules: one indexed query returning one string.

    Every analyze task asks, so it stays cheap: the stamps are joined by PostgreSQL instead of
    fetching 200 (id, timestamp) rows through the driver.
    """
    stamps = session.execute(
        text(
            f"SELECT coalesce(string_agg({_STAMP}, '|' ORDER BY id), '') FROM keywords "  # noqa: S608 - a constant
            "WHERE workspace_id = :ws AND active"
        ),
        {"ws": workspace_id},
    ).scalar_one()
    return _digest(stamps)


def active_rules(session: Session, workspace_id: uuid.UUID) -> tuple[str, list[KeywordRule]]:
    """The rules and the version computed from the very rows loaded (never a mismatched pair)."""
    rows = session.execute(
        select(Keyword, literal_column(_STAMP, Text).label("stamp"))
        .where(Keyword.workspace_id == workspace_id, Keyword.active.is_(True))
        .order_by(Keyword.id)
    ).all()
    return _digest("|".join(r.stamp for r in rows)), [rule_of(r.Keyword) for r in rows]


class AnalyzerCache:
    """Compiled analyzers by (workspace, rules version), least recently used evicted."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._size = size
        self._items: OrderedDict[tuple[uuid.UUID, str], RuleSet] = OrderedDict()

    def get(self, session: Session, workspace_id: uuid.UUID) -> RuleSet:
        version = rules_version(session, workspace_id)
        key = (workspace_id, version)
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
            return found
        version, rules = active_rules(session, workspace_id)
        key = (workspace_id, version)
        ruleset = RuleSet(version, Analyzer(rules), frozenset(uuid.UUID(str(r.id)) for r in rules))
        for stale in [k for k in self._items if k[0] == workspace_id]:
            del self._items[stale]  # an older version of this workspace's rules is never used again
        self._items[key] = ruleset
        while len(self._items) > self._size:
            self._items.popitem(last=False)
        return ruleset

    def compiled(self) -> dict[tuple[uuid.UUID, str], RuleSet]:
        """The rule sets compiled now, by (workspace, version): what a forked analysis process inherits."""
        return dict(self._items)

    def clear(self) -> None:
        self._items.clear()


#: The worker process's cache (a warm Lambda container reuses it across invocations).
ANALYZERS = AnalyzerCache()
