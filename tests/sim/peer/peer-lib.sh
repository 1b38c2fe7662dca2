# shellcheck shell=bash
# Helpers for tests/t-sim-peer-*.sh: a simulated host (xenstored from
# simhost) with a plain-directory sysfs and our own simpeer, plus the
# xenstore writes libxl 4.17 makes for PCI (libxl_pci.c), so that each
# test reads as a scenario.
#
# shellcheck disable=SC1091
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/lib.sh"

PEER_PID=
PEER_LOG=
SIMLOG=

# mkdev BDF [CLASS [--not-on-pciback] [--vf]]: a device in sysfs
mkdev() {
	local bdf=$1 class=${2:-0x020000} d
	d=$SYSFS/bus/pci/devices/$bdf
	mkdir -p "$d"
	echo 0x8086 >"$d/vendor"
	echo 0x10d3 >"$d/device"
	echo "$class" >"$d/class"
	head -c 256 /dev/zero >"$d/config"
	shift $(($# < 2 ? $# : 2))
	for o in "$@"; do
		case $o in
		--vf) ln -s ../0000:00:00.0 "$d/physfn" ;;
		--not-on-pciback) return 0 ;;
		esac
	done
	mkdir -p "$SYSFS/bus/pci/drivers/pciback/$bdf"
}

peer_start() {
	local ready=$SIM/run-peer.ready
	rm -f "$ready"
	if [ "${PEER_VALGRIND:-0}" = 1 ]; then
		valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
			--errors-for-leak-kinds=definite,indirect \
			--error-exitcode=99 --log-file="$SIM/valgrind.log" \
			simpeer --sysfs-root "$SYSFS" --simxen-dir "$SIMXEN_DIR" \
			--ready-file "$ready" --log "$PEER_LOG" "$@" &
	else
		simpeer --sysfs-root "$SYSFS" --simxen-dir "$SIMXEN_DIR" \
			--ready-file "$ready" --log "$PEER_LOG" "$@" &
	fi
	PEER_PID=$!
	if ! wait_until 20 test -e "$ready"; then
		not_ok "simpeer is ready"
		exit 1
	fi
}

# peer_stop: SIGTERM, and simpeer must exit 0
peer_stop() {
	local rc
	[ -n "$PEER_PID" ] || return 0
	kill -TERM "$PEER_PID" 2>/dev/null
	wait "$PEER_PID"
	rc=$?
	PEER_PID=
	if [ "$rc" -ne 0 ]; then
		diag "simpeer exit status $rc"
		[ -s "$SIM/valgrind.log" ] && sed 's/^/# /' "$SIM/valgrind.log"
		return 1
	fi
	return 0
}

peer_down() {
	if [ -n "$PEER_PID" ]; then
		check "simpeer exits 0 on SIGTERM" peer_stop
	fi
	if [ "$T_FAIL" -gt 0 ] && [ -n "${PEER_LOG:-}" ] && [ -e "$PEER_LOG" ]; then
		diag "simpeer log:"
		tail -n 60 "$PEER_LOG" | sed 's/^/#   /'
	fi
	sim_down
}

# peer_up [simpeer options]: xenstored via simhost (no sysfs mount, no
# peer of its own), a plain sysfs tree, and simpeer.
peer_up() {
	SIM=$(mktemp -d /tmp/xpa-peer.XXXXXX)
	SYSFS=$SIM/sysfs/sys
	SIMLOG=$SIM/sysfs/sim/log
	PEER_LOG=$SIM/simpeer.log
	mkdir -p "$SYSFS/bus/pci/devices" "$SYSFS/bus/pci/drivers/pciback" \
		"$SIM/sysfs/sim"
	: >"$SIMLOG"
	if ! simhost up --dir "$SIM" --owner-pid $$ --no-peer --no-sysfs; then
		not_ok "simhost up"
		exit 1
	fi
	. "$SIM/env"
	export SYSFS_ROOT=$SYSFS
	trap 'peer_down; t_exit' EXIT
	peer_start "$@"
}

peer_done() {
	trap - EXIT
	peer_down
	t_exit
	exit 0
}

# be, fe, be_error_path, be_state, fe_state, be_index, view, xs_is:
# tests/lib.sh

guest() { simhost domain create "$@" >/dev/null; }

# be_create DOMID BDF...: libxl's cold-plug, BE + FE + every device in
# one transaction (libxl__create_pci_backend + _device_pci_add_xenstore)
be_create() {
	local domid=$1 b f i=0 args=()
	shift
	b=$(be "$domid")
	f=$(fe "$domid")
	args+=("$b/frontend" "$f" "$b/frontend-id" "$domid" "$b/online" 1
		"$b/state" 1 "$b/domain" "guest$domid"
		"$f/backend" "$b" "$f/backend-id" 0 "$f/state" 1)
	for bdf in "$@"; do
		args+=("$b/key-$i" "$bdf" "$b/dev-$i" "$bdf" "$b/state-$i" 1
			"$b/opts-$i"
			"msitranslate=0,power_mgmt=0,permissive=0,rdm_policy=strict")
		i=$((i + 1))
	done
	[ $i -gt 0 ] && args+=("$b/num_devs" "$i")
	xenstore-write "${args[@]}"
}

# hot_add DOMID BDF: libxl__device_pci_add_xenstore at N = num_devs
hot_add() {
	local b n args=()
	b=$(be "$1")
	n=$(xs_read "$b/num_devs")
	args=("$b/key-$n" "$2" "$b/dev-$n" "$2" "$b/state-$n" 1
		"$b/opts-$n"
		"msitranslate=0,power_mgmt=0,permissive=0,rdm_policy=strict"
		"$b/num_devs" $((n + 1)))
	[ "$n" -gt 0 ] && args+=("$b/state" 7)
	xenstore-write "${args[@]}"
}

# hot_remove DOMID BDF: libxl__device_pci_remove_xenstore, step 3
hot_remove() {
	local b i
	b=$(be "$1")
	i=$(be_index "$1" "$2") || return 1
	xenstore-write "$b/state-$i" 5 "$b/state" 7
}

be_error() { xs_read "$(be_error_path "$1")"; }

simlog_has() { grep -qxF "$1" "$SIMLOG"; }
peerlog_has() { grep -qF "$1" "$PEER_LOG"; }
# peer_saw LINE: simpeer logged exactly LINE (after its time stamp)
peer_saw() { sed 's/^[^ ]* simpeer: //' "$PEER_LOG" | grep -qxF "$1"; }

# settle: wait until simpeer has handled every xenstore event queued so
# far.  It logs each watch event before handling it, in order; a node
# under backend/pci that xenbus ignores (too short to be a device) is
# the marker.
settle() {
	local m
	m=/local/domain/0/backend/pci/sync-$RANDOM$RANDOM
	xenstore-write "$m" 1
	wait_until 10 peer_saw "watch $m"
	local rc=$?
	xenstore-rm "$m"
	return $rc
}
