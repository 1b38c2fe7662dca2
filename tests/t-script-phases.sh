#!/usr/bin/env bash
# Every hotplug script phase on success, with xl devd's arguments and
# environment: prepare (assignable-add, attach seize=1), add (cold and
# hot plug) with hotplug-status=connected in the backend, remove
# (detach), reattach (assignable-remove -r), cleanup (a guest that
# died).  The shipped default `pci` logs every phase and takes a NIC's
# interfaces down before it leaves dom0.
. "$(dirname "$0")/attach-lib.sh"
. "$TOP/tests/script-lib.sh"

inv=$(script_inv)
host_up --inventory "$inv"
rm -f "$inv"
scripts_up
script_agent_up
like "R/features announces hotplug-scripts" "$(xs_read $R/features)" \
	'(^| )hotplug-scripts( |$)'
guest 5

# --- the default script: pci ------------------------------------------------
check "07:00.0 has a netdev while on igb" test -d "$SYSFS_ROOT/bus/pci/devices/$A/net"
ifc=$(ls "$SYSFS_ROOT/bus/pci/devices/$A/net")
run_ok "default: assignable-add 07:00.0" d1 assignable-add spec=07:00.0
is "default: on pciback" "$(drv $A)" pciback
check "default: prepare took $ifc down (fake ip)" \
	grep -qxF "ip link set dev $ifc down" "$SIM/ip.log"
check "default: and flushed its addresses" \
	grep -qxF "ip addr flush dev $ifc" "$SIM/ip.log"
check "default: the script's lines are in the agent log, tagged with the device" \
	log_has_re "$A: pci prepare: info: prepare $A driver igb request d1"
check "default: its ip line too" \
	log_has_re "$A: pci prepare: info: taking $ifc down before $A leaves dom0"
attach_ok "default: attach to dom 5" d2 5 07:00.0
check "default: add logged" log_has_re "$A: pci add: info: add $A domain 5 \(g5\)"
is "default: hotplug-status connected" "$(xs_read "$(be 5)/hotplug-status")" connected
detach_ok "default: detach" d3 5 07:00.0
check "default: remove logged" log_has_re "$A: pci remove: info: remove $A domain 5"
run_ok "default: assignable-remove -r" d4 assignable-remove spec=07:00.0 rebind=1
is "default: back on igb" "$(drv $A)" igb
check "default: reattach logged" log_has_re "$A: pci reattach: info: reattach $A driver igb"

# --- rec: every phase with its environment ---------------------------------
calls_mark
run_ok "rec: assignable-add 07:00.1" r1 assignable-add spec=07:00.1 script=rec
is "rec: prepare ran once" "$(ncalls prepare $B)" 1
is "rec prepare: BDF" "$(call_field prepare $B bdf)" $B
is "rec prepare: the driver it leaves" "$(call_field prepare $B drv)" igb
is "rec prepare: XENBUS_TYPE" "$(call_field prepare $B type)" pci
is "rec prepare: no XENBUS_PATH without a backend" "$(call_field prepare $B path)" ""
is "rec prepare: no DOMID" "$(call_field prepare $B domid)" ""
is "rec prepare: the request ID" "$(call_field prepare $B req)" r1
is "rec prepare: SYSFS_PATH" "$(call_field prepare $B sysfs)" \
	"$SYSFS_ROOT/bus/pci/devices/$B"
is "rec: no other phase for an add" "$(wc -l <"$CALLS")" 1

calls_mark
attach_ok "rec: cold plug 07:00.1 into dom 5" r2 5 07:00.1 script=rec
is "rec add: ran once" "$(ncalls add $B)" 1
is "rec add: DOMID" "$(call_field add $B domid)" 5
is "rec add: DOMAIN_NAME" "$(call_field add $B name)" g5
is "rec add: XENBUS_PATH is the backend" "$(call_field add $B path)" "$(be 5)"
is "rec add: XENBUS_BASE_PATH" "$(call_field add $B base)" /local/domain/0/backend
is "rec add: ORIG_DRIVER from the record" "$(call_field add $B drv)" igb
is "rec add: the request ID" "$(call_field add $B req)" r2
is "rec add: hotplug-status connected" "$(xs_read "$(be 5)/hotplug-status")" connected
check "rec add: no hotplug-error" xs_absent "$(be 5)/hotplug-error"
check "rec add: the backend was exported when add ran" \
	test "$(xs_read "$(be 5)/state-$(be_index 5 $B)")" -ge 3

calls_mark
attach_ok "rec: hot plug 07:00.0 with seize=1" r3 5 07:00.0,seize=1 script=rec
is "rec seize: prepare, then add" "$(cut -d' ' -f1,2 "$CALLS" | tr '\n' ' ')" \
	"prepare bdf=$A add bdf=$A "
is "rec seize: prepare saw igb" "$(call_field prepare $A drv)" igb

calls_mark
detach_ok "rec: detach 07:00.0" r4 5 07:00.0 script=rec
is "rec remove: ran once" "$(ncalls remove $A)" 1
is "rec remove: DOMID" "$(call_field remove $A domid)" 5
is "rec remove: XENBUS_PATH" "$(call_field remove $A path)" "$(be 5)"
is "rec remove: nothing else" "$(wc -l <"$CALLS")" 1

calls_mark
run_ok "rec: assignable-remove -r 07:00.0" r5 assignable-remove spec=07:00.0 \
	rebind=1 script=rec
is "rec reattach: ran once" "$(ncalls reattach $A)" 1
is "rec reattach: ORIG_DRIVER" "$(call_field reattach $A drv)" igb
is "rec reattach: back on igb when it ran" "$(drv $A)" igb

# cleanup: the agent's own request uses the default script (pci).
mark
simhost domain destroy 5
released() { [ "$(dev_state "$1")" = assignable ]; }
check "cleanup: 07:00.1 released (bounded wait)" wait_until 10 released $B
check "cleanup: the default script's cleanup phase ran" \
	wait_until 10 log_has_re "$B: pci cleanup: info: cleanup $B domain 5"
check "cleanup: no error logged for it" \
	eval "! log_has_re 'hotplug script pci cleanup: .*(failed|killed)'"

# no script dir given: the default /etc/xen/scripts may lack pci
agent_stop
calls_mark
agent_up --script-dir "$SIM/nonexistent"
check "a missing script dir is said once" \
	log_has_re "--script-dir $SIM/nonexistent: No such file"
run_ok "no script dir: assignable-add works" n1 assignable-add spec=07:00.0
is "no script dir: nothing ran" "$(wc -l <"$CALLS")" 0
run_err "no script dir: script=rec is refused" ENOENT n2 assignable-add \
	spec=09:00.0 script=rec
is "no script dir: 09:00.0 untouched" "$(drv $D)" e1000e
agent_done
t_done
