#!/usr/bin/env bash
# The seed's first scenario through raw xenstore writes: the agent
# publishes itself, lists, makes 07:00.0 assignable, lists again and
# gives it back with -r; sysfs, xenstore and the state dir are checked
# after each step.  Then remove without -r, and a clean SIGTERM.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"

sim_up
agent_start || exit 1
A=0000:07:00.0 B=0000:07:00.1

# --- what the agent publishes
is "R/protocol" "$(xs_read $R/protocol)" 1
is "R/pid is the agent's" "$(xs_read $R/pid)" "$AGENT_PID"
like "R/features lists assignable-add" "$(xs_read $R/features)" \
	'assignable-add'
like "R is owned by dom0, guests have no access" \
	"$(xenstore-ls -p $R | grep '^requests')" '\(n0\)'
simhost domain create 5 --name guest5 >/dev/null
out=$(simhost xs --domid 5 read $R/state 2>&1)
like "a guest cannot read R" "$out" 'EACCES|Permission|denied|ENOENT'
out=$(simhost xs --domid 5 write $R/requests/g/op assignable-list 2>&1)
like "a guest cannot write R/requests" "$out" 'EACCES|Permission|denied'
is "no devices published at start" "$(xenstore-list $R/devices)" ""

# --- list: nothing assignable yet
run_ok "list (empty)" l1 assignable-list
is "list result is empty" "$(xenstore-list $R/requests/l1/result)" ""
xenstore-rm $R/requests/l1

# --- assignable-add 07:00.0
is "07:00.0 starts on igb" "$(drv $A)" igb
run_ok "add 07:00.0" a1 assignable-add spec=07:00.0
is "07:00.0 is bound to pciback" "$(drv $A)" pciback
check "07:00.0 has a pciback slot" has_slot $A
is "07:00.1 untouched" "$(drv $B)" igb
is "R/devices: state" "$(dev_state $A)" assignable
is "R/devices: driver" "$(dev_driver $A)" igb
is "R/devices: bdf" "$(xs_read $R/devices/0000-07-00-0/bdf)" $A
is "R/devices: permissive" "$(xs_read $R/devices/0000-07-00-0/permissive)" 0
is "R/devices: 07:00.1 absent" "$(dev_state $B)" absent
is "/libxl/pci driver_path as libxl writes it" "$(libxl_path $A)" \
	/sys/bus/pci/drivers/igb
is "driver remembered on disk" "$(disk_record $A)" /sys/bus/pci/drivers/igb
check "no intent record left" no_intents
is "quarantined: Xen has it assigned to dom_io" "$(xen_owner $A)" 32753
st=$(xs_read $R/requests/a1/status)
is "final status stays ok" "$st" ok

# --- list again
run_ok "list" l2 assignable-list
is "list shows 07:00.0 with its driver" \
	"$(xs_read $R/requests/l2/result/0000-07-00-0)" igb
is "list shows only 07:00.0" "$(xenstore-list $R/requests/l2/result)" \
	0000-07-00-0

# --- add again: already assignable is ok and changes nothing
run_ok "add 07:00.0 again" a2 assignable-add spec=07:00.0
is "still on pciback" "$(drv $A)" pciback
is "driver still remembered" "$(disk_record $A)" /sys/bus/pci/drivers/igb

# --- assignable-remove -r 07:00.0
run_ok "remove -r 07:00.0" r1 assignable-remove spec=07:00.0 rebind=1
is "07:00.0 back on igb" "$(drv $A)" igb
check "slot removed" bash -c "! grep -qx $A $SYSFS_ROOT/bus/pci/drivers/pciback/slots"
is "R/devices: 07:00.0 gone" "$(dev_state $A)" absent
is "/libxl/pci driver_path deleted" "$(libxl_path $A)" ""
is "disk record deleted" "$(disk_record $A)" ""
check "no intent record left" no_intents
is "de-quarantined: back with dom0" "$(xen_owner $A)" 0

# --- remove without -r: left unbound, driver still remembered
run_ok "add 07:00.1" a3 assignable-add spec=0000:07:00.1
run_ok "remove 07:00.1 (no -r)" r2 assignable-remove spec=07:00.1
is "07:00.1 bound to no driver" "$(drv $B)" none
is "driver of 07:00.1 still remembered" "$(disk_record $B)" \
	/sys/bus/pci/drivers/igb
is "libxl driver_path kept" "$(libxl_path $B)" /sys/bus/pci/drivers/igb
run_ok "remove -r 07:00.1 (not on pciback)" r3 assignable-remove \
	spec=07:00.1 rebind=1
is "07:00.1 rebound to igb" "$(drv $B)" igb

# --- the requester removes its requests; the agent keeps no state
for id in a1 a2 a3 l2 r1 r2 r3; do xenstore-rm $R/requests/$id; done
is "requests dir empty" "$(xenstore-list $R/requests)" ""

agent_done

# --- options and a second agent
out=$("$BIN/xen-pci-agent" --help); rc=$?
is "--help exits 0" "$rc" 0
like "--help documents the options" "$out" '--sysfs-root.*--state-dir.*--domid.*--toolstack-domid.*--foreground.*--log-level'
"$BIN/xen-pci-agent" --bogus >/dev/null 2>&1
is "an unknown option exits 2" "$?" 2
out=$("$BIN/xen-pci-agent" --domid x 2>&1); rc=$?
is "a bad --domid exits 2" "$rc" 2
like "and says why" "$out" "invalid --domid 'x'"
"$BIN/xen-pci-agent" --log-level loud >/dev/null 2>&1
is "a bad --log-level exits 2" "$?" 2
agent_start || exit 1
out=$("$BIN/xen-pci-agent" --foreground --sysfs-root "$SYSFS_ROOT" \
	--state-dir "$STATE" 2>&1); rc=$?
is "a second agent on the same state dir exits 1" "$rc" 1
like "and says another agent runs" "$out" 'another agent is running'
is "the first agent still serves" "$(xs_read $R/pid)" "$AGENT_PID"
agent_done

# --- a toolstack domain other than dom0 may write requests, others not
simhost domain create 6 --name other6 >/dev/null
agent_start --toolstack-domid 5 || exit 1
like "R: owner 0, nobody else, toolstack 5 read/write" \
	"$(xenstore-ls -p $R | grep '^requests')" '\(n0,b5\)'
simhost xs --domid 5 write $R/requests/ts1/op assignable-list
is "the toolstack domain's request is served" "$(wait_final ts1)" ok
is "and it can read the answer" \
	"$(simhost xs --domid 5 read $R/requests/ts1/status 2>&1)" ok
out=$(simhost xs --domid 6 write $R/requests/g6/op assignable-list 2>&1)
like "another guest cannot write R/requests" "$out" 'EACCES|Permission|denied'
out=$(simhost xs --domid 6 read $R/requests/ts1/status 2>&1)
like "another guest cannot read R/requests" "$out" 'EACCES|Permission|denied'
agent_done

# --- daemon mode: relative paths, syslog, SIGTERM
rel=$(realpath --relative-to="$PWD" "$SIM/state-daemon")
"$BIN/xen-pci-agent" --sysfs-root "$SYSFS_ROOT" --state-dir "$rel"
is "daemon mode: the parent exits 0" "$?" 0
is "daemon mode: serving when the parent exits" "$(xs_read $R/state)" running
dpid=$(xs_read $R/pid)
check "daemon mode: relative state dir used as given" test -e "$SIM/state-daemon/lock"
"$BIN/xen-pci-agent" --sysfs-root "$SYSFS_ROOT" --state-dir "$rel"
is "daemon mode: a second daemon's parent exits 1 (state dir locked)" "$?" 1
is "daemon mode: the first one still serves" "$(xs_read $R/pid)" "$dpid"
run_ok "daemon mode: a list" dl1 assignable-list
kill -TERM "$dpid"
check "daemon mode: stops on SIGTERM" wait_until 10 bash -c \
	"[ \"\$(xenstore-read $R/state)\" = stopped ]"
check "daemon mode: process gone" wait_until 10 bash -c "! kill -0 $dpid 2>/dev/null"
t_done
