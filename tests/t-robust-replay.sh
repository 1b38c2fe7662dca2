#!/usr/bin/env bash
# A request the killed agent had only accepted (queued, never running)
# is not a replay: its answer must not be "already done".  Found by
# t-robust-kill9random: a detach from dom 6 of a device attached to
# dom 5, queued behind a detach waiting for dom 6's hung pcifront,
# answered ok after the restart ("detach from domain 6 was completed
# before the agent restarted"), where PROTOCOL.md says ENOENT; an
# attach queued the same way of a device the guest holds answered ok
# instead of EEXIST.
. "$(dirname "$0")/attach-lib.sh"

host_up --inventory "$ATTACH_INV"
agent_up
make_assignable $A $B $C
guest 5
guest 6
attach_ok "07:00.0 into dom 6" a1 6 "$A"
attach_ok "07:00.1 into dom 5" a2 5 "$B"
attach_ok "08:00.0 into dom 5" a3 5 "$C"

# dom 6's pcifront hangs: d1 waits in the handshake and holds dom 6's
# queue, d2 (dom 6) waits behind it, accepted only.
simhost domain set 6 pcifront=hung
req d1 detach domid=6 spec=07:00.0 timeout=30
check "d1 runs, the backend of dom 6 is Reconfiguring" wait_until 10 be_state 6 7
req d2 detach domid=6 spec=07:00.1
check "d2 is accepted (queued behind d1)" wait_until 10 xs_is "$R/requests/d2/status" accepted
# dom 5: a3's device is attached already; e1 waits behind a detach
# that waits for dom 5's hung pcifront.
simhost domain set 5 pcifront=hung
req d3 detach domid=5 spec=08:00.0 timeout=30
check "d3 runs, the backend of dom 5 is Reconfiguring" wait_until 10 be_state 5 7
req e1 attach domid=5 spec=07:00.1
check "e1 is accepted (queued behind d3)" wait_until 10 xs_is "$R/requests/e1/status" accepted
agent_kill9
simhost domain set 6 pcifront=1
simhost domain set 5 pcifront=1
agent_up
is "d1 is finished by the restarted agent" "$(wait_final d1 30)" ok
is "d3 is finished by the restarted agent" "$(wait_final d3 30)" ok
is "d2: 07:00.1 was never in dom 6: error" "$(wait_final d2 30)" error
is "d2: ENOENT, as for any detach of a device the guest does not hold" \
	"$(rq d2 code)" ENOENT
is "e1: 07:00.1 is in dom 5 already: error" "$(wait_final e1 30)" error
is "e1: EEXIST" "$(rq e1 code)" EEXIST
is "07:00.1 is still in dom 5" "$(dev_field "$B" domid)" 5
agent_done
t_done
