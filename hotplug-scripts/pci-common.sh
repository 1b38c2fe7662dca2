# shellcheck shell=sh
#
# pci-common.sh: a small library for PCI hotplug scripts run by
# xen-pci-agent, in the conventions of Xen's xen-hotplug-common.sh.
# Source it first:
#
#	dir=$(dirname "$0")
#	. "$dir/pci-common.sh"
#
# What the agent passes (protocol/PROTOCOL.md section 8.6):
#   $1                the phase: prepare, add, remove, reattach, cleanup
#   BDF               the device, 0000:07:00.0
#   SYSFS_PATH        its sysfs directory, /sys/bus/pci/devices/$BDF
#   ORIG_DRIVER       its dom0 driver's name (igb), "" if none is known
#   DOMID DOMAIN_NAME the guest (add, remove, cleanup)
#   XENBUS_TYPE       pci
#   XENBUS_PATH       the guest's PCI backend (add, remove, cleanup)
#   XENBUS_BASE_PATH  the backend directory above it
#   REQUEST           the request ID ("" for a dead guest's cleanup)
# stdin is /dev/null; every line on stdout or stderr goes to the agent's
# log, tagged with the device.  In prepare, a non-zero exit vetoes the
# request and the last line on stderr is its error (pci_fatal).
#
# After sourcing: $phase, and the helpers below.

phase=${1:-}
export LANG=C

# pci_log LEVEL MESSAGE...: one line for the agent's log.
pci_log() {
	level=$1
	shift
	echo "$level: $*"
}

# pci_fatal MESSAGE...: the request fails (a veto in prepare) with this
# message; in add, hotplug-status=error and hotplug-error say why.
pci_fatal() {
	if [ "$phase" = add ] && [ -n "${XENBUS_PATH:-}" ]; then
		xenstore-write "$XENBUS_PATH/hotplug-error" "$*" \
			"$XENBUS_PATH/hotplug-status" error 2>/dev/null
	fi
	echo "$*" >&2
	exit 1
}

# pci_success: hotplug-status=connected, as vif and vbd scripts say
# (the agent also writes it after a successful add).
pci_success() {
	[ -n "${XENBUS_PATH:-}" ] || return 0
	xenstore-write "$XENBUS_PATH/hotplug-status" connected 2>/dev/null ||
		pci_log warning "cannot write $XENBUS_PATH/hotplug-status"
}

# pci_check_env: the phase and BDF are what the agent passes.
pci_check_env() {
	case $phase in
	prepare | reattach) ;;
	add | remove | cleanup)
		[ -n "${DOMID:-}" ] || pci_fatal "$0 $phase: DOMID is not set" ;;
	*) pci_fatal "$0: unknown phase '$phase'" ;;
	esac
	case ${BDF:-} in
	[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f].[0-7]) ;;
	*) pci_fatal "$0 $phase: bad or missing BDF '${BDF:-}'" ;;
	esac
	[ "${XENBUS_TYPE:-pci}" = pci ] ||
		pci_fatal "$0: XENBUS_TYPE is '$XENBUS_TYPE', not pci"
}

# pci_class: the device's PCI class, 0x020000 for an Ethernet NIC.
pci_class() {
	cat "$SYSFS_PATH/class" 2>/dev/null
}

# pci_is_nic: a network controller (class 0x02xxxx).
pci_is_nic() {
	case $(pci_class) in
	0x02*) return 0 ;;
	*) return 1 ;;
	esac
}

# pci_netdevs: the network interfaces of the device, one a line.
pci_netdevs() {
	for n in "$SYSFS_PATH"/net/*; do
		[ -e "$n" ] && basename "$n"
	done
	return 0
}

# pci_ip ARGS...: ip(8), or $XENPCI_IP if set (tests use a fake one).
pci_ip() {
	"${XENPCI_IP:-ip}" "$@"
}
