#!/usr/bin/env bash
# A guest dies with devices attached: the agent notices (@releaseDomain,
# which carries no domid), revokes, deassigns, resets, removes the stale
# backend libxl can leave behind, and the devices stay assignable with
# R/devices saying so; other guests are not touched.  The same at
# start-up for guests that died while the agent was down.  An agent
# restarted with devices attached picks them up and serves detach.  A
# guest destroyed while an attach is in flight.
. "$(dirname "$0")/attach-lib.sh"

host_up --inventory "$ATTACH_INV"
agent_up
check_attach_features
make_assignable $A $B $C $D $E
guest 5
guest 6

run_ok "07:00.0 and 07:00.1 into dom 5" a1 attach domid=5 spec-0=07:00.0 \
	spec-1=07:00.1
attach_ok "08:00.0 into dom 6" a2 6 08:00.0
check "a1: dom 5 backend Connected" wait_until 10 be_state 5 4
check "a2: dom 6 backend Connected" wait_until 10 be_state 6 4
assert_attached "a1 07:00.0" 5 $A 0000:00:00.00 0
g6=$(live_grants 6 all)

# --- destroy dom 5 ------------------------------------------------------------------
released() { [ "$(dev_state "$1")" = assignable ]; }
mark
simhost domain destroy 5
check "dom 5 destroyed: 07:00.0 assignable again (bounded wait)" \
	wait_until 10 released $A
check "dom 5 destroyed: 07:00.1 assignable again (bounded wait)" \
	wait_until 10 released $B
for x in $A $B; do
	assert_released "dom 5 died, $x" $x 5
	check "dom 5 died, $x: deassigned" \
		test "$(hc_count_re "^deassign_device dom=5 sbdf=$x ")" -ge 1
	check "dom 5 died, $x: reset" reset_by_agent $x
done
# The domain is gone, so Xen has dropped its permissions with it; the
# calls the agent makes (and their rc) are not checked, only that the
# hypervisor no longer gives the devices to dom 5.
check "dom 5 died: the stale backend is removed" wait_until 10 \
	xs_absent "$(be 5)"
assert_no_backend "dom 5 died" 5
assert_attached "dom 5 died: dom 6 keeps 08:00.0" 6 $C 0000:00:00.00 0
is "dom 5 died: no hypercall for dom 6" "$(hc_count_re ' dom=6 ')" 0
is "dom 5 died: dom 6 keeps its grants" "$(live_grants 6 all)" "$g6"
is "dom 5 died: dom 6's backend untouched" "$(xs_read $(be 6)/state)" 4
is "dom 5 died: the agent still serves" "$(xs_read $R/state)" running

# A new guest with the same domid gets a fresh backend.
guest 5
mark
attach_ok "07:00.0 into the new dom 5" a3 5 07:00.0
check "a3: backend Connected" wait_until 10 be_state 5 4
is "a3: a fresh backend with one device" "$(xs_read $(be 5)/num_devs)" 1
is "a3: exactly libxl's keys for one device" "$(be_keys 5)" "$(libxl_be_keys 1)"
assert_attached "a3" 5 $A 0000:00:00.00 0
check "a3: the new guest sees it" wait_until 10 view_is 5 "0000:00:00.0 <- $A"

# --- a guest dies while the agent is down ---------------------------------------------
agent_stop
mark
simhost domain destroy 6
check "dom 6 died, agent down: its stale backend is still there" \
	xs_exists "$(be 6)"
agent_up
check "agent restarted: 08:00.0 assignable again (bounded wait)" \
	wait_until 10 released $C
check "agent restarted: the stale backend of dom 6 is removed" \
	wait_until 10 xs_absent "$(be 6)"
assert_released "dom 6 died" $C 6
assert_no_backend "dom 6 died" 6
check "dom 6 died: deassigned" \
	test "$(hc_count_re "^deassign_device dom=6 sbdf=$C ")" -ge 1
check "dom 6 died: reset" reset_by_agent $C

# --- the restarted agent picked up dom 5's device and serves detach --------------------
assert_attached "agent restarted: dom 5 keeps 07:00.0" 5 $A 0000:00:00.00 0
is "agent restarted: nothing done for dom 5" "$(hc_count_re ' dom=5 ')" 0
mark
detach_ok "07:00.0 out of dom 5 after the restart" d1 5 07:00.0
assert_revoked "d1" $A 5
assert_released "d1" $A 5
assert_no_backend "d1" 5

# --- a guest destroyed while an attach is in flight --------------------------------------
guest 7
attach_ok "09:00.0 into dom 7" a4 7 09:00.0
check "a4: backend Connected" wait_until 10 be_state 7 4
simhost domain set 7 pcifront=hung
mark
req f1 attach domid=7 spec=0a:00.0 timeout=30
# The hot-plug transaction is in (num_devs 2, state 7) and the guest
# does not answer: the request is waiting for the handshake.
check "f1: the hot-plug is waiting for the guest" wait_until 10 \
	xs_is "$(be 7)/num_devs" 2
check "f1: no final status yet" eval '! is_final f1'
simhost domain destroy 7
st=$(wait_final f1 10)
is "f1: the attach fails well before its 30 s timeout" "$st" error
code_is_errno "f1" f1
diag "  f1: $(rq f1 error) ($(rq f1 code))"
check "f1: 0a:00.0 assignable" wait_until 10 released $E
check "f1: 09:00.0 assignable" wait_until 10 released $D
assert_released "f1: 0a:00.0" $E 7
assert_released "f1: 09:00.0" $D 7
check "f1: the backend of dom 7 is removed" wait_until 10 xs_absent "$(be 7)"
assert_no_backend "f1" 7
is "f1: the agent still serves" "$(xs_read $R/state)" running

# --- xl destroy: the toolstack cleans up before the domain goes ---------------------
# libxl__device_pci_destroy_all() removes the devices and the backend
# itself and clears /libxl/pci/<K>/domid; @releaseDomain then finds
# nothing to clean, but R/devices must stop saying "attached" (seen on
# real Xen: tests/realxen scen-death).
guest 8
attach_ok "0a:00.0 into dom 8" a5 8 0a:00.0
check "a5: backend Connected" wait_until 10 be_state 8 4
is "a5: R/devices says attached" "$(dev_state $E)" attached
xenstore-rm "/libxl/pci/$(key_of $E)/domid"
xenstore-rm "/local/domain/0/backend/pci/8/0"
xenstore-rm "/local/domain/0/backend/pci/8"
xenstore-rm "/local/domain/8/device/pci/0"
simhost domain destroy 8
check "xl destroy of dom 8: R/devices says assignable (bounded wait)" \
	wait_until 10 released $E
check "xl destroy of dom 8: no domid left in R/devices" \
	xs_absent "$R/devices/$(key_of $E)/domid"
is "xl destroy of dom 8: the agent still serves" "$(xs_read $R/state)" running

agent_done
t_done
