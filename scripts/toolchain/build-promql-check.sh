#!/usr/bin/env bash
# Builds promql-check (scripts/toolchain/promql-check: every rule `expr` through the Prometheus
# PromQL parser, pinned in its go.mod) and prints the directory holding the binary. Idempotent;
# the cache key is the parser version plus a hash of the sources, so editing them rebuilds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/toolchain/common.sh
source "$here/common.sh"
src="$here/promql-check"
version="$(awk '$1 == "require" && $2 == "github.com/prometheus/prometheus" {print $3} $1 == "github.com/prometheus/prometheus" {print $2}' "$src/go.mod" | sed -n 1p)"
[ -n "$version" ] || { echo "build-promql-check: no github.com/prometheus/prometheus version in $src/go.mod" >&2; exit 1; }
key="$(cat "$src/main.go" "$src/go.mod" "$src/go.sum" | sha256sum | cut -c1-12)"
bin="$HC_TOOLS_DIR/promql-check-$version-$key/bin"
if [ -x "$bin/promql-check" ]; then
  echo "$bin"; exit 0
fi
command -v go >/dev/null 2>&1 || { echo "build-promql-check: Go is required" >&2; exit 1; }
hc_log "build-promql-check: building promql-check with prometheus $version"
mkdir -p "$bin"
(cd "$src" && go build -mod=readonly -trimpath -ldflags "-s -w" -o "$bin/promql-check.tmp" .) >&2
mv "$bin/promql-check.tmp" "$bin/promql-check"
got="$("$bin/promql-check" -version)"
[ "$got" = "$version" ] || { echo "build-promql-check: built binary reports '$got', expected $version" >&2; rm -f "$bin/promql-check"; exit 1; }
echo "$bin"
