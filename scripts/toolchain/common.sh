# Source this file: shared settings for the scripts that build pinned Go tools.
# Everything built or downloaded lives outside the repo, under $HC_CACHE_DIR
# (default $XDG_CACHE_HOME/hardened-cluster, else ~/.cache/hardened-cluster).
HC_CACHE_DIR="${HC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/hardened-cluster}"
export HC_CACHE_DIR
export HC_TOOLS_DIR="${HC_TOOLS_DIR:-$HC_CACHE_DIR/tools}"   # built binaries, one dir per tool@version
export GOFLAGS="${GOFLAGS:--mod=mod}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export CGO_ENABLED="${CGO_ENABLED:-0}"
# Go's own caches default to the user's (~/go/pkg/mod, ~/.cache/go-build): already outside the repo.
hc_log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
