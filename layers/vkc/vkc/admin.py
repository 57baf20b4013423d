"""Operator commands that run against whatever database the environment points at.

    python -m vkc.admin create-workspace --name "Acme analytics"

prints the new workspace id and its API key (shown once; only its hash is stored).
"""

from __future__ import annotations

import argparse
import json
import sys

from vkc.db.engine import session_scope
from vkc.settings import get_settings
from vkc.workspaces.service import create_workspace


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vkc.admin", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-workspace", help="create a workspace and its first API key")
    create.add_argument("--name", required=True, help="a name people recognise")
    args = parser.parse_args(argv)

    if args.command == "create-workspace":
        name = args.name.strip()
        if not name or len(name) > 200:
            parser.error("--name must be 1 to 200 characters")
        with session_scope(get_settings()) as session:
            workspace, key = create_workspace(session, name)
            out = {"workspace_id": str(workspace.id), "name": workspace.name, "api_key": key}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stderr.write("Store the api_key now: it is not shown again.\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
