#!/usr/bin/env bash
# attach, the spec forms: a `*` spec attaches every function of the slot
# (all or nothing, unlike libxl 4.17 which attaches one), `seize=1`
# makes a device assignable first (remembering its driver as
# assignable-add does), and a request with several specs is all or
# nothing.
. "$(dirname "$0")/attach-lib.sh"

host_up --inventory "$ATTACH_INV"
agent_up
check_attach_features
guest 5
guest 6

# --- `*` with one function not assignable: nothing at all ------------------
make_assignable $A
mark
run_err "07:00.* while 07:00.1 is on igb" EPERM w0 attach domid=5 spec=07:00.*
error_names "w0" w0 '0000:07:00\.1|07:00\.1'
assert_released "w0: 07:00.0 untouched" $A 5
is "w0: 07:00.1 still on igb" "$(drv $B)" igb
assert_no_backend "w0" 5
is "w0: nothing granted to dom 5" "$(live_grants 5)" ""
no_grants_for "w0" $B 5

# --- `*`: every function, in function order ---------------------------------
make_assignable $B
mark
attach_ok "07:00.* into dom 5" w1 5 '0000:07:00.*'
# PROTOCOL.md: a `*` spec's result/vdev is its lowest function's vdev;
# the other functions share that virtual slot (checked below in vdev-N).
is "w1: result/vdev is the lowest function's" "$(rq w1 result/vdev)" \
	"0000:00:00.00"
check "w1: backend Connected (4)" wait_until 10 be_state 5 4
is "w1: num_devs" "$(xs_read $(be 5)/num_devs)" 2
is "w1: dev-0 is function 0" "$(xs_read $(be 5)/dev-0)" $A
is "w1: dev-1 is function 1" "$(xs_read $(be 5)/dev-1)" $B
assert_attached "w1 07:00.0" 5 $A 0000:00:00.00 0
assert_attached "w1 07:00.1" 5 $B 0000:00:00.01 0
assert_granted "w1 07:00.0" $A 5
assert_granted "w1 07:00.1" $B 5
is "w1: the guest holds the grants of both" "$(live_grants 5)" \
	"$(grants_of 5 $A $B)"
check "w1: the guest sees both functions in one slot" wait_until 10 view_is 5 \
	"0000:00:00.0 <- $A
0000:00:00.1 <- $B"

# --- seize=1: a device still on its driver ----------------------------------
is "08:00.0 starts on igb" "$(drv $C)" igb
mark
attach_ok "08:00.0,seize=1 into dom 6" s1 6 '08:00.0,seize=1'
is "s1: result/vdev" "$(rq s1 result/vdev)" 0000:00:00.00
is "s1: seized: bound to pciback" "$(drv $C)" pciback
check "s1: seized: has a pciback slot" has_slot $C
check "s1: seized: unbound from igb first" sl_has_re "^unbind $C igb\$"
is "s1: R/devices remembers the driver" "$(dev_driver $C)" igb
is "s1: libxl's driver_path, as assignable-add writes it" "$(libxl_path $C)" \
	/sys/bus/pci/drivers/igb
is "s1: remembered on disk" "$(disk_record $C)" /sys/bus/pci/drivers/igb
check "s1: backend Connected (4)" wait_until 10 be_state 6 4
assert_attached "s1" 6 $C 0000:00:00.00 0
assert_granted "s1" $C 6
check "s1: the guest sees it" wait_until 10 view_is 6 "0000:00:00.0 <- $C"

# seize=1 on a device that is assignable already: nothing to seize.
make_assignable $D
mark
attach_ok "09:00.0,seize=1 (already assignable) into dom 6" s2 6 '09:00.0,seize=1'
check "s2: no unbind/bind in sysfs for it" \
	eval "! sl_has_re '^(unbind|bind) $D '"
assert_attached "s2" 6 $D 0000:00:01.00 0

# --- several specs, one of them not assignable: nothing at all --------------
make_assignable $E
guest 7
mark
run_err "spec-0 assignable, spec-1 on e1000e" EPERM n1 attach domid=7 \
	spec-0=0a:00.0 spec-1=0b:00.0
error_names "n1" n1 '0000:0b:00\.0|0b:00\.0'
assert_released "n1: 0a:00.0 untouched" $E 7
is "n1: 0b:00.0 still on e1000e" "$(drv $F)" e1000e
is "n1: R/devices: 0b:00.0 absent" "$(dev_state $F)" absent
assert_no_backend "n1" 7
is "n1: nothing granted to dom 7" "$(live_grants 7)" ""
no_grants_for "n1" $E 7

# ... and with seize on the second spec, both go.
mark
run_ok "spec-1 with seize=1" n2 attach domid=7 spec-0=0a:00.0 \
	spec-1=0b:00.0,seize=1
is "n2: result/vdev-0" "$(rq n2 result/vdev-0)" 0000:00:00.00
is "n2: result/vdev-1" "$(rq n2 result/vdev-1)" 0000:00:01.00
assert_attached "n2 0a:00.0" 7 $E 0000:00:00.00 0
assert_attached "n2 0b:00.0" 7 $F 0000:00:01.00 0
is "n2: 0b:00.0 seized from e1000e" "$(dev_driver $F)" e1000e

agent_done
t_done
