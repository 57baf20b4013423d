"""Try rules on texts without storing anything: `POST /v1/analysis/preview`.

The same engine as the analyze worker, so what the preview shows is what stored comments get, except
the cross-post duplicate signal, which needs stored comments and is never reported here.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from vkc.analysis.analyzer import Analyzer
from vkc.analysis.rules import KeywordRule
from vkc.analysis_store.ruleset import active_rules
from vkc.analysis_store.schemas import (
    PreviewMatch,
    PreviewProfanity,
    PreviewRequest,
    PreviewResponse,
    PreviewResult,
    PreviewSentiment,
    PreviewSpam,
)
from vkc.db.models_analysis import Keyword
from vkc.errors import InvalidInput, NotFound
from vkc.keywords.rules import RuleError, check_rule, rule_of


def _ad_hoc_rules(request: PreviewRequest) -> list[KeywordRule]:
    rules: list[KeywordRule] = []
    seen: set[str] = set()
    for n, body in enumerate(request.rules or []):
        rule_id = body.id or f"rule-{n + 1}"
        if rule_id in seen:
            raise InvalidInput(f"Two rules share the id {rule_id!r}.", extra={"rule_index": n})
        seen.add(rule_id)
        try:
            rules.append(check_rule(body.model_dump(exclude={"id"}) | {"active": True}, rule_id))
        except RuleError as exc:
            raise InvalidInput(
                f"Rule {n + 1} ({rule_id!r}) is not valid: {exc.reason}", extra={"rule_index": n, "reason": exc.reason}
            ) from None
    return rules


def _saved_rules(session: Session, workspace_id: uuid.UUID, keyword_ids: list[uuid.UUID]) -> list[KeywordRule]:
    wanted = list(dict.fromkeys(keyword_ids))
    rows = {
        k.id: k
        for k in session.scalars(select(Keyword).where(Keyword.workspace_id == workspace_id, Keyword.id.in_(wanted)))
    }
    missing = [str(k) for k in wanted if k not in rows]
    if missing:
        raise NotFound(f"Keywords not found: {', '.join(missing)}.", extra={"missing": missing})
    return [rule_of(rows[k], force_active=True) for k in wanted]


def preview(session: Session, workspace_id: uuid.UUID, request: PreviewRequest) -> PreviewResponse:
    ad_hoc = _ad_hoc_rules(request)
    if request.rules is None and request.keyword_ids is None:
        _, stored = active_rules(session, workspace_id)
    else:
        stored = _saved_rules(session, workspace_id, request.keyword_ids) if request.keyword_ids else []
    saved = {str(r.id) for r in stored}
    clash = saved & {str(r.id) for r in ad_hoc}
    if clash:
        raise InvalidInput(f"An ad hoc rule uses a saved keyword's id: {sorted(clash)[0]}.")
    rules = ad_hoc + stored
    analyzer = Analyzer(rules)
    results = []
    for index, text in enumerate(request.texts):
        a = analyzer.analyze(text)
        results.append(
            PreviewResult(
                index=index,
                matches=[
                    PreviewMatch(
                        rule_id=str(m.rule_id),
                        keyword_id=uuid.UUID(str(m.rule_id)) if str(m.rule_id) in saved else None,
                        category=m.category,
                        matched=m.matched,
                        start=m.start,
                        end=m.end,
                        lemmas=list(m.lemmas),
                        fuzzy=m.fuzzy,
                        snippet=m.snippet,
                        snippet_start=m.snippet_start,
                        highlight_start=m.highlight_start,
                        highlight_end=m.highlight_end,
                    )
                    for m in a.matches
                ],
                sentiment=PreviewSentiment(label=a.sentiment.label.value, score=a.sentiment.score),
                spam=PreviewSpam(is_spam=a.spam.is_spam, score=a.spam.score, reasons=list(a.spam.reasons)),
                profanity=PreviewProfanity(
                    profanity=a.profanity.profanity, insult=a.profanity.insult, terms=list(a.profanity.terms)
                ),
                language=a.language,
            )
        )
    return PreviewResponse(
        rules=len(rules), unmatchable=[str(r) for r in analyzer.matcher.unmatchable], results=results
    )
