#!/usr/bin/env bash
# The real-engine suite: builds (or reuses) the pinned Pulumi CLI and the CI-template linters,
# then runs test/engine/*.engine.ts, which drive `pulumi policy analyze` over every stack.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/node-env.sh
source scripts/toolchain/common.sh
start=$(date +%s)
pulumi_bin="$(bash scripts/toolchain/build-pulumi.sh)"
actionlint_bin="$(bash scripts/toolchain/build-actionlint.sh)"
# gitlab-ci-local validates .gitlab-ci.yml against GitLab's CI schema offline; kept out of the
# project's dependencies (it is only a linter for a template) and installed in the tool cache.
gcl_version=4.75.1
gcl_dir="$HC_TOOLS_DIR/gitlab-ci-local-$gcl_version"
if [ ! -x "$gcl_dir/node_modules/.bin/gitlab-ci-local" ]; then
  mkdir -p "$gcl_dir"
  (cd "$gcl_dir" && npm install --no-save --no-package-lock --ignore-scripts "gitlab-ci-local@$gcl_version" >&2)
fi
hc_log "test-engine: tools ready in $(( $(date +%s) - start ))s"
export HC_PULUMI_BIN="$pulumi_bin/pulumi"
export HC_ACTIONLINT_BIN="$actionlint_bin/actionlint"
export HC_GITLAB_CI_LOCAL_BIN="$gcl_dir/node_modules/.bin/gitlab-ci-local"
export HC_REPO_ROOT="$PWD"
npx mocha --config test/engine/.mocharc.json
