#!/bin/bash
# make-oci-image.sh: pack a root filesystem directory into an OCI image
# archive (image-spec "image layout" in a tar: oci-layout, index.json and
# blobs/sha256/ holding one manifest, one config and one gzip layer), so
# that an engine can import it without a registry (`ctr image import`).
# Usage: make-oci-image.sh ROOTFS OUT.tar REF [CMD...]
#   REF    the image's name, in the index's org.opencontainers.image.ref.name
#          annotation (a full reference, e.g. docker.io/library/busybox:nook)
#   CMD    the config's default command (default: sh)
set -euo pipefail

if [ $# -lt 3 ]; then
    echo "usage: make-oci-image.sh ROOTFS OUT.tar REF [CMD...]" >&2
    exit 2
fi
rootfs=$1 out=$2 ref=$3
shift 3
[ $# -gt 0 ] || set -- sh
if [ ! -d "$rootfs" ]; then
    echo "make-oci-image.sh: root filesystem $rootfs is not a directory" >&2
    exit 1
fi

case "$(uname -m)" in
x86_64) arch=amd64 ;;
aarch64) arch=arm64 ;;
armv7l) arch=arm ;;
i?86) arch=386 ;;
*) arch=$(uname -m) ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/oci-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
blobs=$work/layout/blobs/sha256
mkdir -p "$blobs"

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }
size_of() { stat -c %s "$1"; }
# json_string S: S as a JSON string literal.
json_string() {
    local s=${1//\\/\\\\}
    s=${s//\"/\\\"}
    printf '"%s"' "$s"
}
# store FILE: move FILE into the blob store under its digest; prints the hex.
store() {
    local hex
    hex=$(sha256_of "$1")
    mv "$1" "$blobs/$hex"
    echo "$hex"
}

# The layer: owners normalised to root (the image is a root filesystem
# whoever builds it), sorted and with fixed times so that the same rootfs
# gives the same digests.
tar --create --file "$work/layer.tar" --directory "$rootfs" \
    --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 .
diff_id=$(sha256_of "$work/layer.tar")
gzip -n -9 "$work/layer.tar"
layer_size=$(size_of "$work/layer.tar.gz")
layer=$(store "$work/layer.tar.gz")

cmd_json=
for word in "$@"; do
    cmd_json+=${cmd_json:+,}$(json_string "$word")
done
printf '{"architecture":"%s","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":[%s],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"tests/engines/make-oci-image.sh"}]}' \
    "$arch" "$cmd_json" "$diff_id" >"$work/config.json"
config_size=$(size_of "$work/config.json")
config=$(store "$work/config.json")

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$config" "$config_size" "$layer" "$layer_size" >"$work/manifest.json"
manifest_size=$(size_of "$work/manifest.json")
manifest=$(store "$work/manifest.json")

printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"%s","os":"linux"},"annotations":{"org.opencontainers.image.ref.name":%s}}]}\n' \
    "$manifest" "$manifest_size" "$arch" "$(json_string "$ref")" >"$work/layout/index.json"
printf '{"imageLayoutVersion":"1.0.0"}\n' >"$work/layout/oci-layout"

tar --create --file "$out.tmp" --directory "$work/layout" \
    --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 oci-layout index.json blobs
mv "$out.tmp" "$out"
