#!/usr/bin/env bash
# simpeer: pciback's fatal errors (xenbus_dev_fatal: error node
# "<errno> <message>" under /local/domain/0/error/backend/..., backend
# state Closing), as xen_pcibk_export_device() and vpci.c make them.
. "$(dirname "$0")/sim/peer/peer-lib.sh"

peer_up
mkdev 0000:07:00.0
mkdev 0000:09:00.0 0x020000 --not-on-pciback
mkdev 0000:0b:00.0 0x060400

# Guests without pcifront: the backend stays where pciback leaves it.
guest 5 --no-pcifront
be_create 5 0000:09:00.0
check "not on pciback: backend Closing" wait_until 10 be_state 5 5
is "not on pciback: the kernel's message" "$(be_error 5)" \
	"22 Couldn't locate PCI device (0000:09:00.0)! perhaps already in-use?"
check "not on pciback: no vdev-0" \
	sh -c "! xenstore-exists $(be 5)/vdev-0 2>/dev/null"
is "not on pciback: state-0 stays 1" "$(xs_read "$(be 5)/state-0")" 1

# The same BDF for two guests: the second export fails.
guest 6 --no-pcifront
be_create 6 0000:07:00.0
check "first guest: exported (BE Initialised, no pcifront)" \
	wait_until 10 be_state 6 3
is "first guest: vdev-0" "$(xs_read "$(be 6)/vdev-0")" "0000:00:00.00"
guest 7 --no-pcifront
be_create 7 0000:07:00.0
check "second guest, same BDF: backend Closing" wait_until 10 be_state 7 5
is "second guest, same BDF: in use" "$(be_error 7)" \
	"22 Couldn't locate PCI device (0000:07:00.0)! perhaps already in-use?"
is "first guest keeps its device" "$(xs_read "$(be 6)/state")" 3

# Unparsable dev-N: xenbus_scanf() converts nothing, -ERANGE.
guest 8 --no-pcifront
xenstore-write "$(be 8)/frontend" "$(fe 8)" "$(be 8)/frontend-id" 8 \
	"$(be 8)/online" 1 "$(be 8)/state" 1 "$(fe 8)/state" 1 \
	"$(fe 8)/backend" "$(be 8)" "$(fe 8)/backend-id" 0 \
	"$(be 8)/dev-0" "zz" "$(be 8)/state-0" 1 "$(be 8)/num_devs" 1
check "unparsable dev-0: backend Closing" wait_until 10 be_state 8 5
is "unparsable dev-0: the error node" "$(be_error 8)" \
	"34 Error reading device configuration"

# A dev-N with too few fields: -EINVAL.
guest 9 --no-pcifront
xenstore-write "$(be 9)/frontend" "$(fe 9)" "$(be 9)/frontend-id" 9 \
	"$(be 9)/online" 1 "$(be 9)/state" 1 "$(fe 9)/state" 1 \
	"$(fe 9)/backend" "$(be 9)" "$(fe 9)/backend-id" 0 \
	"$(be 9)/dev-0" "0000:07" "$(be 9)/state-0" 1 "$(be 9)/num_devs" 1
check "short dev-0: backend Closing" wait_until 10 be_state 9 5
is "short dev-0: the error node" "$(be_error 9)" \
	"22 Error parsing pci device configuration"

# No frontend yet: xenbus does not even register the device.
xenstore-write "$(be 10)/frontend" "$(fe 10)" "$(be 10)/frontend-id" 10 \
	"$(be 10)/state" 1 "$(be 10)/dev-0" 0000:0b:00.0 "$(be 10)/num_devs" 1
check "settle" settle
is "no frontend: backend untouched" "$(xs_read "$(be 10)/state")" 1
xenstore-rm "$(be 10)"

# The test plays a frontend (no pcifront): pciback checks what it
# publishes (xen_pcibk_attach, xen_pcibk_do_attach).
mkdev 0000:0c:00.0
mkdev 0000:0d:00.0
guest 14 --no-pcifront
be_create 14 0000:0c:00.0
check "played FE: BE waits (3)" wait_until 10 be_state 14 3
xenstore-write "$(fe 14)/pci-op-ref" 8 "$(fe 14)/event-channel" 4 \
	"$(fe 14)/magic" 6 "$(fe 14)/state" 3
check "wrong magic: BE Closing" wait_until 10 be_state 14 5
is "wrong magic: the error node" "$(be_error 14)" \
	"14 version mismatch (6/7) with pcifront - halting xen-pciback"

guest 15 --no-pcifront
be_create 15 0000:0d:00.0
check "played FE 2: BE waits (3)" wait_until 10 be_state 15 3
xenstore-write "$(fe 15)/pci-op-ref" 8 "$(fe 15)/event-channel" 4 \
	"$(fe 15)/magic" 7 "$(fe 15)/state" 3
check "a grant nobody made: BE Closing" wait_until 10 be_state 15 5
is "a grant nobody made: the ring cannot be mapped" "$(be_error 15)" \
	"2 Error mapping other domain page in ours."

# A bridge.  The real vpci.c tests (dev->class >> 24), always 0 for a
# 24-bit class, so mainline exports bridges; simpeer does the same.
guest 11
be_create 11 0000:0b:00.0
check "bridge, as mainline: exported" wait_until 10 be_state 11 4
is "bridge, as mainline: vdev-0" "$(xs_read "$(be 11)/vdev-0")" \
	"0000:00:00.00"
check "bridge, as mainline: the guest sees it" \
	wait_until 10 view_is 11 "0000:00:00.0 <- 0000:0b:00.0"
xenstore-rm "$(be 11)"
check "bridge released when its backend goes" \
	wait_until 10 simlog_has "pciback-release 0000:0b:00.0 dom 11"

# With --vpci-bridge-check (the check the code evidently meant) the
# bridge is refused with vpci.c's message, and stays claimed: the
# kernel never gives a device back after a failed add.
check "simpeer restart" peer_stop
peer_start --vpci-bridge-check
guest 12 --no-pcifront
be_create 12 0000:0b:00.0
check "bridge check: backend Closing" wait_until 10 be_state 12 5
is "bridge check: the error node" "$(be_error 12)" \
	"14 Can't export bridges on the virtual PCI bus"
guest 13 --no-pcifront
be_create 13 0000:0b:00.0
check "bridge check: still claimed after the failure" \
	wait_until 10 be_state 13 5
is "bridge check: second try is 'in use'" "$(be_error 13)" \
	"22 Couldn't locate PCI device (0000:0b:00.0)! perhaps already in-use?"

peer_done
