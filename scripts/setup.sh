#!/usr/bin/env bash
# One-command set-up on a fresh machine: Node >= 22 (from the npm registry when the system
# node is older) and the project's npm dependencies from the lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/node-env.sh
source scripts/node-env.sh
echo "setup: using node $(node --version) at $(command -v node)"
npm ci --no-audit --no-fund
