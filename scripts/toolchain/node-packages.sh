#!/usr/bin/env bash
# Installs the Debian packages the local test worker node needs, when missing:
#   iptables, ipset, conntrack (the NetworkPolicy firewall and the kubelet), gcc, libc6-dev and
#   libseccomp-dev (runc is built with cgo and seccomp), busybox-static (the test image's userland).
# Runs `apt-get update` once, only when something is missing. Needs root (as the node does).
set -euo pipefail
pkgs=(iptables ipset conntrack libseccomp-dev busybox-static gcc libc6-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep "install ok installed" >/dev/null || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
[ "$(id -u)" = 0 ] || { echo "node-packages: installing ${missing[*]} needs root" >&2; exit 1; }
command -v apt-get >/dev/null 2>&1 || { echo "node-packages: apt-get not found; install ${missing[*]} yourself" >&2; exit 1; }
echo "node-packages: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
