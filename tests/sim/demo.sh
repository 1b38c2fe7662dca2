#!/usr/bin/env bash
# `make demo`: the seed article's scenarios, run by xen-pci-agent on the
# simulated host (real xenstored, simulated /sys/bus/pci and pciback,
# simulated pciback/pcifront xenbus peers and hypervisor):
#   xl pci-assignable-list / -add 07:00.0 / -list / -remove -r 07:00.0
#   xl pci-attach, permissive=1, pci-detach, and a guest that dies
#   the dom0 guard: dom0's uplink refused, then forced
# shown as the equivalent xen-pci commands, with the xenstore tree, the
# driver links and what the guest sees after each step.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
PATH=$BUILD/bin:$PATH
SIM=$(mktemp -d /tmp/xen-pci-demo.XXXXXX)
AGENT=

bye() {
	[ -n "$AGENT" ] && kill "$AGENT" 2>/dev/null && wait "$AGENT"
	simhost down --dir "$SIM"
	rm -rf "$SIM"
}
trap bye EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

drivers() {
	local d
	for d in "$SYSFS_ROOT"/bus/pci/devices/*; do
		if [ -e "$d/driver" ]; then
			printf '  %s -> %s\n' "$(basename "$d")" \
				"$(basename "$(readlink "$d/driver")")"
		else
			printf '  %s -> (no driver)\n' "$(basename "$d")"
		fi
	done
}

tree() {
	echo "xenstore /local/domain/0/pci-agent/devices and /libxl/pci:"
	xenstore-ls /local/domain/0/pci-agent/devices 2>/dev/null |
		sed 's/^/  /'
	xenstore-ls /libxl/pci 2>/dev/null | sed 's/^/  /'
	echo "driver links:"
	drivers
}

backend() {
	echo "backend /local/domain/0/backend/pci/5/0:"
	xenstore-ls /local/domain/0/backend/pci/5/0 2>/dev/null |
		sed 's/^/  /'
	echo "R/devices:"
	xenstore-ls /local/domain/0/pci-agent/devices 2>/dev/null |
		sed 's/^/  /'
	echo "the guest's PCI bus (its pcifront):"
	sed 's/^/  /' "$SIMXEN_DIR/guests/5/pci" 2>/dev/null
	echo "hypervisor calls so far:"
	sed 's/^/  /' "$SIMXEN_DIR/hypercalls.log" 2>/dev/null | tail -n 8
}

say "Starting a simulated Xen host in $SIM"
simhost up --dir "$SIM" --owner-pid $$ || exit 1
# shellcheck disable=SC1091
. "$SIM/env"
echo "xenstored: $(readlink /proc/"$(cat "$SIM/run/xenstored.pid")"/exe)" \
	"on $XENSTORED_PATH"
echo "sysfs root: $SYSFS_ROOT"
# The hotplug scripts: the default pci, and a site script that vetoes.
mkdir -p "$SIM/scripts"
cp "$TOP/hotplug-scripts/pci" "$TOP/hotplug-scripts/pci-common.sh" \
	"$SIM/scripts/"
cat > "$SIM/scripts/keep-in-dom0" <<'EOF2'
#!/bin/sh
dir=$(dirname "$0")
. "$dir/pci-common.sh"
pci_check_env
pci_log info "site script: $phase $BDF"
[ "$phase" = prepare ] && pci_fatal "$BDF is the management NIC: it stays in dom0"
exit 0
EOF2
chmod +x "$SIM/scripts/keep-in-dom0"
LD_PRELOAD=$SIMXEN_PRELOAD xen-pci-agent --foreground \
	--sysfs-root "$SYSFS_ROOT" --proc-root "${SIMSYSFS_CTL%/sim}/proc" \
	--dev-root "${SIMSYSFS_CTL%/sim}/dev" \
	--state-dir "$SIM/state" --script-dir "$SIM/scripts" \
	--log-level info 2> "$SIM/agent.log" &
AGENT=$!
for _ in $(seq 100); do
	[ "$(xenstore-read /local/domain/0/pci-agent/state 2>/dev/null)" = \
		running ] && break
	sleep 0.05
done
echo "xen-pci-agent: $(xenstore-read /local/domain/0/pci-agent/state)," \
	"pid $AGENT"
tree

say "xl pci-assignable-list"
run xen-pci assignable-list

say "xl pci-assignable-add 07:00.0"
run xen-pci assignable-add 07:00.0
tree

say "xl pci-assignable-list"
run xen-pci assignable-list

say "xl pci-assignable-remove -r 07:00.0"
run xen-pci assignable-remove -r 07:00.0
tree

say "A PV guest, domain 5, with pcifront"
run simhost domain create 5 --name guest5

say "xl pci-assignable-add 07:00.0; xl pci-attach 5 07:00.0,permissive=1"
run xen-pci assignable-add 07:00.0
run xen-pci attach 5 07:00.0,permissive=1
backend

say "xl pci-attach 5 07:00.1,seize=1 (hot-plug into the running guest)"
run xen-pci attach 5 07:00.1,seize=1
backend

say "xl pci-list 5"
run xen-pci list 5

say "xl pci-detach 5 07:00.0"
run xen-pci detach 5 07:00.0
backend

say "The guest dies holding 07:00.1: the agent cleans up by itself"
run simhost domain destroy 5
for _ in $(seq 100); do
	xenstore-exists /local/domain/0/backend/pci/5 2>/dev/null || break
	sleep 0.05
done
tree

say "xl pci-assignable-remove -r 07:00.0 and 07:00.1"
run xen-pci assignable-remove -r 07:00.0
run xen-pci assignable-remove -r 07:00.1
tree

say "dom0's own uplink: the dom0 guard refuses it, force takes it"
echo "03:00.0's eth0 in the simulated /proc/net/route:"
grep '^eth0' "${SIMSYSFS_CTL%/sim}/proc/net/route" | sed 's/ *$//; s/^/  /'
run xen-pci assignable-add 03:00.0
echo "(exit status $?)"
run xen-pci assignable-add --force 03:00.0
echo "(exit status $?; the agent's warning:)"
grep 'taken from dom0 anyway' "$SIM/agent.log" | sed 's/^/  /'
run xen-pci assignable-remove -r 03:00.0

say "An error, as a toolstack sees it"
run xen-pci assignable-add 07:1f.0
echo "(exit status $?)"

say "A hotplug script vetoes: assignable-add 07:00.0 with script=keep-in-dom0"
Q=/local/domain/0/pci-agent/requests/veto-1
run xenstore-write $Q/spec 07:00.0 $Q/script keep-in-dom0 \
	$Q/op assignable-add
for _ in $(seq 100); do
	case $(xenstore-read $Q/status 2>/dev/null) in ok | error) break ;; esac
	sleep 0.05
done
echo "status: $(xenstore-read $Q/status) code: $(xenstore-read $Q/code)"
echo "error:  $(xenstore-read $Q/error)"
echo "07:00.0 is still on $(basename "$(readlink "$SYSFS_ROOT/bus/pci/devices/0000:07:00.0/driver")")"
xenstore-rm $Q

say "The hotplug scripts' lines in the agent's log"
grep -E ': (pci|keep-in-dom0) [a-z]+( \(stderr\))?: |hotplug script' \
	"$SIM/agent.log"

say "The agent's log"
cat "$SIM/agent.log"
