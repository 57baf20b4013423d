#!/usr/bin/env bash
# The browser tests drive Debian's chromium (Playwright's own browser download is not used).
# Installs the package where it is missing; prints the executable's path.
set -euo pipefail
find_chromium() { command -v chromium || command -v chromium-browser || true; }
exe=$(find_chromium)
if [[ -z "$exe" ]]; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "installing chromium (apt-get)..." >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
  exe=$(find_chromium)
fi
[[ -n "$exe" ]] || { echo "chromium is not installed and could not be installed" >&2; exit 1; }
echo "$exe"
