#!/usr/bin/env bash
# attach, the ordinary cases, through raw xenstore requests: cold-plug of
# a guest's first device (backend, frontend and device in one go, with
# libxl 4.17's keys, values and permissions), hot-plug of a second one
# into the running guest (the 7/8 handshake), several specs in one
# request, BARs of every kind and a device without IRQ.  Each step is
# checked in xenstore (R/devices, the backend and frontend, /libxl/pci),
# in the hypervisor's call log and ownership, in sysfs and in the
# guest's view of its PCI bus.
. "$(dirname "$0")/attach-lib.sh"

host_up --inventory "$ATTACH_INV"
agent_up
check_attach_features
make_assignable $A $B
guest 5
guest 6

# --- cold-plug: the first device of guest 5 -------------------------------
mark
attach_ok "cold-plug 07:00.0 into dom 5" c1 5 07:00.0
is "c1: result/vdev as pciback wrote vdev-0" "$(rq c1 result/vdev)" 0000:00:00.00
check "c1: no result/vdev-0 for a request with one spec" \
	xs_absent $R/requests/c1/result/vdev-0
b=$(be 5) f=$(fe 5)
check "c1: backend Connected (4)" wait_until 10 be_state 5 4
check "c1: frontend Connected (4)" wait_until 10 fe_state 5 4
is "c1: BE frontend" "$(xs_read $b/frontend)" "$f"
is "c1: BE frontend-id" "$(xs_read $b/frontend-id)" 5
is "c1: BE online" "$(xs_read $b/online)" 1
is "c1: BE domain is the guest's name" "$(xs_read $b/domain)" g5
is "c1: BE num_devs" "$(xs_read $b/num_devs)" 1
is "c1: BE dev-0" "$(xs_read $b/dev-0)" $A
is "c1: BE key-0" "$(xs_read $b/key-0)" $A
is "c1: BE opts-0 as libxl writes it" "$(xs_read $b/opts-0)" "$OPTS0"
is "c1: BE state-0 exported" "$(xs_read $b/state-0)" 3
is "c1: BE vdev-0" "$(xs_read $b/vdev-0)" 0000:00:00.00
is "c1: BE root-0 (vpci)" "$(xs_read $b/root-0)" 0000:00
is "c1: BE root_num" "$(xs_read $b/root_num)" 1
# Assumption: nothing besides libxl's and pciback's keys in the backend.
is "c1: the backend holds exactly libxl's and pciback's keys" \
	"$(be_keys 5)" "$(libxl_be_keys 1)"
is "c1: BE permissions: dom0 owns, the guest reads" "$(perms_of $b)" n0,r5
is "c1: FE backend" "$(xs_read $f/backend)" "$b"
is "c1: FE backend-id" "$(xs_read $f/backend-id)" 0
is "c1: FE permissions: the guest owns, dom0 reads" "$(perms_of $f)" n5,r0
is "c1: the guest can read its backend (vdev-0)" \
	"$(simhost xs --domid 5 read $b/vdev-0 2>&1)" 0000:00:00.00
is "c1: the guest can read its backend (state)" \
	"$(simhost xs --domid 5 read $b/state 2>&1)" 4
like "c1: another guest cannot read it" \
	"$(simhost xs --domid 6 read $b/dev-0 2>&1)" 'EACCES|denied'
check "c1: no pciback error node" xs_absent "$(be_error_path 5)"
assert_attached "c1" 5 $A 0000:00:00.00 0
assert_granted "c1" $A 5
is "c1: the guest holds exactly 07:00.0's grants" \
	"$(live_grants 5)" "$(grants_of 5 $A)"
check "c1: the guest sees 07:00.0 at 00:00.0" \
	wait_until 10 view_is 5 "0000:00:00.0 <- $A"
check "c1: pciback exported it to dom 5" \
	sl_has_re "^note pciback-export $A dom 5\$"
check "c1: cold-plug: no reconfigure handshake" \
	eval '! pl_has "dom 5: backend state Reconfiguring"'
check "c1: never permissive, so not written to pciback/permissive" \
	eval "! sl_has_re '^write bus/pci/drivers/pciback/permissive '"
check "c1: not unbound from pciback (it was never permissive)" \
	eval "! unbound_from_pciback $A"
is "c1: libxl's driver_path kept" \
	"$(xs_read /libxl/pci/$(key_of $A)/driver_path)" /sys/bus/pci/drivers/igb

# --- hot-plug: a second device into the running guest ---------------------
mark
attach_ok "hot-plug 07:00.1 into dom 5" h1 5 07:00.1
is "h1: result/vdev: same virtual slot, function 1" "$(rq h1 result/vdev)" \
	0000:00:00.01
check "h1: backend Connected again (4)" wait_until 10 be_state 5 4
is "h1: num_devs" "$(xs_read $b/num_devs)" 2
is "h1: appended as entry 1" "$(be_index 5 $B)" 1
is "h1: dev-1" "$(xs_read $b/dev-1)" $B
assert_attached "h1" 5 $B 0000:00:00.01 0
assert_attached "h1: 07:00.0 unchanged" 5 $A 0000:00:00.00 0
is "h1: the backend holds exactly libxl's and pciback's keys" \
	"$(be_keys 5)" "$(libxl_be_keys 2)"
check "h1: the handshake: the guest saw Reconfiguring (7)" \
	pl_has "dom 5: backend state Reconfiguring"
check "h1: the handshake: pciback went Reconfigured (8)" \
	pl_has "backend/pci/5/0: state Connected -> Reconfigured"
check "h1: the handshake: and back to Connected (4)" \
	pl_has "backend/pci/5/0: state Reconfigured -> Connected"
assert_granted "h1" $B 5
is "h1: nothing for 07:00.0 again" "$(hc_count_re "sbdf=$A|first=0xd1c00 |pirq=16 ")" 0
is "h1: the guest holds the grants of both" \
	"$(live_grants 5 all)" "$(grants_of 5 $A $B)"
check "h1: the guest sees both functions" wait_until 10 view_is 5 \
	"0000:00:00.0 <- $A
0000:00:00.1 <- $B"

# --- several specs in one request: a cold-plug of three devices -----------
make_assignable $C $D $E
mark
run_ok "spec-0..2 into dom 6" m1 attach domid=6 spec-0=08:00.0 \
	spec-1=0000:09:00.0 spec-2=0a:00.0
is "m1: result/vdev-0" "$(rq m1 result/vdev-0)" 0000:00:00.00
is "m1: result/vdev-1" "$(rq m1 result/vdev-1)" 0000:00:01.00
is "m1: result/vdev-2" "$(rq m1 result/vdev-2)" 0000:00:02.00
check "m1: no result/vdev with spec-N" xs_absent $R/requests/m1/result/vdev
check "m1: backend Connected (4)" wait_until 10 be_state 6 4
is "m1: num_devs" "$(xs_read $(be 6)/num_devs)" 3
# Assumption: the devices go into the backend in spec order.
is "m1: dev-0 is spec-0" "$(xs_read $(be 6)/dev-0)" $C
is "m1: dev-1 is spec-1" "$(xs_read $(be 6)/dev-1)" $D
is "m1: dev-2 is spec-2" "$(xs_read $(be 6)/dev-2)" $E
is "m1: the backend holds exactly libxl's and pciback's keys" \
	"$(be_keys 6)" "$(libxl_be_keys 3)"
is "m1: BE domain" "$(xs_read $(be 6)/domain)" g6
is "m1: BE permissions" "$(perms_of $(be 6))" n0,r6
is "m1: FE permissions" "$(perms_of $(fe 6))" n6,r0
assert_attached "m1 08:00.0" 6 $C 0000:00:00.00 0
assert_attached "m1 09:00.0" 6 $D 0000:00:01.00 0
assert_attached "m1 0a:00.0" 6 $E 0000:00:02.00 0
# 08:00.0: two memory BARs (one 64-bit) and an I/O BAR, irq 20
assert_granted "m1 08:00.0" $C 6
assert_granted "m1 09:00.0" $D 6
assert_granted "m1 0a:00.0" $E 6
is "m1: 0a:00.0 has no IRQ: no pirq mapped for it" \
	"$(hc_count_re '^(map_pirq|irq_permission) dom=6 (index|pirq)=0 ')" 0
is "m1: the guest holds exactly the grants of the three" \
	"$(live_grants 6)" "$(grants_of 6 $C $D $E)"
check "m1: cold-plug: no reconfigure handshake" \
	eval '! pl_has "dom 6: backend state Reconfiguring"'
check "m1: the guest sees the three" wait_until 10 view_is 6 \
	"0000:00:00.0 <- $C
0000:00:01.0 <- $D
0000:00:02.0 <- $E"
is "m1: nothing for dom 5" "$(hc_count_re ' dom=5 ')" 0
is "m1: dom 5's bus unchanged" "$(view 5)" "0000:00:00.0 <- $A
0000:00:00.1 <- $B"
is "m1: dom 5's backend unchanged" "$(xs_read $b/num_devs)" 2

# --- the requester removes its requests; nothing else goes with them ------
for id in c1 h1 m1; do xenstore-rm $R/requests/$id; done
is "requests removed" "$(xenstore-list $R/requests)" ""
is "still attached after the requests are gone" "$(dev_field $A state)" attached

agent_done
t_done
