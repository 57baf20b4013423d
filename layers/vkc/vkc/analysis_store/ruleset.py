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
from datetime import datetime

from sqlalchemy import select
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


def _digest(stamps: list[tuple[uuid.UUID, datetime]]) -> str:
    digest = hashlib.blake2b(ENGINE_VERSION.encode(), digest_size=16)
    for kid, updated in stamps:
        digest.update(f"|{kid}:{updated.isoformat()}".encode())
    return digest.hexdigest()


def rules_version(session: Session, workspace_id: uuid.UUID) -> str:
    """32 hex chars identifying the workspace's active rules (one small indexed query)."""
    rows = session.execute(
        select(Keyword.id, Keyword.updated_at)
        .where(Keyword.workspace_id == workspace_id, Keyword.active.is_(True))
        .order_by(Keyword.id)
    ).all()
    return _digest([(r.id, r.updated_at) for r in rows])


def active_rules(session: Session, workspace_id: uuid.UUID) -> tuple[str, list[KeywordRule]]:
    """The rules and the version computed from the very rows loaded (never a mismatched pair)."""
    rows = session.scalars(
        select(Keyword).where(Keyword.workspace_id == workspace_id, Keyword.active.is_(True)).order_by(Keyword.id)
    ).all()
    return _digest([(k.id, k.updated_at) for k in rows]), [rule_of(k) for k in rows]


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

    def clear(self) -> None:
        self._items.clear()


#: The worker process's cache (a warm Lambda container reuses it across invocations).
ANALYZERS = AnalyzerCache()
