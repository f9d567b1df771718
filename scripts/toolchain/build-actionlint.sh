#!/usr/bin/env bash
# Builds actionlint (the GitHub Actions workflow linter) from its pinned Go module and prints
# the directory holding the binary. Idempotent; reuses an actionlint on PATH at the same version.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/toolchain/common.sh
source "$here/common.sh"
version="${HC_ACTIONLINT_VERSION:-1.7.12}"
bin="$HC_TOOLS_DIR/actionlint-v$version/bin"
have_version() { "$1" -version 2>/dev/null | sed -n 1p | tr -d '[:space:]'; }
if command -v actionlint >/dev/null 2>&1 && [ "$(have_version "$(command -v actionlint)")" = "$version" ] && [ "$(command -v actionlint)" != "$bin/actionlint" ]; then
  dirname "$(command -v actionlint)"; exit 0
fi
if [ -x "$bin/actionlint" ] && [ "$(have_version "$bin/actionlint")" = "$version" ]; then
  echo "$bin"; exit 0
fi
command -v go >/dev/null 2>&1 || { echo "build-actionlint: Go is required" >&2; exit 1; }
hc_log "build-actionlint: building actionlint v$version"
mkdir -p "$bin"
GOBIN="$bin" go install -ldflags "-s -w -X github.com/rhysd/actionlint.version=$version" "github.com/rhysd/actionlint/cmd/actionlint@v$version" >&2
got="$(have_version "$bin/actionlint")"
[ "$got" = "$version" ] || { echo "build-actionlint: built binary reports '$got', expected $version" >&2; exit 1; }
echo "$bin"
