#!/usr/bin/env bash
# detach: the xenbus handshake with the guest (state-i = 5, backend 7,
# then 8 and 4), the device's keys removed and the later ones renumbered
# exactly as libxl does, the hypervisor's grants revoked and the device
# deassigned and reset, and left assignable; the last device removes the
# backend and the frontend.  Errors: not attached (ENOENT), a guest that
# does not answer (ETIMEDOUT), and force=1 which releases the device
# anyway.
. "$(dirname "$0")/attach-lib.sh"

host_up --inventory "$ATTACH_INV"
agent_up
check_attach_features
make_assignable $A $B $C $D $F
guest 5
guest 6

run_ok "three devices into dom 5" a1 attach domid=5 spec-0=07:00.0 \
	spec-1=08:00.0 spec-2=09:00.0
check "a1: backend Connected" wait_until 10 be_state 5 4
b=$(be 5)
is "a1: dev-1 is 08:00.0" "$(xs_read $b/dev-1)" $C
is "a1: dev-2 is 09:00.0" "$(xs_read $b/dev-2)" $D
check "a1: the guest sees the three" wait_until 10 view_is 5 \
	"0000:00:00.0 <- $A
0000:00:01.0 <- $C
0000:00:02.0 <- $D"
before=$(live_grants 5 all)
is "a1: the guest holds the grants of the three" "$before" \
	"$(grants_of 5 $A $C $D)"
# The values that move from index 2 to index 1.
opts2=$(xs_read $b/opts-2) vdev2=$(xs_read $b/vdev-2) key2=$(xs_read $b/key-2)

# --- detach the middle one ----------------------------------------------------------
mark
detach_ok "08:00.0 out of dom 5 (the middle one)" d1 5 08:00.0
check "d1: backend Connected again" wait_until 10 be_state 5 4
check "d1: the handshake: the guest removed the device" \
	pl_has "dom 5: PCI device 0000:00:01.0 removed ($C)"
check "d1: the handshake: pciback released it" \
	sl_has_re "^note pciback-release $C dom 5\$"
check "d1: the handshake: pciback went Reconfigured (8)" \
	pl_has "backend/pci/5/0: state Connected -> Reconfigured"
is "d1: num_devs" "$(xs_read $b/num_devs)" 2
is "d1: dev-0 unchanged" "$(xs_read $b/dev-0)" $A
is "d1: key-0 unchanged" "$(xs_read $b/key-0)" $A
is "d1: vdev-0 unchanged" "$(xs_read $b/vdev-0)" 0000:00:00.00
is "d1: state-0 unchanged" "$(xs_read $b/state-0)" 3
is "d1: dev-1 now holds the former dev-2" "$(xs_read $b/dev-1)" $D
is "d1: key-1 now holds the former key-2" "$(xs_read $b/key-1)" "$key2"
is "d1: vdev-1 now holds the former vdev-2" "$(xs_read $b/vdev-1)" "$vdev2"
is "d1: opts-1 now holds the former opts-2" "$(xs_read $b/opts-1)" "$opts2"
is "d1: state-1 is the former state-2 (3)" "$(xs_read $b/state-1)" 3
for k in dev-2 key-2 vdev-2 opts-2 state-2 vdevfn-2; do
	check "d1: no $k left" xs_absent "$b/$k"
done
is "d1: exactly libxl's keys for two devices" "$(be_keys 5)" "$(libxl_be_keys 2)"
assert_revoked "d1" $C 5
is "d1: 07:00.0 and 09:00.0 not deassigned" \
	"$(hc_count_re "^deassign_device dom=5 sbdf=($A|$D) ")" 0
while read -r l; do
	is "d1: not revoked: $l" "$(hc_count "$l")" 0
done < <(perm_lines $A 5 0; perm_lines $D 5 0)
is "d1: the guest keeps the grants of the other two" "$(live_grants 5 all)" \
	"$(grants_of 5 $A $D)"
check "d1: the device was reset" reset_by_agent $C
assert_released "d1" $C 5
check "d1: the guest sees the other two" wait_until 10 view_is 5 \
	"0000:00:00.0 <- $A
0000:00:02.0 <- $D"
assert_attached "d1: 07:00.0 stays" 5 $A 0000:00:00.00 0
assert_attached "d1: 09:00.0 stays" 5 $D 0000:00:02.00 0

# --- detach the first one: 09:00.0 moves to index 0 ---------------------------------
mark
detach_ok "07:00.0 out of dom 5 (index 0)" d2 5 07:00.0
check "d2: backend Connected again" wait_until 10 be_state 5 4
is "d2: num_devs" "$(xs_read $b/num_devs)" 1
is "d2: dev-0 is 09:00.0" "$(xs_read $b/dev-0)" $D
is "d2: vdev-0 is 09:00.0's" "$(xs_read $b/vdev-0)" 0000:00:02.00
is "d2: exactly libxl's keys for one device" "$(be_keys 5)" "$(libxl_be_keys 1)"
assert_revoked "d2" $A 5
check "d2: the device was reset" reset_by_agent $A
assert_released "d2" $A 5
assert_attached "d2: 09:00.0 stays" 5 $D 0000:00:02.00 0

# --- not attached: ENOENT, nothing happens -----------------------------------------
mark
run_err "07:00.0 is not attached to dom 5" ENOENT n1 detach domid=5 spec=07:00.0
error_names "n1" n1 '07:00\.0'
is "n1: no hypercall" "$(hc_count_re ' dom=5 ')" 0
is "n1: no sysfs write" "$(sl_since | grep -c ' write ')" 0
assert_attached "n1: 09:00.0 untouched" 5 $D 0000:00:02.00 0
run_err "bad spec" EINVAL n2 detach domid=5 spec=09:zz.0
run_err "domid missing" EINVAL n3 detach spec=09:00.0
run_err "no such guest" ESRCH n4 detach domid=9 spec=09:00.0
assert_attached "n2..n4: 09:00.0 untouched" 5 $D 0000:00:02.00 0

# --- the last device: backend and frontend go --------------------------------------
mark
detach_ok "09:00.0 out of dom 5 (the last)" d3 5 09:00.0
assert_no_backend "d3" 5
assert_revoked "d3" $D 5
check "d3: the device was reset" reset_by_agent $D
assert_released "d3" $D 5
is "d3: dom 5 holds nothing" "$(live_grants 5 all)" ""
check "d3: the guest's bus is empty" wait_until 10 view_is 5 ""

# --- a device attached to another guest -------------------------------------------
attach_ok "07:00.0 into dom 6" a2 6 07:00.0
check "a2: backend Connected" wait_until 10 be_state 6 4
mark
# Assumption: "not attached to this guest" is ENOENT too.
run_err "07:00.0 out of dom 5 while dom 6 has it" ENOENT n5 detach domid=5 \
	spec=07:00.0
assert_attached "n5: dom 6 keeps it" 6 $A 0000:00:00.00 0
is "n5: no hypercall" "$(hc_count_re ' dom=(5|6) ')" 0

# --- a hung guest: ETIMEDOUT; with force=1 released anyway -------------------------
simhost domain set 6 pcifront=hung
mark
t_start=$(ms_now)
run_err "07:00.0 out of hung dom 6, timeout=2" ETIMEDOUT h1 detach domid=6 \
	spec=07:00.0 timeout=2
t_ms=$(($(ms_now) - t_start))
check "h1: not before the 2 s timeout (${t_ms} ms)" test $t_ms -ge 1900
error_names "h1" h1 '07:00\.0'
# Assumption: a detach that timed out leaves the device with the guest:
# nothing revoked, still published as attached.
is "h1: R/devices still attached" "$(dev_field $A state)" attached
is "h1: still the guest's in the hypervisor" "$(owner $A)" 6
is "h1: /libxl/pci domid kept" "$(libxl_domid $A)" 6
is "h1: not deassigned" "$(hc_count_re '^deassign_device ')" 0
is "h1: the guest keeps its grants" "$(live_grants 6 all)" "$(grants_of 6 $A)"
check "h1: not reset" eval "! reset_by_agent $A"

mark
run_ok "07:00.0 out of hung dom 6, force=1" f1 detach domid=6 spec=07:00.0 \
	force=1 timeout=2
assert_revoked "f1" $A 6
check "f1: the device was reset" reset_by_agent $A
# (no DOMID: the hung guest never processes the removal, its view is stale)
assert_released "f1" $A
assert_no_backend "f1 (it was the last)" 6
is "f1: dom 6 holds nothing" "$(live_grants 6 all)" ""

# --- a device without any reset method -------------------------------------------
# Assumption: the missing reset is reported (agent log) but the detach
# succeeds and the device is assignable, as libxl only logs it.
simhost domain set 6 pcifront=1
attach_ok "0b:00.0 (no reset method) into dom 5" a3 5 0b:00.0
check "a3: backend Connected" wait_until 10 be_state 5 4
mark
detach_ok "0b:00.0 out of dom 5" d4 5 0b:00.0
assert_revoked "d4" $F 5
assert_released "d4" $F 5
assert_no_backend "d4" 5
# (log lines look like "... warning: 0000:0b:00.0: ..."; assumption: the
# report is a warning or an error naming the device and the reset)
check "d4: the agent reports that it could not reset" \
	grep -qiE "(warning|error|err|warn|notice): $F: .*reset" "$AGENT_LOG"

# --- the devices can be given back to their driver afterwards ------------------------
run_ok "assignable-remove -r 07:00.0 after all this" r1 assignable-remove \
	spec=07:00.0 rebind=1
is "r1: 07:00.0 back on igb" "$(drv $A)" igb
is "r1: not published" "$(dev_state $A)" absent

agent_done
t_done
