#!/usr/bin/env bash
# ns.sh CMD...: run CMD in a private mount namespace in which Debian's
# xl 4.17 sees the simulated host ($SIMHOST_DIR/env must be sourced):
#
#   /sys             the simulated sysfs ($SYSFS_ROOT) bound over it: xl
#                    uses /sys/bus/pci/..., and the device links there
#                    point into /sys/devices, so the whole tree is bound
#   /etc/xen/xl.conf an empty one (xl's defaults, not the host's)
#   /var/lib/xen     the simulated host's $XEN_LIB_DIR: the guests'
#                    configurations as simhost stored them at create
#                    (libxl updates them on pci-attach/-detach, under
#                    its userdata lock)
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
mkdir "$scratch/etc"
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
# The simulated host's XEN_LIB_DIR, where simhost stores each guest's
# configuration as `xl create` does (keyed by domid and the UUID the
# simulated hypervisor reports): xl and the agent share the files and
# libxl's userdata lock, as on a real host.
bind "${XEN_LIB_DIR:?source the env file of the simulated host first}" \
	/var/lib/xen

"$@"
