#!/usr/bin/env bash
# xl destroy of a guest the agent gave a device: libxl lets the device
# go itself (libxl__device_pci_destroy_all(): the backend, the
# deassign, /libxl/pci/K/domid) before the domain's death reaches the
# agent.  The agent still notices, from its reset record, that the dead
# guest had it: it resets the device for the next guest and records the
# release in the history, as when it releases a dead guest's devices
# itself.
. "$(dirname "$0")/attach-lib.sh"

host_up --inventory "$ATTACH_INV"
agent_up
hist() { xs_read "$R/devices/$(key_of "$1")/history/$2"; }

run_ok "add 07:00.0" h1 assignable-add spec=07:00.0
run_ok "add 0b:00.0 (no reset method)" h2 assignable-add spec=0b:00.0
guest 5
run_ok "attach both to 5" h3 attach domid=5 spec-0=07:00.0 spec-1=0b:00.0
is "07:00.0: domain 5 has it" "$(dev_field 0000:07:00.0 reset)" \
	"dirty: domain 5 has it"
mark

# What libxl does for xl destroy, before the domain goes: the backend,
# pciback's release (pcistub_put_pci_dev), the record; then the death.
xenstore-rm /local/domain/0/backend/pci/5
echo "release 0000:07:00.0" >"$SIMSYSFS_CTL/hotplug"
echo "release 0000:0b:00.0" >"$SIMSYSFS_CTL/hotplug"
xenstore-rm /libxl/pci/0000-07-00-0/domid
xenstore-rm /libxl/pci/0000-0b-00-0/domid
simhost domain destroy 5

# history: 0 the add, 1 the attach, 2 the release
gone() { [ "$(hist "$1" 2)" != "" ]; }
check "07:00.0: the release is recorded" wait_until 10 gone 0000:07:00.0
like "  released: domain 5 is gone" "$(hist 0000:07:00.0 2)" \
	'released: domain 5 is gone: ok$'
is "  reset by the agent: clean (flr)" "$(dev_field 0000:07:00.0 reset)" \
	"clean (flr)"
check "0b:00.0: the release is recorded" wait_until 10 gone 0000:0b:00.0
like "  no reset method: dirty, had it" "$(dev_field 0000:0b:00.0 reset)" \
	"^dirty: domain 5 had it; no reset method"
like "  its history too" "$(hist 0000:0b:00.0 2)" \
	'released: domain 5 is gone: ok$'
like "the agent says libxl released them" "$(cat "$AGENT_LOG")" \
	'0000:07:00.0: domain 5 is gone and libxl released it \(xl destroy\)'
is "both assignable" \
	"$(dev_field 0000:07:00.0 state) $(dev_field 0000:0b:00.0 state)" \
	"assignable assignable"
is "the agent reset 07:00.0 after the guest" \
	"$(sl_since | grep -c 'reset 0000:07:00.0 flr sysfs')" 1

# Another guest may have it now; a restart finds nothing more to do.
guest 6
attach_ok "attach 07:00.0 to 6" h4 6 07:00.0
agent_stop
agent_up
is "a restart releases nothing again" \
	"$(grep -c 'libxl released it' "$AGENT_LOG")" 0
is "07:00.0 stays with domain 6" "$(dev_field 0000:07:00.0 domid)" 6
agent_done
t_done
