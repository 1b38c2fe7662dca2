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
expect "sriov_totalvfs" 4 "$(rd "$PF/sriov_totalvfs")"
expect "sriov_numvfs" 2 "$(rd "$PF/sriov_numvfs")"
expect "virtfn links" "virtfn0 virtfn1" \
	"$(ls "$SYS/devices/pci0000:03/0000:03:00.0" | grep virtfn | xargs)"
expect "virtfn0 target" "../0000:03:10.0" "$(readlink "$PF/virtfn0")"
expect "virtfn1 resolves to the VF" "$(realpath "$DEV/0000:03:10.2")" \
	"$(realpath "$PF/virtfn1")"
expect "physfn resolves to the PF" "$(realpath "$PF")" \
	"$(realpath "$DEV/0000:03:10.2/physfn")"
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
expect "four VFs" 4 "$(ls "$DEV" | grep -c '^0000:03:10')"
expect "new VFs are probed by igbvf" "$PCI/drivers/igbvf" \
	"$(realpath "$DEV/0000:03:10.6/driver")"

# pci_stub_notifier(): the PF loses its driver, pciback lets its VFs go.
wr "$PCI/drivers/igbvf/unbind" 0000:03:10.0
wr "$PB/new_slot" 0000:03:10.0
expect_write "VF to pciback" "$PB/bind" 0000:03:10.0 ok
n=$(log_last)
expect_write "unbind the PF from igb" "$PCI/drivers/igb/unbind" \
	0000:03:00.0 ok
expect "pciback released the VF before the PF's remove()" \
"$((n+1)) write bus/pci/drivers/igb/unbind \"0000:03:00.0\" ok
$((n+2)) unbind 0000:03:00.0 igb
$((n+3)) unbind 0000:03:10.0 pciback
$((n+4)) reset 0000:03:10.0 flr pciback-unbind" "$(log_since "$n")"
check "VF has no driver now" test ! -e "$DEV/0000:03:10.0/driver"
expect_write "numvfs without a PF driver: ENOENT" "$PF/sriov_numvfs" 0 \
	"No such file or directory"
wr "$PB/new_slot" 0000:03:00.0
expect_write "PF to pciback" "$PB/bind" 0000:03:00.0 ok
expect_write "numvfs with pciback (no sriov_configure): ENOENT" \
	"$PF/sriov_numvfs" 0 "No such file or directory"

# Boot VGA, BARs and ROM
G=$DEV/0000:00:02.0
expect "boot_vga" 1 "$(rd "$G/boot_vga")"
expect "class" 0x030000 "$(rd "$G/class")"
expect "64-bit prefetchable BAR2" \
	"0x00000000e0000000 0x00000000efffffff 0x000000000014220c" \
	"$(sed -n 3p "$G/resource")"
expect "I/O BAR4" "0x000000000000f000 0x000000000000f03f 0x0000000000040101" \
	"$(sed -n 5p "$G/resource")"
expect "ROM line" "0x00000000000c0000 0x00000000000dffff 0x0000000000046200" \
	"$(sed -n 7p "$G/resource")"
check "no boot_vga on other classes" test ! -e "$DEV/0000:05:00.0/boot_vga"

# In-use NIC
N=$DEV/0000:08:00.0
expect "net/<ifname>" eno1 "$(ls "$N/net")"
expect "operstate up" up "$(rd "$N/net/eno1/operstate")"
expect_write "unbind e1000e from it" "$PCI/drivers/e1000e/unbind" \
	0000:08:00.0 ok
check "the netdev goes with the driver" test ! -e "$N/net"
expect_write "bind it back" "$PCI/drivers/e1000e/bind" 0000:08:00.0 ok
expect "and comes back" up "$(rd "$N/net/eno1/operstate")"

# Bridges
B=$DEV/0000:00:1c.0
expect "a bridge's resource has 17 lines" 17 "$(wc -l < "$B/resource")"
expect "bridge header type 1" 01 \
	"$(od -An -tx1 -j14 -N1 "$B/config" | tr -d ' \n')"
expect "cfg=256 device has a 256-byte config" 256 \
	"$(stat -c %s "$DEV/0000:05:00.0/config")"
wr "$PB/new_slot" 0000:0b:00.0
expect_write "pciback refuses header type 2: ENODEV" "$PB/bind" \
	0000:0b:00.0 "No such device"
check "refusal logged" log_has '^[0-9]+ pciback-refused 0000:0b:00.0 header-type 2$'

# hide= at boot
expect "hidden device on pciback" "$PB" \
	"$(realpath "$DEV/0000:0a:00.0/driver")"
expect "module param hide" "(0000:0a:00.0)" \
	"$(rd "$SYS/module/xen_pciback/parameters/hide")"
check "its slot is listed" grep -q '^0000:0a:00.0$' "$PB/slots"

# new_id: pci_add_dynid() -> driver_attach() binds matching devices.
X=$DEV/0000:0c:00.0
check "0c:00.0 has no driver" test ! -e "$X/driver"
expect_write "new_id on ahci" "$PCI/drivers/ahci/new_id" "1b36 0001" ok
expect "driver_attach() bound it" "$PCI/drivers/ahci" \
	"$(realpath "$X/driver")"

# remove / rescan (pci-sysfs.c remove_store, rescan_store)
exec 3>"$X/enable"
expect_write "remove it" "$X/remove" 1 ok
check "it is gone" test ! -e "$X"
check "driver link gone" test ! -e "$PCI/drivers/ahci/0000:0c:00.0"
out=$( { printf 1 >&3; } 2>&1 )
expect "a write through a file opened before removal: ENODEV" \
	"No such device" "${out##*: }"
exec 3>&-
expect_write "remove junk: EINVAL" "$DEV/0000:05:00.0/remove" x \
	"Invalid argument"
expect_write "rescan" "$PCI/rescan" 1 ok
check "rescan brought it back" test -e "$X"
expect "and probed it (dynid still there)" "$PCI/drivers/ahci" \
	"$(realpath "$X/driver")"

# sim/hotplug
H=$MNT/sim/hotplug
n=$(log_last)
expect_write "hot-add a device" "$H" \
	"add 0000:0d:00.0 8086 10a7 0x020000 - flr=1" ok
expect "it was added and probed" \
"$((n+1)) hotplug add 0000:0d:00.0 8086 10a7 0x020000 - flr=1
$((n+2)) add 0000:0d:00.0
$((n+3)) bind 0000:0d:00.0 igb" "$(log_since "$n")"
expect "its reset_method (alone on its bus)" "flr bus" \
	"$(rd "$DEV/0000:0d:00.0/reset_method")"
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
expect "bound to igb" "$PCI/drivers/igb" \
	"$(realpath "$DEV/0000:0d:00.0/driver")"
expect_write "unknown hotplug command: EINVAL" "$H" "frobnicate" \
	"Invalid argument"

finish
