#!/usr/bin/env bash
# `npm run test:deploy`: builds (or reuses) the Pulumi CLI, the Kubernetes provider plugin and the
# control-plane binaries from pinned Go modules, then runs test/deploy/deploy.ts, which starts the
# local control plane with `npm run cluster:up` and drives real deployments through the README's
# commands. The cluster's pointer file, the deploy runner's working directories and the state live
# in a throwaway cache directory; the built tools stay in the shared tool cache.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/node-env.sh
source scripts/toolchain/common.sh
start=$(date +%s)
bash scripts/toolchain/build-pulumi.sh >/dev/null
bash scripts/toolchain/build-k8s-provider.sh >/dev/null
bash scripts/toolchain/build-k8s.sh >/dev/null
hc_log "test-deploy: tools ready in $(( $(date +%s) - start ))s"
export HC_TOOLS_DIR
scratch="$(mktemp -d "${TMPDIR:-/tmp}/hc-deploy-cache-XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
export HC_CACHE_DIR="$scratch"
node -r ts-node/register/transpile-only test/deploy/deploy.ts
