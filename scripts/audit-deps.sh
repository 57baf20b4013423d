#!/usr/bin/env bash
# Dependency audit for `make lint`: pip-audit of
#   1. the runtime requirements (layers/vkc/requirements.txt, resolved fresh as `sam build` would), and
#   2. the dev environment as installed in .venv (runtime + dev extra; the project itself skipped).
# --strict: a dependency that could not be looked up fails the gate (no silent "nothing found").
# pip-audit asks PyPI's per-version JSON API (https://pypi.org/pypi/<name>/<version>/json), which
# carries the PyPA advisory database. Where that API is unreachable (our build machines and CI reach
# PyPI's package index but not that API) the audit cannot run: it says so loudly and lint goes on;
# PIP_AUDIT=require makes that a failure (use it where the API answers), PIP_AUDIT=skip skips.
set -euo pipefail
cd "$(dirname "$0")/.."
SEC=${SEC:-.sec-venv}
AUDIT=(env PIP_DISABLE_PIP_VERSION_CHECK=1 "$SEC/bin/pip-audit" --strict --progress-spinner off)

if [[ "${PIP_AUDIT:-}" == "skip" ]]; then
    echo "!!! pip-audit SKIPPED (PIP_AUDIT=skip): dependencies were NOT audited" >&2
    exit 0
fi

if ! "$SEC/bin/python" - <<'PY'
import sys, urllib.request
url = "https://pypi.org/pypi/pip/24.0/json"
try:
    with urllib.request.urlopen(url, timeout=15) as r:
        ok = r.status == 200 and b'"vulnerabilities"' in r.read()
except Exception as exc:  # noqa: BLE001
    print(f"{url}: {exc}", file=sys.stderr)
    ok = False
sys.exit(0 if ok else 1)
PY
then
    echo "!!! pip-audit: PyPI's vulnerability API is unreachable from here; dependencies were NOT audited." >&2
    echo "!!! Run it where pypi.org/pypi/<name>/<version>/json answers (PIP_AUDIT=require fails here instead)." >&2
    [[ "${PIP_AUDIT:-}" == "require" ]] && exit 1
    exit 0
fi

echo "pip-audit: runtime requirements (layers/vkc/requirements.txt)"
"${AUDIT[@]}" -r layers/vkc/requirements.txt
echo "pip-audit: dev environment (.venv)"
"${AUDIT[@]}" --skip-editable --path .venv/lib/python3.13/site-packages
