#!/usr/bin/env bash
# Crash safety of attach and detach: the agent SIGKILLs itself just
# before each step (test hook XEN_PCI_AGENT_CRASH_AT: attach-intent,
# permissive, mark, grant, xenstore, attach-done; detach-intent,
# handshake, revoke, reset, detach-done) and is restarted without the
# hook.  Every request then gets a final status, and the device is whole:
# either attached (backend entry, /libxl/pci domid, hypervisor owner and
# grants, R/devices) with status ok, or assignable with nothing left
# behind with status error, never half of each.  And SIGTERM while an
# attach is in flight: it is finished, the queued request is cancelled.
. "$(dirname "$0")/attach-lib.sh"

host_up --inventory "$ATTACH_INV"
agent_up
check_attach_features
make_assignable $A
guest 5
agent_stop

# whole DESC: the device is entirely with dom 5 or entirely released;
# sets WHERE to which ("attached" or "released").
whole() {
	local desc=$1
	if [ "$(dev_state $A)" = attached ]; then
		check "$desc: backend Connected" wait_until 10 be_state 5 4
		assert_attached "$desc" 5 $A 0000:00:00.00 \
			"$(sys_permissive $A && echo 1 || echo 0)"
		is "$desc: one device in the backend" "$(xs_read $(be 5)/num_devs)" 1
		is "$desc: exactly libxl's keys" "$(be_keys 5)" "$(libxl_be_keys 1)"
		is "$desc: dom 5 holds exactly 07:00.0's grants" \
			"$(live_grants 5 all)" "$(grants_of 5 $A)"
		check "$desc: the guest sees it" \
			wait_until 10 view_is 5 "0000:00:00.0 <- $A"
		WHERE=attached
	else
		assert_released "$desc" $A 5
		assert_no_backend "$desc" 5
		is "$desc: dom 5 holds nothing" "$(live_grants 5 all)" ""
		check "$desc: the guest sees nothing" view_is 5 ""
		WHERE=released
	fi
	check "$desc: no intent record left in the state dir" no_intents
}

# crash STEP ID OP FIELDS...: an agent with the hook dies before STEP
# while serving the request.
crash() {
	local step=$1 id=$2
	shift 2
	XEN_PCI_AGENT_CRASH_AT=$step agent_start || exit 1
	req "$id" "$@"
	agent_wait_exit_status
	is "$step: the agent killed itself (SIGKILL) before the step" "$AGENT_RC" 137
	check "$step: $id has no final status yet" eval "! is_final $id"
}

# recovered DESC ID: after the restart the request ends, consistent
# with where the device is.
recovered() {
	local desc=$1 id=$2 want=$3 st
	st=$(wait_final "$id" 15)
	like "$desc: a final status after the restart" "$st" '^(ok|error)$'
	whole "$desc"
	diag "  $desc: status $st, device $WHERE"
	case $st in
	ok) is "$desc: ok, so the device is $want" "$WHERE" "$want" ;;
	error)
		code_is_errno "$desc" "$id"
		check "$desc: error, so the device is not $want" \
			test "$WHERE" != "$want" ;;
	esac
}

# back_to_released DESC: detach if the device stayed attached.
back_to_released() {
	if [ "$WHERE" = attached ]; then
		detach_ok "$1: clean-up detach" "cl-$1" 5 07:00.0
	fi
	assert_no_backend "$1: clean" 5
}

for s in attach-intent permissive mark grant xenstore attach-done; do
	mark
	crash $s "at-$s" attach domid=5 spec=07:00.0,permissive=1 timeout=20
	agent_up
	recovered "attach/$s" "at-$s" attached
	back_to_released "attach-$s"
	agent_stop
done

for s in detach-intent handshake revoke reset detach-done; do
	agent_up
	attach_ok "detach/$s: prepare" "pre-$s" 5 07:00.0
	check "detach/$s: prepared" wait_until 10 be_state 5 4
	agent_stop
	mark
	crash $s "dt-$s" detach domid=5 spec=07:00.0 timeout=20
	agent_up
	recovered "detach/$s" "dt-$s" released
	if [ "$WHERE" = released ]; then
		check "detach/$s: the device was reset" reset_by_agent $A
	fi
	back_to_released "detach-$s"
	agent_stop
done

# A requester that gives up while the agent is down: its request is
# removed; the restarted agent finishes or undoes the work (the device
# is whole) and does not recreate the request.
for s in grant xenstore; do
	mark
	crash $s "gone-$s" attach domid=5 spec=07:00.0 timeout=20
	xenstore-rm "$R/requests/gone-$s"
	agent_up
	run_ok "withdrawn/$s: barrier" "bar-$s" assignable-list
	whole "withdrawn/$s"
	diag "  withdrawn/$s: device $WHERE"
	check "withdrawn/$s: the request is not recreated" \
		xs_absent "$R/requests/gone-$s"
	back_to_released "gone-$s"
	agent_stop
done

# --- SIGTERM while an attach waits for a guest that does not answer ---------
# The running request is finished (here: it times out and is undone), the
# one queued behind it for the same device is answered ECANCELED, and
# only then does the agent write state=stopped and exit 0.
agent_up
attach_ok "term: 07:00.0 into dom 5" term0 5 07:00.0
check "term: backend Connected" wait_until 10 be_state 5 4
make_assignable $B
simhost domain set 5 pcifront=hung
mark
req term1 attach domid=5 spec=07:00.1 timeout=4
check "term: the hot-plug of 07:00.1 is in flight" wait_until 10 \
	xs_is "$(be 5)/num_devs" 2
req term2 assignable-add spec=07:00.1
# Queued, not just written: a request the agent has not seen when
# SIGTERM comes is left for the next start instead (README).
check "term: the add waits behind the attach (accepted)" wait_until 10 \
	xs_is "$R/requests/term2/status" accepted
kill -TERM "$AGENT_PID"
if wait_until 20 agent_gone; then
	wait "$AGENT_PID"
	is "term: the agent exits 0 on SIGTERM" $? 0
	AGENT_PID=
else
	not_ok "term: the agent exits within 20 s of SIGTERM"
	agent_kill9
fi
is "term: R/state stopped" "$(xs_read $R/state)" stopped
is "term: the running attach finished: ETIMEDOUT" \
	"$(rq term1 status) $(rq term1 code)" "error ETIMEDOUT"
is "term: the queued request for the same device: ECANCELED" \
	"$(rq term2 status) $(rq term2 code)" "error ECANCELED"
assert_released "term: 07:00.1" $B
is "term: the backend is back to one device" "$(xs_read $(be 5)/num_devs)" 1
is "term: dom 5 holds only 07:00.0's grants" "$(live_grants 5 all)" \
	"$(grants_of 5 $A)"
assert_attached "term: 07:00.0 stays" 5 $A 0000:00:00.00 \
	"$(sys_permissive $A && echo 1 || echo 0)"
simhost domain set 5 pcifront=1
agent_up
check "term: the guest answers again: backend Connected" \
	wait_until 10 be_state 5 4
detach_ok "term: clean-up detach" term3 5 07:00.0
assert_no_backend "term: clean" 5

agent_done
t_done
