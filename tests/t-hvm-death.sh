#!/usr/bin/env bash
# An HVM guest dies with devices attached (xl destroy, a crash: its QEMU
# goes with it): the agent revokes, deassigns, resets and removes
# libxl's records as for a PV guest, without asking the dead QEMU; other
# guests keep theirs.  The same for a guest that died while the agent
# was down.  A restarted agent picks up attached HVM devices and
# detaches them through QMP.
. "$(dirname "$0")/hvm-lib.sh"

host_up --inventory "$ATTACH_INV"
hvm_agent_up
make_assignable $A $B $C $D
hvm_guest 9
hvm_guest 10
guest 5

run_ok "07:00.0 and 07:00.1 into HVM dom 9" a1 attach domid=9 spec-0=07:00.0 \
	spec-1=07:00.1
attach_ok "08:00.0 into HVM dom 10" a2 10 08:00.0
attach_ok "09:00.0 into PV dom 5" a3 5 09:00.0
assert_hvm_attached "a1: 07:00.0" 9 $A 04.0 0
assert_hvm_attached "a1: 07:00.1" 9 $B 05.0 0

released() { [ "$(dev_state "$1")" = assignable ]; }
mark
qmark 10
simhost domain destroy 9
for x in $A $B; do
	check "dom 9 destroyed: $x assignable again (bounded wait)" \
		wait_until 10 released $x
	assert_released "dom 9 died, $x" $x
	check "dom 9 died, $x: deassigned" \
		test "$(hc_count_re "^deassign_device dom=9 sbdf=$x ")" -ge 1
	check "dom 9 died, $x: reset" reset_by_agent $x
done
check "dom 9 died: libxl's backend record is removed" wait_until 10 \
	xs_absent "$(be 9)"
assert_no_backend "dom 9 died" 9
assert_hvm_attached "dom 9 died: dom 10 keeps 08:00.0" 10 $C 04.0 0
is "dom 9 died: no hypercall for dom 10" "$(hc_count_re ' dom=10 ')" 0
is "dom 9 died: dom 5 keeps 09:00.0" "$(dev_field $D domid)" 5

# --- a guest that dies while the agent is down --------------------------------
agent_stop
simhost domain destroy 10
mark
hvm_agent_up
check "dom 10 died while the agent was down: 08:00.0 assignable (bounded wait)" \
	wait_until 10 released $C
assert_released "dom 10 died" $C
assert_no_backend "dom 10 died" 10

# --- a restarted agent detaches what it attached ---------------------------
hvm_guest 11
attach_ok "07:00.0 into HVM dom 11" r1 11 07:00.0
agent_kill9
hvm_agent_up
assert_hvm_attached "r1: after a kill -9 and restart" 11 $A 04.0 0
detach_ok "07:00.0 out of dom 11 by the new agent" r2 11 07:00.0
assert_hvm_released "r2" $A 11
assert_no_backend "r2" 11
