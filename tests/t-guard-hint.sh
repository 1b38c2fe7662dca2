#!/usr/bin/env bash
# The permissive hint: a guest's driver writes a configuration space
# field pciback does not emulate; pciback drops it and warns once in the
# kernel log, with Linux's words (conf_space.c); the agent, reading
# dev/kmsg as it grows, puts a hint on the device naming the guest, the
# offset and permissive=1.  Writes pciback handles, bad offsets and a
# permissive device say nothing.
. "$(dirname "$0")/attach-lib.sh"

host_up --inventory "$ATTACH_INV"
KMSG=${SIMSYSFS_CTL%/sim}/dev/kmsg
K=0000-07-00-0
HINT=$R/devices/$K/permissive-hint
kmsg() { cat "$KMSG" 2>/dev/null; }
vbdf() { sed -n "s| <- $1\$||p" "$SIMXEN_DIR/guests/$2/pci" 2>/dev/null; }
# The guest's pcifront puts it on its bus after the attach's answer.
seen() { [ -n "$(vbdf "$@")" ]; }
cfgw() { simhost guest "$@" 2>&1; }
hint_there() { xs_exists "$HINT"; }

# --- the simulated kernel -------------------------------------------------
is "dev/kmsg is empty at boot" "$(kmsg)" ""
agent_up
run_ok "add 07:00.0" h1 assignable-add spec=07:00.0
run_ok "add 07:00.1" h2 assignable-add spec=07:00.1
guest 5
attach_ok "attach 07:00.0 to 5" h3 5 07:00.0
check "guest 5 has it on its bus" wait_until 10 seen 0000:07:00.0 5
V=$(vbdf 0000:07:00.0 5)
like "the guest sees it" "$V" '^0000:00:0[0-9a-f]\.0$'

out=$(cfgw 5 cfgwrite "$V" 0x04 2 0x0006); rc=$?
is "a command write (header_common): handled" "$rc/$out" "0/"
out=$(cfgw 5 cfgwrite "$V" 0x10 4 0xffffffff); rc=$?
is "a BAR write (header_0): handled" "$rc/$out" "0/"
out=$(cfgw 5 cfgwrite "$V" 0xe1 2 1); rc=$?
is "an unaligned write: invalid offset" "$rc" 1
like "  with pcifront's error" "$out" "XEN_PCI_ERR_invalid_offset"
out=$(cfgw 5 cfgwrite 0000:00:1f.0 0xe0 2 1); rc=$?
like "a device the guest does not have: not found" "$rc/$out" \
	"^1/.*XEN_PCI_ERR_dev_not_found"
out=$(cfgw 6 cfgwrite "$V" 0xe0 2 1); rc=$?
like "another guest's address: not found" "$rc/$out" \
	"^1/.*XEN_PCI_ERR_dev_not_found"
is "none of these warned" "$(kmsg)" ""
check "no hint" xs_absent "$HINT"

out=$(cfgw 5 cfgwrite "$V" 0xe0 2 0x8000); rc=$?
is "a read-only write: the guest is told nothing" "$rc/$out" "0/"
rec=$(kmsg)
like "the kernel's record: level 4, sequence 0" "$rec" \
	'^4,0,[0-9]+,-;pciback 0000:07:00\.0: xen-pciback: '
like "  Linux's words, inner newlines escaped" "$rec" \
	'Driver tried to write to a read-only configuration space field at offset 0xe0, size 2\. This may be harmless, but if you have problems with your device:\\x0a1\) see permissive attribute in sysfs\\x0a2\) report problems to the xen-devel mailing list along with details of your device obtained from lspci\.'
like "  and the device in its dictionary" "$rec" 'DEVICE=\+pci:0000:07:00\.0'
check "the agent puts a hint on the device" wait_until 10 hint_there
like "  which guest, where, what to do" "$(xs_read "$HINT")" \
	'^[0-9T:Z-]+ domain 5 wrote read-only config space at 0xe0 \(size 2\), pciback dropped it: the device may need permissive=1'
like "the agent logs it" "$(cat "$AGENT_LOG")" \
	'0000:07:00.0: domain 5 wrote read-only config space at 0xe0'

st=$("$BIN/xen-pci" status --sysfs-root "$SYSFS_ROOT" --config /dev/null)
like "xen-pci status shows the hint under the device" "$st" \
	$'0000:07:00.0 [^\n]*domain=5[^\n]*\n      hint: [^\n]*domain 5 wrote read-only config space at 0xe0'
st=$("$BIN/xen-pci" status --json --sysfs-root "$SYSFS_ROOT" --config /dev/null)
check "... and --json as permissive_hint" python3 -c '
import json, sys
d = {x["bdf"]: x for x in json.loads(sys.argv[1])["devices"]}
assert "0xe0" in d["0000:07:00.0"]["permissive_hint"], d
assert d["0000:07:00.1"]["permissive_hint"] is None, d
' "$st"

run_ok "check 07:00.0" c1 check spec=07:00.0
like "check: the hint" "$(xs_read $R/requests/c1/result/${K}_hint)" \
	'domain 5 wrote read-only config space at 0xe0'
like "check: the problem and its fix" \
	"$(xs_read $R/requests/c1/result/${K}_problems)" \
	"pciback dropped a guest's write to its config space \(see hint\): attach it with permissive=1"
run_ok "check 07:00.1" c2 check spec=07:00.1
is "check: no hint on 07:00.1" \
	"$(xs_read $R/requests/c2/result/0000-07-00-1_hint)" ""

cfgw 5 cfgwrite "$V" 0xe4 4 1 >/dev/null
is "pciback warns once per device (warned_on_write)" \
	"$(kmsg | grep -c 'Driver tried')" 1
like "the sim log has both writes" "$(grep cfg-write "$SIMLOG")" \
	"0xe0 2 read-only warned.*0xe4 4 read-only"

# A restarted agent starts at the log's end: the old warning is not
# seen again, the hint it left stays (state dir).
xenstore-rm "$HINT"
agent_stop
agent_up
check "the hint is back from the state dir" wait_until 10 hint_there
like "  the same words" "$(xs_read "$HINT")" "domain 5 wrote read-only"
is "the old warning was not read again" \
	"$(grep -c 'wrote read-only' "$AGENT_LOG")" 0

# A permissive device: pciback writes the field, no warning.
guest 6
run_ok "attach 07:00.1 permissive" h4 attach domid=6 \
	spec=07:00.1,permissive=1
check "guest 6 has it on its bus" wait_until 10 seen 0000:07:00.1 6
V1=$(vbdf 0000:07:00.1 6)
out=$(cfgw 6 cfgwrite "$V1" 0xe0 2 0x8000); rc=$?
is "a permissive device takes the write" "$rc/$out" "0/"
like "  into its config space" "$(grep cfg-write "$SIMLOG" | tail -1)" \
	"cfg-write 0000:07:00.1 0xe0 2\$"
is "  and nothing is logged" "$(kmsg | grep -c 07:00.1)" 0
check "  no hint on it" xs_absent $R/devices/0000-07-00-1/permissive-hint

# The hint goes with the device off pciback (the kernel forgets it too).
detach_ok "detach 5" h5 5 07:00.0
run_ok "remove -r" h6 assignable-remove spec=07:00.0 rebind=1
check "off pciback: no hint kept" test ! -e "$STATE/hints/$K"
run_ok "add it again" h7 assignable-add spec=07:00.0
check "back on pciback: no hint" xs_absent "$HINT"
attach_ok "attach to 5 again" h8 5 07:00.0
check "guest 5 has it again" wait_until 10 seen 0000:07:00.0 5
V=$(vbdf 0000:07:00.0 5)
cfgw 5 cfgwrite "$V" 0xe0 2 0x8000 >/dev/null
is "a new binding warns again (new dev_data)" \
	"$(kmsg | grep -c 'pciback 0000:07:00.0: .*Driver tried')" 2
check "and the agent hints again" wait_until 10 hint_there
agent_done
t_done
