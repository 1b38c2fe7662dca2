#!/bin/bash
# simsysfs: reset and reset_method (pci-sysfs.c reset_store,
# pci_dev_reset_attr_is_visible; pci.c reset_method_show/store,
# pci_reset_function), and the resets pciback does on bind.
set -u
. "$(dirname "$0")/sim/sysfs/tlib.sh"

check "mount rich inventory" sim_start "$INV/rich.inv"
D0=$DEV/0000:07:00.0

n=$(log_last)
expect_write "reset 1" "$D0/reset" 1 ok
is "logged with the method used" "$(log_since "$n")" \
"$((n+1)) write bus/pci/devices/0000:07:00.0/reset \"1\" ok
$((n+2)) reset 0000:07:00.0 flr sysfs"
expect_write "reset 1 with a newline" "$D0/reset" $'1\n' ok
expect_write "reset 0x1 (kstrtoul base 0)" "$D0/reset" 0x1 ok
expect_write "reset 0: EINVAL" "$D0/reset" 0 "Invalid argument"
expect_write "reset 2: EINVAL" "$D0/reset" 2 "Invalid argument"
expect_write "reset junk: EINVAL" "$D0/reset" yes "Invalid argument"
check "sim/state counts the three resets" \
	grep -q '^0000:07:00.0 .* resets=3 ' "$MNT/sim/state"

is "multi-function 82575: flr only" "$(rd "$D0/reset_method")" flr
expect_write "reset_method bus (unsupported here): EINVAL" \
	"$D0/reset_method" bus "Invalid argument"
expect_write "reset_method unknown: EINVAL" "$D0/reset_method" bogus \
	"Invalid argument"
is "a failed store leaves the list" "$(rd "$D0/reset_method")" flr
expect_write "reset_method empty (newline) disables all" \
	"$D0/reset_method" $'\n' ok
is "reset_method reads empty" "$(rd "$D0/reset_method")" ""
check "reset stays (visibility is decided when the device is added)" \
	test -e "$D0/reset"
expect_write "reset with every method disabled: ENOTTY" "$D0/reset" 1 \
	"Inappropriate ioctl for device"
expect_write "reset_method default" "$D0/reset_method" $'default\n' ok
is "back to flr" "$(rd "$D0/reset_method")" flr

C=$DEV/0000:0c:00.0
is "device alone on its bus: flr bus" "$(rd "$C/reset_method")" "flr bus"
expect_write "reorder the methods" "$C/reset_method" $'bus flr\n' ok
is "reordered" "$(rd "$C/reset_method")" "bus flr"
n=$(log_last)
expect_write "reset uses the first method" "$C/reset" 1 ok
check "bus reset logged" log_has "^$((n+2)) reset 0000:0c:00.0 bus sysfs\$"
expect_write "reset_method a single method" "$C/reset_method" pm \
	"Invalid argument"

S=$DEV/0000:05:00.0
check "no reset file without a reset method" test ! -e "$S/reset"
check "no reset_method file either" test ! -e "$S/reset_method"
is "its pciback bind finds no method" \
	"$(wr "$PCI/drivers/ahci/unbind" 0000:05:00.0; echo $WERR)" ok
expect_write "new_slot" "$PB/new_slot" 0000:05:00.0 ok
n=$(log_last)
expect_write "bind to pciback" "$PB/bind" 0000:05:00.0 ok
check "pcistub_init_device() had no method (-ENOTTY ignored)" \
	log_has "^$((n+2)) reset 0000:05:00.0 none pciback-bind\$"
check "and the bind went through" log_has "^$((n+3)) bind 0000:05:00.0 pciback\$"

# hide=(0000:0a:00.0): seized at boot, a bus reset.
R=$DEV/0000:0a:00.0
is "hidden device is on pciback at boot" "$(realpath "$R/driver")" "$PB"
is "its reset method is bus" "$(rd "$R/reset_method")" bus
n=$(log_last)
expect_write "unbind it from pciback" "$PB/unbind" 0000:0a:00.0 ok
check "pcistub_device_release() reset it" \
	log_has "^$((n+3)) reset 0000:0a:00.0 bus pciback-unbind\$"

finish
