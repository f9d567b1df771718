#!/usr/bin/env bash
# Writes the local test node's image as an OCI image-layout tarball, with no registry involved:
# one layer (Debian's busybox-static with an applet link for each command, and the static pause
# binary), and two manifests sharing it:
#   hardened-cluster.local/node-test:<busybox version>  (the test image: sh, nc, sleep, ...)
#   registry.k8s.io/pause:3.10.1                        (the sandbox image containerd expects)
# The test image is also named by its digest, so pods can pin it (@sha256:...).
# Usage: build-node-image.sh BIN_DIR  (BIN_DIR holds `pause`; the tarball and `test-image.ref`,
# the digest-pinned reference, are written next to it). Deterministic: same inputs, same digests.
set -euo pipefail
bin="$1"
out="$(dirname "$bin")/image"
busybox=/bin/busybox
[ -x "$bin/pause" ] || { echo "build-node-image: $bin/pause is missing" >&2; exit 1; }
[ -x "$busybox" ] || { echo "build-node-image: $busybox is missing (Debian package busybox-static)" >&2; exit 1; }
bbver="$("$busybox" | sed -n '1s/^BusyBox v\([0-9.]*\).*/\1/p')"
[ -n "$bbver" ] || { echo "build-node-image: cannot read the busybox version" >&2; exit 1; }
test_name="hardened-cluster.local/node-test:busybox-$bbver"
pause_name="registry.k8s.io/pause:3.10.1"

# Reuse when the inputs (busybox, pause, this script) did not change.
inputs="$(cat "$busybox" "$bin/pause" "$0" | sha256sum | cut -d' ' -f1)"
if [ -f "$out/inputs" ] && [ "$(cat "$out/inputs")" = "$inputs" ] && [ -f "$out/node-test.oci.tar" ] && [ -f "$out/test-image.ref" ]; then
  echo "build-node-image: $(cat "$out/test-image.ref") (cached)"
  exit 0
fi
rm -rf "$out"; mkdir -p "$out"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
root="$work/rootfs"; layout="$work/layout"
mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$layout/blobs/sha256"
cp "$busybox" "$root/bin/busybox"; cp "$bin/pause" "$root/pause"
for a in $("$busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"; done
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
chmod 1777 "$root/tmp"

blob() { local d; d="$(sha256sum "$1" | cut -d' ' -f1)"; mv "$1" "$layout/blobs/sha256/$d"; echo "$d"; }
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$work/layer.tar" .
layer_size=$(stat -c %s "$work/layer.tar"); layer="$(blob "$work/layer.tar")"

manifest_for() { # ENTRYPOINT_JSON CMD_JSON -> manifest digest:size
  local cfg man
  printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Entrypoint":%s,"Cmd":%s,"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$1" "$2" "$layer" >"$work/config.json"
  local cfg_size; cfg_size=$(stat -c %s "$work/config.json"); cfg="$(blob "$work/config.json")"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    "$cfg" "$cfg_size" "$layer" "$layer_size" >"$work/manifest.json"
  local man_size; man_size=$(stat -c %s "$work/manifest.json"); man="$(blob "$work/manifest.json")"
  echo "$man:$man_size"
}
test_m="$(manifest_for null '["/bin/sh"]')"; pause_m="$(manifest_for '["/pause"]' null)"
entry() { # NAME DIGEST:SIZE
  printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}' \
    "${2%%:*}" "${2##*:}" "$1" "${1##*:}"
}
test_digest="sha256:${test_m%%:*}"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s,%s,%s]}' \
  "$(entry "$test_name" "$test_m")" "$(entry "${test_name%:*}@$test_digest" "$test_m")" "$(entry "$pause_name" "$pause_m")" >"$layout/index.json"
printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$layout" -cf "$out/node-test.oci.tar" .
echo "$test_name@$test_digest" >"$out/test-image.ref"
echo "$inputs" >"$out/inputs"
echo "build-node-image: $(cat "$out/test-image.ref") and $pause_name in $out/node-test.oci.tar"
