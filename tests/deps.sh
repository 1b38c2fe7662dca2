#!/bin/sh
# Install the Debian packages the build and the tests need, only when
# one is missing, so that `make check` works on a fresh Debian 12.
set -e
PKGS="build-essential pkg-config libxen-dev libev-dev libfuse3-dev fuse3
xen-utils-4.17 xenstore-utils libyajl-dev shellcheck valgrind
libsystemd-dev libpci-dev pci.ids debhelper python3 man-db jq iproute2"
# `make fuzz` only (libFuzzer is in libclang-rt); check replays with gcc.
[ "${1:-}" = fuzz ] && PKGS="$PKGS clang libclang-rt-14-dev"
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
