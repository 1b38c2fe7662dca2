#!/usr/bin/env bash
# HVM guests the agent cannot serve are refused with the reason, and
# the PV path never serves an HVM guest: before issue 11 an attach to an
# HVM guest wrote a PCI backend that pciback took to state 3 while no
# pcifront would ever bind the device, and answered ok.  Here every such
# request ends in an error that says why and leaves nothing behind.
. "$(dirname "$0")/hvm-lib.sh"

host_up --inventory "$ATTACH_INV"
hvm_agent_up
make_assignable $A
guest 3 --pvh
hvm_guest 4 --dm qemu-trad
guest 5 --stubdom	# its stub domain is dom 6
hvm_guest 9
guest 7

# --- PVH: libxl refuses passthrough to PVH guests -----------------------
mark
run_err "07:00.0 into PVH dom 3" EOPNOTSUPP p1 attach domid=3 spec=07:00.0
like "p1: the message says PVH" "$ERRMSG" 'PVH'
error_names "p1" p1 '07:00\.0' 'domain 3'
assert_nothing_for "p1" 3 $A
is "p1: no hypercall for dom 3" "$(hc_count_re " dom=3 ")" 0

# --- qemu-traditional: its own xenstore protocol, not QMP --------------
mark
run_err "07:00.0 into qemu-trad HVM dom 4" EOPNOTSUPP q1 attach domid=4 \
	spec=07:00.0
like "q1: the message says qemu-traditional" "$ERRMSG" 'qemu-traditional'
like "q1: and what to do" "$ERRMSG" 'xl pci-attach'
assert_nothing_for "q1" 4 $A
is "q1: no hypercall for dom 4" "$(hc_count_re " dom=4 ")" 0

# --- a stub domain device model ----------------------------------------
mark
run_err "07:00.0 into stubdom HVM dom 5" EOPNOTSUPP s1 attach domid=5 \
	spec=07:00.0
like "s1: the message says stub domain" "$ERRMSG" 'stub domain'
assert_nothing_for "s1" 5 $A
is "s1: no hypercall for dom 5" "$(hc_count_re " dom=5 ")" 0

# --- the PV path refuses an HVM guest ------------------------------------
# Dom 9 is HVM with qemu-xen, but its QEMU crashed (its socket is left,
# nobody listens): the attach must fail, never answer ok with a backend
# nobody reads.
simhost qmp 9 die >/dev/null
wait_until 10 eval '! simhost qmp 9 status >/dev/null 2>&1'
check "h1: the QMP socket is left behind" test -S "$QMP_DIR/qmp-libxl-9"
mark
run_err "07:00.0 into HVM dom 9 whose QEMU is not running" ECONNREFUSED h1 attach \
	domid=9 spec=07:00.0
like "h1: the message names the QMP socket" "$ERRMSG" 'qmp-libxl-9'
check "h1: status is not ok" eval '[ "$(rq h1 status)" != ok ]'
assert_nothing_for "h1" 9 $A
is "h1: no PCI backend written for HVM dom 9" \
	"$(xenstore-ls /local/domain/0/backend/pci 2>/dev/null | grep -c "^9 ")" 0

# --- detach refusals -----------------------------------------------------
run_err "detach from PVH dom 3" EOPNOTSUPP dp1 detach domid=3 spec=07:00.0
like "dp1: the message says PVH" "$ERRMSG" 'PVH'

# --- a PV guest is still served by pciback --------------------------------
mark
attach_ok "07:00.0 into PV dom 7" pv1 7 07:00.0
assert_attached "pv1" 7 $A "$(xs_read "$(be 7)/vdev-0")" 0
detach_ok "07:00.0 out of PV dom 7" pv2 7 07:00.0
assert_released "pv2" $A 7
