#!/usr/bin/env bash
# simpeer, hot-plug into a connected guest: the 7/8 handshake of
# xen_pcibk_reconfigure() and pcifront_detach/attach_devices().
. "$(dirname "$0")/sim/peer/peer-lib.sh"

peer_up
mkdev 0000:07:00.0
mkdev 0000:07:00.1
mkdev 0000:08:00.0
mkdev 0000:09:00.0 0x020000 --not-on-pciback
mkdev 0000:0c:00.0
mkdev 0000:0d:00.0
mkdev 0000:0e:00.0

guest 5
be_create 5 0000:07:00.0
B=$(be 5) F=$(fe 5)
check "connected before hot-add" wait_until 10 be_state 5 4
check "frontend connected" wait_until 10 fe_state 5 4

# --- hot-add at N=1: state=7 in the same transaction ---
hot_add 5 0000:08:00.0
check "hot-add: backend back to Connected" wait_until 10 xs_is "$B/state-1" 3
check "hot-add: BE 4" wait_until 10 be_state 5 4
check "hot-add: FE 4" wait_until 10 fe_state 5 4
is "hot-add: vdev-1 in a new virtual slot" "$(xs_read "$B/vdev-1")" \
	"0000:00:01.00"
check "pcifront detached (FE Reconfiguring)" \
	peer_saw "device/pci/0: state Connected -> Reconfiguring"
check "pciback reconfigured (BE Reconfigured)" \
	peer_saw "backend/pci/5/0: state Connected -> Reconfigured"
check "pcifront rescanned (FE Connected)" \
	peer_saw "device/pci/0: state Reconfiguring -> Connected"
check "pciback connected again" \
	peer_saw "backend/pci/5/0: state Reconfigured -> Connected"
is "the roots are not republished" "$(xs_read "$B/root_num")" 1
check "the guest sees the new device" wait_until 10 view_is 5 \
	"0000:00:00.0 <- 0000:07:00.0
0000:00:01.0 <- 0000:08:00.0"

# --- hot-add of the other function of slot 07:00 ---
hot_add 5 0000:07:00.1
check "second hot-add: state-2 is 3" wait_until 10 xs_is "$B/state-2" 3
check "second hot-add: BE 4" wait_until 10 be_state 5 4
check "second hot-add: FE 4" wait_until 10 fe_state 5 4
is "07:00.1 joins virtual slot 0" "$(xs_read "$B/vdev-2")" "0000:00:00.01"
check "the guest sees three devices" wait_until 10 view_is 5 \
	"0000:00:00.0 <- 0000:07:00.0
0000:00:00.1 <- 0000:07:00.1
0000:00:01.0 <- 0000:08:00.0"

# --- hot-remove 08:00.0: state-1=5 and state=7 in one transaction ---
hot_remove 5 0000:08:00.0
check "hot-remove: the device is released (reset)" \
	wait_until 10 simlog_has "pciback-release 0000:08:00.0 dom 5"
check "hot-remove: BE 4 again" wait_until 10 be_state 5 4
check "hot-remove: FE 4 again" wait_until 10 fe_state 5 4
is "hot-remove: state-1 stays 5" "$(xs_read "$B/state-1")" 5
check "hot-remove: the guest no longer sees it" wait_until 10 view_is 5 \
	"0000:00:00.0 <- 0000:07:00.0
0000:00:00.1 <- 0000:07:00.1"
check "hot-remove went through FE 7 and BE 8 again" \
	test "$(grep -c 'backend/pci/5/0: state Connected -> Reconfigured' \
	"$PEER_LOG")" -eq 3

# libxl's clean-up after BE=4 (step 6): renumber, num_devs - 1.
xenstore-write "$B/dev-1" 0000:07:00.1 "$B/key-1" 0000:07:00.1 \
	"$B/state-1" 3 "$B/vdev-1" 0000:00:00.01 "$B/num_devs" 2
xenstore-rm "$B/dev-2"
xenstore-rm "$B/key-2"
xenstore-rm "$B/state-2"
xenstore-rm "$B/vdev-2"
check "settle" settle
is "clean-up: nothing happens" "$(xs_read "$B/state")/$(xs_read "$F/state")" \
	"4/4"
check "08:00.0 is free for another guest" true
guest 6
be_create 6 0000:08:00.0
check "... and another guest gets it" wait_until 10 be_state 6 4

# --- hot-add of a device not on pciback: fatal; pcifront, at
# Reconfiguring (7), ignores Closing (pcifront_try_disconnect) ---
hot_add 5 0000:09:00.0
check "bad hot-add: BE Closing" wait_until 10 be_state 5 5
is "bad hot-add: the error node" "$(be_error 5)" \
	"22 Couldn't locate PCI device (0000:09:00.0)! perhaps already in-use?"
check "settle" settle
is "bad hot-add: FE stays Reconfiguring" "$(xs_read "$F/state")" 7

# --- hot-remove with vdev-N missing: fatal (-ENOENT) ---
guest 7
be_create 7 0000:0c:00.0
check "guest 7 connected" wait_until 10 be_state 7 4
check "settle" settle
xenstore-rm "$(be 7)/vdev-0"
xenstore-write "$(be 7)/state-0" 5 "$(be 7)/state" 7
check "missing vdev: BE Closing" wait_until 10 be_state 7 5
is "missing vdev: pcifront fails first (its error node)" \
	"$(xs_read /local/domain/7/error/device/pci/0/error)" \
	"2 Error reading PCI device 0"
check "missing vdev: FE Closing" fe_state 7 5

# --- pciback's own checks; the test plays a frontend without pcifront ---
guest 8 --no-pcifront
be_create 8 0000:0d:00.0
check "guest 8: exported, waiting for a frontend" wait_until 10 be_state 8 3
xenstore-rm "$(be 8)/vdev-0"
xenstore-write "$(be 8)/state-0" 5 "$(be 8)/state" 7
xenstore-write "$(fe 8)/state" 7
check "pciback, vdev-0 missing on remove: BE Closing" wait_until 10 be_state 8 5
is "pciback, vdev-0 missing: the error node" "$(be_error 8)" \
	"2 Error reading device configuration"

# A vdev-N that names no device of this guest: only a debug message in
# xen_pcibk_remove_device(); reconfiguration stops, BE stays at 7.
guest 9 --no-pcifront
be_create 9 0000:0e:00.0
check "guest 9: exported" wait_until 10 be_state 9 3
xenstore-write "$(be 9)/vdev-0" 0000:00:05.00 "$(be 9)/state-0" 5 \
	"$(be 9)/state" 7
xenstore-write "$(fe 9)/state" 7
check "settle" settle
is "unknown vdev: BE stays Reconfiguring" "$(xs_read "$(be 9)/state")" 7
check "unknown vdev: no error node" \
	sh -c "! xenstore-exists $(be_error_path 9) 2>/dev/null"
check "unknown vdev: the device is not released" \
	sh -c "! grep -q 'pciback-release 0000:0e:00.0' $SIMLOG"

peer_done
