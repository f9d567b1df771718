#!/usr/bin/env bash
# Builds pinned Kubernetes control-plane tools from upstream Go modules and prints the directory
# that holds them: etcd + etcdctl, kube-apiserver, kube-controller-manager and kubectl.
#
#   HC_K8S_VERSION   (default v1.34.4)   k8s.io/kubernetes release
#   HC_ETCD_VERSION  (default v3.6.14)   go.etcd.io/etcd release
#
# Idempotent: tools already built at the pinned versions (or found on PATH at those versions)
# are reused, so a warm run takes seconds. Binaries and the generated wrapper modules live in
# $HC_TOOLS_DIR (outside the repo; see common.sh), Go's caches in the user's Go cache.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/toolchain/common.sh
source "$here/common.sh"
# shellcheck source=scripts/toolchain/k8s-module.sh
source "$here/k8s-module.sh"

k8s_version="${HC_K8S_VERSION:-v1.34.4}"
etcd_version="${HC_ETCD_VERSION:-v3.6.14}"
bin="$HC_TOOLS_DIR/k8s-$k8s_version-etcd-$etcd_version/bin"
mkdir -p "$bin"

command -v go >/dev/null 2>&1 || { echo "build-k8s: Go is required to build the Kubernetes tools (https://go.dev/dl/)" >&2; exit 1; }

# Reported versions, used both to accept a binary and to verify a fresh build.
k8s_reports() {
  case "$(basename "$1")" in
    kubectl) "$1" version --client 2>/dev/null | sed -n 's/^Client Version: //p' ;;
    *) "$1" --version 2>/dev/null | awk '{print $2}' ;;
  esac
}
etcd_reports() { "$1" version 2>/dev/null | sed -n 's/^etcdctl version: //p;s/^etcd Version: //p' | sed -n 1p; }
etcd_want="${etcd_version#v}"

# have TOOL: true when $bin/TOOL is at the pinned version; links a PATH binary at that version in.
have() {
  local tool="$1" want reports candidate
  case "$tool" in etcd|etcdctl) want="$etcd_want"; reports=etcd_reports ;; *) want="$k8s_version"; reports=k8s_reports ;; esac
  [ "$tool" = etcd ] && reports=etcd_server_reports
  if [ -x "$bin/$tool" ] && [ "$($reports "$bin/$tool")" = "$want" ]; then return 0; fi
  candidate="$(command -v "$tool" 2>/dev/null || true)"
  if [ -n "$candidate" ] && [ "$candidate" != "$bin/$tool" ] && [ "$($reports "$candidate")" = "$want" ]; then
    ln -sf "$candidate" "$bin/$tool"; hc_log "build-k8s: using $candidate ($want) from PATH"; return 0
  fi
  return 1
}
etcd_server_reports() { "$1" --version 2>/dev/null | sed -n 's/^etcd Version: //p'; }

# --- etcd and etcdctl ------------------------------------------------------------------------
build_etcd() {
  local mod="$HC_TOOLS_DIR/modules/etcd-$etcd_version"
  mkdir -p "$mod"
  cat >"$mod/go.mod" <<GOMOD
module hardened-cluster.local/etcd-tools

go 1.24

require (
	go.etcd.io/etcd/server/v3 $etcd_version
	go.etcd.io/etcd/etcdctl/v3 $etcd_version
)
GOMOD
  cat >"$mod/tools.go" <<'GO'
//go:build tools

// Package tools pins the commands this module builds, so `go mod tidy` keeps their modules.
package tools

import (
	_ "go.etcd.io/etcd/etcdctl/v3"
	_ "go.etcd.io/etcd/server/v3"
)
GO
  hc_log "build-k8s: building etcd and etcdctl $etcd_version"
  (cd "$mod" && go mod tidy >&2 && go build -trimpath -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3 &&
     go build -trimpath -ldflags "-s -w" -o "$bin/etcdctl" go.etcd.io/etcd/etcdctl/v3)
}

# --- Kubernetes ------------------------------------------------------------------------------
build_k8s() {
  local mod="$HC_TOOLS_DIR/modules/kubernetes-$k8s_version" ldflags
  k8s_wrapper_module "$mod" "$k8s_version" kube-apiserver kube-controller-manager kubectl
  ldflags="$(k8s_ldflags "$k8s_version")"
  hc_log "build-k8s: building kube-apiserver, kube-controller-manager and kubectl $k8s_version (cold: several minutes)"
  (cd "$mod" && go mod tidy >&2 &&
     for c in kube-apiserver kube-controller-manager kubectl; do
       have "$c" || go build -trimpath -ldflags "$ldflags" -o "$bin/$c" "k8s.io/kubernetes/cmd/$c"
     done)
}

start=$(date +%s)
if ! have etcd || ! have etcdctl; then build_etcd; fi
if ! have kube-apiserver || ! have kube-controller-manager || ! have kubectl; then build_k8s; fi
for t in etcd etcdctl kube-apiserver kube-controller-manager kubectl; do
  have "$t" || { echo "build-k8s: $bin/$t does not report the pinned version after the build" >&2; exit 1; }
done
hc_log "build-k8s: tools ready in $(( $(date +%s) - start ))s: etcd $etcd_version, Kubernetes $k8s_version"
echo "$bin"
