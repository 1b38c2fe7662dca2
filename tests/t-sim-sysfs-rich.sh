#!/bin/bash
# simsysfs, rich inventory: SR-IOV (iov.c sriov_numvfs_store, physfn /
# virtfnN, pci_stub.c pci_stub_notifier), boot VGA, an in-use NIC, a
# bridge, a CardBus bridge pciback refuses, hide= at boot, new_id's
# driver_attach(), removal, rescan and sim/hotplug.
set -u
. "$(dirname "$0")/sim/sysfs/tlib.sh"

check "mount rich inventory" sim_start "$INV/rich.inv"
PF=$DEV/0000:03:00.0

# SR-IOV
is "sriov_totalvfs" "$(rd "$PF/sriov_totalvfs")" 4
is "sriov_numvfs" "$(rd "$PF/sriov_numvfs")" 2
is "virtfn links" \
	"$(ls "$SYS/devices/pci0000:03/0000:03:00.0" | grep virtfn | xargs)" \
	"virtfn0 virtfn1"
is "virtfn0 target" "$(readlink "$PF/virtfn0")" "../0000:03:10.0"
is "virtfn1 resolves to the VF" "$(realpath "$PF/virtfn1")" \
	"$(realpath "$DEV/0000:03:10.2")"
is "physfn resolves to the PF" "$(realpath "$DEV/0000:03:10.2/physfn")" \
	"$(realpath "$PF")"
check "disabled VFs are absent" test ! -e "$DEV/0000:03:10.4"
expect_write "numvfs above totalvfs: ERANGE" "$PF/sriov_numvfs" 5 \
	"Numerical result out of range"
expect_write "numvfs junk: EINVAL" "$PF/sriov_numvfs" x "Invalid argument"
expect_write "numvfs unchanged is a no-op" "$PF/sriov_numvfs" 2 ok
expect_write "numvfs 2 -> 3 without going through 0: EBUSY" \
	"$PF/sriov_numvfs" 3 "Device or resource busy"
n=$(log_last)
expect_write "numvfs 0" "$PF/sriov_numvfs" 0 ok
check "VFs are gone" test ! -e "$DEV/0000:03:10.0" -a ! -e "$PF/virtfn0"
check "VF removal logged (driver first)" log_has \
	"^$((n+2)) unbind 0000:03:10.0 igbvf\$"
expect_write "numvfs 4" "$PF/sriov_numvfs" $'4\n' ok
is "four VFs" "$(ls "$DEV" | grep -c '^0000:03:10')" 4
is "new VFs are probed by igbvf" "$(realpath "$DEV/0000:03:10.6/driver")" \
	"$PCI/drivers/igbvf"

# pci_stub_notifier(): the PF loses its driver, pciback lets its VFs go.
wr "$PCI/drivers/igbvf/unbind" 0000:03:10.0
wr "$PB/new_slot" 0000:03:10.0
expect_write "VF to pciback" "$PB/bind" 0000:03:10.0 ok
n=$(log_last)
expect_write "unbind the PF from igb" "$PCI/drivers/igb/unbind" \
	0000:03:00.0 ok
is "pciback released the VF before the PF's remove()" "$(log_since "$n")" \
"$((n+1)) write bus/pci/drivers/igb/unbind \"0000:03:00.0\" ok
$((n+2)) unbind 0000:03:00.0 igb
$((n+3)) unbind 0000:03:10.0 pciback
$((n+4)) reset 0000:03:10.0 flr pciback-unbind"
check "VF has no driver now" test ! -e "$DEV/0000:03:10.0/driver"
expect_write "numvfs without a PF driver: ENOENT" "$PF/sriov_numvfs" 0 \
	"No such file or directory"
wr "$PB/new_slot" 0000:03:00.0
expect_write "PF to pciback" "$PB/bind" 0000:03:00.0 ok
expect_write "numvfs with pciback (no sriov_configure): ENOENT" \
	"$PF/sriov_numvfs" 0 "No such file or directory"

# Boot VGA, BARs and ROM
G=$DEV/0000:00:02.0
is "boot_vga" "$(rd "$G/boot_vga")" 1
is "class" "$(rd "$G/class")" 0x030000
is "64-bit prefetchable BAR2" "$(sed -n 3p "$G/resource")" \
	"0x00000000e0000000 0x00000000efffffff 0x000000000014220c"
is "I/O BAR4" "$(sed -n 5p "$G/resource")" \
	"0x000000000000f000 0x000000000000f03f 0x0000000000040101"
is "ROM line" "$(sed -n 7p "$G/resource")" \
	"0x00000000000c0000 0x00000000000dffff 0x0000000000046200"
check "no boot_vga on other classes" test ! -e "$DEV/0000:05:00.0/boot_vga"

# In-use NIC
N=$DEV/0000:08:00.0
is "net/<ifname>" "$(ls "$N/net")" eno1
is "operstate up" "$(rd "$N/net/eno1/operstate")" up
expect_write "unbind e1000e from it" "$PCI/drivers/e1000e/unbind" \
	0000:08:00.0 ok
check "the netdev goes with the driver" test ! -e "$N/net"
expect_write "bind it back" "$PCI/drivers/e1000e/bind" 0000:08:00.0 ok
is "and comes back" "$(rd "$N/net/eno1/operstate")" up

# Bridges
B=$DEV/0000:00:1c.0
is "a bridge's resource has 17 lines" "$(wc -l < "$B/resource")" 17
is "bridge header type 1" "$(od -An -tx1 -j14 -N1 "$B/config" | tr -d ' \n')" 01
is "cfg=256 device has a 256-byte config" \
	"$(stat -c %s "$DEV/0000:05:00.0/config")" 256
wr "$PB/new_slot" 0000:0b:00.0
expect_write "pciback refuses header type 2: ENODEV" "$PB/bind" \
	0000:0b:00.0 "No such device"
check "refusal logged" log_has '^[0-9]+ pciback-refused 0000:0b:00.0 header-type 2$'

# hide= at boot
is "hidden device on pciback" "$(realpath "$DEV/0000:0a:00.0/driver")" "$PB"
is "module param hide" "$(rd "$SYS/module/xen_pciback/parameters/hide")" \
	"(0000:0a:00.0)"
check "its slot is listed" grep -q '^0000:0a:00.0$' "$PB/slots"

# new_id: pci_add_dynid() -> driver_attach() binds matching devices.
X=$DEV/0000:0c:00.0
check "0c:00.0 has no driver" test ! -e "$X/driver"
expect_write "new_id on ahci" "$PCI/drivers/ahci/new_id" "1b36 0001" ok
is "driver_attach() bound it" "$(realpath "$X/driver")" "$PCI/drivers/ahci"

# remove / rescan (pci-sysfs.c remove_store, rescan_store)
exec 3>"$X/enable"
expect_write "remove it" "$X/remove" 1 ok
check "it is gone" test ! -e "$X"
check "driver link gone" test ! -e "$PCI/drivers/ahci/0000:0c:00.0"
out=$( { printf 1 >&3; } 2>&1 )
is "a write through a file opened before removal: ENODEV" "${out##*: }" \
	"No such device"
exec 3>&-
expect_write "remove junk: EINVAL" "$DEV/0000:05:00.0/remove" x \
	"Invalid argument"
expect_write "rescan" "$PCI/rescan" 1 ok
check "rescan brought it back" test -e "$X"
is "and probed it (dynid still there)" "$(realpath "$X/driver")" \
	"$PCI/drivers/ahci"

# sim/hotplug
H=$MNT/sim/hotplug
n=$(log_last)
expect_write "hot-add a device" "$H" \
	"add 0000:0d:00.0 8086 10a7 0x020000 - flr=1" ok
is "it was added and probed" "$(log_since "$n")" \
"$((n+1)) hotplug add 0000:0d:00.0 8086 10a7 0x020000 - flr=1
$((n+2)) add 0000:0d:00.0
$((n+3)) bind 0000:0d:00.0 igb"
is "its reset_method (alone on its bus)" \
	"$(rd "$DEV/0000:0d:00.0/reset_method")" "flr bus"
expect_write "hot-add of a present BDF: EEXIST" "$H" \
	"add 0000:0d:00.0 8086 10a7 0x020000 -" "File exists"
expect_write "hot-add junk: EINVAL" "$H" "add nonsense" "Invalid argument"
expect_write "surprise removal" "$H" "remove 0000:0d:00.0" ok
check "gone" test ! -e "$DEV/0000:0d:00.0"
check "removal logged after the unbind" log_has \
	'^[0-9]+ remove 0000:0d:00.0 surprise$'
expect_write "bind of the removed device: ENODEV" \
	"$PCI/drivers/igb/bind" 0000:0d:00.0 "No such device"
wr "$PCI/rescan" 1
check "rescan does not revive a surprise removal" \
	test ! -e "$DEV/0000:0d:00.0"
expect_write "removal of an absent device: ENODEV" "$H" \
	"remove 0000:0d:00.0" "No such device"
expect_write "drivers_autoprobe 0" "$PCI/drivers_autoprobe" 0 ok
expect_write "hot-add it again" "$H" \
	"add 0000:0d:00.0 8086 10a7 0x020000 - flr=1" ok
check "not probed with autoprobe off" test ! -e "$DEV/0000:0d:00.0/driver"
expect_write "drivers_probe binds it" "$PCI/drivers_probe" 0000:0d:00.0 ok
is "bound to igb" "$(realpath "$DEV/0000:0d:00.0/driver")" "$PCI/drivers/igb"
expect_write "unknown hotplug command: EINVAL" "$H" "frobnicate" \
	"Invalid argument"

finish
