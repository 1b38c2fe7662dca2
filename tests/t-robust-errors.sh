#!/usr/bin/env bash
# Errors that said the wrong thing or left something behind (issue 12,
# points 3 and 8): an unknown op is EOPNOTSUPP as PROTOCOL.md 4.2 says;
# assignable-add of a device attached to a guest says which guest; a
# failed attach with seize=1 gives the seized device back to its driver.
. "$(dirname "$0")/attach-lib.sh"

host_up --inventory "$ATTACH_INV"
agent_up

# --- 8: an op this agent does not serve
run_err "an unknown op" EOPNOTSUPP u1 frobnicate spec=07:00.0
like "u1: the message lists the ops" "$ERRMSG" "unknown op 'frobnicate'"
xenstore-write "$R/requests/u2/spec" 07:00.0 "$R/requests/u2/op" ""
is "an empty op is malformed: EINVAL" "$(wait_final u2)" error
is "u2: code" "$(rq u2 code)" EINVAL

# --- 8: assignable-add of an attached device names the guest
make_assignable $A
guest 5
attach_ok "07:00.0 into dom 5" a1 5 $A
run_err "assignable-add of 07:00.0 while dom 5 has it" EBUSY a2 \
	assignable-add spec=07:00.0
is "a2: the message says it is attached to domain 5" "$ERRMSG" \
	"$A: attached to domain 5: detach it first"
assert_attached "a2: dom 5 keeps it" 5 $A 0000:00:00.00 0
detach_ok "detach 07:00.0" a3 5 $A

# --- 3: seize=1 into a guest without passthrough: the seize is undone
guest 4 --no-passthrough
is "08:00.0 starts on igb" "$(drv $C)" igb
run_err "seize 08:00.0 into dom 4 (no passthrough)" EOPNOTSUPP s1 \
	attach domid=4 spec=08:00.0,seize=1
is "s1: 08:00.0 is back on igb" "$(drv $C)" igb
check "s1: not on pciback" bash -c "! on_pciback $C"
is "s1: not published" "$(dev_state $C)" absent
check "s1: no intent record left" no_intents
assert_no_backend "s1" 4
# A seize=1 of a device already assignable keeps it assignable.
make_assignable $B
run_err "seize 07:00.1 (already assignable) into dom 4" EOPNOTSUPP s2 \
	attach domid=4 spec=07:00.1,seize=1
is "s2: 07:00.1 stays assignable" "$(dev_state $B)" assignable
check "s2: still on pciback" on_pciback $B
run_ok "and the agent serves on" s3 assignable-list
agent_done
t_done
