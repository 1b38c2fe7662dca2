# shellcheck shell=bash
# Helpers for tests/t-sim-sysfs-*.sh: mount simsysfs into a temporary
# directory and always clean it up.  The checks ("ok - " / "not ok - "
# lines: check, is, ...) are tests/lib.sh's.  Source it, then call
# sim_start [INVENTORY].

TLIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC1091
. "$TLIB_DIR/../../lib.sh"
SIMSYSFS=${SIMSYSFS:-$BIN/simsysfs}
INV=$TLIB_DIR/inventories
MNTS=()
PIDS=()

# wr FILE VALUE: write VALUE (no newline added) in a single write(),
# as "echo" does for one line (the shell's printf would split the value
# at newlines); WERR is "ok" or the strerror text of the failure.
wr() {
	local out
	out=$(printf '%s' "$2" |
		dd of="$1" bs=65536 iflag=fullblock status=none 2>&1)
	if [ -z "$out" ]; then WERR=ok; else WERR=${out##*: }; fi
}

# expect_write DESCRIPTION FILE VALUE RESULT ("ok" or strerror text)
expect_write() {
	wr "$2" "$3"
	is "$1" "$WERR" "$4"
}

# rd FILE: the file's content, or "ERR:<strerror>"
rd() {
	local out
	if out=$(cat "$1" 2>&1); then
		printf '%s' "$out"
	else
		printf 'ERR:%s' "${out##*: }"
	fi
}

# log_has PATTERN: a line of sim/log matches the extended regex
log_has() { grep -Eq -- "$1" "$MNT/sim/log"; }

# log_since N: sim/log lines with a sequence number above N
log_since() { awk -v n="$1" '$1 > n' "$MNT/sim/log"; }
log_last() { tail -n 1 "$MNT/sim/log" | awk '{print $1}'; }

# Wait (bounded, 5 s) for a daemon to go away; cleanup only, not a check.
wait_gone() { wait_until 5 eval "! pid_alive $1"; }

# sim_stop_one TMPDIR PID: unmount TMPDIR/mnt, make sure the daemon is
# gone, remove TMPDIR (never while something is still mounted there).
sim_stop_one() {
	local tmpd=$1 pid=$2
	[ -n "$tmpd" ] || return 0
	if mountpoint -q "$tmpd/mnt" 2>/dev/null; then
		fusermount3 -u "$tmpd/mnt" 2>/dev/null ||
			fusermount3 -uz "$tmpd/mnt"
	fi
	if [ -n "$pid" ] && pid_alive "$pid"; then
		wait_gone "$pid" || kill "$pid" 2>/dev/null
	fi
	mountpoint -q "$tmpd/mnt" 2>/dev/null || rm -rf "$tmpd"
}

sim_cleanup() {
	local i
	for i in "${!MNTS[@]}"; do
		sim_stop_one "${MNTS[$i]}" "${PIDS[$i]}"
	done
	MNTS=()
	PIDS=()
}

trap sim_cleanup EXIT
trap 'exit 130' INT TERM

# sim_start [INVENTORY]: mount at $TMPD/mnt; sets TMPD, MNT, SYS, PCI,
# PB (pciback dir), DEV, SIMPID; simsysfs's stderr goes to $TMPD/stderr.
# Returns non-zero when simsysfs failed.
sim_start() {
	TMPD=$(mktemp -d /tmp/simsysfs.XXXXXX)
	MNT=$TMPD/mnt
	mkdir "$MNT"
	MNTS+=("$TMPD")
	PIDS+=("")
	if ! "$SIMSYSFS" --mount "$MNT" ${1:+--inventory "$1"} \
		2>"$TMPD/stderr"; then
		return 1
	fi
	SIMPID=$(cat "$MNT/sim/pid")
	PIDS[${#PIDS[@]} - 1]=$SIMPID
	SYS=$MNT/sys
	PCI=$SYS/bus/pci
	PB=$PCI/drivers/pciback
	DEV=$PCI/devices
}

# sim_stop: unmount the current instance.
sim_stop() {
	local i
	for i in "${!MNTS[@]}"; do
		if [ "${MNTS[$i]}" = "$TMPD" ]; then
			sim_stop_one "${MNTS[$i]}" "${PIDS[$i]}"
			unset 'MNTS[i]' 'PIDS[i]'
		fi
	done
}

finish() {
	sim_cleanup
	t_exit
	exit 0
}

if [ ! -x "$SIMSYSFS" ]; then
	not_ok "simsysfs binary missing at $SIMSYSFS (run make all)"
	exit 1
fi
