#!/usr/bin/env bash
# make bench REALXEN=1's real-Xen part (bench.sh runs it): one boot of
# Xen 4.17 in QEMU running tests/realxen/scen-bench.sh, xl and the agent
# taking turns on one PV guest; its XBENCH lines become
# OUT/rows-realxen.json for bench.py's report ("world": "realxen").
# usage: realxen.sh OUT N
# One boot at a time: the boot runs under a lock, RX_LOCK=FILE (a lock
# shared with other jobs on the machine) or the build's own.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/realxen/tier.sh"
OUT=$1 N=$2
LOCK=${RX_LOCK:-}

realxen_prepare || exit 1
[ -n "$LOCK" ] || LOCK=$RX_OUT/.boot-lock
exec 8> "$LOCK"
echo "bench: realxen: waiting for $LOCK" >&2
flock 8
echo "bench: realxen: booting ($N rounds)" >&2
# About 6 minutes with N=5 on an idle machine; room for a loaded one.
RX_DOM0_EXTRA="xbench_n=$N" \
	REALXEN_BOOT_TIMEOUT=${REALXEN_BOOT_TIMEOUT:-$((600 + 240 * N))} \
	realxen_boot bench
flock -u 8
tr -d '\r' < "$RX_OUT/bench.serial" | sed -n 's/^XBENCH //p' |
	python3 "$TOP/tests/bench/bench.py" realxen-rows \
		--rows "$OUT/rows-realxen.json" || exit 1
[ "$T_FAIL" = 0 ] || { echo "bench: realxen: $T_FAIL checks failed" \
	"($RX_OUT/bench.serial)" >&2; exit 1; }
