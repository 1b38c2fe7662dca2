#!/usr/bin/env bash
# Every error of assignable-add/-remove: a failing sysfs write at each
# step (each errno the simulator injects), rollback to the original
# driver, rollback that fails too, and the device state afterwards.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"

sim_up
agent_start || exit 1
A=0000:07:00.0 B=0000:07:00.1
PB=bus/pci/drivers/pciback

# The device is back where it started and nothing is left behind.
pristine() {
	local d=$1 what=$2
	is "$what: $d back on igb" "$(drv $d)" igb
	check "$what: no pciback slot left" bash -c "! grep -qx $d $SYSFS_ROOT/$PB/slots"
	is "$what: not published" "$(dev_state $d)" absent
	check "$what: no intent record" no_intents
}

# --- bind to pciback fails with each injectable errno: rolled back
n=0
for e in EPERM ENOENT EIO ENXIO E2BIG EAGAIN ENOMEM EACCES EBUSY EEXIST \
	ENODEV EINVAL ENOSPC ERANGE ENOSYS ENOTTY ETIMEDOUT EOPNOTSUPP \
	EROFS EFAULT; do
	n=$((n + 1))
	fault $PB/bind $e
	run_err "bind fails with $e" $e b$n assignable-add spec=07:00.0
	like "bind $e: message names device and step" "$ERRMSG" \
		"^$A: bind to pciback: .*restored to driver igb"
	pristine $A "bind $e"
	fault_clear
	xenstore-rm $R/requests/b$n
done

# EINTR: the write did nothing and is simply repeated.
fault $PB/bind EINTR
run_ok "bind interrupted once (EINTR) is retried" i1 assignable-add spec=07:00.0
is "EINTR: on pciback" "$(drv $A)" pciback
fault_clear
run_ok "remove -r after EINTR" i2 assignable-remove spec=07:00.0 rebind=1

# --- the other steps of an add
fault bus/pci/drivers/igb/unbind EBUSY
run_err "unbind from igb fails" EBUSY u1 assignable-add spec=07:00.0
like "unbind failure message" "$ERRMSG" "^$A: unbind from igb: .*still on driver igb"
pristine $A "unbind EBUSY"
fault_clear

fault $PB/new_slot ENOMEM
run_err "new_slot fails" ENOMEM s1 assignable-add spec=07:00.0
like "new_slot failure message" "$ERRMSG" "^$A: add slot to pciback: "
pristine $A "new_slot ENOMEM"
fault_clear

# bind fails and so does the way back: unbound, but remembered.
fault $PB/bind ENODEV
fault bus/pci/drivers/igb/bind EIO
run_err "bind and rollback both fail" ENODEV rb1 assignable-add spec=07:00.0
like "message says the driver is remembered" "$ERRMSG" \
	"could not restore driver igb .*remembered"
is "device left unbound" "$(drv $A)" none
is "its driver is remembered on disk" "$(disk_record $A)" \
	/sys/bus/pci/drivers/igb
check "no intent record" no_intents
fault_clear
run_ok "remove -r gives it back" rb2 assignable-remove spec=07:00.0 rebind=1
is "back on igb" "$(drv $A)" igb
is "record gone after rebind" "$(disk_record $A)" ""

# --- remove: rebind to the original driver fails: back to pciback
run_ok "add for remove tests" ra assignable-add spec=07:00.0
fault bus/pci/drivers/igb/bind ENODEV
run_err "rebind to igb fails" ENODEV rr1 assignable-remove spec=07:00.0 rebind=1
like "rebind failure message" "$ERRMSG" "^$A: bind to igb: .*restored to pciback"
is "device back on pciback" "$(drv $A)" pciback
check "slot back" has_slot $A
is "still published" "$(dev_state $A)" assignable
is "driver still remembered" "$(disk_record $A)" /sys/bus/pci/drivers/igb
is "libxl driver_path still there" "$(libxl_path $A)" /sys/bus/pci/drivers/igb
check "no intent record" no_intents
fault_clear

fault $PB/unbind EBUSY
run_err "unbind from pciback fails" EBUSY rr2 assignable-remove spec=07:00.0 rebind=1
is "device still on pciback" "$(drv $A)" pciback
fault_clear

# --- a device assigned to a guest (libxl's /libxl/pci/K/domid)
xenstore-write /libxl/pci/0000-07-00-0/domid 5
run_err "remove of a device a guest owns" EBUSY g1 assignable-remove spec=07:00.0
like "message says detach first" "$ERRMSG" "assigned to domain 5: detach"
is "still on pciback" "$(drv $A)" pciback
run_ok "list skips devices assigned to a guest" gl assignable-list
is "empty list" "$(xenstore-list $R/requests/gl/result)" ""
is "published as attached" "$(dev_state $A)" attached
xenstore-rm /libxl/pci/0000-07-00-0/domid
run_ok "remove -r once the guest is gone" g2 assignable-remove spec=07:00.0 rebind=1
is "back on igb" "$(drv $A)" igb

# --- quarantine (xc_assign_device to dom_io) fails: rolled back
simhost fault xen xc_assign_device EIO
run_err "quarantine fails" EIO x1 assignable-add spec=07:00.0
like "quarantine failure message" "$ERRMSG" "^$A: quarantine \(assign to dom_io\): .*restored to driver igb"
pristine $A "quarantine EIO"
is "quarantine EIO: Xen owner dom0" "$(xen_owner $A)" 0
simhost fault clear
run_ok "add for the de-quarantine case" x2 assignable-add spec=07:00.0
simhost fault xen xc_deassign_device EPERM
run_err "de-quarantine fails" EPERM x3 assignable-remove spec=07:00.0 rebind=1
like "de-quarantine failure message" "$ERRMSG" "^$A: de-quarantine"
is "still on pciback" "$(drv $A)" pciback
is "still quarantined" "$(xen_owner $A)" 32753
simhost fault clear
# A guest libxl does not know about has it (Xen says busy).
simhost domain create 7 --name g7 >/dev/null
printf '%s\n' 7 >"$SIMXEN_DIR/pci/00000700"
run_err "remove of a device Xen gives to a guest" EBUSY x4 assignable-remove \
	spec=07:00.0 rebind=1
like "message says a guest has it" "$ERRMSG" "assigned to a guest"
is "still on pciback" "$(drv $A)" pciback
printf '%s\n' 32753 >"$SIMXEN_DIR/pci/00000700"
run_ok "remove -r once the guest let go" x5 assignable-remove spec=07:00.0 rebind=1
is "back on igb" "$(drv $A)" igb

# --- all or nothing: 07:00.* with 07:00.1 failing
fault $PB/bind ENODEV nth=2
run_err "07:00.* with the second bind failing" ENODEV w1 assignable-add \
	spec=0000:07:00.*
pristine $A "wildcard rollback"
pristine $B "wildcard rollback"
fault_clear

# --- all or nothing on remove: the second rebind fails, both go back
run_ok "07:00.* assignable" w2 assignable-add spec=07:00.*
fault bus/pci/drivers/igb/bind ENODEV nth=2
run_err "remove -r 07:00.* with the second rebind failing" ENODEV w3 \
	assignable-remove spec=07:00.* rebind=1
like "message names the failing function and the undo" "$ERRMSG" \
	"^$B: bind to igb: .*$A restored to pciback"
is "07:00.0 back on pciback" "$(drv $A)" pciback
is "07:00.1 back on pciback" "$(drv $B)" pciback
check "slots back" bash -c "grep -qx $A $SYSFS_ROOT/$PB/slots && grep -qx $B $SYSFS_ROOT/$PB/slots"
is "both still remembered" "$(disk_record $A) $(disk_record $B)" \
	"/sys/bus/pci/drivers/igb /sys/bus/pci/drivers/igb"
is "both quarantined" "$(xen_owner $A) $(xen_owner $B)" "32753 32753"
check "no intent record" no_intents
fault_clear
run_ok "remove -r 07:00.*" w4 assignable-remove spec=07:00.* rebind=1
is "both on igb" "$(drv $A) $(drv $B)" "igb igb"

agent_done
t_done
