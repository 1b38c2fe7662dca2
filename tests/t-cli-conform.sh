#!/usr/bin/env bash
# xen-pci speaks protocol v1 (protocol/PROTOCOL.md): the test plays the
# agent with xenstore-write against the real xenstored and checks what
# the CLI writes (one transaction, op last, the fields of each op), how
# it waits (accepted/running are not final, unknown statuses neither),
# what it prints and returns for ok and error, that it removes its
# request, and that concurrent requests get distinct IDs.  The same
# paths with the real agent are in t-cli-agent.sh.
. "$(dirname "$0")/lib.sh"

sim_up --no-sysfs --no-peer
R=/local/domain/0/pci-agent
RQ=$R/requests
TRACE=$SIM/xenstored/trace
xenstore-write $R/state running $R/protocol 1

json_ok() {
	command -v python3 >/dev/null || return 0
	python3 -c 'import json,sys; json.loads(sys.stdin.read())' <<<"$1"
}
requests() { xenstore-list $RQ 2>/dev/null; }
nreq_with_op() {
	local n=0 r
	for r in $(requests); do
		xenstore-exists "$RQ/$r/op" && n=$((n + 1))
	done
	[ "$n" -ge "$1" ]
}
no_requests() { [ -z "$(requests)" ]; }
# The fields of request $id, sorted, "key=value" per line.
fields() {
	xenstore-ls "$RQ/$1" | sed -n 's/^\([a-z0-9-]*\) = "\(.*\)"$/\1=\2/p' |
		sort | tr '\n' ' '
}

# cli ARGS...: run xen-pci in the background; its pid in $cli, output
# in $SIM/out and $SIM/err.  Then wait for its request; ID in $id.
cli() {
	xen-pci "$@" >"$SIM/out" 2>"$SIM/err" &
	cli=$!
	if wait_until 10 nreq_with_op 1; then
		id=$(requests | head -n1)
	else
		id=none
		not_ok "xen-pci $* wrote no request"
	fi
}
# finish: wait for the CLI; its exit code in $rc.
finish() { wait $cli; rc=$?; out=$(cat "$SIM/out"); err=$(cat "$SIM/err"); }
answer_ok() { xenstore-write "$RQ/$id/status" accepted "$RQ/$id/status" running "$@" "$RQ/$id/status" ok; }

# --- assignable-add ---------------------------------------------------
cli assignable-add 07:00.0
like "request ID is 1..64 of [A-Za-z0-9_-]" "$id" '^[A-Za-z0-9_-]{1,64}$'
is "assignable-add: fields" "$(fields $id)" \
	"op=assignable-add spec=07:00.0 timeout=30 "
# One transaction on one connection, op last.
conn=$(grep "^IN .* WRITE ($RQ/$id/op " "$TRACE" | awk '{print $2}')
# The connection's operations from the last TRANSACTION_START before
# the write of op to the next TRANSACTION_END (addresses get reused).
txn=$(awk -v c="$conn" -v op="$RQ/$id/op" '
	$1 != "IN" || $2 != c { next }
	$5 == "TRANSACTION_START" && !seen { n = 0 }
	{ ops[n++] = $5 }
	$5 == "WRITE" && $6 == "(" op { seen = 1 }
	$5 == "TRANSACTION_END" && seen { for (i = 0; i < n; i++) printf "%s ", ops[i]; exit }
' "$TRACE")
# The READ is R/state; a generated ID is not read back (PROTOCOL.md 3.3).
like "assignable-add: written in one transaction, op last" "$txn" \
	'^TRANSACTION_START READ (WRITE )+WRITE TRANSACTION_END $'
is "assignable-add: the last write is op" \
	"$(grep "^IN $conn .* WRITE ($RQ/$id/" "$TRACE" | tail -n1 |
	   sed 's/.*WRITE (\([^ ]*\) .*/\1/')" "$RQ/$id/op"
n0=$(grep -c "^IN $conn .* READ ($RQ/$id/status" "$TRACE")
xenstore-write "$RQ/$id/status" accepted "$RQ/$id/status" running
check "accepted and running are seen" wait_until 10 sh -c \
	"[ \$(grep -c '^IN $conn .* READ ($RQ/$id/status' '$TRACE') -gt $n0 ]"
check "accepted and running are not final" kill -0 $cli
xenstore-write "$RQ/$id/status" queued
check "an unknown (future) status is not final" wait_until 10 sh -c \
	"[ \$(grep -c '^IN $conn .* READ ($RQ/$id/status' '$TRACE') -gt $((n0 + 1)) ]"
check "still waiting" kill -0 $cli
xenstore-write "$RQ/$id/status" ok
finish
is "assignable-add ok: exit 0" $rc 0
is "assignable-add ok: prints nothing (like xl)" "$out$err" ""
check "assignable-add ok: request removed" no_requests

cli assignable-add '0000:07:00.*,permissive=1,seize=1'
is "spec passed verbatim" "$(xs_read $RQ/$id/spec)" \
	'0000:07:00.*,permissive=1,seize=1'
xenstore-write "$RQ/$id/status" accepted \
	"$RQ/$id/error" "0000:07:00.0: bind to pciback: No such device" \
	"$RQ/$id/code" ENODEV "$RQ/$id/status" error
finish
is "agent error: exit 1" $rc 1
is "agent error: nothing on stdout" "$out" ""
like "agent error: the agent's message and code on stderr" "$err" \
	'^xen-pci: assignable-add 0000:07:00\.\*,permissive=1,seize=1: 0000:07:00\.0: bind to pciback: No such device \(ENODEV\)$'
check "agent error: request removed" no_requests

cli --json --timeout 7 assignable-add 08:00.0
is "--timeout is written into the request" "$(xs_read $RQ/$id/timeout)" 7
xenstore-write "$RQ/$id/error" "0000:08:00.0: no such device" \
	"$RQ/$id/code" ENODEV "$RQ/$id/status" error
finish
is "agent error, --json: exit 1" $rc 1
check "agent error, --json: stdout is JSON" json_ok "$out"
like "agent error, --json: status, error and code" "$out" \
	"^\\{\"id\":\"$id\",\"op\":\"assignable-add\",\"status\":\"error\",\"error\":\"0000:08:00.0: no such device\",\"code\":\"ENODEV\",\"result\":\\{\\}\\}$"
like "agent error, --json: stderr still says it" "$err" 'no such device \(ENODEV\)'

# --- assignable-remove ------------------------------------------------
cli assignable-remove 07:00.0
is "assignable-remove: fields" "$(fields $id)" \
	"op=assignable-remove spec=07:00.0 timeout=30 "
answer_ok
finish
is "assignable-remove: exit 0" $rc 0
cli assignable-remove -r 07:00.0
is "assignable-remove -r: rebind=1" "$(fields $id)" \
	"op=assignable-remove rebind=1 spec=07:00.0 timeout=30 "
xenstore-write "$RQ/$id/error" "0000:07:00.0: no original driver known; left unbound" \
	"$RQ/$id/code" ENOENT "$RQ/$id/status" error
finish
is "assignable-remove -r error: exit 1" $rc 1
like "assignable-remove -r error: message" "$err" 'left unbound \(ENOENT\)'

# --- assignable-list --------------------------------------------------
cli assignable-list
is "assignable-list: fields" "$(fields $id)" "op=assignable-list timeout=30 "
answer_ok "$RQ/$id/result/0000-07-00-0" e1000e "$RQ/$id/result/0000-03-00-1" ""
finish
is "assignable-list: exit 0" $rc 0
is "assignable-list: one BDF per line, sorted (like xl)" "$out" \
	$'0000:03:00.1\n0000:07:00.0'
cli --json assignable-list
answer_ok "$RQ/$id/result/0000-07-00-0" e1000e
finish
check "assignable-list --json: JSON" json_ok "$out"
like "assignable-list --json: result and devices" "$out" \
	'"result":\{"0000-07-00-0":"e1000e"\},"devices":\[\{"bdf":"0000:07:00.0","key":"0000-07-00-0","driver":"e1000e"\}\]\}$'
cli assignable-list
answer_ok
finish
is "empty assignable-list: exit 0, no output" "$rc:$out" "0:"

# --- attach -----------------------------------------------------------
cli attach 3 07:00.0,permissive=1
is "attach one: fields" "$(fields $id)" \
	"domid=3 op=attach spec=07:00.0,permissive=1 timeout=30 "
answer_ok "$RQ/$id/result/vdev" 0000:00:01.00
finish
is "attach one: exit 0" $rc 0
is "attach one: prints the vdev as xl does" "$out" \
	"07:00.0,permissive=1: vdev 01.0"
cli --json attach 3 07:00.0 08:00.0 '09:00.*'
is "attach several: spec-N" "$(fields $id)" \
	"domid=3 op=attach spec-0=07:00.0 spec-1=08:00.0 spec-2=09:00.* timeout=30 "
answer_ok "$RQ/$id/result/vdev-0" 0000:00:01.00 \
	"$RQ/$id/result/vdev-1" 0000:00:02.00 "$RQ/$id/result/vdev-2" 0000:00:03.00
finish
is "attach several: exit 0" $rc 0
check "attach several --json: JSON" json_ok "$out"
like "attach several --json: vdevs in spec order" "$out" \
	'"vdevs":\["0000:00:01.00","0000:00:02.00","0000:00:03.00"\]\}$'
cli attach 3 07:00.0
xenstore-write "$RQ/$id/error" "0000:07:00.0: not assignable" \
	"$RQ/$id/code" EINVAL "$RQ/$id/status" error
finish
is "attach refused: exit 1" $rc 1

# --- detach -----------------------------------------------------------
cli detach 3 07:00.0
is "detach: fields" "$(fields $id)" "domid=3 op=detach spec=07:00.0 timeout=30 "
answer_ok
finish
is "detach: exit 0, quiet" "$rc:$out" "0:"
cli detach -f --timeout 2 3 07:00.0
is "detach -f: force=1" "$(fields $id)" \
	"domid=3 force=1 op=detach spec=07:00.0 timeout=2 "
xenstore-write "$RQ/$id/error" "0000:07:00.0: guest 3 did not answer" \
	"$RQ/$id/code" ETIMEDOUT "$RQ/$id/status" error
finish
is "detach agent timeout: exit 1 (the agent answered)" $rc 1
like "detach agent timeout: message" "$err" 'did not answer \(ETIMEDOUT\)'

# --- a final status never changes: later writes are not read -----------
cli assignable-add 07:00.0
xenstore-write "$RQ/$id/status" ok
finish
is "ok: exit 0" $rc 0

# --- JSON escaping ---------------------------------------------------
cli --json assignable-add 07:00.0
xenstore-write "$RQ/$id/error" 'a "quoted" word and a	tab' \
	"$RQ/$id/code" EINVAL "$RQ/$id/status" error
finish
check "--json: quotes and tabs are escaped" json_ok "$out"
like "--json: the escaped message" "$out" \
	'"error":"a \\"quoted\\" word and a\\ttab"'

# --- concurrent requests ----------------------------------------------
pids=()
for i in 1 2 3 4 5 6 7 8; do
	xen-pci assignable-add 07:00.$((i - 1)) >/dev/null 2>&1 &
	pids+=($!)
done
check "8 concurrent requests are all written" wait_until 20 nreq_with_op 8
ids=$(requests)
is "8 concurrent requests have 8 distinct IDs" \
	"$(echo "$ids" | sort -u | wc -l)" 8
for r in $ids; do xenstore-write "$RQ/$r/status" ok; done
codes=
for p in "${pids[@]}"; do wait "$p"; codes="$codes$?"; done
is "all 8 exit 0" "$codes" 00000000
check "all 8 requests removed" no_requests

# --- list reads R/devices, writes nothing -----------------------------
D=$R/devices
xenstore-write $D/0000-07-00-0/bdf 0000:07:00.0 $D/0000-07-00-0/state attached \
	$D/0000-07-00-0/domid 3 $D/0000-07-00-0/vdev 0000:00:01.00 \
	$D/0000-07-00-0/permissive 1 $D/0000-07-00-0/driver e1000e \
	$D/0000-08-00-0/bdf 0000:08:00.0 $D/0000-08-00-0/state assignable \
	$D/0000-08-00-0/driver "" $D/0000-08-00-0/permissive 0 \
	$D/0000-03-00-1/bdf 0000:03:00.1 $D/0000-03-00-1/state attached \
	$D/0000-03-00-1/domid 3 $D/0000-03-00-1/vdev 0000:00:02.01 \
	$D/0000-03-00-1/permissive 0 \
	$D/0000-09-00-0/bdf 0000:09:00.0 $D/0000-09-00-0/state attached \
	$D/0000-09-00-0/domid 4 $D/0000-09-00-0/vdev 0000:00:01.00 \
	$D/0000-09-00-0/permissive 0
w0=$(grep -c '^IN .* WRITE ' "$TRACE")
out=$(xen-pci list 3)
is "list 3: exit 0" $? 0
is "list 3: Vdev, Device, Options of domain 3 (like xl pci-list)" "$out" \
"Vdev Device       Options
02.1 0000:03:00.1 permissive=0
01.0 0000:07:00.0 permissive=1"
out=$(xen-pci list)
is "list: every attached device, with its domain" "$out" \
"Domid Vdev Device       Options
3     02.1 0000:03:00.1 permissive=0
3     01.0 0000:07:00.0 permissive=1
4     01.0 0000:09:00.0 permissive=0"
is "list 5: only the header" "$(xen-pci list 5)" "Vdev Device       Options"
out=$(xen-pci --json list 4)
check "list --json: JSON" json_ok "$out"
is "list --json: the devices" "$out" \
	'{"op":"list","status":"ok","source":"agent","devices":[{"domid":4,"bdf":"0000:09:00.0","key":"0000-09-00-0","vdev":"0000:00:01.00","options":"permissive=0"}]}'
is "list writes nothing" "$(grep -c '^IN .* WRITE ' "$TRACE")" "$w0"
# Junk in R/devices is skipped, not fatal.
xenstore-write $D/not-a-key/state attached $D/0000-0a-00-0/state attached \
	$D/0000-0b-00-0/state attached $D/0000-0b-00-0/domid x
is "list 3: junk under R/devices is skipped" "$(xen-pci list 3 | wc -l)" 3
xenstore-rm $D/not-a-key
xenstore-rm $D/0000-0a-00-0
xenstore-rm $D/0000-0b-00-0

# Without a serving agent: the PCI backend (libxl's keys).
xenstore-write $R/state stopped
BE=/local/domain/0/backend/pci/3/0
xenstore-write $BE/num_devs 2 $BE/dev-0 0000:07:00.0 $BE/vdevfn-0 8 \
	$BE/opts-0 msitranslate=0,power_mgmt=0,permissive=1 \
	$BE/dev-1 0000:03:00.1 $BE/vdev-1 0000:00:02.01
out=$(xen-pci list 3 2>"$SIM/err")
is "list, no agent: exit 0" $? 0
is "list, no agent: read from the backend" "$out" \
"Vdev Device       Options
02.1 0000:03:00.1 -
01.0 0000:07:00.0 msitranslate=0,power_mgmt=0,permissive=1"
like "list, no agent: warns where it read" "$(cat "$SIM/err")" \
	'no agent is serving in domain 0; reading the PCI backends'
like "list --json, no agent: source backend" "$(xen-pci --json list 2>/dev/null)" \
	'"source":"backend","devices":\[\{"domid":3,"bdf":"0000:03:00.1"'

t_done
