#!/usr/bin/env bash
# xenstored killed and restarted under the agent, idle and busy, with
# the agent run as its systemd unit (dist/xen-pci-agent.service) runs
# it: tests/sim/supervise applies the unit's restart policy as systemd
# does.  The agent exits 1 (lost xenstore) as soon as xenstored dies;
# while xenstored is away each restart exits 1 again (no xenstore); once
# xenstored is back, a restart serves what was written to it, and what
# was in flight is undone.  xenstored stays away longer than systemd's
# default start limit allows (5 starts in 10 s with RestartSec=100ms),
# as a real restart of xenstored does.  Runs under either xenstored
# (XENPCI_XENSTORED).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"

UNIT=$TOP/dist/xen-pci-agent.service
sim_up
SUPLOG=$SIM/supervise.log
STATE=$SIM/state
AGENT_LOG=$SIM/agent.log
PROC_ROOT=${SIMSYSFS_CTL%/sim}/proc
# ExecStart, with the simulated host's paths.
LD_PRELOAD=$SIMXEN_PRELOAD "$TOP/tests/sim/supervise" "$UNIT" "$SUPLOG" -- \
	"$BIN/xen-pci-agent" --foreground --sysfs-root "$SYSFS_ROOT" \
	--proc-root "$PROC_ROOT" --state-dir "$STATE" --log-level debug \
	>>"$AGENT_LOG" 2>&1 &
SUP=$!
trap 'kill -TERM $SUP 2>/dev/null; wait $SUP; sim_down; t_exit' EXIT

last_start() { sed -n 's/^start //p' "$SUPLOG" | tail -n 1; }
starts() { grep -c '^start ' "$SUPLOG"; }
serving() {
	[ "$(xs_read $R/state)" = running ] &&
		[ "$(xs_read $R/pid)" = "$(last_start)" ] && pid_alive "$(last_start)"
}
xenstored_restart() {
	simhost xenstored start && wait_until 10 xs_exists /local/domain/0
}
# away SECONDS: xenstored dies and stays away that long.
away() {
	simhost xenstored kill
	sleep "$1"
}

check "the supervised agent serves" wait_until 20 serving
diag "$(head -n 1 "$SUPLOG")"
p1=$(last_start)
run_ok "served before" a1 assignable-add spec=07:00.0

# --- idle
away 3
check "idle: the agent exited 1 (lost xenstore)" grep -qx "exit $p1 1" "$SUPLOG"
check "idle: it logged why" grep -q "xenstore lost" "$AGENT_LOG"
check "idle: the supervisor did not give up while xenstored was away" \
	eval "! grep -q start-limit-hit $SUPLOG"
check "xenstored restarts" xenstored_restart
req b1 assignable-remove spec=07:00.0 rebind=1
is "idle: the restarted agent serves what was written meanwhile" \
	"$(wait_final b1 30)" ok
check "idle: the agent is a new one" eval "[ \"\$(last_start)\" != $p1 ]"
is "07:00.0 back on igb" "$(drv 0000:07:00.0)" igb
run_ok "and new requests" b2 assignable-add spec=07:00.1

# --- busy: a request in flight, stuck in an unbind
p2=$(last_start)
n=$(starts)
fault bus/pci/drivers/igb/unbind OK delay_ms=3000
req c1 assignable-add spec=07:00.0
check "busy: the add is in flight (intent record)" \
	wait_until 10 bash -c "ls $STATE/intent | grep -q ."
away 3
check "busy: the agent exited 1 (lost xenstore)" grep -qx "exit $p2 1" "$SUPLOG"
check "busy: the supervisor did not give up" \
	eval "! grep -q start-limit-hit $SUPLOG"
fault_clear
check "xenstored restarts" xenstored_restart
req d1 assignable-list
is "busy: the restarted agent serves the new xenstored" \
	"$(wait_final d1 30)" ok
check "busy: the interrupted add was undone: no intent left" \
	wait_until 10 no_intents
is "07:00.0 is on igb again" "$(drv 0000:07:00.0)" igb
run_ok "and 07:00.0 can be added again" d2 assignable-add spec=07:00.0
diag "$(starts) starts in all; $(grep -c '^exit .* 1$' "$SUPLOG") exits with 1"

kill -TERM $SUP
wait $SUP
check "systemctl stop: the agent stopped with SIGTERM, exit 0" \
	grep -qx "stop 0" "$SUPLOG"
trap 'sim_down; t_exit' EXIT
t_done
