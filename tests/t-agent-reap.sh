#!/usr/bin/env bash
# Reaping and deadlines are separate timers: a request abandoned on its
# timeout whose step outlives the reap interval is still reaped, and the
# late end of its step changes nothing in xenstore.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"

sim_up
export XEN_PCI_AGENT_REAP_SECONDS=1
agent_start || exit 1
A=0000:07:00.0
PB=bus/pci/drivers/pciback

# --- timeout=1, reap after 1 s, the bind held for 4 s
fault $PB/bind OK delay_ms=4000
req ab1 assignable-add spec=07:00.0 timeout=1
is "ab1 times out" "$(wait_final ab1)" error
is "ab1 code ETIMEDOUT" "$(xs_read $R/requests/ab1/code)" ETIMEDOUT
check "ab1 is reaped while its bind is still held" \
	wait_until 3 bash -c "! xenstore-exists $R/requests/ab1 2>/dev/null"
check "the add is undone once the bind returns" \
	wait_until 10 agent_log_has 'undo: restored to driver igb'
is "07:00.0 back on igb" "$(drv $A)" igb
check "no event was ignored" bash -c "! grep -q 'ignored in state' $AGENT_LOG"
check "nothing impossible happened" \
	bash -c "! grep -q 'impossible' $AGENT_LOG"
run_ok "barrier" ab2 assignable-list
check "the late end of ab1 wrote nothing back" \
	bash -c "! xenstore-exists $R/requests/ab1 2>/dev/null"
fault_clear

# --- the same ID written again while the old step still runs is new
fault $PB/bind OK delay_ms=3000
req ab3 assignable-add spec=07:00.0 timeout=1
is "ab3 times out" "$(wait_final ab3)" error
check "ab3 is reaped" \
	wait_until 3 bash -c "! xenstore-exists $R/requests/ab3 2>/dev/null"
req ab3 assignable-list
is "ab3 written again: a new request, answered" "$(wait_final ab3)" ok
check "the old ab3's undo still runs" \
	wait_until 10 bash -c "[ \$(grep -c 'undo: restored to driver igb' $AGENT_LOG) -ge 2 ]"
fault_clear
run_ok "07:00.0 is usable again" ab4 assignable-add spec=07:00.0
run_ok "and back" ab5 assignable-remove spec=07:00.0 rebind=1

agent_done
t_done
