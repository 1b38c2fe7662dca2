#!/usr/bin/env bash
# simpeer: the guest's frontend bus as Linux has it.  One watch on the
# guest's "device" directory; xenbus_dev_changed() ignores paths with
# fewer than two slashes, unregisters a device only for an event on its
# own node gone when handled, and never probes a root that already has
# a device.  xenstored fires one event for a removed directory (to
# watchers of it and its parents), so a toolstack that removes
# device/pci in one xs_rm leaves the guest's pcifront stale; libxl
# removes device/pci/0 first (libxl__xs_path_cleanup).
. "$(dirname "$0")/sim/peer/peer-lib.sh"

peer_up
for b in 07 08 09 0a; do mkdev 0000:$b:00.0; done

# new_count DOMID: how many times the guest probed a frontend device
new_count() { grep -c "dom $1: device/pci/0: new frontend device" "$PEER_LOG"; }
unregistered() { peer_saw "dom $1: device/pci/0: unregister"; }

# connect DOMID BDF: a guest with pcifront, connected to its backend
connect() {
	guest "$1"
	be_create "$1" "$2"
	check "dom $1: connected" wait_until 10 be_state "$1" 4
	check "dom $1: the guest sees $2" wait_until 10 view_is "$1" \
		"0000:00:00.0 <- $2"
}

# --- libxl's order: device/pci/0, then device/pci ---
connect 5 0000:07:00.0
xenstore-rm "$(fe 5)"
xenstore-rm /local/domain/5/device/pci
xenstore-rm "$(be 5)"
check "libxl order: pcifront unregisters" wait_until 10 unregistered 5
check "libxl order: the guest's bus is empty" wait_until 10 view_is 5 ""
check "libxl order: released" \
	wait_until 10 simlog_has "pciback-release 0000:07:00.0 dom 5"
be_create 5 0000:07:00.0
check "libxl order, attached again: FE Connected" wait_until 10 fe_state 5 4
is "libxl order, attached again: a fresh probe" "$(new_count 5)" 2
check "libxl order, attached again: the guest sees it" \
	wait_until 10 view_is 5 "0000:00:00.0 <- 0000:07:00.0"

# --- device/pci in one xs_rm: the guest sees only "device/pci" ---
connect 6 0000:08:00.0
xenstore-rm /local/domain/6/device/pci
xenstore-rm "$(be 6)"
check "one rm: released by pciback" \
	wait_until 10 simlog_has "pciback-release 0000:08:00.0 dom 6"
check "settle" settle
check "one rm: the guest saw device/pci" \
	peer_saw "watch /local/domain/6/device/pci"
check "one rm: ... and not device/pci/0" \
	sh -c "! grep -qx '.*simpeer: watch $(fe 6)' $PEER_LOG"
check "one rm: pcifront does not unregister" \
	sh -c "! grep -qF 'dom 6: device/pci/0: unregister' $PEER_LOG"
is "one rm: the stale device stays on the guest's bus" "$(view 6)" \
	"0000:00:00.0 <- 0000:08:00.0"
be_create 6 0000:08:00.0
check "one rm, attached again: BE exports and waits (3)" \
	wait_until 10 be_state 6 3
check "settle" settle
is "one rm, attached again: not probed (FE stays 1)" \
	"$(xs_read "$(fe 6)/state")" 1
is "one rm, attached again: no new frontend device" "$(new_count 6)" 1
is "one rm, attached again: BE still waits" "$(xs_read "$(be 6)/state")" 3
xenstore-rm "$(fe 6)"
check "the node itself removed: the stale device goes" \
	wait_until 10 unregistered 6
check "... and the guest's bus is empty" wait_until 10 view_is 6 ""

# --- a paused guest runs its queued events when unpaused ---
connect 7 0000:09:00.0
simhost domain pause 7
check "dom 7 paused" \
	wait_until 10 peer_saw "dom 7: pcifront not reacting (not running)"
xenstore-rm "$(fe 7)"
xenstore-rm /local/domain/7/device/pci
xenstore-rm "$(be 7)"
check "settle" settle
is "paused, libxl order: nothing yet" "$(view 7)" \
	"0000:00:00.0 <- 0000:09:00.0"
simhost domain unpause 7
check "unpaused, libxl order: pcifront unregisters" \
	wait_until 10 unregistered 7
check "unpaused, libxl order: the guest's bus is empty" \
	wait_until 10 view_is 7 ""

connect 8 0000:0a:00.0
simhost domain pause 8
check "dom 8 paused" \
	wait_until 10 peer_saw "dom 8: pcifront not reacting (not running)"
xenstore-rm /local/domain/8/device/pci
xenstore-rm "$(be 8)"
simhost domain unpause 8
check "dom 8 unpaused" wait_until 10 peer_saw "dom 8: pcifront active"
check "settle" settle
check "unpaused, one rm: pcifront does not unregister" \
	sh -c "! grep -qF 'dom 8: device/pci/0: unregister' $PEER_LOG"
is "unpaused, one rm: the stale device stays" "$(view 8)" \
	"0000:00:00.0 <- 0000:0a:00.0"

peer_done
