#!/usr/bin/env bash
# Re-vendor the dashboard's JavaScript libraries from the npm registry at pinned versions.
#
# Each tarball's sha512 must equal the pinned integrity (the registry's dist.integrity), so a
# re-vendor can never silently pick up different bytes. Only the files the site loads are kept,
# with the package's licence and package.json beside them.
#   web/vendor/<pkg>@<version>/...        what the browser loads (import map in web/index.html)
#   tests/e2e/web/vendor/axe.min.js           axe-core, for the browser tests only (never served)
set -euo pipefail
cd "$(dirname "$0")/.."

# name  version  integrity  files to keep (paths inside the tarball's package/ directory)
PINS=(
  "preact|10.27.2|sha512-5SYSgFKSyhCbk6SrXyMpqjb5+MQBgfvEKE/OC+PujcY34sOpqtr+0AZQtPYx5IA6VxynQ7rUPCtKzyovpj9Bpg==|dist/preact.module.js hooks/dist/hooks.module.js"
  "htm|3.1.1|sha512-983Vyg8NwUE7JkZ6NmOqpCZ+sh1bKv2iYTlUkzlWmA5JD2acKoxd4KVxbMmxX/85mtfdnDmTFoNKcg5DGAvxNQ==|dist/htm.module.js"
  "uplot|1.6.32|sha512-KIMVnG68zvu5XXUbC4LQEPnhwOxBuLyW1AHtpm6IKTXImkbLgkMy+jabjLgSLMasNuGGzQm/ep3tOkyTxpiQIw==|dist/uPlot.esm.js dist/uPlot.min.css"
  "axe-core|4.14.1|sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==|axe.min.js"
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for pin in "${PINS[@]}"; do
  IFS='|' read -r name version integrity files <<<"$pin"
  (cd "$work" && npm pack --silent "$name@$version" >/dev/null)
  tarball=$(ls "$work"/"${name}"-"${version}".tgz)
  actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  if [[ "$actual" != "$integrity" ]]; then
    echo "integrity mismatch for $name@$version: got $actual" >&2
    exit 1
  fi
  unpacked="$work/$name-$version"
  mkdir -p "$unpacked"
  tar -xzf "$tarball" -C "$unpacked"
  if [[ "$name" == "axe-core" ]]; then
    dest=tests/e2e/web/vendor
    mkdir -p "$dest"
    cp "$unpacked/package/axe.min.js" "$dest/axe.min.js"
    cp "$unpacked/package/LICENSE" "$dest/axe-core.LICENSE"
    echo "$name@$version $integrity" >"$dest/axe-core.VERSION"
  else
    dest="web/vendor/$name@$version"
    rm -rf "$dest"
    mkdir -p "$dest"
    for f in $files; do cp "$unpacked/package/$f" "$dest/$(basename "$f")"; done
    cp "$unpacked"/package/LICENSE* "$dest/"
    cp "$unpacked/package/package.json" "$dest/package.json"
  fi
  echo "vendored $name@$version → $dest"
done
