"""CLI: serve a generated or file dataset until SIGTERM/SIGINT, printing the VK_API_URL to use.

python -m devtools.vk_emulator --preset small --seed 42 --port 8090 --token user:XXXX --token service:YYYY
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType

from devtools.vk_emulator.config import FAULT_KINDS, EmulatorConfig, FaultConfig, token_type
from devtools.vk_emulator.fileformat import load_dataset
from devtools.vk_emulator.generator import PRESETS, generate_dataset
from devtools.vk_emulator.server import start_emulator


def _token(spec: str) -> tuple[str, str]:
    kind, sep, token = spec.partition(":")
    if not sep or not token:
        raise argparse.ArgumentTypeError("use TYPE:TOKEN, e.g. user:abc123")
    try:
        return token, token_type(kind)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m devtools.vk_emulator", description=__doc__)
    p.add_argument("--preset", choices=sorted(PRESETS), default="small", help="generated dataset size")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--dataset", help="serve this dataset file instead of generating one")
    p.add_argument("--write-dataset", metavar="PATH", help="also write the dataset file here")
    p.add_argument("--write-ground-truth", metavar="PATH", help="also write the ground truth JSON here")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8090)
    p.add_argument("--token", type=_token, action="append", default=[], help="TYPE:TOKEN (user, service, community)")
    p.add_argument("--latency-ms", type=float, default=0.0, help="added to every call")
    p.add_argument("--inner-latency-ms", type=float, default=0.0, help="added to every call inside execute")
    p.add_argument("--no-rate-limits", action="store_true", help="switch off the per-second window (error 6)")
    p.add_argument(
        "--quota", action="append", default=[], metavar="METHOD=N", help="daily per-token quota (default wall.get=5000)"
    )
    p.add_argument("--fault-probability", type=float, default=0.0)
    p.add_argument("--fault-kinds", default=",".join(FAULT_KINDS))
    p.add_argument("--hang-seconds", type=float, default=30.0)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    started = time.perf_counter()
    dataset = load_dataset(args.dataset) if args.dataset else generate_dataset(args.preset, args.seed)
    built = time.perf_counter() - started
    if args.write_dataset:
        dataset.to_json(args.write_dataset)
    if args.write_ground_truth:
        truth = json.dumps(dataset.ground_truth(), ensure_ascii=False)
        Path(args.write_ground_truth).write_text(truth, encoding="utf-8")
    quotas = {"wall.get": 5000}
    for item in args.quota:
        method, _, limit = item.partition("=")
        quotas[method] = int(limit)
    tokens = dict(args.token) or {"user-token": "user", "service-token": "service", "community-token": "community"}
    config = EmulatorConfig(
        dataset=dataset,
        tokens=tokens,
        host=args.host,
        port=args.port,
        rate_limits=not args.no_rate_limits,
        quotas=quotas,
        latency_ms=args.latency_ms,
        execute_inner_latency_ms=args.inner_latency_ms,
        faults=FaultConfig(
            probability=args.fault_probability,
            kinds=tuple(k for k in args.fault_kinds.split(",") if k),
            hang_seconds=args.hang_seconds,
        ),
    )
    emulator = start_emulator(config)
    source = args.dataset or f"preset {args.preset}, seed {args.seed}"
    print(
        f"VK emulator: {dataset.post_count} posts, {dataset.comment_count} comments ({source}, {built:.1f} s)",
        flush=True,
    )
    for token, kind in tokens.items():
        print(f"  token {kind}: {token}", flush=True)
    print(f"VK_API_URL={emulator.url}", flush=True)
    print(f"admin: {emulator.base_url}/_emulator/stats", flush=True)

    done = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    done.wait()
    emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
