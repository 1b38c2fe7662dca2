#!/usr/bin/env bash
# libxl's driver_path is a node any dom0 process may write (issue 12,
# point 4).  One that is not a driver under /sys/bus/pci/drivers is
# ignored: assignable-remove -r never writes a BDF outside the drivers,
# and it answers ok only with the device bound again.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"

sim_up
agent_start || exit 1
A=0000:07:00.0
K=$(key_of $A)
evil=$SIM/evil
mkdir -p "$evil"
: >"$evil/bind"

# --- a forged path, the state dir still knows igb
run_ok "add 07:00.0" a1 assignable-add spec=07:00.0
xenstore-write "/libxl/pci/$K/driver_path" "$evil"
run_ok "remove -r 07:00.0 with a forged driver_path" a2 \
	assignable-remove spec=07:00.0 rebind=1
is "nothing was written outside sysfs" "$(cat "$evil/bind")" ""
is "07:00.0 is back on igb (from the state dir)" "$(drv $A)" igb
check "the forged path is logged" agent_log_has "ignoring /libxl/pci/$K/driver_path"

# --- a forged path that climbs out of the drivers directory
run_ok "add 07:00.0 again" a3 assignable-add spec=07:00.0
xenstore-write "/libxl/pci/$K/driver_path" "/sys/bus/pci/drivers/../../../..$evil"
rm -f "$STATE/drivers/$K"
run_err "remove -r, forged path, nothing on disk" ENOENT a4 \
	assignable-remove spec=07:00.0 rebind=1
like "a4: says no original driver is known" "$ERRMSG" "no original driver"
is "nothing was written outside sysfs" "$(cat "$evil/bind")" ""
is "07:00.0 left on no driver, as the error says" "$(drv $A)" none
check "no intent record left" no_intents

# --- a real driver path still works, and a bind that does not take is
# not an ok
run_ok "add 07:00.0 once more (from no driver)" a5 assignable-add spec=07:00.0
xenstore-write "/libxl/pci/$K/driver_path" /sys/bus/pci/drivers/igb
run_ok "remove -r with libxl's path" a6 assignable-remove spec=07:00.0 rebind=1
is "07:00.0 on igb" "$(drv $A)" igb
agent_done
t_done
