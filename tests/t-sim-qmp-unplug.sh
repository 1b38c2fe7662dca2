#!/usr/bin/env bash
# device_del as QEMU 7.2 and the guest's ACPI hotplug do it:
# qmp_device_del returns {} at once (qdev_unplug only asks the guest,
# acpi_pcihp_device_unplug_request_cb); the device goes when the guest
# ejects it (acpi_pcihp_eject_slot), after `simhost qmp release-delay`,
# with DEVICE_DELETED to a client in command mode; a second request
# within 5 s is refused (pending_deleted_expires_ms); a guest that
# never ejects keeps it; find_device_state's DeviceNotFound.
. "$(dirname "$0")/sim/qmp/qmp-lib.sh"

sim_up
hvm 7
HC=$SIMXEN_DIR/hypercalls.log
ID=pci-pt-07_00.0
added() { last_line 7 "$(dev_add_json "$1" "$2")"; }
on_bus() { slots 7 | grep -q " $1\$"; }

is "add" "$(added $ID 0000:07:00.0)" '{"return": {}, "id": 1}'
out=$(q 7 "$(dev_del_json $ID)" wait:DEVICE_DELETED)
like "device_del: {} then DEVICE_DELETED" "$(echo "$out" | tr '\n' ' ')" \
	'\{"return": \{\}, "id": 2\} \{"timestamp": \{"seconds": [0-9]+, "microseconds": [0-9]+\}, "event": "DEVICE_DELETED", "data": \{"device": "pci-pt-07_00.0", "path": "/machine/peripheral/pci-pt-07_00.0"\}\}'
check "gone from query-pci" sh -c "! slots 7 | grep -q pci-pt"
is "gone from the guest's view" "$(view 7)" ""
check "xen_pt_unregister_device unmapped the pirq" \
	grep -q "^unmap_pirq dom=7 pirq=16 rc=0" "$HC"
is "the slot is free again" "$(added $ID 0000:07:00.0)" '{"return": {}, "id": 1}'
is "... and reused" "$(slots 7 | grep pci-pt)" "04.0 $ID"

# A slow guest: the request is in flight, the device still there.
simhost qmp 7 release-delay 600000 >/dev/null
is "device_del returns before the guest ejects" \
	"$(last_line 7 "$(dev_del_json $ID)")" '{"return": {}, "id": 2}'
check "still on the bus while the guest has not ejected it" on_bus $ID
like "status: unplug pending" "$(qstatus 7)" "id=$ID .* unplug=pending"
is "a second device_del within 5 s" "$(last_line 7 "$(dev_del_json $ID)")" \
	"{\"error\": {\"class\": \"GenericError\", \"desc\": \"Device $ID is already in the process of unplug\"}, \"id\": 2}"
# The guest ejects now; a client in command mode gets the event.
qmpc -t 60 "$(sock 7)" "$CAPS" "touch:$SIM/negotiated" wait:DEVICE_DELETED \
	>"$SIM/ev.out" &
wait_until 60 test -e "$SIM/negotiated"
simhost qmp 7 release-delay 0 >/dev/null
wait $!
out=$(cat "$SIM/ev.out")
like "release-delay 0: the pending eject happens, event sent" "$out" \
	'"event": "DEVICE_DELETED", "data": \{"device": "pci-pt-07_00.0"'
check "... and it is gone" sh -c "! slots 7 | grep -q pci-pt"

# An event with nobody connected is lost (monitor_qapi_event_emit).
simhost qmp 7 release-delay 100 >/dev/null
added $ID 0000:07:00.0 >/dev/null
last_line 7 "$(dev_del_json $ID)" >/dev/null
check "the guest ejected it while nobody listened" \
	wait_until 30 sh -c "! simhost qmp 7 status | grep -q $ID"
check "the event was not kept for the next client" \
	sh -c "! qmpc -t 1 $(sock 7) '$CAPS' wait:DEVICE_DELETED >/dev/null 2>&1"
check "the peer logged it as lost" grep -q "event DEVICE_DELETED lost" "$SIM/run/qmp-7.log"

# A guest that never releases.
simhost qmp 7 never-release >/dev/null
added $ID 0000:07:00.0 >/dev/null
out=$(qmpc -t 2 "$(sock 7)" "$CAPS" "$(dev_del_json $ID)" wait:DEVICE_DELETED 2>&1)
rc=$?
is "never-release: device_del still returns {}" \
	"$(echo "$out" | grep '"id": 2')" '{"return": {}, "id": 2}'
is "... and no DEVICE_DELETED comes (qmpc's wait times out)" "$rc" 2
check "... the device stays" on_bus $ID
like "status says never" "$(qstatus 7)" "release-delay never"

# find_device_state(), qdev_unplug()
is "device_del of an unknown id" "$(last_line 7 "$(dev_del_json nosuch)")" \
	"{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'nosuch' not found\"}, \"id\": 2}"
is "device_del of the AHCI (not hot-pluggable)" \
	"$(last_line 7 "$(dev_del_json gahci)")" \
	"{\"error\": {\"class\": \"GenericError\", \"desc\": \"Device 'ich9-ahci' does not support hotplugging\"}, \"id\": 2}"
is "device_del without id" \
	"$(last_line 7 '{"execute": "device_del", "arguments": {}, "id": 2}')" \
	"{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'id' is missing\"}, \"id\": 2}"
is "device_del with a number id" \
	"$(last_line 7 '{"execute": "device_del", "arguments": {"id": 1}, "id": 2}')" \
	"{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter type for 'id', expected: string\"}, \"id\": 2}"
check "simhost qmp: a bad release-delay is refused" \
	sh -c "! simhost qmp 7 release-delay soon 2>/dev/null"
check "simhost qmp: an unknown control is refused" \
	sh -c "! simhost qmp 7 frob 2>/dev/null"
qmp_done 7
