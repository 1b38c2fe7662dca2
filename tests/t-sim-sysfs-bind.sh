#!/bin/bash
# simsysfs: bind/unbind/new_id/remove_id/uevent/drivers_probe and
# driver_override with Linux 6.1's errnos (drivers/base/bus.c bind_store,
# unbind_store, drivers_probe_store; dd.c __driver_probe_device;
# pci-driver.c pci_match_device, new_id_store, remove_id_store;
# drivers/base/driver.c driver_set_override).
set -u
. "$(dirname "$0")/sim/sysfs/tlib.sh"

check "mount default inventory" sim_start
IGB=$PCI/drivers/igb
D0=$DEV/0000:07:00.0
D1=$DEV/0000:07:00.1

# bind_store(): bus_find_device_by_name() is sysfs_streq() on the name.
expect_write "bind of an unknown BDF: ENODEV" "$IGB/bind" 0000:99:00.0 \
	"No such device"
expect_write "bind with a short BDF: ENODEV" "$IGB/bind" 07:00.0 \
	"No such device"
expect_write "bind of a device bound to another driver: EBUSY" \
	"$PB/bind" 0000:07:00.0 "Device or resource busy"
expect_write "bind of a device already bound to this driver: EBUSY" \
	"$IGB/bind" 0000:07:00.0 "Device or resource busy"
expect_write "unbind from a driver it is not bound to: ENODEV" \
	"$PB/unbind" 0000:07:00.0 "No such device"
expect_write "unbind of an unknown BDF: ENODEV" "$IGB/unbind" \
	0000:07:00.5 "No such device"

n=$(log_last)
expect_write "unbind with a trailing newline" "$IGB/unbind" \
	$'0000:07:00.0\n' ok
check "driver link is gone after unbind" test ! -e "$D0/driver"
check "driver dir link is gone after unbind" test ! -e "$IGB/0000:07:00.0"
is "enable drops to 0 after the driver's remove()" "$(rd "$D0/enable")" 0
expect_write "unbind again: ENODEV" "$IGB/unbind" 0000:07:00.0 \
	"No such device"
expect_write "bind with two newlines: ENODEV" "$IGB/bind" \
	$'0000:07:00.0\n\n' "No such device"
expect_write "bind back to igb" "$IGB/bind" 0000:07:00.0 ok
is "driver link back" "$(realpath "$D0/driver")" "$IGB"
is "log: unbind, its effect, failures, rebind" "$(log_since "$n")" \
"$((n+1)) write bus/pci/drivers/igb/unbind \"0000:07:00.0\\n\" ok
$((n+2)) unbind 0000:07:00.0 igb
$((n+3)) write bus/pci/drivers/igb/unbind \"0000:07:00.0\" ENODEV
$((n+4)) write bus/pci/drivers/igb/bind \"0000:07:00.0\\n\\n\" ENODEV
$((n+5)) write bus/pci/drivers/igb/bind \"0000:07:00.0\" ok
$((n+6)) bind 0000:07:00.0 igb"

# driver_override: pci_match_device() lets only the named driver match.
expect_write "unbind function 1" "$IGB/unbind" 0000:07:00.1 ok
expect_write "set driver_override to another driver" \
	"$D1/driver_override" $'foo\n' ok
is "driver_override reads back without the newline" \
	"$(rd "$D1/driver_override")" foo
expect_write "bind igb despite an override naming another: ENODEV" \
	"$IGB/bind" 0000:07:00.1 "No such device"
expect_write "drivers_probe finding no driver is not an error in 6.1" \
	"$PCI/drivers_probe" 0000:07:00.1 ok
check "and the device stays unbound" test ! -e "$D1/driver"
expect_write "clear driver_override with a lone newline" \
	"$D1/driver_override" $'\n' ok
is "cleared override reads (null)" "$(rd "$D1/driver_override")" "(null)"
expect_write "driver_override igb (no newline)" "$D1/driver_override" igb ok
is "override stored as written" "$(rd "$D1/driver_override")" igb
expect_write "override text stops at the first newline" \
	"$D1/driver_override" $'igb\nxyz' ok
is "only the first line is kept" "$(rd "$D1/driver_override")" igb
expect_write "drivers_probe binds the override's driver" \
	"$PCI/drivers_probe" $'0000:07:00.1\n' ok
is "bound to igb" "$(realpath "$D1/driver")" "$IGB"
expect_write "drivers_probe of a bound device is a no-op" \
	"$PCI/drivers_probe" 0000:07:00.1 ok
expect_write "drivers_probe of an unknown device: ENODEV" \
	"$PCI/drivers_probe" 0000:07:01.0 "No such device"
long=$(head -c 4100 /dev/zero | tr '\0' a)
expect_write "an override of a page or more: EINVAL" \
	"$D1/driver_override" "$long" "Invalid argument"

# driver_override=pciback: pcistub_probe() takes it and adds the slot.
expect_write "unbind function 1 again" "$IGB/unbind" 0000:07:00.1 ok
expect_write "driver_override pciback" "$D1/driver_override" pciback ok
expect_write "igb no longer matches it" "$IGB/bind" 0000:07:00.1 \
	"No such device"
expect_write "drivers_probe hands it to pciback" "$PCI/drivers_probe" \
	0000:07:00.1 ok
is "bound to pciback" "$(realpath "$D1/driver")" "$PB"
is "pcistub_probe() added the slot itself" "$(rd "$PB/slots")" "0000:07:00.1"
check "the seizure reset the device (log)" \
	log_has '^[0-9]+ reset 0000:07:00.1 flr pciback-bind$'

# new_id / remove_id (pci-driver.c)
expect_write "new_id of an id igb already has: EEXIST" "$IGB/new_id" \
	"8086 10a7" "File exists"
expect_write "new_id with one field: EINVAL" "$IGB/new_id" "8086" \
	"Invalid argument"
expect_write "new_id of a new id" "$IGB/new_id" "8086 1234" ok
check "new_id logged" log_has '^[0-9]+ new_id igb 8086:1234$'
expect_write "new_id of the same id again: EEXIST (dynids match)" \
	"$IGB/new_id" "8086 1234" "File exists"
expect_write "new_id with 7 fields and unknown driver_data: EINVAL" \
	"$IGB/new_id" "8086 1235 ffffffff ffffffff 0 0 5" "Invalid argument"
expect_write "remove_id of it" "$IGB/remove_id" $'8086 1234\n' ok
expect_write "remove_id again: ENODEV" "$IGB/remove_id" "8086 1234" \
	"No such device"
expect_write "remove_id with one field: EINVAL" "$IGB/remove_id" "8086" \
	"Invalid argument"
expect_write "new_id on pciback: EEXIST (its table matches anything)" \
	"$PB/new_id" "8086 10a7" "File exists"

# uevent (bus.c uevent_store -> kobject_synth_uevent)
expect_write "uevent add" "$IGB/uevent" $'add\n' ok
expect_write "uevent change with a UUID" "$IGB/uevent" \
	"change 12345678-1234-1234-1234-123456789abc" ok
expect_write "uevent of an unknown action: EINVAL" "$IGB/uevent" bogus \
	"Invalid argument"
expect_write "uevent with a bad UUID: EINVAL" "$IGB/uevent" "change xyz" \
	"Invalid argument"

# enable (pci-sysfs.c enable_store)
expect_write "enable while a driver is bound: EBUSY" "$D0/enable" 0 \
	"Device or resource busy"
expect_write "unbind 07:00.0" "$IGB/unbind" 0000:07:00.0 ok
expect_write "disable a disabled device: EIO" "$D0/enable" 0 \
	"Input/output error"
expect_write "enable it" "$D0/enable" 1 ok
is "enable count 1" "$(rd "$D0/enable")" 1
expect_write "enable junk: EINVAL" "$D0/enable" x "Invalid argument"
expect_write "disable it" "$D0/enable" $'0\n' ok

finish
