#!/usr/bin/env bash
# HVM attach and detach when something refuses: QEMU (a slot in use, a
# duplicate id, an error half way through a request of several devices),
# Xen (an assign failure is fatal for HVM, even ENOSYS, which the PV path
# tolerates: libxl pci_add_dm_done()), a guest that never lets go (timeout,
# then force), a QEMU that dies during a detach.  All or nothing: every
# failed request leaves the devices assignable, out of QEMU and of libxl's
# records.
. "$(dirname "$0")/hvm-lib.sh"

host_up --inventory "$ATTACH_INV"
hvm_agent_up
make_assignable $A $B $C $D $E
hvm_guest 9
QMP=$QMP_DIR/qmp-libxl-9
# qmp ITEM...: one QMP session as xl would have it (qmpc).
qmp() { qmpc -t 20 "$QMP" '{"execute":"qmp_capabilities"}' "$@"; }

# --- QEMU refuses a slot in use ----------------------------------------------
mark
run_err "07:00.0@3: slot 3 is the AHCI's" EIO s1 attach domid=9 spec=07:00.0@3
like "s1: QEMU's words" "$ERRMSG" 'slot 3 function 0 not available'
error_names "s1" s1 '07:00\.0'
assert_nothing_for "s1" 9 $A
check "s1: QEMU does not have it" qemu_lacks 9 $A
is "s1: Xen took it back (deassign after the assign)" \
	"$(hc_count_re "deassign_device dom=9 sbdf=$A .*rc=0")" 1

# --- QEMU refuses a duplicate id ---------------------------------------------
# xl (here qmpc) put 08:00.0 in QEMU under 07:00.1's id: libxl's id for
# 07:00.1 is taken by another host device.  The agent must neither take
# that device for 07:00.1 (query-pci shows other vendor/device ids) nor
# ever device_del it: QEMU refuses the agent's device_add, all goes back.
attach_ok "08:00.0 into dom 9" d0 9 08:00.0
qmp '{"execute":"device_del","arguments":{"id":"pci-pt-08_00.0"}}' \
	wait:DEVICE_DELETED >/dev/null
qmp '{"execute":"device_add","arguments":{"driver":"xen-pci-passthrough","id":"pci-pt-07_00.1","hostaddr":"0000:08:00.0"}}' >/dev/null
check "d0: QEMU has 08:00.0 as pci-pt-07_00.1" \
	eval "qemu_line 9 $C | grep -q 'id=pci-pt-07_00.1'"
mark
qmark 9
run_err "07:00.1 while its id is taken" EIO d1 attach domid=9 spec=07:00.1
like "d1: QEMU's words" "$ERRMSG" "Duplicate device ID 'pci-pt-07_00.1'"
is "d1: 07:00.1 still assignable" "$(dev_state $B)" assignable
check "d1: no /libxl/pci domid for 07:00.1" libxl_domid_absent $B
check "d1: the hypervisor took 07:00.1 back" owner_released $B
check "d1: not in libxl's backend record" eval "! be_index 9 $B >/dev/null"
check "d1: xl's device was left alone" \
	eval "qemu_line 9 $C | grep -q 'id=pci-pt-07_00.1'"
is "d1: the agent sent no device_del" \
	"$(sent_since 9 | grep -c '"execute":"device_del"')" 0
is "d1: 08:00.0 still attached" "$(dev_field $C state)" attached
qmp '{"execute":"device_del","arguments":{"id":"pci-pt-07_00.1"}}' \
	wait:DEVICE_DELETED >/dev/null
# QEMU no longer has 08:00.0 (xl took it out): the detach finds it gone
# and releases it.
detach_ok "08:00.0 out after xl took it out of QEMU" d2 9 08:00.0
assert_hvm_released "d2" $C 9
assert_no_backend "d2" 9

# --- all or nothing: QEMU refuses the third of three devices ---------------
mark
qmark 9
run_err "spec-0..2, spec-2 into slot 3" EIO m1 attach domid=9 spec-0=07:00.0 \
	spec-1=08:00.0 spec-2=09:00.0@3
like "m1: QEMU's words" "$ERRMSG" 'slot 3 function 0 not available'
for bdf in $A $C $D; do
	assert_nothing_for "m1: $bdf" 9 $bdf
	check "m1: QEMU does not have $bdf" qemu_lacks 9 $bdf
done
is "m1: the two that were in QEMU were taken out (device_del)" \
	"$(sent_since 9 | grep -c '"execute":"device_del"')" 2
is "m1: nothing left in QEMU's transcript state" \
	"$(simhost qmp 9 status | grep -c ' 0000:')" 0

# --- an assign failure is fatal for an HVM guest, even ENOSYS ----------------
mark
qmark 9
simhost fault xen xc_assign_device ENOSYS
run_err "xc_assign_device fails with ENOSYS" ENOSYS x1 attach domid=9 \
	spec=07:00.0
simhost fault clear
assert_nothing_for "x1" 9 $A
is "x1: QEMU was never asked" "$(sent_since 9 | grep -c device_add)" 0

# --- a guest that never lets go: ETIMEDOUT, then force -----------------------
attach_ok "08:00.0 into dom 9" h0 9 08:00.0
simhost qmp 9 never-release >/dev/null
mark
run_err "08:00.0 out of a guest that keeps it, timeout=2" ETIMEDOUT h1 \
	detach domid=9 spec=08:00.0 timeout=2
like "h1: the message says the guest did not release it" "$ERRMSG" \
	'did not release'
like "h1: and how to go on" "$ERRMSG" 'force=1'
is "h1: still attached" "$(dev_field $C state)" attached
is "h1: the hypervisor still gives it to dom 9" "$(owner $C)" 9
check "h1: still in libxl's record" be_index 9 $C
run_ok "08:00.0 out with force=1, timeout=2" h2 detach domid=9 spec=08:00.0 \
	timeout=2 force=1
assert_released "h2" $C
check "h2: not in libxl's record" eval "! be_index 9 $C >/dev/null"
is "h2: deassigned although QEMU still has it" "$(owner $C)" $DOMID_IO

# --- QEMU dies during a detach ------------------------------------------------
attach_ok "09:00.0 into dom 9" q0 9 09:00.0
mark
req q1 detach domid=9 spec=09:00.0 timeout=20
wait_until 20 eval "sent 9 | grep -q '\"device_del\",\"arguments\":{\"id\":\"pci-pt-09_00.0\"}'"
simhost qmp 9 die >/dev/null
is "q1: the detach ends ok: a dead QEMU holds no bus" "$(wait_final q1 30)" ok
assert_released "q1" $D
check "q1: not in libxl's record" eval "! be_index 9 $D >/dev/null"
# QEMU is gone: an attach says so.
run_err "0a:00.0 into dom 9 without its QEMU" ECONNREFUSED q2 attach domid=9 \
	spec=0a:00.0
assert_nothing_for "q2" 9 $E
