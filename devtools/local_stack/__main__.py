"""python -m devtools.local_stack up | down | run | invoke <LogicalId> <event.json>"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from devtools.local_stack import daemon, oneshot


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.local_stack", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("up", "start in the background"), ("run", "run in the foreground")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--api-port", type=int, default=3000)
        p.add_argument("--moto-port", type=int, default=5005)
        p.add_argument("--vk-port", type=int, default=5006)
        p.add_argument("--state-dir", type=Path, default=daemon.STATE_DIR)
    p_down = sub.add_parser("down", help="stop the background stack (idempotent)")
    p_down.add_argument("--state-dir", type=Path, default=daemon.STATE_DIR)
    p_inv = sub.add_parser("invoke", help="invoke one function with an event file, print the result")
    p_inv.add_argument("logical_id")
    p_inv.add_argument("event", type=Path)
    p_inv.add_argument("--state-dir", type=Path, default=daemon.STATE_DIR)
    args = parser.parse_args(argv)

    match args.command:
        case "up":
            return daemon.up(
                api_port=args.api_port, moto_port=args.moto_port, vk_port=args.vk_port, state_dir=args.state_dir
            )
        case "run":
            return daemon.run(
                api_port=args.api_port, moto_port=args.moto_port, vk_port=args.vk_port, state_dir=args.state_dir
            )
        case "down":
            return daemon.down(state_dir=args.state_dir)
        case "invoke":
            return oneshot.main(args.logical_id, args.event, args.state_dir)
    return 2


if __name__ == "__main__":
    sys.exit(main())
