#!/usr/bin/env bash
# The readiness check (op check, `xen-pci check SPEC [--json]`): on each
# kind of device of tests/guard.inv it says, changing nothing, its
# state, the IOMMU, how it can be reset and its record, what dom0 uses,
# what goes with it, the bridge above it, MSI-X, each problem with its
# fix, and whether it is ready.
. "$(dirname "$0")/attach-lib.sh"

host_up --inventory "$TOP/tests/guard.inv"
agent_up
N=0
# ck SPEC: a check request, which must be ok; res FIELD BDF: its result
ck() {
	N=$((N + 1))
	run_ok "check $1" c$N check spec="$1"
}
res() { xs_read "$R/requests/c$N/result/$(key_of "$2")_$1"; }

like "R/features lists check" "$(xs_read $R/features)" '\bcheck\b'
mark
ck 07:00.0
is "free NIC: state host (igb)" "$(res state 0000:07:00.0)" "host (igb)"
is "free NIC: iommu on" "$(xs_read $R/requests/c$N/result/iommu)" on
is "free NIC: reset by flr" "$(res reset 0000:07:00.0)" flr
is "free NIC: never with a guest" "$(res record 0000:07:00.0)" \
	"never with a guest"
is "free NIC: dom0 uses nothing" "$(res dom0 0000:07:00.0)" ""
is "free NIC: its slot's other function goes with it" \
	"$(res group 0000:07:00.0)" "0000:07:00.1 (another function of its slot)"
like "free NIC: problems say how to assign it" \
	"$(res problems 0000:07:00.0)" "not assignable yet: assignable-add it"
is "free NIC: ready" "$(res ready 0000:07:00.0)" yes
is "the check changed nothing in sysfs" "$(sl_since | grep -vc ' note ')" 0
is "... nor in Xen" "$(hc_since | wc -l)" 0

ck 08:00.1
like "uplink: dom0 reasons" "$(res dom0 0000:08:00.1)" \
	'eth1 is up with route 192\.168\.7\.0/24'
like "uplink: the fix" "$(res problems 0000:08:00.1)" \
	'dom0 needs it \(see dom0\): stop using it in dom0 first, or give force=1'
is "uplink: not ready" "$(res ready 0000:08:00.1)" no

ck '08:00.*'
is "08:00.*: both functions answered" \
	"$(xenstore-list $R/requests/c$N/result | grep -c _ready)" 2
like "08:00.0: its sibling's use is named" "$(res dom0 0000:08:00.0)" \
	'0000:08:00\.1 \(another function of its slot\): eth1'

ck 12:01.0
like "behind a PCIe-to-PCI bridge: named above it" \
	"$(res bridge 0000:12:01.0)" \
	'^0000:00:1e\.0 \(PCIe-to-PCI: the devices behind it share its requester ID\)$'
like "... the other device behind it goes with it" \
	"$(res group 0000:12:01.0)" \
	'0000:12:02\.0 \(shares its requester ID behind PCIe-to-PCI bridge 0000:00:1e\.0\)'
ck 10:00.0
is "behind a root port: the port above it" "$(res bridge 0000:10:00.0)" \
	0000:00:1c.0
is "... nothing goes with it" "$(res group 0000:10:00.0)" ""
ck 00:1c.0
like "a bridge: not ready, says pass what is behind" \
	"$(res problems 0000:00:1c.0)" 'it is a bridge: pass the devices behind it'
is "a bridge: not ready" "$(res ready 0000:00:1c.0)" no
ck 00:02.0
like "boot VGA: dom0 reason" "$(res dom0 0000:00:02.0)" 'boot VGA'
ck 0c:00.0
like "NVMe under LVM: the holders" "$(res dom0 0000:0c:00.0)" \
	'dm-0 \(vg0-var\) is mounted on /var'

# --- a device that appears later is seen (the topology is reloaded)
echo "add 0000:07:00.2 8086 10a7 0x020000 igb flr=1" >"$SIMSYSFS_CTL/hotplug"
ck 07:00.0
like "a hot-added function joins the group" "$(res group 0000:07:00.0)" \
	'0000:07:00\.2 \(another function of its slot\)'
echo "remove 0000:07:00.2" >"$SIMSYSFS_CTL/hotplug"
ck 07:00.0
is "... and leaves it when removed" "$(res group 0000:07:00.0)" \
	"0000:07:00.1 (another function of its slot)"

# --- an assignable device, an attached one, one without reset, dirty
make_assignable 0000:0e:00.0 0000:10:00.0
guest 5
attach_ok "10:00.0 to guest 5" a1 5 10:00.0
ck 0e:00.0
is "assignable: state" "$(res state 0000:0e:00.0)" assignable
is "assignable: ready, no problem" \
	"$(res problems 0000:0e:00.0)|$(res ready 0000:0e:00.0)" "|yes"
ck 10:00.0
is "attached: state" "$(res state 0000:10:00.0)" "attached to domain 5"
is "attached: its record" "$(res record 0000:10:00.0)" \
	"dirty: domain 5 has it"
ck 00:00.0
is "host bridge: no reset method" "$(res reset 0000:00:00.0)" none
like "host bridge: the reset problem and its fix" \
	"$(res problems 0000:00:00.0)" 'it cannot be reset .*reset=strict'

# --- the IOMMU off
touch "$SIMXEN_DIR/no-iommu"
ck 0e:00.0
is "no IOMMU: iommu off" "$(xs_read $R/requests/c$N/result/iommu)" off
like "no IOMMU: the fix" "$(res problems 0000:0e:00.0)" \
	'Xen has no IOMMU on: enable VT-d or AMD-Vi in the firmware and boot Xen with iommu=1'
is "no IOMMU: not ready" "$(res ready 0000:0e:00.0)" no
rm "$SIMXEN_DIR/no-iommu"

# --- MSI-X against what a guest may get (Xen: 32 pirqs for MSI)
echo "add 0000:13:00.0 8086 10fb 0x020000 - flr=1 msix=64" \
	>"$SIMSYSFS_CTL/hotplug"
echo "add 0000:14:00.0 8086 10d3 0x020000 - flr=1 msix=5 pcie=0" \
	>"$SIMSYSFS_CTL/hotplug"
ck 13:00.0
is "64 MSI-X vectors: counted" "$(res msix 0000:13:00.0)" 64
like "... more than a guest gets: the fix" "$(res problems 0000:13:00.0)" \
	'asks for 64 MSI-X vectors, a guest gets 32 pirqs for MSI by default: boot Xen with extra_guest_irqs=64'
ck 14:00.0
is "5 vectors, after a PCIe capability: counted" \
	"$(res msix 0000:14:00.0)" 5
check "... within what a guest gets: no MSI-X problem" \
	bash -c '! grep -q MSI-X <<<"$1"' _ "$(res problems 0000:14:00.0)"
ck 07:00.0
is "no capability: 0 vectors" "$(res msix 0000:07:00.0)" 0

# --- errors
run_err "check of a missing device" ENODEV e1 check spec=1f:00.0
run_err "check without a spec" EINVAL e2 check

# --- the CLI
out=$("$BIN/xen-pci" check 08:00.1); rc=$?
is "xen-pci check 08:00.1: exit 0" $rc 0
like "... text: the device, then its fields" "$out" \
	$'iommu: on\n0000:08:00.1:\n  bridge    -\n  dom0      eth1 is up'
like "... text: ready no" "$out" '  ready     no'
out=$("$BIN/xen-pci" check --json 08:00.1); rc=$?
is "xen-pci check --json: exit 0" $rc 0
check "... valid JSON with the fields" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
r = d["result"]
assert r["iommu"] == "on", r
assert r["0000-08-00-1_ready"] == "no", r
assert "eth1" in r["0000-08-00-1_dom0"], r
' "$out"
agent_done
t_done
