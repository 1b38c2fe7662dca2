#!/usr/bin/env bash
# Several guests and many devices at once: a cold-plug of several devices
# into a paused guest whose pcifront starts on unpause; requests for
# different guests and devices written all at once (they run
# concurrently), including two racing for the first device of one guest
# (only one of them may create the backend: the other must hot-plug);
# then everything detached at once.
. "$(dirname "$0")/attach-lib.sh"

host_up --inventory "$ATTACH_INV"
agent_up
check_attach_features
make_assignable $A $B $C $D $E $F

# --- a paused guest ---------------------------------------------------------------
# Assumption: a cold-plug does not wait for the guest (libxl writes the
# backend of a paused domain and returns): ok once pciback exported the
# devices (state-N = 3, vdev-N), the backend then waits at 3.
guest 4
dom_pause 4
mark
run_ok "07:00.* and 08:00.0 into paused dom 4" p1 attach domid=4 \
	spec-0=07:00.* spec-1=08:00.0
# PROTOCOL.md: a `*` spec answers with its lowest function's vdev.
is "p1: result/vdev-0 (07:00.*: its lowest function)" \
	"$(rq p1 result/vdev-0)" "0000:00:00.00"
is "p1: result/vdev-1" "$(rq p1 result/vdev-1)" 0000:00:01.00
is "p1: backend Initialised (3): the guest is not running" \
	"$(xs_read $(be 4)/state)" 3
is "p1: the frontend waits" "$(xs_read $(fe 4)/state)" 1
is "p1: nothing on the paused guest's bus" "$(view 4)" ""
is "p1: the backend holds exactly libxl's and pciback's keys" \
	"$(be_keys 4)" "$(libxl_be_keys 3)"
assert_attached "p1 07:00.0" 4 $A 0000:00:00.00 0
assert_attached "p1 07:00.1" 4 $B 0000:00:00.01 0
assert_attached "p1 08:00.0" 4 $C 0000:00:01.00 0
is "p1: dom 4 holds the grants of the three" "$(live_grants 4)" \
	"$(grants_of 4 $A $B $C)"
dom_unpause 4
check "p1: unpaused: backend Connected" wait_until 10 be_state 4 4
check "p1: unpaused: frontend Connected" wait_until 10 fe_state 4 4
check "p1: unpaused: the guest sees the three" wait_until 10 view_is 4 \
	"0000:00:00.0 <- $A
0000:00:00.1 <- $B
0000:00:01.0 <- $C"

# --- many requests at once -----------------------------------------------------------
guest 5
guest 6
mark
# One xenstore-write each, back to back, no waiting in between: 09:00.0
# and 0a:00.0 both into dom 5 (which has no backend yet), 0b:00.0 into
# dom 6, and a detach of 08:00.0 from dom 4.
req c1 attach domid=5 spec=09:00.0
req c2 attach domid=5 spec=0a:00.0
req c3 attach domid=6 spec=0b:00.0
req c4 detach domid=4 spec=08:00.0
for id in c1 c2 c3 c4; do
	is "$id: status ok" "$(wait_final $id 20)" ok
	[ "$(rq $id status)" = ok ] || diag "  $id: $(rq $id error) ($(rq $id code))"
done
check "dom 5: backend Connected" wait_until 10 be_state 5 4
is "dom 5: one backend with both devices" "$(xs_read $(be 5)/num_devs)" 2
is "dom 5: exactly libxl's and pciback's keys for two" "$(be_keys 5)" \
	"$(libxl_be_keys 2)"
v1=$(rq c1 result/vdev) v2=$(rq c2 result/vdev)
like "dom 5: 09:00.0 in slot 0 or 1" "$v1" '^0000:00:0[01]\.00$'
like "dom 5: 0a:00.0 in slot 0 or 1" "$v2" '^0000:00:0[01]\.00$'
check "dom 5: different slots" test "$v1" != "$v2"
assert_attached "c1" 5 $D "$v1" 0
assert_attached "c2" 5 $E "$v2" 0
assert_attached "c3" 6 $F 0000:00:00.00 0
check "dom 6: backend Connected" wait_until 10 be_state 6 4
assert_released "c4" $C 4
assert_revoked "c4" $C 4
check "dom 4: backend Connected again" wait_until 10 be_state 4 4
is "dom 4: num_devs" "$(xs_read $(be 4)/num_devs)" 2
check "dom 4: keeps 07:00.0 and 07:00.1" wait_until 10 view_is 4 \
	"0000:00:00.0 <- $A
0000:00:00.1 <- $B"
is "dom 5 holds exactly 09:00.0's and 0a:00.0's grants" "$(live_grants 5)" \
	"$(grants_of 5 $D $E)"
is "dom 6 holds exactly 0b:00.0's grants" "$(live_grants 6)" \
	"$(grants_of 6 $F)"
check "dom 5 sees both" wait_until 10 view_set_is 5 \
	"$(for x in "$v1 $D" "$v2 $E"; do view_line $x; echo; done | sort)"

# --- everything detached at once -------------------------------------------------------
mark
req x1 detach domid=4 spec=07:00.0
req x2 detach domid=4 spec=07:00.1
req x3 detach domid=5 spec=09:00.0
req x4 detach domid=5 spec=0a:00.0
req x5 detach domid=6 spec=0b:00.0
for id in x1 x2 x3 x4 x5; do
	is "$id: status ok" "$(wait_final $id 20)" ok
	[ "$(rq $id status)" = ok ] || diag "  $id: $(rq $id error) ($(rq $id code))"
done
for d in 4 5 6; do
	assert_no_backend "all detached, dom $d" $d
	is "all detached: dom $d holds nothing" "$(live_grants $d all)" ""
done
assert_released "x1" $A 4
assert_released "x2" $B 4
assert_released "x3" $D 5
assert_released "x4" $E 5
assert_released "x5" $F 6
for x in $A $B $D $E; do	# (0b:00.0 has no reset method)
	check "all detached: $x reset" reset_by_agent $x
done

agent_done
t_done
