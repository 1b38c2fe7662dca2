#!/usr/bin/env bash
# The real-Xen tier's own machinery (tests/realxen/tier.sh), on made-up
# serial logs, without booting anything: marker lines become checks, a
# scenario that did not reach its end fails, a kernel warning fails,
# the expected pcifront warning does not, and the conformance
# comparison fails on any difference between the two worlds' dumps.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/realxen/tier.sh"
W=$(mktemp -d)
trap 'rm -rf "$W"; t_exit' EXIT

# run_sub FUNC ARGS...: FUNC's checks, counted apart from ours.
run_sub() {
	( T_PASS=0 T_FAIL=0; "$@"; echo "# counts $T_PASS $T_FAIL" ) \
		> "$W/sub.out" 2>&1
	SUB=$(sed -n 's/^# counts //p' "$W/sub.out")
}

printf '%s\r\n' "XTEST boot" "XTEST ok - one" "XTEST not ok - two" \
	"XTEST # why" "XTEST end" > "$W/a.serial"
run_sub rx_results real "$W/a.serial"
is "markers: ok, not ok and the end (CRLF from the serial line)" "$SUB" "2 1"
like "markers: prefixed with the world" "$(cat "$W/sub.out")" \
	"ok - real: one"
like "markers: a diagnostic stays a diagnostic" "$(cat "$W/sub.out")" \
	"# real: why"

printf '%s\n' "XTEST ok - one" > "$W/b.serial"
run_sub rx_results real "$W/b.serial"
is "a scenario without its end fails" "$SUB" "1 1"

printf '%s\n' "XAGENT ==12==ERROR: LeakSanitizer: detected memory leaks" \
	"XTEST end" > "$W/f.serial"
run_sub rx_results real "$W/f.serial"
is "a sanitizer report in the agent's log is a failure" "$SUB" "1 1"

printf '%s\n' "XCONSOLE [ 11.1] sysfs group 'power' not found for kobject '0000:00'" \
	"XCONSOLE [ 11.2] WARNING: CPU: 0 PID: 24 at fs/sysfs/group.c:278 sysfs_remove_group+0x71/0x80" \
	"XCONSOLE [ 11.3] Call Trace:" > "$W/c.serial"
run_sub rx_kernel_clean "$W/c.serial"
is "the expected pcifront warning is not a failure" "$SUB" "1 0"
printf '%s\n' "XCONSOLE [ 11.2] WARNING: CPU: 0 PID: 24 at fs/sysfs/group.c:278 sysfs_remove_group+0x71/0x80" \
	> "$W/g.serial"
run_sub rx_kernel_clean "$W/g.serial"
is "the same warning for another sysfs group is a failure" "$SUB" "0 1"
printf '%s\n' "XDMESG [ 3.1] BUG: kernel NULL pointer dereference" \
	> "$W/d.serial"
run_sub rx_kernel_clean "$W/d.serial"
is "a dom0 BUG is a failure" "$SUB" "0 1"
printf '%s\n' "XCONSOLE [ 3.1] WARNING: CPU: 0 PID: 1 at drivers/pci/x.c:1 f" \
	> "$W/e.serial"
run_sub rx_kernel_clean "$W/e.serial"
is "any other guest warning is a failure" "$SUB" "0 1"

# Conformance: the same dumps match, a different value does not, a
# missing step does not.
RX_OUT=$W
dump() {
	printf '%s\n' "XDUMP begin s1" "XDUMP /a = \"1\"" "XDUMP end" \
		"XDUMP begin s2" "XDUMP /b = \"$1\"" "XDUMP end"
	[ -n "${2:-}" ] && printf '%s\n' "XDUMP begin s3" "XDUMP end"
}
dump 4 > "$W/x.serial"
dump 4 > "$W/x.sim"
run_sub realxen_conform x
is "conform: equal dumps match (steps + 2 steps)" "$SUB" "3 0"
dump 3 > "$W/x.sim"
run_sub realxen_conform x
is "conform: a different value is a failure" "$SUB" "2 1"
like "conform: the difference is shown" "$(cat "$W/sub.out")" '> /b = "3"'
dump 4 extra > "$W/x.sim"
run_sub realxen_conform x
is "conform: a step only one world dumped is a failure" "$SUB" "2 1"

# QMP messages: compared as JSON whatever the key order and spacing,
# without event timestamps; a different value still fails.
qdump() {
	printf '%s\n' "XDUMP begin q1" "XDUMP /a = \"1\"" "$@" "XDUMP end"
}
qdump 'XDUMP qmp h1 > {"execute": "device_add", "arguments": {"hostaddr": "0000:00:05.0", "driver": "xen-pci-passthrough", "id": "pci-pt-00_05.0"}, "id": 2}' \
	'XDUMP qmp h1 < {"timestamp": {"seconds": 1, "microseconds": 2}, "event": "DEVICE_DELETED", "data": {"device": "pci-pt-00_05.0"}}' \
	> "$W/q.serial"
qdump 'XDUMP qmp h1 > {"execute":"device_add","arguments":{"driver":"xen-pci-passthrough","id":"pci-pt-00_05.0","hostaddr":"0000:00:05.0"},"id":2}' \
	'XDUMP qmp h1 < {"timestamp": {"seconds": 7, "microseconds": 9}, "event": "DEVICE_DELETED", "data": {"device": "pci-pt-00_05.0"}}' \
	> "$W/q.sim"
run_sub realxen_conform q
is "conform: QMP messages in another key order, another timestamp match" \
	"$SUB" "2 0"
qdump 'XDUMP qmp h1 > {"execute":"device_add","arguments":{"driver":"xen-pci-passthrough","id":"pci-pt-00_05.0","hostaddr":"0000:00:03.0"},"id":2}' \
	'XDUMP qmp h1 < {"timestamp": {"seconds": 7, "microseconds": 9}, "event": "DEVICE_DELETED", "data": {"device": "pci-pt-00_05.0"}}' \
	> "$W/q.sim"
run_sub realxen_conform q
is "conform: a QMP message with another value is a failure" "$SUB" "1 1"
qdump 'XDUMP qmp h1 < {"timestamp": {"seconds": 1, "microseconds": 2}, "event": "DEVICE_DELETED", "data": {"device": "pci-pt-00_05.0"}}' \
	'XDUMP qmp h1 > {"execute": "device_add", "arguments": {"hostaddr": "0000:00:05.0", "driver": "xen-pci-passthrough", "id": "pci-pt-00_05.0"}, "id": 2}' \
	> "$W/q.sim"
run_sub realxen_conform q
is "conform: QMP messages in another order are a failure" "$SUB" "1 1"
