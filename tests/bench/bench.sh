#!/usr/bin/env bash
# make bench [N=20] [SCALE=1]: Debian's xl 4.17 and xen-pci-agent side by
# side on the same simulated host, the tools taking turns op by op.
# Prints a table and writes $BUILD/bench/results.json (one object per
# op and tool: op, tool, n, median_ms, p90_ms, xs_requests, ratio_to_xl).
#
# xl runs inside tests/bench/ns.sh (a private mount namespace with the
# simulated sysfs over /sys) with LD_PRELOAD of the simulated hypervisor,
# libsimxen.so, the same library the agent runs with, plus libbenchxl.so
# for the start-up questions only xl asks (tests/bench/xlshim.c).
# bench.py does the measuring; see its header for what each row means.
#
# N       timed rounds per op and tool (default 20), after a warm-up round
# SCALE=1 also: one assignable-add with 1 and with 256 other devices on
#         pciback (tests/bench/scale.inv), and 256 assignable-adds written
#         at once; about 15 minutes on 2 cores, most of it the agent's
#         256 requests at once
#         and 256 VFs made assignable and attached 4 per guest to 64
#         guests, all requests written at once (the guests phase)
# REALXEN=1 also: one boot of Xen 4.17 in QEMU (the real-Xen tier's
#         machine) where xl and the agent take turns at the same four
#         ops on a real PV guest, N rounds (REALXEN_N, default 5), under
#         the tier's shared lock; rows with "world": "realxen"
#         (tests/bench/realxen.sh, tests/realxen/scen-bench.sh)
# SCALE_ROUNDS  rounds of the 256-at-once runs (default 1)
# RSS_REQUESTS  requests of the RSS row (default 1000, 10000 with SCALE=1)
# BENCH_OUT     where results.json goes (default $BUILD/bench)
# PHASES        only these phases (e.g. "single-1 single-256"; default
#               all that SCALE asks for)
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
BIN=$BUILD/bin
N=${N:-20}
SCALE=${SCALE:-0}
REALXEN=${REALXEN:-0}
SCALE_ROUNDS=${SCALE_ROUNDS:-1}
OUT=${BENCH_OUT:-$BUILD/bench}
BENCH=$TOP/tests/bench
export BENCH_BIN=$BIN BENCH_XL_SHIM=$BUILD/lib/libbenchxl.so
export XL=${XL:-/usr/lib/xen-4.17/bin/xl}
PHASES=${PHASES:-}
SIM= AGENT=

# want PHASE: PHASES is empty or names it
want() {
	[ -z "$PHASES" ] || case " $PHASES " in *" $1 "*) ;; *) false ;; esac
}

case $N in '' | *[!0-9]* | 0) echo "bench: N must be a positive number" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "bench: needs root (mount namespace, FUSE)" >&2; exit 1; }
[ -x "$XL" ] || { echo "bench: no $XL (xen-utils-4.17)" >&2; exit 1; }

host_down() {
	if [ -n "$AGENT" ]; then
		kill -TERM "$AGENT" 2>/dev/null
		wait "$AGENT" 2>/dev/null
		AGENT=
	fi
	if [ -n "$SIM" ]; then
		"$BIN/simhost" down --dir "$SIM"
		rm -rf "$SIM"
		SIM=
	fi
}
trap host_down EXIT
trap 'exit 130' INT TERM

# host_up [simhost up options]: a simulated host with guest 5 and the
# agent (its default log level, as deployed), or exit.
host_up() {
	SIM=$(mktemp -d /tmp/xpa-bench.XXXXXX)
	"$BIN/simhost" up --dir "$SIM" --owner-pid $$ "$@" || exit 1
	# shellcheck disable=SC1091
	. "$SIM/env"
	"$BIN/simhost" domain create 5 --name g5 >/dev/null || exit 1
	LD_PRELOAD=$SIMXEN_PRELOAD "$BIN/xen-pci-agent" --foreground \
		--sysfs-root "$SYSFS_ROOT" --state-dir "$SIM/state" \
		2>"$SIM/agent.log" &
	AGENT=$!
	for _ in $(seq 250); do
		[ "$(xenstore-read /local/domain/0/pci-agent/state 2>/dev/null)" = running ] &&
			return 0
		sleep 0.02
	done
	echo "bench: the agent does not start:" >&2
	cat "$SIM/agent.log" >&2
	exit 1
}

# phase NAME ROUNDS: bench.py's part, in xl's mount namespace.
phase() {
	echo "bench: $1 ($2 rounds)" >&2
	"$BENCH/ns.sh" python3 "$BENCH/bench.py" run "$1" --n "$2" \
		--rows "$OUT/rows-$1.json" || {
		echo "bench: phase $1 failed; the agent's log:" >&2
		tail -n 20 "$SIM/agent.log" >&2
		exit 1
	}
}

mkdir -p "$OUT"
rm -f "$OUT"/rows-*.json "$OUT/results.json"

if want main; then
	host_up
	phase main "$N"
	host_down
fi

# what the agent spends: CPU, idle system calls, RSS; no trace (its
# writes would be the host's cost, not the agent's)
if want cost; then
	host_up --no-trace
	BENCH_AGENT_PID=$AGENT BENCH_RSS_REQUESTS=${RSS_REQUESTS:-$([ "$SCALE" = 1 ] && echo 10000 || echo 1000)} \
		phase cost "$N"
	host_down
fi

if [ "$SCALE" = 1 ]; then
	if want single-1; then
		host_up --inventory "$BENCH/scale.inv"
		phase single-1 "$N"
		host_down
	fi
	# the same host with its 256 VFs hidden at boot (xen-pciback.hide)
	if want single-256; then
		inv=$(mktemp /tmp/xpa-bench-inv.XXXXXX)
		sed 's/ iavf pf=/ pciback pf=/' "$BENCH/scale.inv" >"$inv"
		host_up --inventory "$inv"
		rm -f "$inv"
		phase single-256 "$N"
		host_down
	fi
	# hundreds of thousands of requests: no trace, no counts
	if want batch; then
		host_up --inventory "$BENCH/scale.inv" --no-trace
		phase batch "$SCALE_ROUNDS"
		host_down
	fi
	# 256 VFs to 64 PV guests, 4 each (bench.py's FIRST_GUEST, GUESTS)
	if want guests; then
		host_up --inventory "$BENCH/scale.inv" --no-trace
		for d in $(seq 10 73); do
			"$BIN/simhost" domain create "$d" --name "g$d" \
				>/dev/null || exit 1
		done
		phase guests "$SCALE_ROUNDS"
		host_down
	fi
fi

if [ "$REALXEN" = 1 ] && want realxen; then
	echo "bench: realxen (${REALXEN_N:-5} rounds)" >&2
	BUILD=$BUILD "$BENCH/realxen.sh" "$OUT" "${REALXEN_N:-5}" >&2 || {
		echo "bench: phase realxen failed" >&2
		exit 1
	}
fi

python3 "$BENCH/bench.py" report --out "$OUT/results.json" "$OUT"/rows-*.json ||
	exit 1
echo "(results: $OUT/results.json)"
