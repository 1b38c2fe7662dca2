# shellcheck shell=bash
# Helpers for tests/t-sim-qmp-*.sh: a simulated host with an HVM guest
# whose QMP peer (simqmp) is driven with qmpc.  SIMQMP_VALGRIND=1 runs
# every peer under valgrind (t-sim-qmp-valgrind): qmp_done then checks
# that each peer's valgrind log is empty.
#
# shellcheck disable=SC1091
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/lib.sh"
export SIMQMP_VALGRIND=${SIMQMP_VALGRIND:-0}

CAPS='{"execute": "qmp_capabilities"}'
QPCI='{"execute": "query-pci"}'

# hvm DOMID [create options]: an HVM guest with its QMP peer
hvm() {
	local d=$1
	shift
	if ! simhost domain create "$d" --hvm "$@"; then
		not_ok "simhost domain create $d --hvm $*"
		exit 1
	fi
}

sock() { echo "$XEN_RUN_DIR/qmp-libxl-$1"; }

# q DOMID ITEM...: one connection, capabilities negotiated, the items run
q() {
	local d=$1
	shift
	qmpc -t 60 "$(sock "$d")" "$CAPS" "$@"
}

# last_line DOMID ITEM...: the line that answered the last item
last_line() { q "$@" | tail -n 1; }

# dev_add DOMID ID HOSTADDR [more JSON members]: device_add as libxl sends it
dev_add_json() {
	local id=$1 host=$2 more=${3:-}
	echo "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"xen-pci-passthrough\", \"id\": \"$id\", \"hostaddr\": \"$host\"$more}, \"id\": 1}"
}
dev_del_json() {
	echo "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"$1\"}, \"id\": 2}"
}

# slots DOMID: "SS.F qdev_id" for each device query-pci shows
slots() {
	last_line "$1" "$QPCI" | python3 -c '
import json, sys
r = json.load(sys.stdin)["return"]
for b in r:
    for d in b["devices"]:
        print("%02x.%x %s" % (d["slot"], d["function"], d["qdev_id"]))'
}

qstatus() { simhost qmp "$1" status; }

# The peers' valgrind logs: empty when clean (valgrind -q).
qmp_valgrind_check() {
	local f n=0
	[ "$SIMQMP_VALGRIND" = 1 ] || return 0
	for f in "$SIM"/run/qmp-*.valgrind; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		if [ -s "$f" ]; then
			not_ok "valgrind clean: $(basename "$f")"
			sed 's/^/#   /' "$f" | head -n 40
		else
			ok "valgrind clean: $(basename "$f")"
		fi
	done
	[ $n -gt 0 ] || not_ok "the peers ran under valgrind (no log)"
}

# qmp_done DOMID...: destroy the guests (their peers exit), check
# valgrind, take the host down
qmp_done() {
	local d
	for d in "$@"; do
		simhost domain destroy "$d" || not_ok "destroy $d"
	done
	qmp_valgrind_check
	t_done
}
