#!/usr/bin/env bash
# xen-pci status: every device of the simulated host in its group
# (attached to a guest, assignable, in use by dom0, no driver), with
# vendor and device names from libpci's pci.ids (compared with
# lspci's own lookup of the same ids, not with a table of ours), the
# reset methods sysfs lists, libxl's device name, the original driver
# and the persistent flag from the agent's configuration; --json
# carries the same; it writes nothing to xenstore but the check
# requests it asks the agent (why dom0 needs a device), removed again.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"

KEEP=$(mktemp -d /tmp/xpa-status.XXXXXX)
cat >"$KEEP/host.inv" <<'INV'
pciback=loaded
driver igb ids=8086:10a7
driver e1000e ids=8086:10d3
0000:07:00.0 8086 10a7 0x020000 igb flr=1 irq=16
0000:07:00.1 8086 10a7 0x020000 igb flr=1 irq=17
0000:09:00.0 8086 10d3 0x020000 e1000e flr=1 irq=21
0000:0b:00.0 8086 10d3 0x020000 - flr=0 reset=0 irq=22
INV
sim_up --inventory "$KEEP/host.inv"
cleanup() {
	[ -n "$AGENT_PID" ] && kill -9 "$AGENT_PID" 2>/dev/null
	sim_down
	rm -rf "$KEEP"
	t_exit
}
trap cleanup EXIT
simhost domain create 5 --name web >/dev/null
CFG=$KEEP/agent.cfg
echo "assignable = [ '07:00.*' ]" >"$CFG"
agent_start --config "$CFG" || exit 1
check "the persistent 07:00.* is assignable" wait_until 20 \
	bash -c "[ \"\$(readlink $SYSFS_ROOT/bus/pci/devices/0000:07:00.1/driver)\" ] &&
		 readlink $SYSFS_ROOT/bus/pci/devices/0000:07:00.1/driver | grep -q pciback"
xen-pci assignable-remove 07:00.0 && xen-pci assignable-add -n nic0 07:00.0
xen-pci attach web 07:00.0 >/dev/null
is "07:00.0 attached to web" "$?" 0

st() { xen-pci status --sysfs-root "$SYSFS_ROOT" --config "$CFG" "$@"; }
# The attach's last writes (the guest's backend settling) first.
writes() { grep -c '^IN .* WRITE ' "$SIM/xenstored/trace"; }
settled() { local a; a=$(writes); sleep 0.5; [ "$(writes)" = "$a" ]; }
wait_until 20 settled
l0=$(wc -l <"$SIM/xenstored/trace")
out=$(st)
is "status: exit 0" "$?" 0
diag "status:"
sed 's/^/#   /' <<<"$out"
# The names as pci.ids spells them, looked up here by hand.
vname=$(python3 - <<'PY'
v = d = None
for line in open("/usr/share/misc/pci.ids", encoding="utf-8", errors="replace"):
    if line.startswith("8086 "):
        v = line[6:].strip()
    elif v and line.startswith("\t10a7 "):
        d = line[6:].strip()
        break
print(v + " " + d)
PY
)
group_of() { awk -v bdf="$1" '/^[A-Z]/ {g=$0} $1 == bdf {print g}' <<<"$out"; }
line_of() { grep "^  $1 " <<<"$out"; }
is "07:00.0 is attached" "$(group_of 0000:07:00.0)" "Attached to a guest"
is "07:00.1 is assignable" "$(group_of 0000:07:00.1)" "Assignable (on pciback, in no guest)"
is "09:00.0 is in use by dom0" "$(group_of 0000:09:00.0)" "In use by dom0"
is "0b:00.0 has no driver" "$(group_of 0000:0b:00.0)" "No driver"
like "names from pci.ids" "$(line_of 0000:07:00.0)" "0000:07:00.0 $vname \[8086:10a7\]"
like "the guest by id and name" "$(line_of 0000:07:00.0)" 'domain=5 \(web\)'
like "libxl's name" "$(line_of 0000:07:00.0)" 'name=nic0'
like "the original driver" "$(line_of 0000:07:00.1)" 'original-driver=igb'
like "dom0's driver" "$(line_of 0000:09:00.0)" 'driver=e1000e'
like "the reset methods" "$(line_of 0000:07:00.1)" 'reset=flr'
like "persistent (07:00.* in the configuration)" "$(line_of 0000:07:00.1)" \
	' persistent$'
check "09:00.0 is not persistent" bash -c "! grep -q persistent <<<'$(line_of 0000:09:00.0)'"
out=$(st --json)
check "--json: one JSON object" python3 -c 'import json,sys; json.loads(sys.argv[1])' "$out"
pj() { python3 -c 'import json,sys; d={x["bdf"]: x for x in json.loads(sys.argv[1])["devices"]}; print(eval(sys.argv[2]))' "$out" "$1"; }
is "--json: groups" "$(pj '[d[b]["group"] for b in sorted(d)]')" \
	"['attached', 'assignable', 'dom0', 'none']"
is "--json: attached domid and name" \
	"$(pj '(d["0000:07:00.0"]["domid"], d["0000:07:00.0"]["name"])')" "(5, 'nic0')"
is "--json: persistent flags" "$(pj '[d[b]["persistent"] for b in sorted(d)]')" \
	"[True, True, False, False]"
is "--json: reset methods a list" "$(pj 'd["0000:07:00.1"]["reset_methods"]')" "['flr']"
# Its only writes: the check requests asking the agent why dom0's
# devices are critical (t-cli-status-critical.sh), removed again.
is "status writes nothing to xenstore but its check requests" \
	"$(tail -n +$((l0 + 1)) "$SIM/xenstored/trace" |
	grep '^IN .* WRITE ' | grep -vc " WRITE ($R/requests/")" 0
is "and leaves none behind" \
	"$(xenstore-list $R/requests 2>/dev/null | grep -vc '^persistent-')" 0
out=$(xen-pci status --sysfs-root "$KEEP/nosuch" 2>&1)
is "status on a missing sysfs: exit 4" "$?" 4
like "and says which directory" "$out" "$KEEP/nosuch/bus/pci/devices: No such file"
out=$(xen-pci list --sysfs-root / 5 2>&1)
is "--sysfs-root on list: usage error" "$?" 2
xen-pci detach web 07:00.0
agent_stop
t_exit
