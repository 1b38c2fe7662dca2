#!/usr/bin/env bash
# The "a guest owns this device" check before assignable-remove, with
# Xen 4.17's answers (the simulated hypervisor mirrors domctl.c and
# pci.c): xc_test_assign_device(DOMID_IO) is ESRCH whoever owns the
# device (do_domctl() looks dom_io up as an ordinary domain), so it
# cannot tell anything; DOMID_INVALID ("no domain") is what works: 0
# while dom0 or dom_io has it, EINVAL once a guest does.  The agent asks
# that, and a device a guest holds is never unbound from pciback: not
# with rebind, not with force=1, not when libxl does not know the guest.
. "$(dirname "$0")/attach-lib.sh"

xc() { LD_PRELOAD=$SIMXEN_PRELOAD "$BIN/xctest" "$@"; }
# never_unbound BDF: no unbind from pciback in the sysfs log since mark
never_unbound() { ! sl_has_re "^unbind $1 pciback\$"; }

host_up --inventory "$ATTACH_INV"
agent_up
make_assignable $A $B
guest 5
guest 7

# --- what Xen 4.17 answers
is "test_assign(DOMID_IO), quarantined device: ESRCH" "$(xc test-assign io $A)" ESRCH
is "test_assign(DOMID_INVALID), quarantined device: 0" \
	"$(xc test-assign invalid $A)" 0
attach_ok "07:00.0 to guest 5" q1 5 07:00.0
is "test_assign(DOMID_IO), guest's device: still ESRCH" \
	"$(xc test-assign io $A)" ESRCH
is "test_assign(DOMID_INVALID), guest's device: EINVAL" \
	"$(xc test-assign invalid $A)" EINVAL
is "test_assign(guest 7), guest 5's device: EINVAL" \
	"$(xc test-assign 7 $A)" EINVAL
is "test_assign(DOMID_INVALID), a device on its dom0 driver: 0" \
	"$(xc test-assign invalid $C)" 0

# --- libxl knows the guest: remove refused, also forced
mark
run_err "remove 07:00.0 while guest 5 has it" EBUSY q2 assignable-remove \
	spec=07:00.0 rebind=1
like "q2: says which domain" "$ERRMSG" "assigned to domain 5: detach it first"
run_err "... with force=1: Xen's word still refuses" EBUSY q3 \
	assignable-remove spec=07:00.0 force=1
like "q3: Xen has it for a guest" "$ERRMSG" "Xen has it assigned to a guest"
is "07:00.0 still on pciback" "$(drv $A)" pciback
check "07:00.0 never unbound from pciback" never_unbound $A
is "07:00.0 still guest 5's" "$(owner $A)" 5
like "07:00.0 still in guest 5's view" "$(view 5)" "<- $A"

# --- a guest libxl does not know (another toolstack assigned it)
printf '%s\n' 7 >"$SIMXEN_DIR/pci/$(sbdf_hex $B)"
mark
run_err "remove 07:00.1, held by guest 7 unknown to libxl" EBUSY q4 \
	assignable-remove spec=07:00.1
like "q4: Xen has it for a guest" "$ERRMSG" \
	"^$B: Xen has it assigned to a guest: detach it first"
run_err "... remove -r" EBUSY q5 assignable-remove spec=07:00.1 rebind=1
run_err "... remove force=1" EBUSY q6 assignable-remove spec=07:00.1 force=1
run_err "... 07:00.* (07:00.0 is guest 5's too)" EBUSY q7 \
	assignable-remove 'spec=07:00.*' rebind=1
is "07:00.1 still on pciback" "$(drv $B)" pciback
check "07:00.1 never unbound from pciback" never_unbound $B
check "07:00.1 keeps its pciback slot" has_slot $B
is "guest 7 still owns it" "$(owner $B)" 7

# --- once the guests let go
printf '%s\n' $DOMID_IO >"$SIMXEN_DIR/pci/$(sbdf_hex $B)"
run_ok "remove -r 07:00.1 once guest 7 let go" q8 assignable-remove \
	spec=07:00.1 rebind=1
is "07:00.1 back on igb" "$(drv $B)" igb
check "... the log check above can fail: this remove unbound it" \
	bash -c "grep -q 'unbind $B pciback' '$SIMLOG'"
detach_ok "detach 07:00.0" q9 5 07:00.0
is "07:00.0 back in quarantine" "$(owner $A)" $DOMID_IO
run_ok "remove -r 07:00.0" q10 assignable-remove spec=07:00.0 rebind=1
is "07:00.0 back on igb" "$(drv $A)" igb
is "07:00.0 back with dom0" "$(owner $A)" none
agent_done
t_done
