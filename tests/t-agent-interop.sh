#!/usr/bin/env bash
# libxl interop and reboots: a device made assignable the way libxl 4.17
# does it is given back by the agent with -r, a device the agent made
# assignable can be given back the way libxl does it (from
# /libxl/pci/K/driver_path), and -r works after a reboot (xenstore
# empty, device hidden by xen-pciback.hide) from the state dir.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"

A=0000:07:00.0 B=0000:07:00.1
STATE=$(mktemp -d /tmp/xpa-state.XXXXXX)
sim_up
agent_start || exit 1

# sysw FILE: write a BDF to a sysfs file, as libxl's sysfs_write_bdf.
sysw() { printf %s "$2" >"$SYSFS_ROOT/$1"; }

# --- what libxl_device_pci_assignable_add(rebind=1) does, by hand
sysw bus/pci/drivers/igb/unbind $A
xenstore-write /libxl/pci/0000-07-00-0/driver_path /sys/bus/pci/drivers/igb
sysw bus/pci/drivers/pciback/new_slot $A
sysw bus/pci/drivers/pciback/bind $A
is "xl-style add: on pciback" "$(drv $A)" pciback
run_ok "list" l1 assignable-list
is "list knows the driver from libxl's driver_path" \
	"$(xs_read $R/requests/l1/result/0000-07-00-0)" igb
is "published after the list" "$(dev_driver $A)" igb
run_ok "agent remove -r of an xl-assigned device" r1 assignable-remove \
	spec=07:00.0 rebind=1
is "rebound to igb from libxl's driver_path" "$(drv $A)" igb
is "driver_path deleted as libxl does" "$(libxl_path $A)" ""

# --- the agent adds; libxl_device_pci_assignable_remove(rebind=1) by hand
run_ok "agent add" a1 assignable-add spec=07:00.1
dp=$(libxl_path $B)
is "driver_path is the host path libxl stores" "$dp" /sys/bus/pci/drivers/igb
check "it names a real driver directory (under the sysfs root)" \
	test -e "$SYSFS_ROOT${dp#/sys}/bind"
sysw bus/pci/drivers/pciback/unbind $B
sysw bus/pci/drivers/pciback/remove_slot $B
sysw "${dp#/sys/}/bind" $B
xenstore-rm /libxl/pci/0000-07-00-1/driver_path
is "xl-style remove -r: back on igb" "$(drv $B)" igb
run_ok "list after xl's remove" l2 assignable-list
is "nothing listed" "$(xenstore-list $R/requests/l2/result)" ""
is "R/devices follows" "$(dev_state $B)" absent

# --- reboot: the state dir remembers, xenstore does not
run_ok "add before the reboot" a2 assignable-add spec=07:00.0
is "remembered on disk" "$(disk_record $A)" /sys/bus/pci/drivers/igb
agent_stop
sim_down
INV=$(mktemp /tmp/xpa-inv.XXXXXX)
cat >"$INV" <<'INV'
pciback=loaded
driver igb ids=8086:10a7
hide=(0000:07:00.0)
0000:07:00.0 8086 10a7 0x020000 pciback
0000:07:00.1 8086 10a7 0x020000 igb
INV
sim_up --inventory "$INV"
is "after the reboot: xenstore has no driver_path" "$(libxl_path $A)" ""
is "after the reboot: hidden on pciback" "$(drv $A)" pciback
agent_start || exit 1
is "published with the remembered driver" "$(dev_driver $A)" igb
is "libxl's driver_path restored from the state dir" "$(libxl_path $A)" \
	/sys/bus/pci/drivers/igb
run_ok "list after the reboot" l3 assignable-list
is "list shows the remembered driver" \
	"$(xs_read $R/requests/l3/result/0000-07-00-0)" igb
run_ok "remove -r after the reboot" r3 assignable-remove spec=07:00.0 rebind=1
is "rebound to igb from the state dir" "$(drv $A)" igb
is "record deleted" "$(disk_record $A)" ""

agent_done
rm -rf "$STATE" "$INV"
t_done
