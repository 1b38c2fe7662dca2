#!/usr/bin/env bash
# attach, the errors: each refused request says what and why (a message
# naming the device or the domain, an errno name in `code`) and leaves
# nothing behind; a request that fails half-way (a hypercall fault,
# pciback's fatal error, a guest whose pcifront never answers, a guest
# created without passthrough) is rolled back completely.
. "$(dirname "$0")/attach-lib.sh"

host_up --inventory "$ATTACH_INV"
agent_up
check_attach_features
make_assignable $A $B $E $F
guest 5
guest 6

# nothing_done DESC DOMID: no backend, no grants for DOMID, 07:00.0 and
# 07:00.1 untouched.
nothing_done() {
	assert_no_backend "$1" "$2"
	is "$1: no hypercall for dom $2" "$(hc_count_re " dom=$2 ")" 0
	is "$1: 07:00.0 still assignable" "$(dev_state $A)" assignable
	check "$1: no /libxl/pci domid for 07:00.0" libxl_domid_absent $A
}

# --- refused before any work -------------------------------------------------
mark
run_err "guest 9 does not exist" ESRCH e1 attach domid=9 spec=07:00.0
error_names "e1" e1 '07:00\.0' '(^|[^0-9])9([^0-9]|$)'
nothing_done "e1" 9

mark
run_err "08:00.0 is not on pciback (no seize)" EPERM e2 attach domid=5 spec=08:00.0
error_names "e2" e2 '08:00\.0'
is "e2: 08:00.0 still on igb" "$(drv $C)" igb
is "e2: not published" "$(dev_state $C)" absent
nothing_done "e2" 5

mark
run_err "no such device 0f:00.0" ENODEV e3 attach domid=5 spec=0f:00.0
error_names "e3" e3 '0f:00\.0'
nothing_done "e3" 5

mark
run_err "bad spec" EINVAL e4 attach domid=5 spec=07:zz.0
error_names "e4" e4 '07:zz\.0'
nothing_done "e4" 5

# Assumption: libxlutil refuses an unknown option, and so does the agent.
run_err "unknown option in the spec" EINVAL e5 attach domid=5 \
	spec=07:00.0,bogus=1
nothing_done "e5" 5

run_err "domid missing" EINVAL e6 attach spec=07:00.0
like "e6: the message names the domid field" "$(rq e6 error)" 'domid'
run_err "domid not a number" EINVAL e7 attach domid=abc spec=07:00.0
# (req cannot pass a value starting with "-" to xenstore-write)
xenstore-write -- $R/requests/e8/domid -1 $R/requests/e8/spec 07:00.0 \
	$R/requests/e8/op attach
is "domid negative: status error" "$(wait_final e8)" error
is "domid negative: code EINVAL" "$(rq e8 code)" EINVAL
run_err "spec and spec-0 mixed" EINVAL e10 attach domid=5 spec=07:00.0 \
	spec-0=07:00.1
run_err "neither spec nor spec-0" EINVAL e11 attach domid=5
nothing_done "e6..e11" 5
is "e1..e11: the agent still serves" "$(xs_read $R/state)" running

# --- attached already ----------------------------------------------------------
attach_ok "07:00.0 into dom 5" a1 5 07:00.0
check "a1: backend Connected" wait_until 10 be_state 5 4
mark
run_err "07:00.0 into dom 6 while dom 5 has it" EBUSY b1 attach domid=6 spec=07:00.0
error_names "b1" b1 '07:00\.0'
assert_attached "b1: dom 5 keeps it" 5 $A 0000:00:00.00 0
assert_no_backend "b1: nothing for dom 6" 6
is "b1: no hypercall for dom 6" "$(hc_count_re ' dom=6 ')" 0
is "b1: no hypercall for dom 5 either" "$(hc_count_re ' dom=5 ')" 0

run_err "07:00.0 into dom 5 again" EEXIST b2 attach domid=5 spec=07:00.0
error_names "b2" b2 '07:00\.0'
is "b2: still one device in the backend" "$(xs_read $(be 5)/num_devs)" 1
assert_attached "b2: unchanged" 5 $A 0000:00:00.00 0
is "b2: no hypercall" "$(hc_count_re ' dom=5 ')" 0

# A request with one bad spec among good ones: nothing at all.
mark
run_err "spec-0 good, spec-1 attached elsewhere" EBUSY b3 attach domid=6 \
	spec-0=07:00.1 spec-1=07:00.0
assert_released "b3: 07:00.1 untouched" $B 6
assert_no_backend "b3" 6
is "b3: nothing held by dom 6" "$(live_grants 6)" ""

# --- a hypercall fails: everything rolled back ---------------------------------
mark
simhost fault xen xc_assign_device EBUSY
run_err "xc_assign_device fails with EBUSY" EBUSY x1 attach domid=6 spec=07:00.1
simhost fault clear
error_names "x1" x1 '07:00\.1'
check "x1: the failing call was made" \
	test "$(hc_count_re "^assign_device dom=6 sbdf=$B flag=[0-9]+ rc=EBUSY\$")" -ge 1
assert_released "x1" $B 6
assert_no_backend "x1" 6
is "x1: every grant to dom 6 taken back" "$(live_grants 6)" ""
# libxl's order grants the BARs and the IRQ before assign_device: the
# rollback shows up as allow=0.
while read -r l; do
	check "x1: revoked: $l" test "$(hc_count "$l")" -ge 1
done < <(perm_lines $B 6 0)
check "x1: the guest sees nothing" view_is 6 ""
mark
attach_ok "x1 retried without the fault" x2 6 07:00.1
assert_attached "x2" 6 $B 0000:00:00.01 0
check "x2: backend Connected" wait_until 10 be_state 6 4
# 07:00.1 shares the slot with 07:00.0 only inside one guest; in dom 6
# it is alone, but pciback keeps the function number: 00:00.1.

# --- hot-plug into a guest without pcifront: ETIMEDOUT, rolled back ------------
guest 8 --no-pcifront
# Assumption: cold-plug does not wait for the guest (libxl writes the
# backend and returns; a paused guest connects when it runs): ok once
# pciback exported the device (state-0 = 3, vdev-0), backend at 3.
attach_ok "cold-plug 0b:00.0 into dom 8 (no pcifront)" t0 8 0b:00.0
check "t0: backend Initialised (3), waiting for the guest" wait_until 10 be_state 8 3
assert_attached "t0" 8 $F 0000:00:00.00 0
mark
t_start=$(ms_now)
run_err "hot-plug 0a:00.0 into dom 8, timeout=2" ETIMEDOUT t1 attach domid=8 \
	spec=0a:00.0 timeout=2
t_ms=$(($(ms_now) - t_start))
check "t1: not before the 2 s timeout (${t_ms} ms)" test $t_ms -ge 1900
error_names "t1" t1 '0a:00\.0'
assert_released "t1" $E 8
is "t1: the backend is back to one device" "$(xs_read $(be 8)/num_devs)" 1
for k in key-1 dev-1 state-1 opts-1 vdev-1; do
	check "t1: no $k left in the backend" xs_absent "$(be 8)/$k"
done
is "t1: every grant for 0a:00.0 taken back" "$(live_grants 8)" ""
assert_attached "t1: 0b:00.0 stays" 8 $F 0000:00:00.00 0
# The guest loads pcifront: it connects and finds only 0b:00.0.
simhost domain set 8 pcifront=1
check "t1: pcifront loaded: backend Connected" wait_until 10 be_state 8 4
check "t1: the guest sees only 0b:00.0" wait_until 10 view_is 8 \
	"0000:00:00.0 <- $F"

# --- pciback's fatal error: reported verbatim, rolled back ---------------------
# 09:00.0 leaves pciback behind the agent's back after the agent checked
# it: while the agent's write of 0a:00.0 to pciback/permissive is held
# (a delay-only sysfs fault), 09:00.0 is unbound from pciback.  pciback
# then cannot export it.  Assumption: the agent checks every device
# before its first sysfs write (here: permissive) and not again later.
make_assignable $D
guest 7
mark
simhost fault sysfs bus/pci/drivers/pciback/permissive OK delay_ms=3000
req p1 attach domid=7 spec-0=09:00.0 spec-1=0a:00.0,permissive=1
no_pending_fault() { [ -z "$(cat $SIMSYSFS_CTL/fault)" ]; }
if wait_until 10 no_pending_fault; then
	echo $D >"$SYSFS_ROOT/bus/pci/drivers/pciback/unbind"
	ok "p1: 09:00.0 unbound from pciback while the agent writes permissive"
else
	not_ok "p1: the agent writes pciback/permissive"
	simhost fault clear
fi
st=$(wait_final p1 15)
is "p1: status error" "$st" error
like "p1: pciback's message verbatim" "$(rq p1 error)" \
	"Couldn't locate PCI device \(0000:09:00\.0\)! perhaps already in-use\?"
code_is_errno "p1" p1
assert_no_backend "p1" 7
is "p1: every grant to dom 7 taken back" "$(live_grants 7)" ""
check "p1: no /libxl/pci domid for 09:00.0" libxl_domid_absent $D
check "p1: no /libxl/pci domid for 0a:00.0" libxl_domid_absent $E
check "p1: 09:00.0 not given to dom 7" owner_released $D
isnt_attached() { [ "$(dev_state "$1")" != attached ]; }
check "p1: 09:00.0 not published as attached" isnt_attached $D
assert_released "p1: 0a:00.0" $E 7

# --- a guest created without passthrough: EOPNOTSUPP, said why -----------------
# Xen 4.17 iommu_do_domctl() refuses assign_device with EOPNOTSUPP for a
# domain without an IOMMU context (xl config without pci= and without
# passthrough="enabled").  The grants made before it are rolled back.
# 08:00.0 has I/O, 32- and 64-bit memory BARs and an IRQ: every kind of
# grant to take back.
make_assignable $C
guest 4 --no-passthrough
mark
run_err "08:00.0 into dom 4 (created without passthrough)" EOPNOTSUPP n1 \
	attach domid=4 spec=08:00.0
is "n1: the message says why and what to do" "$(rq n1 error)" \
	"$C: assign to domain 4: Operation not supported (domain 4 has no IOMMU context: it was created without passthrough; create it with passthrough=\"enabled\" or a pci= entry in its xl config)"
check "n1: the failing call was made" \
	test "$(hc_count_re "^assign_device dom=4 sbdf=$C flag=[0-9]+ rc=EOPNOTSUPP\$")" -ge 1
# Xen answers deassign the same way for such a domain; the agent takes
# that as "not assigned", as it takes ENODEV.
check "n1: deassign on the rollback gets EOPNOTSUPP too" \
	test "$(hc_count "deassign_device dom=4 sbdf=$C rc=EOPNOTSUPP")" -ge 1
assert_released "n1" $C 4
is "n1: still assignable" "$(dev_state $C)" assignable
check "n1: still on pciback" on_pciback $C
assert_no_backend "n1" 4
is "n1: every grant to dom 4 taken back" "$(live_grants 4)" ""
while read -r l; do
	check "n1: revoked: $l" test "$(hc_count "$l")" -ge 1
done < <(perm_lines $C 4 0)
check "n1: no intent record left" no_intents
check "n1: the guest sees nothing" view_is 4 ""
is "n1: the agent still serves" "$(xs_read $R/state)" running
# A guest with passthrough (dom 7, empty since p1) takes it at once.
mark
attach_ok "n1 then 08:00.0 into dom 7 (passthrough enabled)" n2 7 08:00.0
assert_granted "n2" $C 7
assert_attached "n2" 7 $C 0000:00:00.00 0
check "n2: backend Connected" wait_until 10 be_state 7 4
check "n2: the guest sees it" wait_until 10 view_has 7 \
	"0000:00:00.0 <- $C"

agent_done
t_done
