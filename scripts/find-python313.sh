#!/usr/bin/env bash
# Prints the path of a working Python 3.13 interpreter (our Lambda runtime), or fails loudly.
# Our machines ship 3.13 beside the default 3.11 (pyenv); a pyenv shim may exist but refuse to run,
# so each candidate is actually executed.
set -euo pipefail
candidates=(python3.13 "$HOME"/.pyenv/versions/3.13*/bin/python3.13 /root/.pyenv/versions/3.13*/bin/python3.13 /usr/local/bin/python3.13 /usr/bin/python3.13)
for c in "${candidates[@]}"; do
  if p=$(command -v "$c" 2>/dev/null) && "$p" -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null; then
    "$p" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done
echo "Python 3.13 not found. Install it (e.g. 'pyenv install 3.13') and retry." >&2
exit 1
