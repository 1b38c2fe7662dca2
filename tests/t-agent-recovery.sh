#!/usr/bin/env bash
# Recovery is "drive back to the goal to return to" (agent/device.c):
# what it does when the device is no longer where the agent left it.
# A device an admin has bound to a third driver while the agent was
# down is left there, its original driver stays remembered, and the
# log says so: it is not "restored to driver igb".
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"

sim_up --inventory "$TOP/tests/attach.inv"
A=0000:07:00.0
DEVS=$SYSFS_ROOT/bus/pci/devices

XEN_PCI_AGENT_CRASH_AT=bind agent_start || exit 1
req c1 assignable-add spec=07:00.0
agent_wait_exit
is "killed before bind: unbound" "$(drv $A)" none
is "its driver is remembered" "$(disk_record $A)" /sys/bus/pci/drivers/igb
is "libxl's driver_path written" "$(libxl_path $A)" \
	/sys/bus/pci/drivers/igb
xenstore-rm $R/requests/c1
# While the agent is down, the admin gives it to e1000e.
echo e1000e >"$DEVS/$A/driver_override"
echo -n $A >"$SYSFS_ROOT/bus/pci/drivers/e1000e/bind"
is "on the third driver" "$(drv $A)" e1000e

agent_start || exit 1
run_ok "barrier" c2 assignable-list
is "left on the third driver" "$(drv $A)" e1000e
check "no intent record" no_intents
check "the log does not claim igb is back" \
	bash -c "! grep -q 'restored to driver igb' $AGENT_LOG"
check "the log says where it is" agent_log_has "on driver e1000e, not igb"
is "igb stays remembered" "$(disk_record $A)" /sys/bus/pci/drivers/igb
is "libxl's driver_path stays" "$(libxl_path $A)" \
	/sys/bus/pci/drivers/igb
like "the device's stage is not published (not on pciback)" \
	"$(dev_state $A)" absent

# remove -r then gives it back to igb from e1000e?  No: the agent
# takes nothing from a driver it did not bind, and says so.
echo >"$DEVS/$A/driver_override"
run_ok "remove -r of a device on another driver" c3 assignable-remove \
	spec=07:00.0 rebind=1
is "still on e1000e" "$(drv $A)" e1000e
agent_done
