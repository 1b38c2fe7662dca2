#!/usr/bin/env bash
# device_add of xen-pci-passthrough and query-pci, as QEMU 7.2 answers
# them: the first free slot after the xenfv machine's devices (and the
# real-Xen tier's AHCI) is 00:04.0; addr "SS.F" as libxl sends it; the
# errors of qmp_device_add/qemu_opts_create (id), qdev_device_add_from_qdict
# (driver, bus), qdev_set_id (duplicate), the property setters
# (set_pci_host_devaddr, set_pci_devfn, qapi_bool_parse,
# object_property_find_err), xen_host_pci_device_get (the host device's
# sysfs files) and do_pci_register_device (slot in use, function 0),
# each with its exact desc.  xen_pt_realize maps the INTx through Xen
# (xc_physdev_map_pirq) and never checks the assignment.
. "$(dirname "$0")/sim/qmp/qmp-lib.sh"

sim_up
hvm 7
HC=$SIMXEN_DIR/hypercalls.log
err() { echo "{\"error\": {\"class\": \"${2:-GenericError}\", \"desc\": \"$1\"}, \"id\": 1}"; }
add() { last_line 7 "$(dev_add_json "$@")"; }

is "query-pci: the xenfv machine and the AHCI" "$(slots 7 | tr '\n' ' ')" \
	"00.0  01.0  01.1  01.3  02.0  03.0 gahci "
out=$(last_line 7 "$QPCI")
like "query-pci: i440FX 8086:1237, Host bridge, default subsystem" "$out" \
	'\{"bus": 0, "slot": 0, "function": 0, "class_info": \{"desc": "Host bridge", "class": 1536\}, "id": \{"device": 4663, "vendor": 32902, "subsystem": 4352, "subsystem-vendor": 6900\}, "irq_pin": 0, "qdev_id": "", "regions": \[\]\}'
like "query-pci: xen-platform 5853:0001, class ff80 without desc" "$out" \
	'"slot": 2, "function": 0, "class_info": \{"class": 65408\}, "id": \{"device": 1, "vendor": 22611, "subsystem": 1, "subsystem-vendor": 22611\}'
like "query-pci: PIIX4_PM at 01.3 with its pin" "$out" \
	'"slot": 1, "function": 3, "class_info": \{"desc": "Bridge", "class": 1664\}, "id": \{"device": 28947, "vendor": 32902.*"irq": 9, "irq_pin": 1'

# Assigned first, as libxl does (xc_assign_device, then device_add).
# The guest programs the new device only when told (never-probe), so
# query-pci shows what QEMU has right after device_add.
simhost qmp 7 never-probe >/dev/null
LD_PRELOAD=$SIMXEN_PRELOAD simxcinfo assign 7 0000:07:00.0
is "device_add 07:00.0" "$(add pci-pt-07_00.0 0000:07:00.0)" '{"return": {}, "id": 1}'
is "it landed at 00:04.0, as on the real tier" \
	"$(slots 7 | grep pci-pt)" "04.0 pci-pt-07_00.0"
out=$(last_line 7 "$QPCI")
like "query-pci right after device_add: the host's IDs; class, subsystem and line 0 (xen_pt_realize zeroes config); the host's pin; BAR sizes, addresses unmapped" "$out" \
	'"slot": 4, "function": 0, "class_info": \{"class": 0\}, "id": \{"device": 4263, "vendor": 32902, "subsystem": 0, "subsystem-vendor": 0\}, "irq": 0, "irq_pin": 1, "qdev_id": "pci-pt-07_00.0", "regions": \[\{"bar": 0, "type": "memory", "address": -1, "size": [0-9]+, "prefetch": false, "mem_type_64": false\}'
like "status: Xen had assigned it to the guest, not configured yet" \
	"$(qstatus 7)" \
	"00:04.0 0000:07:00.0 id=pci-pt-07_00.0 permissive=0 xen-owner-at-add=7 unplug=no configured=no"
simhost qmp 7 probe-delay 0 >/dev/null
check "probe-delay 0: the guest configures it" \
	wait_until 30 sh -c "simhost qmp 7 status | grep -q 'id=pci-pt-07_00.0 .*configured=yes'"
like "query-pci then: INTERRUPT_LINE is the slot's GSI (hvm_pci_intx_gsi), BARs mapped" \
	"$(last_line 7 "$QPCI")" \
	'"irq": 32, "irq_pin": 1, "qdev_id": "pci-pt-07_00.0", "regions": \[\{"bar": 0, "type": "memory", "address": [0-9]+,'
check "xen_pt_realize mapped the INTx (xc_physdev_map_pirq)" \
	grep -q "^map_pirq dom=7 index=16 pirq=16 rc=0" "$HC"
is "the guest's view" "$(view 7)" "0000:00:04.0 <- 0000:07:00.0"

# libxl's addr "SS.F" and permissive
is "device_add with addr 06.0 and permissive" \
	"$(add pci-pt-07_00.1 0000:07:00.1 ', "addr": "06.0", "permissive": true')" \
	'{"return": {}, "id": 1}'
is "... at 06.0" "$(slots 7 | grep 07_00.1)" "06.0 pci-pt-07_00.1"
like "... permissive" "$(qstatus 7)" "00:06.0 0000:07:00.1 id=pci-pt-07_00.1 permissive=1 xen-owner-at-add=0 "
is "view: both, in slot order" "$(view 7 | tr '\n' ' ')" \
	"0000:00:04.0 <- 0000:07:00.0 0000:00:06.0 <- 0000:07:00.1 "

# The errors, each as QEMU 7.2 words it.
is "duplicate id" "$(add pci-pt-07_00.0 0000:07:00.0)" \
	"$(err "Duplicate device ID 'pci-pt-07_00.0'")"
is "duplicate of a command-line device's id" "$(add gahci 0000:07:00.0)" \
	"$(err "Duplicate device ID 'gahci'")"
is "slot in use by an emulated device (no id)" \
	"$(add x1 0000:07:00.0 ', "addr": "02.0"')" \
	"$(err "PCI: slot 2 function 0 not available for xen-pci-passthrough, in use by xen-platform,id=(null)")"
is "slot in use by the AHCI" "$(add x1 0000:07:00.0 ', "addr": "03.0"')" \
	"$(err "PCI: slot 3 function 0 not available for xen-pci-passthrough, in use by ich9-ahci,id=gahci")"
is "slot in use by a passed-through device" \
	"$(add x1 0000:07:00.0 ', "addr": "04.0"')" \
	"$(err "PCI: slot 4 function 0 not available for xen-pci-passthrough, in use by xen-pci-passthrough,id=pci-pt-07_00.0")"
is "function 1 of a slot whose function 0 is there" \
	"$(add x1 0000:07:00.0 ', "addr": "04.1"')" \
	"$(err "PCI: slot 4 function 0 already occupied by xen-pci-passthrough, new func xen-pci-passthrough cannot be exposed to guest.")"
for h in 0000:07:00.8 07 zz:00.0 0000:07:00.0x 10000:07:00.0 0000:07:20.0; do
	is "bad hostaddr '$h'" "$(add x1 "$h")" \
		"$(err "Property 'xen-pci-passthrough.hostaddr' doesn't take value '$h'")"
done
is "bad addr" "$(add x1 0000:07:00.0 ', "addr": "20.0"')" \
	"$(err "Property 'xen-pci-passthrough.addr' doesn't take value '20.0'")"
is "addr out of range as a number" "$(add x1 0000:07:00.0 ', "addr": 300')" \
	"$(err "Parameter 'addr' expects a value between -1 and 255")"
is "permissive as a number" "$(add x1 0000:07:00.0 ', "permissive": 1')" \
	"$(err "Parameter 'permissive' expects 'on' or 'off'")"
is "an unknown property" "$(add x1 0000:07:00.0 ', "rombar": "off"')" \
	"$(err "Property 'xen-pci-passthrough.rombar' not found")"
is "an id that is not an identifier" "$(add 0bad 0000:07:00.0)" \
	"$(err "Parameter 'id' expects an identifier")"
is "no driver" \
	"$(last_line 7 '{"execute": "device_add", "arguments": {"id": "x"}, "id": 1}')" \
	"$(err "Parameter 'driver' is missing")"
is "a bus that is not there" \
	"$(add x1 0000:07:00.0 ', "bus": "pci.1"')" \
	"$(err "Bus 'pci.1' not found" DeviceNotFound)"
is "a device the host does not have (xen_host_pci_device_get)" \
	"$(add x1 0000:09:00.0)" \
	"$(err "Could not open '/sys/bus/pci/devices/0000:09:00.0/config': No such file or directory")"
is "none of the errors added a device" "$(slots 7 | grep -c -v '^0[0-3]')" 2

# Not assigned in Xen: QEMU does not ask, device_add succeeds; the
# status says so (the guest's DMA would fault on real hardware).
simhost domain create 8 --hvm --no-ahci
is "no AHCI: the first device goes to 00:03.0" \
	"$(last_line 8 "$(dev_add_json pci-pt-07_00.0 0000:07:00.0)")" \
	'{"return": {}, "id": 1}'
is "... at 03.0" "$(slots 8 | grep pci-pt)" "03.0 pci-pt-07_00.0"
like "status: Xen's owner at device_add was guest 7, not 8" \
	"$(qstatus 8)" "00:03.0 0000:07:00.0 id=pci-pt-07_00.0 permissive=0 xen-owner-at-add=7 "
check "the log says what real hardware would do" \
	grep -q "not assigned to this guest: its DMA would fault" "$SIM/run/qmp-8.log"
qmp_done 7 8
