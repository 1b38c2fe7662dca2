#!/usr/bin/env bash
# ns.sh CMD...: run CMD in a private mount namespace in which Debian's
# xl 4.17 sees the simulated host ($SIMHOST_DIR/env must be sourced):
#
#   /sys             the simulated sysfs ($SYSFS_ROOT) bound over it: xl
#                    uses /sys/bus/pci/..., and the device links there
#                    point into /sys/devices, so the whole tree is bound
#   /etc/xen/xl.conf an empty one (xl's defaults, not the host's)
#   /var/lib/xen     an empty directory, holding only the stored
#                    configuration of guest 5 as `xl create` leaves it
#                    (libxl updates it on pci-attach/-detach, under its
#                    userdata lock)
#
# xenstore is the simulated host's (XENSTORED_PATH, honoured by
# libxenstore); the hypervisor is libsimxen.so, preloaded by whoever
# runs xl (bench.py).  The mounts exist only in the namespace and go
# away with it; nothing outside it changes, the real /sys and the host's
# Xen state are never touched.  The temporary directory is removed.
set -eu
if [ "${BENCH_NS:-}" != 1 ]; then
	BENCH_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi
: "${SYSFS_ROOT:?source the env file of the simulated host first}"
[ -d /var/lib/xen ] || { echo "ns.sh: no /var/lib/xen (xen-utils-common)" >&2; exit 1; }
scratch=$(mktemp -d /tmp/xpa-bench-ns.XXXXXX)
mkdir "$scratch/lib" "$scratch/etc"
: >"$scratch/etc/xl.conf"
mounts=()
bind() { mount --bind "$1" "$2" && mounts=("$2" "${mounts[@]}"); }
bye() {
	local m
	for m in "${mounts[@]}"; do umount "$m" || umount -l "$m"; done
	rm -rf "$scratch"
}
trap bye EXIT

bind "$SYSFS_ROOT" /sys
if [ -e /etc/xen/xl.conf ]; then
	bind "$scratch/etc/xl.conf" /etc/xen/xl.conf
else
	bind "$scratch/etc" /etc/xen
fi
bind "$scratch/lib" /var/lib/xen
# libxl keys it by domid and the domain's UUID (the simulated hypervisor
# reports all zeros).
uuid=00000000-0000-0000-0000-000000000000
printf '{"c_info":{"type":"pv","name":"g5","uuid":"%s"},"b_info":{"type.pv":{}}}\n' \
	$uuid >"/var/lib/xen/userdata-d.5.$uuid.libxl-json"

"$@"
