"""Add, list and delete a workspace's VK tokens; build the pool the collection pipeline uses.

A token is tested before it is kept: the client's type detection (at most two calls) tells user, service
and community tokens apart and refuses invalid ones (VK error 5 or 17) with the reason. The secret goes
to the secret store under `<prefix><workspace id>/<token id>`; the database keeps only that name, the
type, a 4+4 character hint and the state. Health (cooling down, today's usage) is the VK client's Redis
state, read with `pool_status`, so what the list shows is what the pool will do.

A secret can vanish behind the database's back (deleted in the secret store, or a local stack restarted
with an empty one). The pool records that when it fails to read one (`lost_secrets`): the list then
says `secret_missing`, and adding the same token again stores the secret anew and makes it active
(instead of refusing a duplicate).
"""

from __future__ import annotations

import logging
import string
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

import redis
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vkc.db.models_collection import VkTokenRow
from vkc.errors import Conflict, InvalidInput, NotFound
from vkc.ports import SecretStore
from vkc.settings import Settings
from vkc.vk.breaker import BreakerState
from vkc.vk.deadline import Deadline
from vkc.vk.pool import TokenPool, TokenStatus, pool_status
from vkc.vk.quota import DEFAULT_DAILY_LIMITS, SAFETY
from vkc.vk.tokens import TokenType, VkToken, token_id
from vkc.vk_tokens import lost_secrets
from vkc.vk_tokens.errors import VkUnavailable, vk_errors_as_problems
from vkc.vk_tokens.masking import token_hint
from vkc.vk_tokens.schemas import TokenState, VkTokenCreate, VkTokenView

if TYPE_CHECKING:
    from vkc.vk.transport import VkTransport

log = logging.getLogger(__name__)

#: What the VK client's breaker reasons mean, in words for the list.
REASONS: dict[str, str] = {
    "vk:5": "VK error 5: user authorization failed (the token is invalid, expired or was revoked).",
    "vk:17": "VK error 17: validation required (the account must confirm itself in VK).",
    "vk:27": "VK error 27: this method is unavailable with a community token.",
    "vk:28": "VK error 28: this method is unavailable with this application token.",
    "vk:9": "VK error 9: flood control; the token rests.",
    "vk:14": "VK error 14: VK asked for a captcha; the token rests.",
}
REPAIR_HINT = (
    "Its secret could not be read from the secret store when the pool needed it; add the same token again "
    "(POST /v1/vk-tokens) to store it anew."
)
#: Breaker reasons that mean VK revoked the token (the rest of the retirements are about its type).
REVOKED_BY_VK = frozenset({"vk:5", "vk:17"})
_ALLOWED_CHARS = frozenset(string.ascii_letters + string.digits + string.punctuation)
DETECTION_BUDGET_S = 15.0
MIN_TOKEN_CHARS, MAX_TOKEN_CHARS = 8, 512
SECRET_DESCRIPTION = "VK access token of a vkc workspace (added through POST /v1/vk-tokens)."  # noqa: S105


def secret_name(settings: Settings, workspace_id: uuid.UUID, tid: str) -> str:
    return f"{settings.vk_tokens_secret_prefix}{workspace_id}/{tid}"


def describe_reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    return REASONS.get(reason, f"VK or the network failed repeatedly ({reason}).")


# --- add ---------------------------------------------------------------------------------------------
def add_token(
    session: Session,
    workspace_id: uuid.UUID,
    request: VkTokenCreate,
    *,
    settings: Settings,
    redis_client: redis.Redis,
    secrets: SecretStore,
    transport: VkTransport,
) -> VkTokenView:
    """Test the token, store it in the secret store and the row in the database; 409 if already added.

    A token already added whose secret is gone from the store is repaired instead: tested, its secret
    stored again and its row made active (same id).
    """
    secret = _checked_secret(request.token.get_secret_value())
    tid = token_id(secret)
    existing = session.scalar(
        select(VkTokenRow).where(VkTokenRow.workspace_id == workspace_id, VkTokenRow.token_id == tid)
    )
    if existing is not None and existing.state == TokenState.ACTIVE.value and _secret_lost(existing, settings, secrets):
        return _repair(
            session,
            existing,
            secret,
            request,
            settings=settings,
            redis_client=redis_client,
            secrets=secrets,
            transport=transport,
        )
    if existing is not None:
        raise Conflict(
            f"This token is already in the workspace's pool as {existing.id} ({existing.state}).",
            extra={"existing_id": str(existing.id)},
        )
    token_type = detect_type(VkToken(secret), redis_client=redis_client, transport=transport)
    name = secret_name(settings, workspace_id, tid)
    secrets.put(name, secret, description=SECRET_DESCRIPTION)
    row = VkTokenRow(
        id=uuid.uuid4(),
        workspace_id=workspace_id,
        token_id=tid,
        secret_name=name,
        hint=token_hint(secret),
        label=request.label.strip() if request.label and request.label.strip() else None,
        type=token_type.value,
        state=TokenState.ACTIVE.value,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # the same token added concurrently: the other request's row and secret stand
        raise Conflict("This token was just added to the workspace's pool by another request.") from None
    session.flush()
    session.refresh(row)
    lost_secrets.record(redis_client, workspace_id, lost=[], found=[tid])  # a mark left by a deleted row
    log.info("VK token added", extra={"workspace_id": str(workspace_id), "token_id": tid, "type": token_type.value})
    return _view(row, pool_status(redis_client, [tid])[0])


def _secret_lost(row: VkTokenRow, settings: Settings, secrets: SecretStore) -> bool:
    """The row's secret cannot serve this deployment: missing from the store, or under another prefix."""
    if not row.secret_name.startswith(settings.vk_tokens_secret_prefix):
        return True
    stored = secrets.get(row.secret_name)
    return stored is None or token_id(stored) != row.token_id


def _repair(
    session: Session,
    row: VkTokenRow,
    secret: str,
    request: VkTokenCreate,
    *,
    settings: Settings,
    redis_client: redis.Redis,
    secrets: SecretStore,
    transport: VkTransport,
) -> VkTokenView:
    """Store the secret of an already added token again (it was lost) and make the token usable."""
    token_type = detect_type(VkToken(secret), redis_client=redis_client, transport=transport)
    name = secret_name(settings, row.workspace_id, row.token_id)
    secrets.put(name, secret, description=SECRET_DESCRIPTION)
    row.secret_name, row.type, row.state, row.state_reason = name, token_type.value, TokenState.ACTIVE.value, None
    if request.label and request.label.strip():
        row.label = request.label.strip()
    session.flush()
    session.refresh(row)
    lost_secrets.record(redis_client, row.workspace_id, lost=[], found=[row.token_id])
    log.info("VK token secret stored again", extra={"workspace_id": str(row.workspace_id), "token_id": row.token_id})
    return _view(row, pool_status(redis_client, [row.token_id])[0], secret_missing=False)


def _checked_secret(raw: str) -> str:
    """One line of printable ASCII; the message never repeats the value."""
    secret = raw.strip()
    if len(secret) < MIN_TOKEN_CHARS:
        raise InvalidInput("The token is too short to be a VK access token.")
    if len(secret) > MAX_TOKEN_CHARS:
        raise InvalidInput(f"The token is longer than {MAX_TOKEN_CHARS} characters; VK tokens are shorter.")
    if not set(secret) <= _ALLOWED_CHARS:
        raise InvalidInput("A VK access token is one line of Latin letters, digits and punctuation, without spaces.")
    return secret


def detect_type(token: VkToken, *, redis_client: redis.Redis, transport: VkTransport) -> TokenType:
    """The token's type by the client's test calls; InvalidInput when VK refuses it (5, 17)."""
    pool = TokenPool([token], redis_client)
    snapshot = pool.breaker.snapshot(token.id)
    if snapshot.state is BreakerState.RETIRED:
        pool.breaker.reset(token.id)  # adding it again is the operator's "test it once more"
    elif snapshot.state is BreakerState.OPEN and token.type is not None:
        return token.type  # cooling down after flood control: its type is known and VK accepted it lately
    token.type = None
    # only adding a token calls VK: listing and deleting them need not load the client (cold start)
    from vkc.vk.client import VkClient

    client = VkClient(pool, transport, max_workers=1)
    try:
        with vk_errors_as_problems():
            detected = client.detect_token_types(deadline=Deadline.after(DETECTION_BUDGET_S), force=True)
    finally:
        client.close()
    found = detected.get(token.id)
    if found is not None:
        return found
    after = pool.breaker.snapshot(token.id)
    if after.state is BreakerState.RETIRED and after.reason in REVOKED_BY_VK:
        raise InvalidInput(
            f"VK refused the token. {REASONS[after.reason]}", extra={"vk_error_code": _code(after.reason)}
        )
    raise VkUnavailable("VK's answers did not tell the token's type (it may be rate limited); try again shortly.")


def _code(reason: str) -> int | None:
    tail = reason.removeprefix("vk:")
    return int(tail) if tail.isdigit() else None


# --- read --------------------------------------------------------------------------------------------
def list_tokens(session: Session, workspace_id: uuid.UUID, *, redis_client: redis.Redis) -> list[VkTokenView]:
    rows = list(
        session.scalars(
            select(VkTokenRow)
            .where(VkTokenRow.workspace_id == workspace_id)
            .order_by(VkTokenRow.created_at, VkTokenRow.id)
        )
    )
    ids = [r.token_id for r in rows]
    statuses = pool_status(redis_client, ids) if rows else []
    lost = lost_secrets.missing(redis_client, workspace_id, ids)
    return [_view(row, status, secret_missing=row.token_id in lost) for row, status in zip(rows, statuses, strict=True)]


def get_token(
    session: Session, workspace_id: uuid.UUID, row_id: uuid.UUID, *, redis_client: redis.Redis
) -> VkTokenView:
    row = _row(session, workspace_id, row_id)
    lost = row.token_id in lost_secrets.missing(redis_client, workspace_id, [row.token_id])
    return _view(row, pool_status(redis_client, [row.token_id])[0], secret_missing=lost)


def _row(session: Session, workspace_id: uuid.UUID, row_id: uuid.UUID) -> VkTokenRow:
    row = session.get(VkTokenRow, row_id)
    if row is None or row.workspace_id != workspace_id:
        raise NotFound(f"VK token {row_id} does not exist.")
    return row


def _view(row: VkTokenRow, status: TokenStatus, *, secret_missing: bool = False) -> VkTokenView:
    state, reason, until = TokenState.ACTIVE, None, None
    if row.state == TokenState.REVOKED.value:
        state, reason = TokenState.REVOKED, row.state_reason
    elif secret_missing:
        state, reason = TokenState.SECRET_MISSING, REPAIR_HINT
    elif status.breaker == BreakerState.RETIRED.value:
        state, reason = TokenState.REVOKED, describe_reason(status.reason)
    elif status.breaker in (BreakerState.OPEN.value, BreakerState.HALF_OPEN.value):
        state, reason, until = TokenState.COOLING_DOWN, describe_reason(status.reason), status.cooldown_until
    return VkTokenView(
        id=row.id,
        token_id=row.token_id,
        hint=row.hint,
        label=row.label,
        type=row.type,
        state=state,
        state_reason=reason,
        cooldown_until=until,
        usage_today=dict(sorted(status.usage_today.items())),
        requests_today=sum(status.usage_today.values()),
        exhausted_methods=list(status.exhausted_methods),
        remaining_today=remaining_today(status),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def remaining_today(status: TokenStatus) -> dict[str, int]:
    """Calls left today per daily-limited method, by the pool's own rule (`QuotaBook.allows_many`)."""
    closed = set(status.exhausted_methods)
    return {
        method: 0 if method in closed else max(0, int(limit * SAFETY) - status.usage_today.get(method, 0))
        for method, limit in sorted(DEFAULT_DAILY_LIMITS.items())
    }


# --- delete ------------------------------------------------------------------------------------------
def delete_token(session: Session, workspace_id: uuid.UUID, row_id: uuid.UUID, *, secrets: SecretStore) -> None:
    """Delete the row, then the secret; a failing secret deletion rolls the row back (nothing orphaned)."""
    row = _row(session, workspace_id, row_id)
    name = row.secret_name
    session.delete(row)
    session.flush()
    secrets.delete(name)
    log.info("VK token deleted", extra={"workspace_id": str(workspace_id), "token_id": row.token_id})


# --- for the collection pipeline ---------------------------------------------------------------------
def load_pool(
    session: Session,
    workspace_id: uuid.UUID,
    settings: Settings,
    redis_client: redis.Redis,
    secrets: SecretStore,
) -> TokenPool:
    """The workspace's usable tokens as the VK client's pool (typed from the database, no test calls).

    Tokens marked revoked are left out; so is a token whose secret is missing or was stored under another
    deployment's prefix (logged by id, and recorded in `lost_secrets` so the list shows it; a secret
    readable again clears that). Cooling-down tokens stay in: the pool itself waits for them.
    """
    rows = session.scalars(
        select(VkTokenRow)
        .where(VkTokenRow.workspace_id == workspace_id, VkTokenRow.state == TokenState.ACTIVE.value)
        .order_by(VkTokenRow.created_at, VkTokenRow.id)
    )
    tokens: list[VkToken] = []
    lost: list[str] = []
    for row in rows:
        if not row.secret_name.startswith(settings.vk_tokens_secret_prefix):
            log.warning("VK token skipped: secret outside this deployment's prefix", extra={"token_id": row.token_id})
            lost.append(row.token_id)
            continue
        secret = secrets.get(row.secret_name)
        if secret is None:
            log.warning("VK token skipped: its secret is missing", extra={"token_id": row.token_id})
            lost.append(row.token_id)
            continue
        token = VkToken(secret, TokenType(row.type))
        if token.id != row.token_id:
            log.warning("VK token skipped: secret does not match its id", extra={"token_id": row.token_id})
            lost.append(row.token_id)
            continue
        tokens.append(token)
    lost_secrets.record(redis_client, workspace_id, lost=lost, found=[t.id for t in tokens])
    return TokenPool(tokens, redis_client)


def mark_revoked(session: Session, workspace_id: uuid.UUID, tid: str, reason: str) -> bool:
    """Record that VK revoked the token `tid` (the client's short id); True if the row changed.

    `reason` may be the client's breaker reason (`vk:5`) or a sentence; it is stored as words.
    """
    text = REASONS.get(reason, reason)[:1000]
    changed = session.execute(
        update(VkTokenRow)
        .where(
            VkTokenRow.workspace_id == workspace_id,
            VkTokenRow.token_id == tid,
            VkTokenRow.state != TokenState.REVOKED.value,
        )
        .values(state=TokenState.REVOKED.value, state_reason=text)
        .returning(VkTokenRow.id)
    ).first()
    if changed is not None:
        log.warning("VK token marked revoked", extra={"workspace_id": str(workspace_id), "token_id": tid})
    return changed is not None


def record_revocations(
    session: Session, workspace_id: uuid.UUID, redis_client: redis.Redis, token_ids: Sequence[str] | None = None
) -> list[str]:
    """Mark revoked every token the client's breaker retired for VK error 5 or 17 (call after a run).

    `token_ids` defaults to the workspace's active tokens. Returns the ids newly marked.
    """
    if token_ids is None:
        token_ids = list(
            session.scalars(
                select(VkTokenRow.token_id).where(
                    VkTokenRow.workspace_id == workspace_id, VkTokenRow.state == TokenState.ACTIVE.value
                )
            )
        )
    marked = []
    for status in pool_status(redis_client, list(token_ids)) if token_ids else []:
        revoked = status.breaker == BreakerState.RETIRED.value and status.reason in REVOKED_BY_VK
        if revoked and status.reason and mark_revoked(session, workspace_id, status.token_id, status.reason):
            marked.append(status.token_id)
    return marked
