#!/usr/bin/env bash
# xen-pci under valgrind (memcheck, full leak check, every leak kind an
# error): each exit path of the CLI, against the real agent on the
# simulated host, without a single valgrind error.
. "$(dirname "$0")/lib.sh"

if ! command -v valgrind >/dev/null; then
	ok "# SKIP valgrind is not installed"
	t_exit
	exit 0
fi
if nm "$BIN/xen-pci" 2>/dev/null | grep -q __asan_init; then
	# `make asan`: memcheck cannot run an ASan binary; ASan checks it.
	ok "# SKIP xen-pci is built with AddressSanitizer"
	t_exit
	exit 0
fi
sim_up
R=/local/domain/0/pci-agent
AGENT_PID=
trap '[ -n "$AGENT_PID" ] && kill -9 $AGENT_PID 2>/dev/null; sim_down; t_exit' EXIT
"$BIN/xen-pci-agent" --foreground --sysfs-root "$SYSFS_ROOT" \
	--state-dir "$SIM/state" >"$SIM/agent.log" 2>&1 &
AGENT_PID=$!
agent_serving() { [ "$(xs_read $R/state)" = running ]; }
check "the agent serves" wait_until 10 agent_serving

VG=(valgrind -q --leak-check=full --show-leak-kinds=all
    --errors-for-leak-kinds=all --error-exitcode=99 --log-file="$SIM/vg.%p")

# vg EXIT ARGS...: xen-pci ARGS exits EXIT under valgrind, no report.
vg() {
	local want=$1 rc
	shift
	rm -f "$SIM"/vg.*
	"${VG[@]}" "$BIN/xen-pci" "$@" >/dev/null 2>&1
	rc=$?
	is "valgrind xen-pci $*: exit $want" "$rc" "$want"
	if [ -n "$(cat "$SIM"/vg.* 2>/dev/null)" ]; then
		not_ok "valgrind xen-pci $*: no valgrind report"
		sed 's/^/# /' "$SIM"/vg.* | head -n 30
	else
		ok "valgrind xen-pci $*: no valgrind report"
	fi
}

vg 0 assignable-list
vg 0 assignable-add 07:00.0
vg 0 --json assignable-list
vg 1 assignable-add 77:00.0
vg 1 --json assignable-add 07:00.0,bogus=1
vg 0 list
vg 0 --json list 3
vg 0 assignable-remove -r 07:00.0
vg 1 attach 3 07:00.0 07:00.1
vg 2 frob
vg 2 attach x 07:00.0
vg 0 --help
kill -TERM $AGENT_PID
wait $AGENT_PID
AGENT_PID=
vg 3 assignable-list
vg 0 --json list
xenstore-write $R/state running
vg 3 --timeout 1 --json detach 3 07:00.0
XENSTORED_PATH=$SIM/nonexistent vg 4 assignable-list
