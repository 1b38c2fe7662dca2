#!/usr/bin/env bash
# xen-pci status says why a device dom0 drives is critical (issue 15):
# the dom0 guard's own reasons (agent/policy.c), asked of the agent with
# a check request per such device, on the simulated host of
# tests/guard.inv (the same reasons t-guard-dom0.sh makes assignable-add
# refuse); a device dom0 drives but does not need has none; --json
# carries them; the check requests are removed; without an agent the
# rest of the status stands and the reason says it is unknown.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"

sim_up --inventory "$TOP/tests/guard.inv"
agent_start --protect 0e:00.0 || exit 1
st() { xen-pci status --sysfs-root "$SYSFS_ROOT" --config /nonexistent "$@"; }
out=$(st)
is "status: exit 0" "$?" 0
diag "status:"
sed 's/^/#   /' <<<"$out"
# crit BDF: the critical line under BDF's line, "" none.
crit() {
	awk -v bdf="$1" '$1 == bdf {on = 1; next}
		on && /^      critical: / {sub(/^      critical: /, ""); print}
		{on = 0}' <<<"$out"
}
like "a NIC with a route: its interface and route" "$(crit 0000:08:00.1)" \
	'^eth1 is up with route 192\.168\.7\.0/24'
like "function 0 of its slot: because of function 1" \
	"$(crit 0000:08:00.0)" \
	'0000:08:00\.1 \(another function of its slot\): eth1 is up with route'
like "a global IPv6 address" "$(crit 0000:09:00.0)" \
	'eth2 is up with address 2001:db8::2/64'
like "the NVMe under LVM: held by dm-0" "$(crit 0000:0c:00.0)" \
	'nvme0n1p1 is held by dm-0 \(vg0-var\)'
like "--protect" "$(crit 0000:0e:00.0)" 'is protected \(--protect 0e:00.0\)'
is "a NIC up with only a link-local address: none" "$(crit 0000:0a:00.0)" ""
is "a NIC that is down: none" "$(crit 0000:0b:00.0)" ""
is "every line has its device's group" \
	"$(grep -c '^      critical: ' <<<"$out")" \
	"$(python3 -c 'import json,sys; print(sum(1 for d in json.loads(sys.argv[1])["devices"] if d["critical"]))' "$(st --json)")"
j=$(st --json)
pj() { python3 -c 'import json,sys; d={x["bdf"]: x for x in json.loads(sys.argv[1])["devices"]}; print(eval(sys.argv[2]))' "$j" "$1"; }
like "--json: critical" "$(pj 'd["0000:08:00.1"]["critical"]')" \
	'^eth1 is up with route'
is "--json: none is null" "$(pj 'd["0000:0a:00.0"]["critical"]')" None
is "--json: only dom0's devices are asked" \
	"$(pj 'sorted(set(x["group"] for x in d.values() if x["critical"]))')" \
	"['dom0']"
is "the check requests are removed" \
	"$(xenstore-list $R/requests 2>/dev/null | grep -vc '^persistent-')" 0
agent_stop
out=$(st 2>&1)
is "no agent: exit 0 still" "$?" 0
like "no agent: the reason is unknown, and why" "$(crit 0000:08:00.1)" \
	'^unknown \(no agent is serving\)$'
like "no agent: the groups still stand" "$out" "In use by dom0"
t_done
