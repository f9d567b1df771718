#!/usr/bin/env bash
# Builds yaml-oracle (scripts/toolchain/yaml-oracle: YAML streams split by apimachinery's
# YAMLReader and converted by sigs.k8s.io/yaml's YAMLToJSONStrict, the API server's decoder,
# pinned in its go.mod) and prints the directory holding the binary. Idempotent; the cache key is
# the sigs.k8s.io/yaml version plus a hash of the sources, so editing them rebuilds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/toolchain/common.sh
source "$here/common.sh"
src="$here/yaml-oracle"
version="$(awk '$1 == "sigs.k8s.io/yaml" {print $2}' "$src/go.mod" | sed -n 1p)"
[ -n "$version" ] || { echo "build-yaml-oracle: no sigs.k8s.io/yaml version in $src/go.mod" >&2; exit 1; }
key="$(cat "$src/main.go" "$src/go.mod" "$src/go.sum" | sha256sum | cut -c1-12)"
bin="$HC_TOOLS_DIR/yaml-oracle-$version-$key/bin"
if [ -x "$bin/yaml-oracle" ]; then
  echo "$bin"; exit 0
fi
command -v go >/dev/null 2>&1 || { echo "build-yaml-oracle: Go is required" >&2; exit 1; }
hc_log "build-yaml-oracle: building yaml-oracle with sigs.k8s.io/yaml $version"
mkdir -p "$bin"
(cd "$src" && go build -mod=readonly -trimpath -ldflags "-s -w" -o "$bin/yaml-oracle.tmp" .) >&2
mv "$bin/yaml-oracle.tmp" "$bin/yaml-oracle"
"$bin/yaml-oracle" -version | grep -x "sigs.k8s.io/yaml@$version" >/dev/null || { echo "build-yaml-oracle: built binary does not report sigs.k8s.io/yaml@$version" >&2; rm -f "$bin/yaml-oracle"; exit 1; }
echo "$bin"
