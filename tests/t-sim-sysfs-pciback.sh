#!/bin/bash
# simsysfs: xen-pciback's driver files as Linux 6.1 pci_stub.c has them
# (new_slot/remove_slot/slots, bind/unbind through pcistub_probe and
# pcistub_remove, permissive, allow_interrupt_control, irq_handlers,
# irq_handler_state, quirks), and libxl's assignable-add/-remove order.
set -u
. "$(dirname "$0")/sim/sysfs/tlib.sh"

check "mount default inventory" sim_start
IGB=$PCI/drivers/igb
D0=$DEV/0000:07:00.0
D1=$DEV/0000:07:00.1

# str_to_slot() and pcistub_device_id_add()
expect_write "new_slot with domain" "$PB/new_slot" 0000:07:00.0 ok
expect_write "new_slot of the same id (deduplicated in 6.1)" \
	"$PB/new_slot" $'0000:07:00.0\n' ok
is "slots lists it once" "$(rd "$PB/slots")" "0000:07:00.0"
expect_write "new_slot without domain, white space around" "$PB/new_slot" \
	$' 07:00.1 \n' ok
is "slots in the kernel's %04x:%02x:%02x.%d format, in order" \
	"$(rd "$PB/slots" | xargs)" "0000:07:00.0 0000:07:00.1"
expect_write "new_slot junk: EINVAL" "$PB/new_slot" bogus "Invalid argument"
expect_write "new_slot trailing junk: EINVAL" "$PB/new_slot" \
	0000:07:00.0z "Invalid argument"
expect_write "new_slot function 8: EINVAL" "$PB/new_slot" 0000:07:00.8 \
	"Invalid argument"
expect_write "new_slot domain above 0xffff: EINVAL" "$PB/new_slot" \
	10000:07:00.0 "Invalid argument"
expect_write "new_slot function wildcard" "$PB/new_slot" 0000:09:01.* ok
is "the wildcard added eight functions" \
	"$(rd "$PB/slots" | grep -c '^0000:09:01\.')" 8
expect_write "remove_slot function wildcard" "$PB/remove_slot" \
	0000:09:01.* ok
is "all eight gone" "$(rd "$PB/slots" | grep -c '^0000:09:')" 0
expect_write "remove_slot of an absent slot: ENOENT" "$PB/remove_slot" \
	0000:07:00.3 "No such file or directory"
expect_write "remove_slot of an absent bus wildcard: ENOENT" \
	"$PB/remove_slot" 0000:09:*.* "No such file or directory"
expect_write "remove_slot junk: EINVAL" "$PB/remove_slot" x \
	"Invalid argument"
expect_write "remove_slot 07:00.1" "$PB/remove_slot" 0000:07:00.1 ok
is "one slot left" "$(rd "$PB/slots")" "0000:07:00.0"

# permissive before the device is on pciback
expect_write "permissive of a device not on pciback: ENODEV" \
	"$PB/permissive" 0000:07:00.0 "No such device"
expect_write "bind while igb holds it: EBUSY" "$PB/bind" 0000:07:00.0 \
	"Device or resource busy"

# libxl assignable-add: unbind, new_slot (if absent), bind.
n=$(log_last)
expect_write "assignable-add: unbind from igb" "$IGB/unbind" 0000:07:00.0 ok
expect_write "assignable-add: bind to pciback" "$PB/bind" 0000:07:00.0 ok
is "log: unbind, bind, the reset pcistub_init_device() does" \
	"$(log_since "$n")" \
"$((n+1)) write bus/pci/drivers/igb/unbind \"0000:07:00.0\" ok
$((n+2)) unbind 0000:07:00.0 igb
$((n+3)) write bus/pci/drivers/pciback/bind \"0000:07:00.0\" ok
$((n+4)) reset 0000:07:00.0 flr pciback-bind
$((n+5)) bind 0000:07:00.0 pciback"
is "driver symlink points to pciback" "$(readlink "$D0/driver")" \
	"../../../bus/pci/drivers/pciback"
is "pciback lists the device" "$(realpath "$PB/0000:07:00.0")" \
	"$(realpath "$D0")"
is "xen_pcibk_reset_device() left it disabled" "$(rd "$D0/enable")" 0
expect_write "bind of function 1 without a slot: ENODEV" "$PB/bind" \
	0000:07:00.1 "Device or resource busy"
expect_write "unbind function 1 from igb" "$IGB/unbind" 0000:07:00.1 ok
expect_write "bind of function 1 without a slot: ENODEV" "$PB/bind" \
	0000:07:00.1 "No such device"

# permissive (pci_stub.c permissive_store/show)
expect_write "permissive" "$PB/permissive" $'0000:07:00.0\n' ok
is "permissive lists it" "$(rd "$PB/permissive")" "0000:07:00.0"
expect_write "permissive again is fine" "$PB/permissive" 0000:07:00.0 ok
is "the warning is logged once" \
	"$(grep -c ' permissive 0000:07:00.0$' "$MNT/sim/log")" 1
expect_write "permissive with a wildcard: ENODEV" "$PB/permissive" \
	0000:07:00.* "No such device"
expect_write "permissive junk: EINVAL" "$PB/permissive" zz \
	"Invalid argument"
expect_write "permissive of an unbound device: ENODEV" "$PB/permissive" \
	0000:07:00.1 "No such device"

# allow_interrupt_control, irq_handlers, irq_handler_state
expect_write "allow_interrupt_control" "$PB/allow_interrupt_control" \
	0000:07:00.0 ok
is "allow_interrupt_control lists it" "$(rd "$PB/allow_interrupt_control")" \
	"0000:07:00.0"
expect_write "allow_interrupt_control not on pciback: ENODEV" \
	"$PB/allow_interrupt_control" 0000:07:00.1 "No such device"
is "irq_handlers" "$(rd "$PB/irq_handlers")" "0000:07:00.0:off:not acking:0"
expect_write "irq_handler_state toggles" "$PB/irq_handler_state" \
	0000:07:00.0 ok
is "irq_handlers after the toggle" "$(rd "$PB/irq_handlers")" \
	"0000:07:00.0:on:acking:0"
expect_write "irq_handler_state of a device not on pciback: ENOENT" \
	"$PB/irq_handler_state" 0000:07:00.1 "No such file or directory"

# quirks (pcistub_reg_add, xen_pcibk_config_quirks_add_field)
expect_write "quirks: add a field" "$PB/quirks" "0000:07:00.0-10:4:ffffffff" ok
is "quirks lists the device and the field" \
	"$(rd "$PB/quirks" | paste -sd '|')" \
	"07:00.0|	8086:10a7:8086:0000|		00000010:4:ffffffff"
expect_write "quirks: register above 0xfff: EINVAL" "$PB/quirks" \
	"0000:07:00.0-1000:4:0" "Invalid argument"
expect_write "quirks: mask wider than the size: EINVAL" "$PB/quirks" \
	"0000:07:00.0-10:1:1ff" "Invalid argument"
expect_write "quirks: size 3: EINVAL" "$PB/quirks" "0000:07:00.0-10:3:0" \
	"Invalid argument"
expect_write "quirks: device not on pciback: ENODEV" "$PB/quirks" \
	"07:00.1-10:2:0" "No such device"

# A guest holds the device (sim/hotplug assign), then it is unbound:
# pcistub_remove() releases it (reset) and frees it (reset again).
expect_write "a guest takes the device" "$MNT/sim/hotplug" \
	"assign 0000:07:00.0 5" ok
check "sim/state shows the owner" grep -q '^0000:07:00.0 .* domid=5$' \
	"$MNT/sim/state"
n=$(log_last)
expect_write "unbind from pciback" "$PB/unbind" 0000:07:00.0 ok
is "log: the removal while in use" "$(log_since "$n")" \
"$((n+1)) write bus/pci/drivers/pciback/unbind \"0000:07:00.0\" ok
$((n+2)) unbind 0000:07:00.0 pciback
$((n+3)) pciback-warn 0000:07:00.0 removed while in use by domain 5
$((n+4)) reset 0000:07:00.0 flr pciback-release
$((n+5)) reset 0000:07:00.0 flr pciback-unbind"
is "permissive is forgotten with the device" "$(rd "$PB/permissive")" ""
is "allow_interrupt_control too" "$(rd "$PB/allow_interrupt_control")" ""
is "the slot stays" "$(rd "$PB/slots")" "0000:07:00.0"
check "no driver link" test ! -e "$D0/driver"
expect_write "rebind to pciback" "$PB/bind" 0000:07:00.0 ok
is "permissive is not back" "$(rd "$PB/permissive")" ""

# sim/hotplug release: the guest lets it go (pcistub_put_pci_dev()).
expect_write "assign again" "$MNT/sim/hotplug" "assign 0000:07:00.0 7" ok
expect_write "assign twice: EBUSY" "$MNT/sim/hotplug" \
	"assign 0000:07:00.0 8" "Device or resource busy"
expect_write "release" "$MNT/sim/hotplug" "release 0000:07:00.0" ok
check "release reset the device" \
	log_has '^[0-9]+ reset 0000:07:00.0 flr pciback-release$'
expect_write "release of a free device: ENODEV" "$MNT/sim/hotplug" \
	"release 0000:07:00.0" "No such device"

# libxl assignable-remove -r: unbind, remove_slot, bind the old driver.
expect_write "assignable-remove: unbind" "$PB/unbind" 0000:07:00.0 ok
expect_write "assignable-remove: remove_slot" "$PB/remove_slot" \
	0000:07:00.0 ok
expect_write "assignable-remove: rebind igb" "$IGB/bind" 0000:07:00.0 ok
is "back on igb" "$(realpath "$D0/driver")" "$IGB"
is "no slots left" "$(rd "$PB/slots")" ""
is "enable is back to 1" "$(rd "$D0/enable")" 1

# Both functions of the multi-function device.
expect_write "slot wildcard for the whole device" "$PB/new_slot" \
	0000:07:00.* ok
expect_write "function 0 leaves igb" "$IGB/unbind" 0000:07:00.0 ok
expect_write "function 0 to pciback" "$PB/bind" 0000:07:00.0 ok
expect_write "function 1 to pciback" "$PB/bind" 0000:07:00.1 ok
is "pciback holds both" "$(ls "$PB" | grep '^0000' | xargs)" \
	"0000:07:00.0 0000:07:00.1"
is "irq_handlers lists the newest first (list_add)" \
	"$(rd "$PB/irq_handlers" | cut -d: -f1-3 | xargs)" \
	"0000:07:00.1 0000:07:00.0"

finish
