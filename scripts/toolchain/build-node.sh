#!/usr/bin/env bash
# Builds the pinned components of the local test worker node from upstream Go modules and prints
# the directory that holds them:
#   runc, containerd + ctr + containerd-shim-runc-v2, the CNI plugins bridge/host-local/loopback,
#   kube-router (network-policy firewall only; see docs/local-cluster.md: test node only),
#   kubelet and kube-scheduler (built like the control plane, same Kubernetes version),
#   a static pause binary, and the test image (an OCI layout tarball, build-node-image.sh).
# It first installs the Debian packages the node needs (node-packages.sh).
#
#   HC_K8S_VERSION         (default v1.34.4)  kubelet, kube-scheduler
#   HC_CONTAINERD_VERSION  (default v2.2.9)
#   HC_RUNC_VERSION        (default v1.4.4)
#   HC_CNI_VERSION         (default v1.9.1)
#   HC_KUBE_ROUTER_VERSION (default v2.1.0)
#
# Idempotent: a binary is rebuilt only when it is missing or no longer matches the checksum
# recorded when it was built at its pinned version (warm run: about a second). Everything lives
# in $HC_TOOLS_DIR (outside the repo; see common.sh). Components are built one after another.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=scripts/toolchain/common.sh
source "$here/common.sh"
# shellcheck source=scripts/toolchain/k8s-module.sh
source "$here/k8s-module.sh"

k8s_version="${HC_K8S_VERSION:-v1.34.4}"
containerd_version="${HC_CONTAINERD_VERSION:-v2.2.9}"
runc_version="${HC_RUNC_VERSION:-v1.4.4}"
cni_version="${HC_CNI_VERSION:-v1.9.1}"
kube_router_version="${HC_KUBE_ROUTER_VERSION:-v2.1.0}"

command -v go >/dev/null 2>&1 || { echo "build-node: Go is required to build the node components (https://go.dev/dl/)" >&2; exit 1; }
bash "$here/node-packages.sh" >&2

out="$HC_TOOLS_DIR/node-k8s-$k8s_version-containerd-$containerd_version-runc-$runc_version-cni-$cni_version-kube-router-$kube_router_version"
bin="$out/bin"
stamps="$out/stamps"
mkdir -p "$bin" "$stamps"

# A stamp records "TOOL was built from MODULE@VERSION" and the binary's checksum.
stamp_line() { echo "$2 $(sha256sum "$bin/$1" | cut -d' ' -f1)"; }
have() { [ -x "$bin/$1" ] && [ -f "$stamps/$1" ] && [ "$(cat "$stamps/$1")" = "$(stamp_line "$1" "$2")" ]; }
stamp() { stamp_line "$1" "$2" >"$stamps/$1"; }

# gomod_wrapper DIR MODULE VERSION IMPORT...: a module requiring MODULE@VERSION with its commands imported.
gomod_wrapper() {
  local mod="$1" module="$2" version="$3" p
  shift 3
  mkdir -p "$mod"
  printf 'module hardened-cluster.local/node-tools\n\ngo 1.24\n\nrequire %s %s\n' "$module" "$version" >"$mod/go.mod"
  {
    printf '//go:build tools\n\n// Package tools pins the commands this module builds, so `go mod tidy` keeps their modules.\npackage tools\n\nimport (\n'
    for p in "$@"; do printf '\t_ "%s"\n' "$p"; done
    printf ')\n'
  } >"$mod/tools.go"
}

# tidy_pinned: `go mod tidy`, refusing to resolve any package to a "latest" version (every module
# must come from the upstream go.mod or an explicit pin here, so a rebuild next year is the same).
tidy_pinned() {
  local out
  out="$(go mod tidy 2>&1)" || { echo "$out" >&2; return 1; }
  if echo "$out" | grep "finding module for package" >/dev/null; then
    echo "$out" | grep "finding module for package" >&2
    echo "build-node: the module graph in $PWD is not fully pinned (see above); pin those modules" >&2
    return 1
  fi
}

timed() { local t0; t0=$(date +%s); "$@"; hc_log "build-node: $1 done in $(( $(date +%s) - t0 ))s"; }

# --- runc: cgo with libseccomp (seccomp profiles are enforced by runc) -----------------------
build_runc() {
  local mod="$HC_TOOLS_DIR/modules/runc-$runc_version"
  gomod_wrapper "$mod" github.com/opencontainers/runc "$runc_version" github.com/opencontainers/runc
  hc_log "build-node: building runc $runc_version (cgo, seccomp)"
  (cd "$mod" && tidy_pinned &&
     CGO_ENABLED=1 go build -trimpath -tags "seccomp urfave_cli_no_docs" \
       -ldflags "-s -w -X main.version=${runc_version#v} -X main.gitCommit=$runc_version" -o "$bin/runc" github.com/opencontainers/runc)
  "$bin/runc" --version | grep "^runc version ${runc_version#v}" >/dev/null || { echo "build-node: runc does not report $runc_version" >&2; exit 1; }
  "$bin/runc" --version | grep "^libseccomp: " >/dev/null || { echo "build-node: runc was built without seccomp" >&2; exit 1; }
}

# --- containerd: static, without the storage drivers this node does not use -----------------
build_containerd() {
  local mod="$HC_TOOLS_DIR/modules/containerd-$containerd_version" m=github.com/containerd/containerd/v2 c
  gomod_wrapper "$mod" "$m" "$containerd_version" "$m/cmd/containerd" "$m/cmd/ctr" "$m/cmd/containerd-shim-runc-v2"
  hc_log "build-node: building containerd, ctr and containerd-shim-runc-v2 $containerd_version"
  (cd "$mod" && tidy_pinned &&
     for c in containerd ctr containerd-shim-runc-v2; do
       CGO_ENABLED=0 go build -trimpath -tags "no_btrfs no_devmapper no_zfs no_aufs urfave_cli_no_docs" \
         -ldflags "-s -w -X $m/version.Version=$containerd_version -X $m/version.Revision=$containerd_version" -o "$bin/$c" "$m/cmd/$c"
     done)
  "$bin/containerd" --version | grep " $containerd_version " >/dev/null || { echo "build-node: containerd does not report $containerd_version" >&2; exit 1; }
}

# --- CNI plugins -------------------------------------------------------------------------------
build_cni() {
  local mod="$HC_TOOLS_DIR/modules/cni-plugins-$cni_version" m=github.com/containernetworking/plugins p
  gomod_wrapper "$mod" "$m" "$cni_version" "$m/plugins/main/bridge" "$m/plugins/ipam/host-local" "$m/plugins/main/loopback"
  hc_log "build-node: building CNI plugins $cni_version (bridge, host-local, loopback)"
  (cd "$mod" && tidy_pinned &&
     for p in main/bridge ipam/host-local main/loopback; do
       CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=$cni_version" \
         -o "$bin/$(basename "$p")" "$m/plugins/$p"
     done)
}

# --- kube-router, firewall (NetworkPolicy) controller only ------------------------------------
build_kube_router() {
  local mod="$HC_TOOLS_DIR/modules/kube-router-$kube_router_version" m=github.com/cloudnativelabs/kube-router/v2
  gomod_wrapper "$mod" "$m" "$kube_router_version" "$m/cmd/kube-router"
  # Packages kube-router's go.mod leaves unresolved (its docker client's tracing and Windows
  # console deps): pinned to the releases of kube-router's own dependency era, not "latest".
  cat >>"$mod/go.mod" <<'PINS'

require (
	github.com/Azure/go-ansiterm v0.0.0-20230124172434-306776ec8161
	github.com/cenkalti/backoff/v4 v4.2.1
	go.opentelemetry.io/otel/exporters/otlp/otlptrace v1.24.0
	go.opentelemetry.io/proto/otlp v1.1.0
)
PINS
  hc_log "build-node: building kube-router $kube_router_version"
  (cd "$mod" && tidy_pinned &&
     CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X $m/pkg/version.Version=$kube_router_version -X $m/pkg/version.BuildDate=pinned" \
       -o "$bin/kube-router" "$m/cmd/kube-router")
}

# --- kubelet and kube-scheduler: the project's Kubernetes build (k8s-module.sh) ----------------
build_kube() {
  # A module directory of its own: the control-plane build may run at the same time in its own.
  local mod="$HC_TOOLS_DIR/modules/kubernetes-node-$k8s_version" ldflags c
  k8s_wrapper_module "$mod" "$k8s_version" kubelet kube-scheduler
  ldflags="$(k8s_ldflags "$k8s_version")"
  hc_log "build-node: building kubelet and kube-scheduler $k8s_version (cold: several minutes)"
  (cd "$mod" && go mod tidy >&2 &&
     for c in kubelet kube-scheduler; do
       CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$bin/$c" "k8s.io/kubernetes/cmd/$c"
     done)
  for c in kubelet kube-scheduler; do
    [ "$("$bin/$c" --version | awk '{print $2}')" = "$k8s_version" ] || { echo "build-node: $c does not report $k8s_version" >&2; exit 1; }
  done
}

# --- pause: the sandbox process, static, sleeps until signalled -------------------------------
build_pause() {
  local mod="$HC_TOOLS_DIR/modules/pause"
  mkdir -p "$mod"
  printf 'module hardened-cluster.local/pause\n\ngo 1.24\n' >"$mod/go.mod"
  cat >"$mod/main.go" <<'GO'
// Command pause holds a pod's namespaces: it waits for SIGTERM or SIGINT and exits 0.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
	<-c
}
GO
  (cd "$mod" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$bin/pause" .)
}

start=$(date +%s)
have runc "github.com/opencontainers/runc@$runc_version" || { timed build_runc; stamp runc "github.com/opencontainers/runc@$runc_version"; }
for c in containerd ctr containerd-shim-runc-v2; do
  have "$c" "github.com/containerd/containerd/v2@$containerd_version" && continue
  timed build_containerd
  for x in containerd ctr containerd-shim-runc-v2; do stamp "$x" "github.com/containerd/containerd/v2@$containerd_version"; done
  break
done
for c in bridge host-local loopback; do
  have "$c" "github.com/containernetworking/plugins@$cni_version" && continue
  timed build_cni
  for x in bridge host-local loopback; do stamp "$x" "github.com/containernetworking/plugins@$cni_version"; done
  break
done
have kube-router "github.com/cloudnativelabs/kube-router/v2@$kube_router_version" || { timed build_kube_router; stamp kube-router "github.com/cloudnativelabs/kube-router/v2@$kube_router_version"; }
for c in kubelet kube-scheduler; do
  have "$c" "k8s.io/kubernetes@$k8s_version" && continue
  timed build_kube
  for x in kubelet kube-scheduler; do stamp "$x" "k8s.io/kubernetes@$k8s_version"; done
  break
done
have pause "hardened-cluster.local/pause@1" || { build_pause; stamp pause "hardened-cluster.local/pause@1"; }
bash "$here/build-node-image.sh" "$bin" >&2
hc_log "build-node: node components ready in $(( $(date +%s) - start ))s"
echo "$bin"
