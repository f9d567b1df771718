# Source this file: how the project builds Kubernetes commands from the k8s.io/kubernetes module.
# Used by build-k8s.sh (control plane) and build-node.sh (kubelet, kube-scheduler), so every
# Kubernetes binary is built the same way at the same version.

# k8s_wrapper_module DIR VERSION CMD...: writes a wrapper module in DIR that requires
# k8s.io/kubernetes@VERSION, replaces each staging module the upstream go.mod requires at v0.0.0
# with its published v0.<minor>.<patch> (derived from that go.mod, never hard-coded), and keeps
# the commands CMD (e.g. kube-apiserver) imported so `go mod tidy` keeps the requirement.
k8s_wrapper_module() {
  local mod="$1" version="$2" gomod staging minor patch c
  shift 2
  mkdir -p "$mod"
  gomod="$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')"
  [ -f "$gomod" ] || { echo "k8s-module: could not download k8s.io/kubernetes@$version" >&2; return 1; }
  minor="$(echo "$version" | cut -d. -f2)"; patch="$(echo "$version" | cut -d. -f3)"
  staging="$(awk '/^require[[:space:]]*\(/{r=1;next} r&&/^\)/{r=0} r&&$2=="v0.0.0"{print $1} /^require[[:space:]]+[^(]/&&$3=="v0.0.0"{print $2}' "$gomod" | sort -u)"
  [ -n "$staging" ] || { echo "k8s-module: found no v0.0.0 staging requirements in $gomod" >&2; return 1; }
  {
    echo "module hardened-cluster.local/kubernetes-tools"
    echo
    echo "go 1.24"
    echo
    echo "require k8s.io/kubernetes $version"
    echo
    for m in $staging; do echo "replace $m => $m v0.$minor.$patch"; done
  } >"$mod/go.mod"
  {
    echo "//go:build tools"
    echo
    echo "// Package tools pins the commands this module builds, so \`go mod tidy\` keeps their modules."
    echo "package tools"
    echo
    echo "import ("
    for c in "$@"; do echo "	_ \"k8s.io/kubernetes/cmd/$c\""; done
    echo ")"
  } >"$mod/tools.go"
  hc_log "k8s-module: wrapper for k8s.io/kubernetes $version in $mod ($(echo "$staging" | wc -w) staging modules replaced)"
}

# k8s_ldflags VERSION: linker flags stamping the real version into component-base and client-go.
k8s_ldflags() {
  local version="$1" minor date ldflags="-s -w" pkg
  minor="$(echo "$version" | cut -d. -f2)"
  date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags="$ldflags -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  echo "$ldflags"
}
