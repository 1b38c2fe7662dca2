#!/usr/bin/env bash
# R/devices/K/history and last-error: each device keeps its last five
# operations (time, what, which guest, outcome), oldest first, and its
# last error with the message, so nobody has to read the logs; they
# survive a restart of the agent (the state dir) and include a guest's
# death.
. "$(dirname "$0")/attach-lib.sh"

host_up --inventory "$ATTACH_INV"
agent_up
K=0000-07-00-0
hist() { xs_read "$R/devices/$K/history/$1"; }
TS='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'

run_ok "add 07:00.0" h1 assignable-add spec=07:00.0
like "history/0: the add, with its time" "$(hist 0)" \
	"^$TS assignable-add: ok\$"
check "no last-error yet" xs_absent $R/devices/$K/last-error
guest 5
echo "ab000000 $A $B" >"$SIMXEN_DIR/rmrr"
run_err "strict attach refused (shared RMRR)" EPERM h2 attach domid=5 \
	spec=07:00.0
like "history/1: the refused attach" "$(hist 1)" \
	"^$TS attach domain 5: EPERM\$"
like "last-error: what, which guest, the message" \
	"$(xs_read $R/devices/$K/last-error)" \
	"^$TS attach domain 5: EPERM: $A: assign to domain 5: Operation not permitted \\(Xen refused"
attach_ok "relaxed attach" h3 5 07:00.0,rdm_policy=relaxed
like "history/2: attach ok" "$(hist 2)" "attach domain 5: ok\$"
like "the last error stays until the next one" \
	"$(xs_read $R/devices/$K/last-error)" "attach domain 5: EPERM"
detach_ok "detach" h4 5 07:00.0
attach_ok "attach again" h5 5 07:00.0,rdm_policy=relaxed
like "history/4: the fifth" "$(hist 4)" "attach domain 5: ok\$"

agent_stop
agent_up
simhost domain destroy 5
check "the guest's death is recorded" wait_until 10 \
	bash -c "xenstore-read $R/devices/$K/history/4 2>/dev/null | grep -q 'released: domain 5 is gone: ok'"
like "five kept, oldest first: the add fell off" "$(hist 0)" \
	"attach domain 5: EPERM\$"
check "no sixth" xs_absent $R/devices/$K/history/5
is "the history is in the state dir" \
	"$(grep -c '^H ' "$STATE/history/$K")" 5
run_ok "remove -r" h6 assignable-remove spec=07:00.0 rebind=1
check "off pciback: no R/devices entry (the state dir keeps it)" \
	xs_absent $R/devices/$K
agent_done
t_done
