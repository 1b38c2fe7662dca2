#!/bin/bash
# simsysfs: sim/fault (every mode), sim/log (sequence, escapes, notes).
set -u
. "$(dirname "$0")/sim/sysfs/tlib.sh"

check "mount default inventory" sim_start
IGB=$PCI/drivers/igb
D0=$DEV/0000:07:00.0
F=$MNT/sim/fault
ms() { echo $(( $(date +%s%N) / 1000000 )); }

# One errno, the next write only.
expect_write "add a fault" "$F" "bus/pci/drivers/igb/unbind ENODEV" ok
is "sim/fault lists it" "$(rd "$F")" \
	"bus/pci/drivers/igb/unbind ENODEV nth=1 count=1 delay_ms=0"
n=$(log_last)
expect_write "the next write fails with it" "$IGB/unbind" 0000:07:00.0 \
	"No such device"
is "logged as injected, nothing else happened" "$(log_since "$n")" \
	"$((n+1)) write bus/pci/drivers/igb/unbind \"0000:07:00.0\" ENODEV injected"
is "the device is still on igb" "$(realpath "$D0/driver")" "$IGB"
is "the fault is used up" "$(rd "$F")" ""
expect_write "the write after it is real" "$IGB/unbind" 0000:07:00.0 ok
expect_write "rebind" "$IGB/bind" 0000:07:00.0 ok

# Every errno name the brief lists, with the text the shell prints.
while read -r name text; do
	wr "$F" "bus/pci/drivers_autoprobe $name"
	expect_write "injected $name" "$PCI/drivers_autoprobe" 1 "$text"
done <<'LIST'
ENODEV No such device
EBUSY Device or resource busy
EIO Input/output error
ENOENT No such file or directory
EINVAL Invalid argument
EPERM Operation not permitted
ENOSPC No space left on device
LIST

# nth=N: the Nth next write.
wr "$F" "bus/pci/drivers/igb/uevent EIO nth=3"
expect_write "nth=3: first write passes" "$IGB/uevent" add ok
expect_write "nth=3: second write passes" "$IGB/uevent" add ok
expect_write "nth=3: third write fails" "$IGB/uevent" add "Input/output error"
expect_write "nth=3: fourth write passes" "$IGB/uevent" add ok

# count=M: M times in a row.
wr "$F" "bus/pci/drivers/igb/uevent EBUSY count=2"
expect_write "count=2: first" "$IGB/uevent" add "Device or resource busy"
expect_write "count=2: second" "$IGB/uevent" add "Device or resource busy"
expect_write "count=2: then it passes" "$IGB/uevent" add ok

# nth and count together.
wr "$F" "bus/pci/drivers/igb/uevent EPERM nth=2 count=2"
expect_write "nth=2 count=2: 1st passes" "$IGB/uevent" add ok
expect_write "nth=2 count=2: 2nd fails" "$IGB/uevent" add \
	"Operation not permitted"
expect_write "nth=2 count=2: 3rd fails" "$IGB/uevent" add \
	"Operation not permitted"
expect_write "nth=2 count=2: 4th passes" "$IGB/uevent" add ok

# count=0: until cleared.
wr "$F" "bus/pci/drivers/igb/uevent ENOSPC count=0"
for i in 1 2 3; do
	expect_write "count=0: write $i fails" "$IGB/uevent" add \
		"No space left on device"
done
is "count=0 stays listed" "$(rd "$F")" \
	"bus/pci/drivers/igb/uevent ENOSPC nth=1 count=0 delay_ms=0"
expect_write "clear" "$F" clear ok
is "sim/fault empty after clear" "$(rd "$F")" ""
expect_write "after clear the write passes" "$IGB/uevent" add ok

# A fault named through /sys/devices reaches the bus/pci/devices path.
wr "$F" "sys/devices/pci0000:07/0000:07:00.0/reset EIO"
expect_write "fault path normalised (devices/ -> bus/pci/devices/)" \
	"$D0/reset" 1 "Input/output error"
wr "$F" "/sys/bus/pci/devices/0000:07:00.0/reset EBUSY"
expect_write "fault path with a leading /sys/" \
	"$SYS/devices/pci0000:07/0000:07:00.0/reset" 1 "Device or resource busy"

# Several lines in one write.
wr "$F" $'bus/pci/drivers/igb/uevent EIO\nbus/pci/drivers/igb/new_id EBUSY\n'
is "two faults from one write" "$(rd "$F" | grep -c .)" 2
wr "$F" clear

# Bad fault lines: EINVAL, nothing added.
for bad in "onlyapath" "p EFOO" "p EIO nth=0" "p EIO bogus=1" "p OK" \
	"p EIO count=x" "p EIO delay_ms=-1"; do
	expect_write "bad fault line '$bad': EINVAL" "$F" "$bad" \
		"Invalid argument"
done
is "no fault was added" "$(rd "$F")" ""

# delay_ms: the write blocks at least that long, then takes effect.
wr "$F" "bus/pci/drivers/igb/unbind OK delay_ms=300"
t0=$(ms)
expect_write "delayed write succeeds" "$IGB/unbind" 0000:07:00.1 ok
t1=$(ms)
check "delayed write took at least 300 ms" test $((t1 - t0)) -ge 300
check "logged with its delay" log_has \
	'^[0-9]+ write bus/pci/drivers/igb/unbind "0000:07:00.1" ok delay_ms=300$'
check "and it took effect" test ! -e "$DEV/0000:07:00.1/driver"

# delay and errno together.
wr "$F" "bus/pci/drivers/igb/bind EBUSY delay_ms=200"
t0=$(ms)
expect_write "delayed failure" "$IGB/bind" 0000:07:00.1 \
	"Device or resource busy"
t1=$(ms)
check "delayed failure took at least 200 ms" test $((t1 - t0)) -ge 200
check "logged injected with its delay" log_has \
	'^[0-9]+ write bus/pci/drivers/igb/bind "0000:07:00.1" EBUSY injected delay_ms=200$'

# A delayed write does not block the file system: a note written while
# it sleeps is logged before it.
wr "$F" "bus/pci/drivers/igb/bind OK delay_ms=1500"
( wr "$IGB/bind" 0000:07:00.1; echo "$WERR" > "$TMPD/bg" ) &
bg=$!
is "reads work during the delay" "$(rd "$D0/vendor")" 0x8086
wr "$MNT/sim/log" "while-delayed"
wait "$bg"
is "the delayed bind succeeded" "$(cat "$TMPD/bg")" ok
rm -f "$TMPD/bg"
a=$(grep ' note while-delayed$' "$MNT/sim/log" | awk '{print $1}')
b=$(grep 'write bus/pci/drivers/igb/bind "0000:07:00.1" ok delay_ms=1500' \
	"$MNT/sim/log" | awk '{print $1}')
check "the note ($a) precedes the delayed write ($b)" test "$a" -lt "$b"

# sim/log: notes from other processes, escapes, monotonic numbers.
n=$(log_last)
expect_write "two notes in one write" "$MNT/sim/log" \
	$'pciback-release 0000:07:00.0\nsecond note\n' ok
is "notes logged" "$(log_since "$n")" \
"$((n+1)) note pciback-release 0000:07:00.0
$((n+2)) note second note"
wr "$D0/driver_override" $'a"b\\c\td\n'
check "values are escaped on one line" log_has \
	'driver_override "a\\"b\\\\c\\td\\n" ok$'
check "sequence numbers increase by one" \
	awk 'NR > 1 && $1 != prev + 1 { exit 1 } { prev = $1 }' "$MNT/sim/log"
is "sim/log is read-only for the rest (0644, writes are notes)" \
	"$(stat -c %a "$MNT/sim/log")" 644

finish
