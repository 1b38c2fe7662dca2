#!/usr/bin/env bash
# xen-pci without a serving agent, against the real xenstored: exit 3
# at once when R/state is missing or not "running" (nothing written),
# exit 3 when the agent stops or never answers (the request removed),
# exit 4 when xenstored cannot be reached.  The wait is a watch: the
# xenstored trace shows a handful of reads, not a polling loop.
. "$(dirname "$0")/lib.sh"

sim_up --no-sysfs --no-peer
R=/local/domain/0/pci-agent

json_ok() {
	command -v python3 >/dev/null || return 0
	python3 -c 'import json,sys; json.loads(sys.stdin.read())' <<<"$1"
}
req_writes() { xs_trace | grep -c "^IN .* WRITE ($R/requests/"; }
requests() { xenstore-list $R/requests 2>/dev/null; }
have_request() { [ -n "$(requests)" ] && xenstore-exists "$R/requests/$(requests | head -n1)/op"; }
no_requests() { [ -z "$(requests)" ]; }

# --- R/state missing -------------------------------------------------
start=$SECONDS
err=$(xen-pci --timeout 60 assignable-add 07:00.0 2>&1 >/dev/null)
rc=$?
is "no R/state: exit 3" $rc 3
check "no R/state: answered without waiting for the timeout" \
	test $((SECONDS - start)) -lt 10
like "no R/state: says the agent is not serving" "$err" \
	"no agent is serving: $R/state does not exist"
is "no R/state: no request written" "$(req_writes)" 0
check "no R/state: no request directory" sh -c "! xenstore-exists $R/requests"

out=$(xen-pci --json assignable-list 2>/dev/null)
is "no R/state, --json: exit 3" $? 3
check "no R/state, --json: stdout is JSON" json_ok "$out"
like "no R/state, --json: status no-agent" "$out" '"status":"no-agent"'

# --- R/state = stopped -----------------------------------------------
xenstore-write $R/state stopped
err=$(xen-pci attach 3 07:00.0 2>&1 >/dev/null)
is "R/state stopped: exit 3" $? 3
like "R/state stopped: says so" "$err" "$R/state is \"stopped\", not \"running\""
is "R/state stopped: no request written" "$(req_writes)" 0

# --- another agent domain --------------------------------------------
xenstore-write $R/state running
err=$(xen-pci --agent-domid 5 assignable-list 2>&1 >/dev/null)
is "--agent-domid 5 with no agent there: exit 3" $? 3
like "--agent-domid 5: looks under domain 5" "$err" \
	'/local/domain/5/pci-agent/state does not exist'

# --- the agent stops while the request waits --------------------------
xen-pci --timeout 60 detach 3 07:00.0 >/dev/null 2>"$SIM/err" &
cli=$!
check "pending: the request is written" wait_until 10 have_request
xenstore-write $R/state stopped
start=$SECONDS
wait $cli
rc=$?
is "agent stopped while pending: exit 3" $rc 3
check "agent stopped while pending: noticed at once (a watch)" \
	test $((SECONDS - start)) -lt 10
like "agent stopped while pending: says so" "$(cat "$SIM/err")" \
	'no agent is serving: .*"stopped"'
check "agent stopped while pending: the request is removed" no_requests

# R/state removed altogether (the agent's root wiped)
xenstore-write $R/state running
xen-pci --timeout 60 assignable-list >/dev/null 2>"$SIM/err" &
cli=$!
check "pending 2: the request is written" wait_until 10 have_request
xenstore-rm $R/state
wait $cli
is "R/state removed while pending: exit 3" $? 3
like "R/state removed while pending: says so" "$(cat "$SIM/err")" \
	'does not exist'
check "R/state removed while pending: request removed" no_requests

# A final status written before "stopped" wins (the agent's SIGTERM path).
xenstore-write $R/state running
xen-pci --timeout 60 assignable-add 07:00.0 >/dev/null 2>"$SIM/err" &
cli=$!
check "pending 3: the request is written" wait_until 10 have_request
id=$(requests)
xenstore-write $R/requests/$id/status running \
	$R/requests/$id/error "0000:07:00.0: the agent is stopping" \
	$R/requests/$id/code ECANCELED \
	$R/requests/$id/status error $R/state stopped
wait $cli
is "final status then stopped: the answer counts (exit 1)" $? 1
like "final status then stopped: the agent's message" "$(cat "$SIM/err")" \
	'the agent is stopping \(ECANCELED\)'

# --- a running agent that never answers -------------------------------
xenstore-write $R/state running
n0=$(grep -c "^IN .* READ ($R/requests/.*/status" <(xs_trace))
start=$SECONDS
xen-pci --json --timeout 1 assignable-add 07:00.0 >"$SIM/out" 2>"$SIM/err" &
cli=$!
check "silent agent: the request is written" wait_until 10 have_request
id=$(requests)
is "silent agent: the request carries timeout=1" \
	"$(xs_read $R/requests/$id/timeout)" 1
wait $cli
rc=$?
took=$((SECONDS - start))
is "silent agent: exit 3" $rc 3
check "silent agent: waited the timeout plus the 5 s grace" \
	test $took -ge 5 -a $took -lt 20
like "silent agent: says no answer came" "$(cat "$SIM/err")" \
	"no answer from the agent: .*after 6000 ms.*$id removed"
out=$(cat "$SIM/out")
check "silent agent, --json: stdout is JSON" json_ok "$out"
like "silent agent, --json: status timeout" "$out" '"status":"timeout"'
check "silent agent: the request is removed" no_requests
n1=$(grep -c "^IN .* READ ($R/requests/.*/status" <(xs_trace))
check "silent agent: waited on a watch (few status reads in 6 s)" \
	test $((n1 - n0)) -le 4

# --- no xenstored ----------------------------------------------------
err=$(XENSTORED_PATH=$SIM/nonexistent xen-pci assignable-list 2>&1 >/dev/null)
is "no xenstored: exit 4" $? 4
like "no xenstored: says it cannot connect" "$err" 'connect to xenstore'
err=$(XENSTORED_PATH=$SIM/nonexistent xen-pci list 2>&1 >/dev/null)
is "no xenstored, list: exit 4" $? 4
out=$(XENSTORED_PATH=$SIM/nonexistent xen-pci --json list 2>/dev/null)
is "no xenstored, list --json: exit 4" $? 4
like "no xenstored, list --json: status xenstore-error" "$out" \
	'^\{"op":"list","status":"xenstore-error","error":".*"\}$'
out=$(XENSTORED_PATH=$SIM/nonexistent xen-pci --json assignable-list 2>/dev/null)
like "no xenstored, --json: status xenstore-error" "$out" \
	'"status":"xenstore-error"'

t_done
