"""All configuration comes from the environment, read in exactly one place.

The names are the contract between template.yaml, the local stack and the code
(see docs/architecture.md). Settings are cached per process: Lambda containers and
the local stack build them once.

Why not pydantic-settings: every field here is a scalar named by its environment variable, which
takes a dozen lines to read; importing pydantic-settings (its CLI, dotenv and cloud secret sources,
argparse) cost every cold start ~25 ms of a ~0.5 s budget (docs/coldstart.md).
"""

from __future__ import annotations

import os
from enum import StrEnum
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class Priority(StrEnum):
    """A job's priority is the queue it travels on."""

    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class WorkerKind(StrEnum):
    """Each worker function consumes its own three priority queues."""

    PARSE = "parse"
    ANALYZE = "analyze"


class Settings(BaseModel):
    """Each field from the environment variable of its name (or its `validation_alias`), in any case;
    keyword arguments win over the environment (`Settings(db_name="x")`: the rest from the environment)."""

    model_config = ConfigDict(extra="ignore", validate_default=True, populate_by_name=True)

    def __init__(self, **values: Any) -> None:
        super().__init__(**{**_from_environment(), **values})

    stage: str = "local"
    service_name: str = Field(default="vkc", validation_alias="POWERTOOLS_SERVICE_NAME")

    db_host: str = "127.0.0.1"
    db_port: int = 5432
    db_name: str = "vkc"
    db_user: str = "postgres"
    db_password: SecretStr = SecretStr("")
    db_iam_auth: bool = False
    db_ssl: bool = False
    # pg8000's one timeout covers connecting AND every read: it must outlast the slowest legitimate
    # query (job totals, statistics). Statement limits belong on the role (ALTER ROLE … SET
    # statement_timeout), which does not pin RDS Proxy connections.
    db_socket_timeout_s: float = 60.0
    # connections per process: the parse worker writes pages on two connections while it fetches
    # (RDS Proxy multiplexes them); the API uses one at a time
    db_pool_size: int = 2

    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_timeout_s: float = 2.0

    queue_url_parse_high: str = ""
    queue_url_parse_normal: str = ""
    queue_url_parse_low: str = ""
    queue_url_analyze_high: str = ""
    queue_url_analyze_normal: str = ""
    queue_url_analyze_low: str = ""

    # Must equal the queues' RedrivePolicy.maxReceiveCount: on the last delivery a worker records
    # the job as failed before the message moves to the DLQ.
    queue_max_receive_count: int = 5
    # a pending webhook event nobody queued or touched for this long lost its queue message (a send
    # that failed after commit): the scheduler queues it again. Longer than the analyze queues'
    # visibility timeout (6 min), the longest a redelivery between two rounds takes.
    webhook_requeue_after_s: int = Field(default=900, ge=60)
    # finished jobs (and their monitoring runs and tasks) are deleted this long after they finished
    # (`vkc.jobs.retention`). At least 15 days: longer than a dead letter lives (the DLQs keep a message
    # 14 days from its first send) and an export file (the bucket expires them after 7 days)
    job_retention_days: int = Field(default=30, ge=15)

    # processes that analyze one batch (vkc.analysis_store.parallel): "auto" = 2 where the function
    # has about two vCPUs of time (Lambda ≥ 2,654 MB), "1" = in-process only, "2" = always beside the writes
    analysis_processes: str = Field(default="auto", pattern=r"^(auto|1|2)$")
    # set by Lambda: CPU time is in proportion to memory (1,769 MB = one vCPU), whatever cores it shows
    lambda_memory_mb: int | None = Field(default=None, validation_alias="AWS_LAMBDA_FUNCTION_MEMORY_SIZE")

    exports_bucket: str = ""
    vk_api_url: str = "https://api.vk.com/method"
    vk_api_version: str = "5.199"
    # the client's retry budget per request (backoff with jitter up to vk_backoff_max_s)
    vk_max_attempts: int = 6
    vk_backoff_max_s: float = 8.0
    vk_tokens_secret_prefix: str = "vkc/"

    # API rate limits per API key and route class (requests per window); Redis-backed, fail-open
    rate_limit_enabled: bool = True
    rate_limit_read_requests: int = 300
    rate_limit_read_window_s: int = 60
    rate_limit_write_requests: int = 60
    rate_limit_write_window_s: int = 60
    rate_limit_heavy_requests: int = 10
    rate_limit_heavy_window_s: int = 60
    rate_limit_key_prefix: str = "vkc:rl:"

    # request size limits (413 beyond them)
    max_body_bytes: int = 1_048_576
    max_upload_body_bytes: int = 4_194_304

    # Idempotency-Key on POSTs: how long a key's response is kept
    idempotency_ttl_s: int = 86_400
    idempotency_key_prefix: str = "vkc:idem"

    # cache-aside for hot reads
    cache_enabled: bool = True
    cache_community_ttl_s: int = 300
    cache_stats_ttl_s: int = 45
    cache_key_prefix: str = "vkc:cache:"

    cors_origins: str = ""
    aws_region: str = Field(default="eu-central-1", validation_alias="AWS_REGION")

    def queue_url(self, kind: WorkerKind, priority: Priority) -> str:
        """URL of the queue that carries `kind` work at `priority`."""
        url: str = getattr(self, f"queue_url_{kind.value}_{priority.value}")
        if not url:
            raise RuntimeError(f"QUEUE_URL_{kind.value.upper()}_{priority.value.upper()} is not configured")
        return url

    @property
    def is_prod(self) -> bool:
        return self.stage == "prod"

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]


def _from_environment() -> dict[str, str]:
    """The variables that name a field, by field name; names compare case-insensitively (as
    pydantic-settings' `case_sensitive=False` did: DB_HOST, db_host and Db_Host all set `db_host`)."""
    environment = {name.lower(): value for name, value in os.environ.items()}
    found: dict[str, str] = {}
    for name, field in Settings.model_fields.items():
        variable = field.validation_alias if isinstance(field.validation_alias, str) else name
        value = environment.get(variable.lower())
        if value is not None:
            found[name] = value
    return found


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings; tests call `get_settings.cache_clear()` after changing the environment."""
    return Settings()
