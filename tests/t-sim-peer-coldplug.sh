#!/usr/bin/env bash
# simpeer, cold-plug: libxl writes backend, frontend and every device in
# one transaction; pciback exports them (xen_pcibk_setup_backend), the
# guest's pcifront publishes its ring and both ends connect.
. "$(dirname "$0")/sim/peer/peer-lib.sh"

peer_up
mkdev 0000:07:00.0
mkdev 0000:07:00.1
mkdev 0000:08:00.0
mkdev 0000:0a:00.0

# --- one device ---
guest 5 --name one
be_create 5 0000:0a:00.0
B=$(be 5) F=$(fe 5)
check "one device: backend Connected (4)" wait_until 10 be_state 5 4
check "one device: frontend Connected (4)" wait_until 10 fe_state 5 4
is "vdev-0 has the 2-digit function" "$(xs_read "$B/vdev-0")" "0000:00:00.00"
is "state-0 is Initialised (3)" "$(xs_read "$B/state-0")" 3
is "root-0 is the vpci root" "$(xs_read "$B/root-0")" "0000:00"
is "root_num is 1" "$(xs_read "$B/root_num")" 1
is "FE magic is 7 (XEN_PCI_MAGIC)" "$(xs_read "$F/magic")" 7
like "FE pci-op-ref is a grant reference" "$(xs_read "$F/pci-op-ref")" '^[0-9]+$'
like "FE event-channel is a port" "$(xs_read "$F/event-channel")" '^[0-9]+$'
check "no error node" sh -c "! xenstore-exists $(be_error_path 5) 2>/dev/null"
check "the guest sees 0000:0a:00.0 at 00:00.0" \
	wait_until 10 view_is 5 "0000:00:00.0 <- 0000:0a:00.0"
check "sim/log records the export" simlog_has "pciback-export 0000:0a:00.0 dom 5"

# --- several devices: two functions of one slot share a virtual slot ---
guest 6 --name several
be_create 6 0000:07:00.0 0000:08:00.0 0000:07:00.1
B=$(be 6)
check "several: backend Connected" wait_until 10 be_state 6 4
check "several: frontend Connected" wait_until 10 fe_state 6 4
is "07:00.0 takes virtual slot 0" "$(xs_read "$B/vdev-0")" "0000:00:00.00"
is "08:00.0 takes the next free slot" "$(xs_read "$B/vdev-1")" "0000:00:01.00"
is "07:00.1 shares slot 0 with 07:00.0" "$(xs_read "$B/vdev-2")" "0000:00:00.01"
for i in 0 1 2; do
	is "state-$i is 3" "$(xs_read "$B/state-$i")" 3
done
is "still one root" "$(xs_read "$B/root_num")" 1
expected="0000:00:00.0 <- 0000:07:00.0
0000:00:00.1 <- 0000:07:00.1
0000:00:01.0 <- 0000:08:00.0"
check "the guest sees all three" wait_until 10 view_is 6 "$expected"
is "the first guest's view is unchanged" "$(view 5)" \
	"0000:00:00.0 <- 0000:0a:00.0"

# --- no num_devs (backend created before its devices): the kernel's
# fatal error, BE Closing; a guest without pcifront leaves it there ---
guest 7 --no-pcifront
be_create 7
check "no num_devs: backend Closing (5)" wait_until 10 be_state 7 5
is "no num_devs: the error node" "$(be_error 7)" \
	"2 Error reading number of devices"
check "settle" settle
is "no num_devs, no pcifront: backend stays Closing" "$(xs_read "$(be 7)/state")" 5
is "no num_devs, no pcifront: FE untouched" "$(xs_read "$(fe 7)/state")" 1

# ... and a running pcifront sees Closing and closes: BE 5, then 6
guest 8
be_create 8
check "no num_devs + pcifront: frontend Closed (6)" wait_until 10 fe_state 8 6
check "no num_devs + pcifront: backend Closed (6)" wait_until 10 be_state 8 6
check "... after going through Closing" \
	peer_saw "backend/pci/8/0: state InitWait -> Closing"
is "no num_devs + pcifront: the error node" "$(be_error 8)" \
	"2 Error reading number of devices"

peer_done
