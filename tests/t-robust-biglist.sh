#!/usr/bin/env bash
# Requests written while the agent was down whose IDs take more than
# 4096 bytes (issue 12, oxenstored): the agent lists R/requests at start
# and must find every one of them.  oxenstored 4.17 has no
# XS_DIRECTORY_PART and sends such a listing as one oversized reply,
# which libxenstore answers by closing its handle (agent/xs.c,
# xs_list); before the fix the agent went on with a dead connection,
# answered none, and on SIGTERM could not even write state=stopped.
# The same for the agent's R/devices at start.  Run on both xenstoreds
# (XENPCI_XENSTORED, make check).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"

N=200
id() { printf 'written-while-the-agent-was-down-%04d' "$1"; }
sim_up
args=()
for ((i = 0; i < N; i++)); do
	args+=("$R/requests/$(id $i)/op" assignable-list)
done
xenstore-write "${args[@]}"
bytes=$((N * $(id 0 | wc -c)))
diag "$N requests, $bytes bytes of IDs in R/requests"
check "the IDs take more than 4096 bytes" test "$bytes" -gt 4096

agent_start || exit 1
answered() {
	[ "$(grep -c "request written-while-the-agent-was-down-[0-9]* (assignable-list): ok$" \
		"$AGENT_LOG")" = "$N" ]
}
check "all $N are answered ok" wait_until 60 answered
diag "answered: $(grep -c ': ok$' "$AGENT_LOG")"
check "no xenstore call failed on a closed handle" bash -c \
	"! grep -q 'Bad file descriptor' '$AGENT_LOG'"
run_ok "the agent's connection still serves a new request" n1 assignable-list
agent_stop

# R/devices holding more than 4096 bytes of names when the agent starts
# (entries of 400 devices that are no longer there: 5,200 bytes): the
# start-up publish lists them to prune them (publish.c, prune_stale).
args=()
for ((i = 0; i < 400; i++)); do
	args+=("$(printf '%s/devices/0000-fe-%02x-%x/state' "$R" $((i / 8)) $((i % 8)))" \
	       assignable)
done
xenstore-write "${args[@]}"
agent_start || exit 1
stale() {
	xenstore-list "$R/devices" 2>/dev/null | grep -c '^0000-fe-'
}
check "the start-up publish removes the 400 stale entries" \
	wait_until 30 bash -c '[ "$(xenstore-list '"$R/devices"' 2>/dev/null | grep -c "^0000-fe-")" = 0 ] &&
		xenstore-list '"$R/devices"' >/dev/null 2>&1'
diag "stale entries left: $(stale)"
run_ok "and the agent serves" n2 assignable-list
check "no xenstore call failed on a closed handle (2nd start)" bash -c \
	"! grep -q 'Bad file descriptor' '$AGENT_LOG'"
agent_stop
t_done
