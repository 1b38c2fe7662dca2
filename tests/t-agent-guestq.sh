#!/usr/bin/env bash
# Requests that work on a guest queue on it as on their devices, in
# arrival order: an attach behind another attach to the same guest
# waits `accepted`, not `running`, and its timeout says whom it waited
# for; the cleanup of a guest that died while an attach to it runs
# waits behind that attach instead of interleaving with it.
. "$(dirname "$0")/attach-lib.sh"

host_up --inventory "$ATTACH_INV"
agent_up
check_attach_features
make_assignable $A $C $D $E
guest 6
status_of() { xs_read "$R/requests/$1/status"; }
status_is() { [ "$(status_of "$1")" = "$2" ]; }
log_line() { grep -n -m1 -- "$1" "$AGENT_LOG" | cut -d: -f1; }

# --- an attach waits behind another attach to the same guest
attach_ok "08:00.0 into dom 6" g0 6 08:00.0
check "g0: backend Connected" wait_until 10 be_state 6 4
simhost domain set 6 pcifront=hung
req g1 attach domid=6 spec=09:00.0 timeout=4
check "g1 runs (the hot-plug waits for the hung guest)" \
	wait_until 10 status_is g1 running
req g2 attach domid=6 spec=0a:00.0 timeout=1
check "g2, for another device of the same guest, waits accepted" \
	wait_until 10 status_is g2 accepted
is "g2 times out" "$(wait_final g2)" error
is "g2: ETIMEDOUT" "$(rq g2 code)" ETIMEDOUT
like "g2 says whom it waited for, and on what" "$(rq g2 error)" \
	'attach 0a:00\.0: timed out after 1 s waiting for earlier requests: request g1 \(attach 09:00\.0\) on domain 6'
check "g2 never ran" bash -c "! grep -q 'request g2 (.*): running' $AGENT_LOG"
is "g1 times out (the guest is hung)" "$(wait_final g1 15)" error
is "g1: ETIMEDOUT" "$(rq g1 code)" ETIMEDOUT
check "0a:00.0 untouched: assignable" test "$(dev_state $E)" = assignable
simhost domain set 6 pcifront=1
simhost domain destroy 6
check "dom 6 destroyed: 08:00.0 assignable again" \
	wait_until 10 bash -c "[ \"\$(xenstore-read $R/devices/$(key_of $C)/state)\" = assignable ]"

# --- a dead guest's cleanup waits on the guest behind a running attach
guest 7
attach_ok "07:00.0 into dom 7" h0 7 07:00.0
check "h0: backend Connected" wait_until 10 be_state 7 4
# 0b:00.0 is not assignable: seize=1 binds it to pciback first, and
# that bind is held, so the attach runs before it writes anything the
# cleanup could see.
fault bus/pci/drivers/pciback/bind OK delay_ms=3000
req h1 attach domid=7 spec=0b:00.0,seize=1 timeout=20
check "h1 runs" wait_until 10 status_is h1 running
simhost domain destroy 7
check "the cleanup of dom 7 is queued" wait_until 10 \
	agent_log_has 'request cleanup-7 (cleanup of dead domain 7): accepted'
check "h1 is still running" status_is h1 running
check "and the cleanup is not" \
	bash -c "! grep -q 'request cleanup-7 (.*): running' $AGENT_LOG"
st=$(wait_final h1 15)
check "h1 ends" test -n "$st"
diag "  h1: $st $(rq h1 code) $(rq h1 error)"
check "the cleanup runs" wait_until 10 \
	agent_log_has 'request cleanup-7 (cleanup of dead domain 7): running'
h1_end=$(log_line "request h1 (attach 0b:00.0,seize=1): \(ok\|error\)")
cl_run=$(log_line 'request cleanup-7 (cleanup of dead domain 7): running')
check "the cleanup ran only after h1's end (log lines $h1_end < $cl_run)" \
	test "${h1_end:-999999}" -lt "${cl_run:-0}"
check "07:00.0 assignable again" wait_until 10 \
	bash -c "[ \"\$(xenstore-read $R/devices/$(key_of $A)/state)\" = assignable ]"
check "no backend left for dom 7" wait_until 10 xs_absent "$(be 7)"
fault_clear

agent_done
t_done
