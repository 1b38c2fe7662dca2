#!/bin/bash
# simsysfs: xen-pciback absent, failing on a bad hide=, loaded as a
# module (registered after igb), and a distro pciback with do_flr.
set -u
. "$(dirname "$0")/sim/sysfs/tlib.sh"

# Not loaded.
check "mount: pciback absent" sim_start "$INV/absent.inv"
check "no drivers/pciback" test ! -e "$PB"
check "no /sys/module/xen_pciback" test ! -e "$SYS/module"
is "only igb" "$(ls "$PCI/drivers" | xargs)" igb
expect_write "writing pciback/new_slot fails to open: ENOENT" \
	"$PB/new_slot" 0000:07:00.0 "No such file or directory"
wr "$PCI/drivers/igb/unbind" 0000:07:00.1
expect_write "override pciback with no pciback" \
	"$DEV/0000:07:00.1/driver_override" pciback ok
expect_write "drivers_probe: nothing matches, still success" \
	"$PCI/drivers_probe" 0000:07:00.1 ok
check "still unbound" test ! -e "$DEV/0000:07:00.1/driver"
sim_stop

# A malformed hide= keeps pciback from loading at all.
check "mount: bad hide=" sim_start "$INV/badhide.inv"
err=$(cat "$TMPD/stderr")
check "the kernel's message is printed" \
	grep -q 'Error parsing pci_devs_to_hide' <<<"$err"
check "bad hide=: no drivers/pciback" test ! -e "$PB"
is "bad hide=: the device keeps igb" \
	"$(realpath "$PCI/devices/0000:07:00.0/driver")" "$PCI/drivers/igb"
sim_stop

# Built in (default): pciback is the first driver, so a slot wins.
check "mount default inventory" sim_start
wr "$PCI/drivers/igb/unbind" 0000:07:00.1
wr "$PB/new_slot" 0000:07:00.1
expect_write "drivers_probe" "$PCI/drivers_probe" 0000:07:00.1 ok
is "built-in pciback is tried first and takes it" \
	"$(realpath "$DEV/0000:07:00.1/driver")" "$PB"
sim_stop

# As a module pciback registers after igb: drivers_probe hands a
# device with a slot to igb; pcistub has to be asked with bind.
check "mount distro inventory" sim_start "$INV/distro.inv"
check "pciback loaded" test -d "$PB"
is "module param permissive set" \
	"$(rd "$SYS/module/xen_pciback/parameters/permissive")" Y
wr "$PB/new_slot" 0000:07:00.1
expect_write "drivers_probe of a device with a slot" "$PCI/drivers_probe" \
	0000:07:00.1 ok
is "igb, registered first, took it" "$(realpath "$DEV/0000:07:00.1/driver")" \
	"$PCI/drivers/igb"

# do_flr exists only on some distro kernels (pciback_do_flr=1).
check "do_flr exists" test -e "$PB/do_flr"
is "do_flr is write-only" "$(stat -c %a "$PB/do_flr")" 200
expect_write "do_flr of a device not on pciback: ENODEV" "$PB/do_flr" \
	0000:07:00.0 "No such device"
expect_write "do_flr junk: EINVAL" "$PB/do_flr" x "Invalid argument"
wr "$PCI/drivers/igb/unbind" 0000:07:00.1
expect_write "bind to pciback" "$PB/bind" 0000:07:00.1 ok
n=$(log_last)
expect_write "do_flr" "$PB/do_flr" $'0000:07:00.1\n' ok
check "do_flr reset logged" log_has "^$((n+1+1)) reset 0000:07:00.1 flr do_flr\$"

finish
