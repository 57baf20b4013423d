"""docs/capacity.md's arithmetic: measured per-unit figures (bench/results/latest.json) → monthly cost.

    python -m bench.capacity_model          # the tables of docs/capacity.md, from the latest figures

Nothing here is measured: it multiplies what the benches measured by the prices in `PRICES` (AWS list
prices as assumed in docs/capacity.md; check them before budgeting) and by the sizes in `SIZES`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("results") / "latest.json"
SIZES = (500, 5_000, 50_000)
RUNS_PER_DAY = 48  # every 30 minutes
DAYS = 30
HOURS = 730

#: USD, eu-central-1 on-demand list prices as assumed (see docs/capacity.md for where each comes from)
PRICES = {
    "lambda_gb_s_arm": 0.0000133334,
    "lambda_request": 0.20 / 1e6,
    "sqs_request": 0.40 / 1e6,
    "rds_proxy_vcpu_h": 0.018,
    "gp3_gb_month": 0.137,
    "s3_gb_month": 0.0245,
}


@dataclass(frozen=True)
class Tier:
    """The database and cache a size needs (instance prices per hour, single-AZ; prod is Multi-AZ: x2)."""

    db_class: str
    db_vcpu: int
    db_usd_h: float
    cache_class: str
    cache_usd_h: float


TIERS = {
    500: Tier("db.t4g.small", 2, 0.037, "cache.t4g.micro", 0.018),
    5_000: Tier("db.m7g.large", 2, 0.197, "cache.t4g.small", 0.036),
    50_000: Tier("db.r7g.2xlarge", 8, 1.13, "cache.m7g.large", 0.18),
}


def per_run(f: dict[str, Any]) -> dict[str, float]:
    """One community's monitoring run in the typical cycle (bench/scale_bench.py)."""
    comments = f["scale.typical.comments_new_per_run"]
    return {
        "parse_gb_s": f["scale.typical.seconds_per_run"] * 1.0,  # ParseWorkerFunction: 1024 MB
        "analyze_gb_s": comments / f["analysis.e2e_comments_per_s"] * 1.0,  # AnalyzeWorkerFunction: 1024 MB
        "invocations": f["scale.typical.messages_per_run"],  # upper bound: one per message
        "sqs_requests": 3 * f["scale.typical.messages_per_run"],  # send + receive + delete, upper bound
        "vk_requests": f["scale.typical.vk_requests_per_run"],
        "wall_get": f["scale.typical.wall_get_per_run"],
        "rows": f["scale.typical.rows_per_run"],
        "comments": comments,
        "bytes": comments * f["scale.comment_bytes_on_disk"],
    }


def month(f: dict[str, Any], communities: int) -> dict[str, float]:
    run = per_run(f)
    runs = communities * RUNS_PER_DAY * DAYS
    tier = TIERS[communities]
    ceiling = f["vk.ceiling_fraction_1_token"]
    per_token_per_cycle = 3 * ceiling * 1800
    storage_gb = run["bytes"] * runs / 1e9
    out = {
        "runs": runs,
        "lambda_gb_s": (run["parse_gb_s"] + run["analyze_gb_s"]) * runs,
        "lambda_invocations": run["invocations"] * runs,
        "sqs_requests": run["sqs_requests"] * runs,
        "vk_requests_per_cycle": run["vk_requests"] * communities,
        "tokens_rate": math.ceil(run["vk_requests"] * communities / per_token_per_cycle),
        "tokens_quota": math.ceil(run["wall_get"] * communities * RUNS_PER_DAY / (5000 * 0.98)),
        "rows_per_s": run["rows"] * communities / 1800,
        "comments_month": run["comments"] * runs,
        "storage_gb_month": storage_gb,
    }
    usd = {
        "lambda": out["lambda_gb_s"] * PRICES["lambda_gb_s_arm"] + out["lambda_invocations"] * PRICES["lambda_request"],
        "sqs": out["sqs_requests"] * PRICES["sqs_request"],
        "rds": tier.db_usd_h * HOURS,
        "rds_proxy": max(2, tier.db_vcpu) * PRICES["rds_proxy_vcpu_h"] * HOURS,
        "storage_first_month": storage_gb * PRICES["gp3_gb_month"],
        "elasticache": tier.cache_usd_h * HOURS,
    }
    out.update({f"usd_{k}": round(v, 2) for k, v in usd.items()})
    out["usd_total_single_az"] = round(sum(usd.values()), 2)
    return out


def main() -> None:
    figures = json.loads(RESULTS.read_text())["figures"]
    print(json.dumps({n: {k: round(v, 3) for k, v in month(figures, n).items()} for n in SIZES}, indent=2))


if __name__ == "__main__":
    main()
