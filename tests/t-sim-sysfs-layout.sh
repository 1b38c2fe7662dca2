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
expect "bus/pci/devices lists the two functions" \
	"0000:07:00.0 0000:07:00.1" "$(ls "$DEV" | xargs)"
expect "devices/<BDF> symlink target" \
	"../../../devices/pci0000:07/0000:07:00.0" "$(readlink "$D0")"
expect "devices/<BDF> resolves inside the mount" \
	"$SYS/devices/pci0000:07/0000:07:00.0" "$(realpath "$D0")"
expect "vendor" "0x8086" "$(rd "$D0/vendor")"
expect "device" "0x10a7" "$(rd "$D0/device")"
expect "class" "0x020000" "$(rd "$D0/class")"
expect "subsystem_vendor" "0x8086" "$(rd "$D0/subsystem_vendor")"
expect "subsystem_device" "0x0000" "$(rd "$D0/subsystem_device")"
expect "revision" "0x02" "$(rd "$D0/revision")"
expect "irq" "16" "$(rd "$D0/irq")"
expect "irq of function 1" "17" "$(rd "$D1/irq")"
expect "enable while bound" "1" "$(rd "$D0/enable")"
expect "modalias" "pci:v00008086d000010A7sv00008086sd00000000bc02sc00i00" \
	"$(rd "$D0/modalias")"
expect "resource has 13 lines for a type 0 header" 13 \
	"$(wc -l < "$D0/resource")"
check "resource lines use the 0x%016llx format" \
	grep -Eq '^0x[0-9a-f]{16} 0x[0-9a-f]{16} 0x[0-9a-f]{16}$' "$D0/resource"
expect "BAR0 is a 32-bit memory BAR" "0x0000000000040200" \
	"$(head -n1 "$D0/resource" | awk '{print $3}')"
expect "config is 4096 bytes" 4096 "$(stat -c %s "$D0/config")"
expect "config read returns 4096 bytes" 4096 "$(cat "$D0/config" | wc -c)"
expect "config vendor/device at 0" "8680a710" \
	"$(od -An -tx1 -N4 "$D0/config" | tr -d ' \n')"
expect "config class at 9" "000002" \
	"$(od -An -tx1 -j9 -N3 "$D0/config" | tr -d ' \n')"
expect "config header type has the multi-function bit" "80" \
	"$(od -An -tx1 -j14 -N1 "$D0/config" | tr -d ' \n')"
expect "config interrupt line" "10" \
	"$(od -An -tx1 -j60 -N1 "$D0/config" | tr -d ' \n')"
printf '\xab\xcd' | dd of="$D0/config" bs=2 seek=32 conv=notrunc status=none
expect "config write at 0x40 reads back" "abcd" \
	"$(od -An -tx1 -j64 -N2 "$D0/config" | tr -d ' \n')"
printf '\xff\xff' | dd of="$D0/config" bs=2 seek=0 conv=notrunc status=none
expect "the vendor id is not writable" "8680" \
	"$(od -An -tx1 -N2 "$D0/config" | tr -d ' \n')"
check "config writes are logged (hex-escaped)" \
	grep -q 'write bus/pci/devices/0000:07:00.0/config "\\xab\\xcd" ok' \
	"$MNT/sim/log"
expect "driver_override unset reads (null)" "(null)" \
	"$(rd "$D0/driver_override")"
expect "reset_method" "flr" "$(rd "$D0/reset_method")"
check "reset exists (the device has FLR)" test -e "$D0/reset"
check "no boot_vga on a NIC" test ! -e "$D0/boot_vga"
check "no sriov files on a non-PF" test ! -e "$D0/sriov_numvfs"
check "no physfn on a non-VF" test ! -e "$D0/physfn"
check "no net dir on a NIC not in use" test ! -e "$D0/net"
expect "driver symlink" "../../../bus/pci/drivers/igb" \
	"$(readlink "$D0/driver")"
expect "driver symlink resolves to the driver dir" \
	"$PCI/drivers/igb" "$(realpath "$D0/driver")"
expect "subsystem symlink resolves to bus/pci" "$PCI" \
	"$(realpath "$D0/subsystem")"
expect "driver dir link to the device" \
	"../../../../devices/pci0000:07/0000:07:00.0" \
	"$(readlink "$PCI/drivers/igb/0000:07:00.0")"
expect "driver dir link resolves to the device dir" "$(realpath "$D0")" \
	"$(realpath "$PCI/drivers/igb/0000:07:00.0")"
expect "drivers: igb and pciback" "igb pciback" \
	"$(ls "$PCI/drivers" | xargs)"

# Modes as sysfs shows them.
mode() { stat -c %a "$1"; }
expect "vendor is 0444" 444 "$(mode "$D0/vendor")"
expect "driver_override is 0644" 644 "$(mode "$D0/driver_override")"
expect "config is 0644" 644 "$(mode "$D0/config")"
expect "reset is 0200" 200 "$(mode "$D0/reset")"
for f in bind unbind new_id remove_id uevent; do
	expect "igb/$f is 0200" 200 "$(mode "$PCI/drivers/igb/$f")"
done
for f in new_slot remove_slot irq_handler_state; do
	expect "pciback/$f is 0200" 200 "$(mode "$PB/$f")"
done
for f in permissive quirks allow_interrupt_control; do
	expect "pciback/$f is 0644" 644 "$(mode "$PB/$f")"
done
expect "pciback/slots is 0444" 444 "$(mode "$PB/slots")"
expect "drivers_probe is 0200" 200 "$(mode "$PCI/drivers_probe")"

# kernfs_fop_open(): no writing a read-only file, no reading a
# write-only one, root included.
expect_write "writing vendor is refused" "$D0/vendor" 0x1234 \
	"Permission denied"
expect "reading bind is refused" "ERR:Permission denied" \
	"$(rd "$PCI/drivers/igb/bind")"
expect "reading reset is refused" "ERR:Permission denied" \
	"$(rd "$D0/reset")"
expect "no write was logged for refused opens" 2 \
	"$(rd "$MNT/sim/log" | grep -c .)"

# pciback as Linux 6.1 has it: no do_flr in mainline.
check "pciback directory exists" test -d "$PB"
check "pciback has no do_flr" test ! -e "$PB/do_flr"
expect "pciback slots empty" "" "$(rd "$PB/slots")"
expect "pciback permissive empty" "" "$(rd "$PB/permissive")"
expect "pciback module link" "$SYS/module/xen_pciback" \
	"$(realpath "$PB/module")"
P=$SYS/module/xen_pciback/parameters
expect "module param permissive" N "$(rd "$P/permissive")"
expect "module param hide unset" "(null)" "$(rd "$P/hide")"
expect "module param passthrough" N "$(rd "$P/passthrough")"
expect_write "module param permissive takes Y" "$P/permissive" Y ok
expect "module param permissive reads Y" Y "$(rd "$P/permissive")"
expect_write "module param permissive rejects junk" "$P/permissive" x \
	"Invalid argument"
expect "drivers_autoprobe" 1 "$(rd "$PCI/drivers_autoprobe")"

expect "device uevent (dev_uevent + pci_uevent)" \
"DRIVER=igb
PCI_CLASS=20000
PCI_ID=8086:10A7
PCI_SUBSYS_ID=8086:0000
PCI_SLOT_NAME=0000:07:00.0
MODALIAS=pci:v00008086d000010A7sv00008086sd00000000bc02sc00i00" \
	"$(rd "$D0/uevent")"
expect_write "device uevent change" "$D0/uevent" change ok
expect_write "bus uevent add" "$PCI/uevent" add ok
expect_write "bus uevent junk: EINVAL" "$PCI/uevent" junk "Invalid argument"
check "uevents logged" log_has '^[0-9]+ uevent 0000:07:00.0 change$'
check "bus uevent logged" log_has '^[0-9]+ uevent bus add$'

expect "sim/state lists both devices" 2 \
	"$(grep -c '^0000:07:00' "$MNT/sim/state")"
check "sim/state shows igb" grep -q '^0000:07:00.0 present=1 driver=igb' \
	"$MNT/sim/state"

finish
