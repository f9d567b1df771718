#!/usr/bin/env bash
# Builds the Pulumi CLI from pinned upstream Go modules, at the version of the @pulumi/pulumi
# npm package this repo pins, and prints the directory holding the `pulumi` binary.
#
# Idempotent: a `pulumi` already built (or already on PATH) at the pinned version is reused in
# seconds. Everything lives outside the repo under $HC_TOOLS_DIR (see common.sh).
#
# Why a wrapper module: upstream pkg/go.mod carries `replace` directives, which `go install
# pkg@version` refuses. A small module that requires pkg/v3 and sdk/v3 at the same version (and
# repeats upstream's one non-local replace) builds the same command.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=scripts/toolchain/common.sh
source "$here/common.sh"

# The CLI version must match the SDK the program and the pack are built against.
version="${HC_PULUMI_VERSION:-$(node -e 'process.stdout.write(require(process.argv[1]).version)' "$repo/node_modules/@pulumi/pulumi/package.json" 2>/dev/null || true)}"
if [ -z "$version" ]; then
  version="$(sed -n 's/.*"@pulumi\/pulumi": *"\([0-9.]*\)".*/\1/p' "$repo/package.json" | sed -n 1p)"
fi
[ -n "$version" ] || { echo "build-pulumi: cannot determine the @pulumi/pulumi version (run npm ci first)" >&2; exit 1; }

out="$HC_TOOLS_DIR/pulumi-v$version"
bin="$out/bin"
want="v$version"

have_version() { "$1" version 2>/dev/null | tr -d '[:space:]'; }

# 1. A pulumi on PATH at the pinned version wins (a user's install).
if command -v pulumi >/dev/null 2>&1 && [ "$(have_version "$(command -v pulumi)")" = "$want" ] && [ "$(command -v pulumi)" != "$bin/pulumi" ]; then
  hc_log "build-pulumi: using $(command -v pulumi) ($want) from PATH"
  dirname "$(command -v pulumi)"
  exit 0
fi
# 2. Already built.
if [ -x "$bin/pulumi" ] && [ "$(have_version "$bin/pulumi")" = "$want" ]; then
  hc_log "build-pulumi: $bin/pulumi is $want (cached)"
  echo "$bin"
  exit 0
fi

command -v go >/dev/null 2>&1 || { echo "build-pulumi: Go is required to build the Pulumi CLI (https://go.dev/dl/)" >&2; exit 1; }
hc_log "build-pulumi: building pulumi $want from Go modules (cold: a few minutes)"
work="$out/module"
mkdir -p "$work" "$bin"
cat >"$work/go.mod" <<GOMOD
module hardened-cluster.local/pulumi-cli

go 1.24

require (
	github.com/pulumi/pulumi/pkg/v3 v$version
	github.com/pulumi/pulumi/sdk/v3 v$version
)

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
GOMOD
cat >"$work/tools.go" <<'GO'
//go:build tools

// Package tools pins the commands this module builds, so `go mod tidy` keeps their modules.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
GO
(
  cd "$work"
  go mod tidy >&2
  go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$want" \
    -o "$bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
)
got="$(have_version "$bin/pulumi")"
[ "$got" = "$want" ] || { echo "build-pulumi: built binary reports '$got', expected $want" >&2; exit 1; }
hc_log "build-pulumi: built $bin/pulumi ($got)"
echo "$bin"
