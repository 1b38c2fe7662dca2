#!/usr/bin/env bash
# kill -9 during a detach's handshake with a hung pcifront, then the
# guest wakes up and finishes it (issue 12, point 2): the restarted
# agent must not start a second handshake for a device pciback removed
# already, which would leave the backend in Reconfiguring (7) for good;
# the guest's other device can then still be detached, and a device
# hot-plugged.
. "$(dirname "$0")/attach-lib.sh"

host_up --inventory "$ATTACH_INV"
agent_up
make_assignable $A $B
guest 5
attach_ok "07:00.0 into dom 5" a1 5 "$A"
attach_ok "07:00.1 too" a2 5 "$B"
check "backend connected" wait_until 10 be_state 5 4

simhost domain set 5 pcifront=hung
req d1 detach domid=5 spec=07:00.0
check "d1 runs, the backend is Reconfiguring" wait_until 10 be_state 5 7
agent_kill9
simhost domain set 5 pcifront=1
check "the guest finishes the handshake: backend Connected" \
	wait_until 20 be_state 5 4
agent_up
is "d1 is finished by the restarted agent" "$(wait_final d1 30)" ok
check "backend Connected, not stuck in Reconfiguring" wait_until 10 be_state 5 4
check "07:00.0 left the guest's bus" wait_until 10 view_lacks_dev 5 "$A"
check "pciback never had to remove 07:00.0 twice" \
	bash -c "! grep -q \"Couldn't locate PCI device\" $PEERLOG"
detach_ok "07:00.1 can still be detached" d2 5 "$B"
attach_ok "and 07:00.0 hot-plugged again" a3 5 "$A"
check "backend Connected" wait_until 10 be_state 5 4
agent_done
t_done
