#!/usr/bin/env bash
# xenstored dies under the agent (issue 12, 1).  The agent notices at
# once, idle or busy, without polling (its second connection's hang-up),
# logs it and exits 1, the documented "lost xenstore" status; a
# supervisor restarts it on the restarted xenstored, which serves the
# requests written there, and what was in flight is undone as after
# kill -9.  Runs under either xenstored (XENPCI_XENSTORED).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"

sim_up

# agent_exited: the agent exited by itself (bounded wait); its status
# in ST ("running" if it did not).
agent_exited() {
	ST=running
	wait_until 20 bash -c "! kill -0 $AGENT_PID 2>/dev/null" || return
	wait "$AGENT_PID"
	ST=$?
}

xenstored_restart() {
	simhost xenstored start && wait_until 10 xs_exists /local/domain/0
}

# --- idle
agent_start || exit 1
run_ok "served before" a1 assignable-add spec=07:00.0
simhost xenstored kill
agent_exited
is "idle: the agent exits 1 (lost xenstore) when xenstored dies" "$ST" 1
check "idle: it logs that xenstore is lost" \
	grep -q "xenstore lost: xenstored closed" "$AGENT_LOG"
AGENT_PID=
check "xenstored restarts" xenstored_restart
# A request written to the new xenstored before the agent is back.
req b1 assignable-remove spec=07:00.0 rebind=1
agent_start || exit 1
is "the restarted agent serves what was written meanwhile" \
	"$(wait_final b1)" ok
is "07:00.0 back on igb" "$(drv 0000:07:00.0)" igb
run_ok "and new requests" b2 assignable-add spec=07:00.1

# --- busy: a request in flight, stuck in an unbind
fault bus/pci/drivers/igb/unbind OK delay_ms=3000
req c1 assignable-add spec=07:00.0
check "busy: the add is in flight (intent record)" \
	wait_until 10 bash -c "ls $STATE/intent | grep -q ."
simhost xenstored kill
agent_exited
is "busy: the agent exits 1 when xenstored dies" "$ST" 1
check "busy: it logs that xenstore is lost" \
	grep -q "xenstore lost" "$AGENT_LOG"
AGENT_PID=
fault_clear
check "xenstored restarts" xenstored_restart
req d1 assignable-list
agent_start || exit 1
is "the restarted agent serves the new xenstored" "$(wait_final d1)" ok
check "the interrupted add was undone: no intent left" no_intents
is "07:00.0 is on igb again" "$(drv 0000:07:00.0)" igb
run_ok "and 07:00.0 can be added again" d2 assignable-add spec=07:00.0
agent_done
t_done
