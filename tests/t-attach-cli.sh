#!/usr/bin/env bash
# The CLI for attach/detach/list against the real agent: `xen-pci attach
# DOMID SPEC...`, `xen-pci detach [-f] DOMID SPEC`, `xen-pci list
# [DOMID]` (like xl pci-list), their output, --json, exit codes (0 ok, 1
# the agent's error, 2 usage) and the effect on the host.
. "$(dirname "$0")/attach-lib.sh"

host_up --inventory "$ATTACH_INV"
agent_up
check_attach_features
make_assignable $A $B $C $D
guest 5
guest 6
guest 7

# run ARGS...: xen-pci ARGS; sets rc, out, err.
run() {
	out=$(xen-pci "$@" 2>"$SIM/err")
	rc=$?
	err=$(cat "$SIM/err")
}
no_requests() { [ -z "$(xenstore-list $R/requests 2>/dev/null)" ]; }
json_ok() {
	command -v python3 >/dev/null || return 0
	python3 -c 'import json,sys; json.loads(sys.stdin.read())' <<<"$1"
}
HDR="Vdev Device       Options"

# --- attach ----------------------------------------------------------------------
mark
run attach 5 07:00.0
is "attach 5 07:00.0: exit 0" "$rc" 0
is "attach 5 07:00.0: prints the vdev as SS.F" "$out" "07:00.0: vdev 00.0"
is "attach 5 07:00.0: nothing on stderr" "$err" ""
assert_attached "attach 5 07:00.0" 5 $A 0000:00:00.00 0
assert_granted "attach 5 07:00.0" $A 5
check "attach 5 07:00.0: the guest sees it" wait_until 10 view_is 5 \
	"0000:00:00.0 <- $A"
check "attach: the request is removed" no_requests

run attach 5 07:00.1 08:00.0
is "attach 5 with two specs: exit 0" "$rc" 0
is "attach 5 with two specs: one line per spec" "$out" \
	$'07:00.1: vdev 00.1\n08:00.0: vdev 01.0'
assert_attached "attach 5 07:00.1" 5 $B 0000:00:00.01 0
assert_attached "attach 5 08:00.0" 5 $C 0000:00:01.00 0
check "attach 5 with two specs: backend Connected" wait_until 10 be_state 5 4

run --json attach 6 '09:00.0,permissive=1'
is "--json attach 6: exit 0" "$rc" 0
check "--json attach 6: one JSON object" json_ok "$out"
like "--json attach 6: status ok" "$out" '"status":"ok"'
like "--json attach 6: the vdevs" "$out" '"vdevs":\["0000:00:00\.00"\]'
assert_attached "--json attach 6" 6 $D 0000:00:00.00 1

# --- list --------------------------------------------------------------------------
run list 5
is "list 5: exit 0" "$rc" 0
# libxl writes vdevfn-N only for a @vslot, so xl prints 00.0 for the
# others (tests/t-cli-xl.sh compares with xl itself).
is "list 5: as xl pci-list prints it (backend order)" "$out" "Vdev Device
00.0 0000:07:00.0
00.0 0000:07:00.1
00.0 0000:08:00.0"
run list --long 5
is "list --long 5: sorted by device, with options" "$out" "$HDR
00.0 0000:07:00.0 permissive=0
00.1 0000:07:00.1 permissive=0
01.0 0000:08:00.0 permissive=0"
run list --long 6
is "list --long 6: the permissive device" "$out" "$HDR
00.0 0000:09:00.0 permissive=1"
run list --long 7
is "list --long 7: a guest without devices: header only" "$rc:$out" "0:$HDR"
run list
is "list: every guest, with a Domid column" "$out" "Domid $HDR
5     00.0 0000:07:00.0 permissive=0
5     00.1 0000:07:00.1 permissive=0
5     01.0 0000:08:00.0 permissive=0
6     00.0 0000:09:00.0 permissive=1"
run --json list 5
check "list --json 5: JSON" json_ok "$out"
like "list --json 5: from the agent" "$out" '"source":"agent"'
like "list --json 5: 08:00.0 with its vdev" "$out" \
	'\{"domid":5,"bdf":"0000:08:00\.0","key":"0000-08-00-0","vdev":"0000:00:01\.00"'

# --- errors --------------------------------------------------------------------------
mark
run attach 5 07:00.0
is "attach 5 07:00.0 again: exit 1" "$rc" 1
like "attach again: the agent's message and code" "$err" \
	'^xen-pci: attach (5 )?07:00\.0: .*07:00\.0.* \(EEXIST\)$'
run attach 6 07:00.0
is "attach 6 07:00.0 (dom 5 has it): exit 1" "$rc" 1
like "attach elsewhere: EBUSY" "$err" '\(EBUSY\)$'
run attach 9 07:00.1
is "attach to a domain that does not exist: exit 1" "$rc" 1
like "no such domain: ESRCH" "$err" '\(ESRCH\)$'
run attach 7 0b:00.0
is "attach a device not on pciback: exit 1" "$rc" 1
like "not on pciback: EPERM" "$err" '\(EPERM\)$'
run --json attach 7 0f:00.0
is "--json attach of no such device: exit 1" "$rc" 1
check "--json attach failure: JSON" json_ok "$out"
like "--json attach failure: code ENODEV" "$out" '"code":"ENODEV"'
is "errors: nothing done" "$(hc_count_re ' dom=(5|6|7|9) ')" 0
assert_no_backend "errors: dom 7" 7
check "errors: no request left" no_requests

for args in "attach" "attach 5" "attach x 07:00.0" "attach -1 07:00.0" \
	"detach" "detach 5" "detach 5 07:00.0 07:00.1" "detach -x 5 07:00.0" \
	"list 5 6" "list x"; do
	# shellcheck disable=SC2086
	run $args
	is "usage: xen-pci $args: exit 2" "$rc" 2
done
check "usage errors: no request written" no_requests

# --- detach ---------------------------------------------------------------------------
mark
run detach 5 08:00.0
is "detach 5 08:00.0: exit 0" "$rc" 0
is "detach 5 08:00.0: prints nothing" "$out" ""
assert_revoked "detach 5 08:00.0" $C 5
assert_released "detach 5 08:00.0" $C 5
run list --long 5
is "list --long 5 after the detach" "$out" "$HDR
00.0 0000:07:00.0 permissive=0
00.1 0000:07:00.1 permissive=0"
run detach 5 08:00.0
is "detach 5 08:00.0 again: exit 1" "$rc" 1
like "detach again: ENOENT" "$err" '^xen-pci: detach (5 )?08:00\.0: .*08:00\.0.* \(ENOENT\)$'

simhost domain set 6 pcifront=hung
run --timeout 2 detach 6 09:00.0
is "detach from a hung guest, --timeout 2: exit 1" "$rc" 1
like "hung guest: ETIMEDOUT" "$err" '\(ETIMEDOUT\)$'
run list --long 6
is "hung guest: still listed" "$out" "$HDR
00.0 0000:09:00.0 permissive=1"
mark
run --timeout 2 detach -f 6 09:00.0
is "detach -f from a hung guest: exit 0" "$rc" 0
assert_released "detach -f" $D
assert_no_backend "detach -f" 6
run list --long 6
is "list --long 6 after detach -f: header only" "$out" "$HDR"
check "detach: no request left" no_requests

# --- list without the agent: read from the backends ---------------------------------
agent_stop
run list --long 5
is "list --long 5, agent stopped: exit 0" "$rc" 0
is "list 5, agent stopped: the backend's devices and opts" "$out" "$HDR
00.0 0000:07:00.0 $OPTS0
00.1 0000:07:00.1 $OPTS0"
like "list 5, agent stopped: a warning" "$err" '.'
agent_up
run detach 5 07:00.1
is "detach after an agent restart: exit 0" "$rc" 0
run detach 5 07:00.0
is "detach the last: exit 0" "$rc" 0
assert_no_backend "all detached" 5
run list
is "list: nothing attached anywhere" "$rc:$out" "0:Domid $HDR"

agent_done
t_done
