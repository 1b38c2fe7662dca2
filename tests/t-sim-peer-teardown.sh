#!/usr/bin/env bash
# simpeer: the end of a backend.  The frontend disappears (xenstored
# drops a dead guest's nodes), the toolstack removes the backend, a
# guest shuts down or crashes; pciback releases (resets) its devices.
. "$(dirname "$0")/sim/peer/peer-lib.sh"

peer_up
for b in 07 08 09 0a 0b; do mkdev 0000:$b:00.0; done

# --- the frontend directory goes: Unknown, pciback unregisters ---
guest 5
be_create 5 0000:07:00.0
check "guest 5 connected" wait_until 10 be_state 5 4
check "guest 5 sees its device" wait_until 10 view_is 5 \
	"0000:00:00.0 <- 0000:07:00.0"
xenstore-rm "$(fe 5)"
check "frontend gone: the device is released (reset)" \
	wait_until 10 simlog_has "pciback-release 0000:07:00.0 dom 5"
check "frontend gone: BE Closed (xenbus_dev_remove)" wait_until 10 be_state 5 6
check "frontend gone: the guest's bus is empty" wait_until 10 view_is 5 ""
is "the backend directory stays (the toolstack's job)" \
	"$(xs_read "$(be 5)/dev-0")" 0000:07:00.0
xenstore-rm "$(be 5)"

# --- the toolstack removes the backend directory ---
guest 6
be_create 6 0000:08:00.0
check "guest 6 connected" wait_until 10 be_state 6 4
xenstore-rm "$(be 6)"
check "backend gone: the device is released" \
	wait_until 10 simlog_has "pciback-release 0000:08:00.0 dom 6"
check "settle" settle
check "backend gone: not resurrected" \
	sh -c "! xenstore-exists $(be 6) 2>/dev/null"

# libxl__device_destroy() removes the frontend as well; pcifront drops
# its device (xenbus_dev_changed: the node is gone).
xenstore-rm "$(fe 6)"
check "frontend removed too: the guest's bus is empty" \
	wait_until 10 view_is 6 ""

# --- ... and created again: new devices, fresh probes on both sides ---
be_create 6 0000:08:00.0
check "recreated backend: Connected again" wait_until 10 be_state 6 4
check "recreated backend: exported again" \
	test "$(grep -c 'pciback-export 0000:08:00.0 dom 6' "$SIMLOG")" -eq 2

# --- frontend Closed with online=0: pciback unregisters ---
guest 7 --no-pcifront
be_create 7 0000:09:00.0
check "guest 7 (played by the test) exported" wait_until 10 be_state 7 3
xenstore-write "$(be 7)/online" 0 "$(fe 7)/state" 6
check "FE Closed, offline: BE Closed" wait_until 10 be_state 7 6
check "FE Closed, offline: released" \
	wait_until 10 simlog_has "pciback-release 0000:09:00.0 dom 7"

# --- FE Closing with online=1: disconnect, BE Closing, devices kept ---
guest 8 --no-pcifront
be_create 8 0000:0a:00.0
check "guest 8 exported" wait_until 10 be_state 8 3
xenstore-write "$(fe 8)/state" 5
check "FE Closing: BE Closing" wait_until 10 be_state 8 5
check "settle" settle
check "FE Closing: the devices are not released yet" \
	sh -c "! grep -q 'pciback-release 0000:0a:00.0' $SIMLOG"

# --- the domain is destroyed (simhost as libxl): FE removed ---
guest 9
be_create 9 0000:0b:00.0
check "guest 9 connected" wait_until 10 be_state 9 4
simhost domain destroy 9 >/dev/null
check "destroyed guest: released" \
	wait_until 10 simlog_has "pciback-release 0000:0b:00.0 dom 9"
check "destroyed guest: its view file goes" \
	wait_until 10 sh -c "! test -e $(view_file 9)"
xenstore-rm "$(be 9)"

# --- a clean guest shutdown: xenbus_dev_shutdown() closes the FE ---
guest 10
be_create 10 0000:0b:00.0
check "guest 10 connected" wait_until 10 be_state 10 4
simhost domain shutdown 10 >/dev/null
check "shutdown: FE Closed" wait_until 10 fe_state 10 6
check "shutdown: BE Closed" wait_until 10 be_state 10 6
check "shutdown: FE went through Closing" \
	peer_saw "device/pci/0: state Connected -> Closing"

# --- a crash: the guest kernel does nothing at all ---
guest 11
be_create 11 0000:0a:00.0
check "settle" settle
guest 12
mkdev 0000:0c:00.0
be_create 12 0000:0c:00.0
check "guest 12 connected" wait_until 10 be_state 12 4
# pcifront says Connected after pciback does: wait for it too, or the
# crash below can catch the guest one step before (slow under valgrind).
check "guest 12's pcifront connected" wait_until 10 fe_state 12 4
simhost domain crash 12 >/dev/null
check "settle" settle
is "crash: FE stays Connected" "$(xs_read "$(fe 12)/state")" 4
is "crash: BE stays Connected" "$(xs_read "$(be 12)/state")" 4

peer_done
