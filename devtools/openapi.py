"""Write or check docs/openapi.json, the API spec generated from the code.

python -m devtools.openapi write    # after changing routes or models
python -m devtools.openapi check    # exit 1 when the committed file is stale
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
SPEC_FILE = ROOT / "docs" / "openapi.json"
API_DIR = ROOT / "functions" / "api"


def _load_api_module() -> ModuleType:
    if str(API_DIR) not in sys.path:
        sys.path.insert(0, str(API_DIR))
    spec = importlib.util.spec_from_file_location("vkc_api_app_for_openapi", API_DIR / "app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _generate_here() -> str:
    module = _load_api_module()
    spec: str = module.openapi_schema(module.create_app())
    return spec


def generate() -> str:
    """The spec, built in a fresh interpreter.

    Building the API app binds its Powertools routers to the new resolver; doing that inside a
    process that already serves the API (a test run with a local stack) would take the routers
    away from the serving app.
    """
    done = subprocess.run(
        [sys.executable, "-m", "devtools.openapi", "print"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])},
    )
    return done.stdout


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "print":
        sys.stdout.write(_generate_here())
        return 0
    current = generate()
    if command == "write":
        SPEC_FILE.write_text(current, encoding="utf-8")
        print(f"wrote {SPEC_FILE.relative_to(ROOT)}")
        return 0
    if command == "check":
        if not SPEC_FILE.exists() or SPEC_FILE.read_text(encoding="utf-8") != current:
            print("docs/openapi.json is stale: run `make openapi`", file=sys.stderr)
            return 1
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
