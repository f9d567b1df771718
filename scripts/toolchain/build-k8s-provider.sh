#!/usr/bin/env bash
# Builds the Pulumi Kubernetes resource provider plugin (`pulumi-resource-kubernetes`) from the
# pinned upstream Go module and prints the directory holding it. Put that directory on PATH (the
# engine then uses it without downloading anything: PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION).
#
#   HC_K8S_PROVIDER_MODULE   (default: the one pseudo-version the Go module proxy serves here)
#
# Which release is it? The pinned commit f47bc2d6f199 (2026-01-15) is the one upstream tagged
# v4.25.0, so the plugin is stamped 4.25.0, and the npm SDK `@pulumi/kubernetes` is pinned to
# 4.25.0 too: the engine's "plugin at least as new as the SDK" check holds truthfully and the
# SDK's resource schema is the provider's own.
#
# Why a wrapper module: upstream's cmd/pulumi-resource-kubernetes/main.go embeds two files that
# only `go generate` writes (the schema with its version set, and the Terraform mapping). Its
# whole job is `provider.Serve("kubernetes", version, schema, mapping)`, so a small module with
# its own main that embeds those files (copied from the module zip) builds the same plugin.
#
# Idempotent: a plugin already built at the pinned version is reused in seconds. Cold: about
# 18 CPU-minutes (~10 min on 2 cores). Everything lives outside the repo, under $HC_TOOLS_DIR.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/toolchain/common.sh
source "$here/common.sh"

module="github.com/pulumi/pulumi-kubernetes/provider/v4"
pseudo="${HC_K8S_PROVIDER_MODULE:-v4.0.0-20260115033456-f47bc2d6f199}"
# The release that commit is (upstream tag v4.25.0); override both together.
version="${HC_K8S_PROVIDER_VERSION:-4.25.0}"

out="$HC_TOOLS_DIR/pulumi-resource-kubernetes-$pseudo"
bin="$out/bin"
plugin="$bin/pulumi-resource-kubernetes"
marker="$bin/.version"

if [ -x "$plugin" ] && [ "$(cat "$marker" 2>/dev/null)" = "$version" ]; then
  hc_log "build-k8s-provider: $plugin is $version (cached)"
  echo "$bin"
  exit 0
fi

command -v go >/dev/null 2>&1 || { echo "build-k8s-provider: Go is required to build the Kubernetes provider" >&2; exit 1; }
command -v node >/dev/null 2>&1 || { echo "build-k8s-provider: node is required to stamp the schema" >&2; exit 1; }
hc_log "build-k8s-provider: building pulumi-resource-kubernetes $version from $module@$pseudo (cold: ~18 CPU-minutes)"
work="$out/module"
mkdir -p "$work" "$bin"
cat >"$work/go.mod" <<GOMOD
module hardened-cluster.local/pulumi-resource-kubernetes

go 1.24

require $module $pseudo
GOMOD
cat >"$work/main.go" <<'GO'
// Command pulumi-resource-kubernetes serves the Pulumi Kubernetes provider, like upstream's
// cmd/pulumi-resource-kubernetes, with the two generated files embedded from this directory.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
GO
(
  cd "$work"
  go mod download "$module@$pseudo"
  src="$(go mod download -json "$module@$pseudo" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -f "$src/cmd/pulumi-resource-kubernetes/schema.json" ] || { echo "build-k8s-provider: schema.json not found in $src" >&2; exit 1; }
  # What upstream's generate.go does: the schema with its version set, both files compacted.
  node -e '
    const fs = require("fs");
    const [src, version] = process.argv.slice(1);
    const schema = JSON.parse(fs.readFileSync(src + "/cmd/pulumi-resource-kubernetes/schema.json", "utf8"));
    schema.version = version;
    fs.writeFileSync("schema-embed.json", JSON.stringify(schema));
    const mapping = JSON.parse(fs.readFileSync(src + "/cmd/pulumi-resource-kubernetes/terraform-mapping.json", "utf8"));
    fs.writeFileSync("terraform-mapping-embed.json", JSON.stringify(mapping));
  ' "$src" "$version"
  go mod tidy >&2
  go build -trimpath -ldflags "-s -w -X $module/pkg/version.Version=$version" -o "$plugin.tmp" .
)
mv "$plugin.tmp" "$plugin"
echo "$version" >"$marker"
hc_log "build-k8s-provider: built $plugin ($version)"
echo "$bin"
