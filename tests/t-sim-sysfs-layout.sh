#!/bin/bash
# simsysfs, default inventory: the files, their formats, modes and
# symlinks, as Linux 6.1 /sys/bus/pci shows them (pci-sysfs.c, bus.c).
set -u
. "$(dirname "$0")/sim/sysfs/tlib.sh"

check "simsysfs mounts and returns once the mount is usable" sim_start
check "DIR has sys/ and sim/" test -d "$MNT/sys" -a -d "$MNT/sim"
check "daemon pid is in sim/pid and alive" pid_alive "$SIMPID"

D0=$DEV/0000:07:00.0
D1=$DEV/0000:07:00.1
is "bus/pci/devices: dom0's disk controller and NIC, the two functions" \
	"$(ls "$DEV" | xargs)" "0000:00:1f.2 0000:03:00.0 0000:07:00.0 0000:07:00.1"
is "devices/<BDF> symlink target" "$(readlink "$D0")" \
	"../../../devices/pci0000:07/0000:07:00.0"
is "devices/<BDF> resolves inside the mount" "$(realpath "$D0")" \
	"$SYS/devices/pci0000:07/0000:07:00.0"
is "vendor" "$(rd "$D0/vendor")" "0x8086"
is "device" "$(rd "$D0/device")" "0x10a7"
is "class" "$(rd "$D0/class")" "0x020000"
is "subsystem_vendor" "$(rd "$D0/subsystem_vendor")" "0x8086"
is "subsystem_device" "$(rd "$D0/subsystem_device")" "0x0000"
is "revision" "$(rd "$D0/revision")" "0x02"
is "irq" "$(rd "$D0/irq")" "16"
is "irq of function 1" "$(rd "$D1/irq")" "17"
is "enable while bound" "$(rd "$D0/enable")" "1"
is "modalias" "$(rd "$D0/modalias")" \
	"pci:v00008086d000010A7sv00008086sd00000000bc02sc00i00"
is "resource has 13 lines for a type 0 header" "$(wc -l < "$D0/resource")" 13
check "resource lines use the 0x%016llx format" \
	grep -Eq '^0x[0-9a-f]{16} 0x[0-9a-f]{16} 0x[0-9a-f]{16}$' "$D0/resource"
is "BAR0 is a 32-bit memory BAR" \
	"$(head -n1 "$D0/resource" | awk '{print $3}')" "0x0000000000040200"
is "config is 4096 bytes" "$(stat -c %s "$D0/config")" 4096
is "config read returns 4096 bytes" "$(cat "$D0/config" | wc -c)" 4096
is "config vendor/device at 0" "$(od -An -tx1 -N4 "$D0/config" | tr -d ' \n')" \
	"8680a710"
is "config class at 9" "$(od -An -tx1 -j9 -N3 "$D0/config" | tr -d ' \n')" \
	"000002"
is "config header type has the multi-function bit" \
	"$(od -An -tx1 -j14 -N1 "$D0/config" | tr -d ' \n')" "80"
is "config interrupt line" \
	"$(od -An -tx1 -j60 -N1 "$D0/config" | tr -d ' \n')" "10"
printf '\xab\xcd' | dd of="$D0/config" bs=2 seek=32 conv=notrunc status=none
is "config write at 0x40 reads back" \
	"$(od -An -tx1 -j64 -N2 "$D0/config" | tr -d ' \n')" "abcd"
printf '\xff\xff' | dd of="$D0/config" bs=2 seek=0 conv=notrunc status=none
is "the vendor id is not writable" \
	"$(od -An -tx1 -N2 "$D0/config" | tr -d ' \n')" "8680"
check "config writes are logged (hex-escaped)" \
	grep -q 'write bus/pci/devices/0000:07:00.0/config "\\xab\\xcd" ok' \
	"$MNT/sim/log"
is "driver_override unset reads (null)" "$(rd "$D0/driver_override")" "(null)"
is "reset_method" "$(rd "$D0/reset_method")" "flr"
check "reset exists (the device has FLR)" test -e "$D0/reset"
check "no boot_vga on a NIC" test ! -e "$D0/boot_vga"
check "no sriov files on a non-PF" test ! -e "$D0/sriov_numvfs"
check "no physfn on a non-VF" test ! -e "$D0/physfn"
check "no net dir on a NIC not in use" test ! -e "$D0/net"
is "driver symlink" "$(readlink "$D0/driver")" "../../../bus/pci/drivers/igb"
is "driver symlink resolves to the driver dir" "$(realpath "$D0/driver")" \
	"$PCI/drivers/igb"
is "subsystem symlink resolves to bus/pci" "$(realpath "$D0/subsystem")" "$PCI"
is "driver dir link to the device" \
	"$(readlink "$PCI/drivers/igb/0000:07:00.0")" \
	"../../../../devices/pci0000:07/0000:07:00.0"
is "driver dir link resolves to the device dir" \
	"$(realpath "$PCI/drivers/igb/0000:07:00.0")" "$(realpath "$D0")"
is "drivers: igb, dom0's ahci and e1000, pciback" \
	"$(ls "$PCI/drivers" | xargs)" "ahci e1000 igb pciback"

# Modes as sysfs shows them.
mode() { stat -c %a "$1"; }
is "vendor is 0444" "$(mode "$D0/vendor")" 444
is "driver_override is 0644" "$(mode "$D0/driver_override")" 644
is "config is 0644" "$(mode "$D0/config")" 644
is "reset is 0200" "$(mode "$D0/reset")" 200
for f in bind unbind new_id remove_id uevent; do
	is "igb/$f is 0200" "$(mode "$PCI/drivers/igb/$f")" 200
done
for f in new_slot remove_slot irq_handler_state; do
	is "pciback/$f is 0200" "$(mode "$PB/$f")" 200
done
for f in permissive quirks allow_interrupt_control; do
	is "pciback/$f is 0644" "$(mode "$PB/$f")" 644
done
is "pciback/slots is 0444" "$(mode "$PB/slots")" 444
is "drivers_probe is 0200" "$(mode "$PCI/drivers_probe")" 200

# kernfs_fop_open(): no writing a read-only file, no reading a
# write-only one, root included.
expect_write "writing vendor is refused" "$D0/vendor" 0x1234 \
	"Permission denied"
is "reading bind is refused" "$(rd "$PCI/drivers/igb/bind")" \
	"ERR:Permission denied"
is "reading reset is refused" "$(rd "$D0/reset")" "ERR:Permission denied"
is "no write was logged for refused opens" "$(rd "$MNT/sim/log" | grep -c .)" 2

# pciback as Linux 6.1 has it: no do_flr in mainline.
check "pciback directory exists" test -d "$PB"
check "pciback has no do_flr" test ! -e "$PB/do_flr"
is "pciback slots empty" "$(rd "$PB/slots")" ""
is "pciback permissive empty" "$(rd "$PB/permissive")" ""
is "pciback module link" "$(realpath "$PB/module")" "$SYS/module/xen_pciback"
P=$SYS/module/xen_pciback/parameters
is "module param permissive" "$(rd "$P/permissive")" N
is "module param hide unset" "$(rd "$P/hide")" "(null)"
is "module param passthrough" "$(rd "$P/passthrough")" N
expect_write "module param permissive takes Y" "$P/permissive" Y ok
is "module param permissive reads Y" "$(rd "$P/permissive")" Y
expect_write "module param permissive rejects junk" "$P/permissive" x \
	"Invalid argument"
is "drivers_autoprobe" "$(rd "$PCI/drivers_autoprobe")" 1

is "device uevent (dev_uevent + pci_uevent)" "$(rd "$D0/uevent")" \
"DRIVER=igb
PCI_CLASS=20000
PCI_ID=8086:10A7
PCI_SUBSYS_ID=8086:0000
PCI_SLOT_NAME=0000:07:00.0
MODALIAS=pci:v00008086d000010A7sv00008086sd00000000bc02sc00i00"
expect_write "device uevent change" "$D0/uevent" change ok
expect_write "bus uevent add" "$PCI/uevent" add ok
expect_write "bus uevent junk: EINVAL" "$PCI/uevent" junk "Invalid argument"
check "uevents logged" log_has '^[0-9]+ uevent 0000:07:00.0 change$'
check "bus uevent logged" log_has '^[0-9]+ uevent bus add$'

is "sim/state lists both devices" "$(grep -c '^0000:07:00' "$MNT/sim/state")" 2
check "sim/state shows igb" grep -q '^0000:07:00.0 present=1 driver=igb' \
	"$MNT/sim/state"

finish
