#!/usr/bin/env bash
# attach, permissive mode: per device (`,permissive=1` in the spec) and
# per domain (R/domains/<domid>/permissive = 1, xl's pci_permissive=1,
# for every spec that does not say permissive=); the flag goes to
# pciback's permissive file (opts-N alone does nothing in mainline
# pciback).  The flag is sticky in pciback until the device is unbound:
# a device that was permissive for one guest and goes to a guest that
# did not ask for it is unbound and rebound to pciback first.
. "$(dirname "$0")/attach-lib.sh"

host_up --inventory "$ATTACH_INV"
agent_up
check_attach_features
make_assignable $A $B $C $D
guest 5
guest 6
guest 7

wrote_permissive() {
	sl_has_re "^write bus/pci/drivers/pciback/permissive \"$1\" ok\$" &&
		sl_has_re "^permissive $1\$"
}

# --- per device ------------------------------------------------------------------
check "07:00.0 is not permissive to begin with" eval "! sys_permissive $A"
mark
attach_ok "07:00.0,permissive=1 into dom 5" p1 5 '07:00.0,permissive=1'
check "p1: the BDF written to pciback/permissive" wrote_permissive $A
check "p1: before pciback exported it" \
	eval "sl_since | grep -nE 'permissive $A\$|pciback-export $A ' | head -1 | grep -q 'permissive $A\$'"
assert_attached "p1" 5 $A 0000:00:00.00 1
is "p1: opts-0 says permissive=1" "$(xs_read $(be 5)/opts-0)" "$OPTS1"
check "p1: backend Connected" wait_until 10 be_state 5 4
check "p1: not permissive: 07:00.1 untouched" eval "! sys_permissive $B"

# --- per domain ------------------------------------------------------------------
xenstore-write $R/domains/6/permissive 1
mark
attach_ok "07:00.1 into dom 6 (domain default permissive)" d1 6 07:00.1
check "d1: the BDF written to pciback/permissive" wrote_permissive $B
assert_attached "d1" 6 $B 0000:00:00.01 1
check "d1: backend Connected" wait_until 10 be_state 6 4

# permissive=0 in the spec overrides the domain's default.
mark
attach_ok "08:00.0,permissive=0 into dom 6" d2 6 '08:00.0,permissive=0'
check "d2: nothing written to pciback/permissive" \
	eval "! sl_has_re '^write bus/pci/drivers/pciback/permissive '"
assert_attached "d2" 6 $C 0000:00:01.00 0
is "d2: opts-1 says permissive=0" "$(xs_read $(be 6)/opts-1)" "$OPTS0"

# Several specs with the default: every one without permissive= gets it.
mark
run_ok "spec-0..1 into dom 6, one says permissive=0" d3 attach domid=6 \
	spec-0=09:00.0 spec-1=0b:00.0,permissive=0,seize=1
check "d3: 09:00.0 written to pciback/permissive" wrote_permissive $D
check "d3: 0b:00.0 not written to pciback/permissive" \
	eval "! sl_has_re '^write bus/pci/drivers/pciback/permissive \"$F\"'"
assert_attached "d3 09:00.0" 6 $D 0000:00:02.00 1
assert_attached "d3 0b:00.0" 6 $F 0000:00:03.00 0
xenstore-rm $R/domains/6

# --- sticky: permissive for dom 5, then given to dom 7 which did not ask ----------
detach_ok "07:00.0 out of dom 5" x1 5 07:00.0
check "x1: pciback still has it permissive (sticky)" sys_permissive $A
is "x1: R/devices says so" "$(dev_field $A permissive)" 1
assert_released "x1" $A 5
mark
attach_ok "07:00.0 into dom 7 (not permissive)" s1 7 07:00.0
check "s1: unbound from pciback first" unbound_from_pciback $A
check "s1: and bound to pciback again" sl_has_re "^bind $A pciback\$"
check "s1: unbind, bind, then pciback's export, in that order" eval "
	sl_since | sed 's/^[0-9]* //' |
	grep -E '^(unbind $A pciback|bind $A pciback|note pciback-export $A dom 7)\$' |
	tr '\n' '|' | grep -qx 'unbind $A pciback|bind $A pciback|note pciback-export $A dom 7|'"
check "s1: the slot is kept" has_slot $A
check "s1: pciback no longer lists it as permissive" eval "! sys_permissive $A"
assert_attached "s1" 7 $A 0000:00:00.00 0
is "s1: opts-0 says permissive=0" "$(xs_read $(be 7)/opts-0)" "$OPTS0"
is "s1: the driver is still remembered" "$(dev_driver $A)" igb
# Assumption: one log line names the device, the rebind and permissive.
check "s1: the agent says so in its log" grep -qiE \
	"$A.*(rebind|unbind|re-bind).*permissive|$A.*permissive.*(rebind|unbind|re-bind)" \
	"$AGENT_LOG"

# A device that never was permissive is not rebound (no needless reset).
detach_ok "08:00.0 out of dom 6" x2 6 08:00.0
mark
attach_ok "08:00.0 into dom 7" s2 7 08:00.0
check "s2: not unbound from pciback" eval "! unbound_from_pciback $C"
assert_attached "s2" 7 $C 0000:00:01.00 0

# A permissive device given again to a guest that asks for permissive:
# stays permissive.
detach_ok "07:00.1 out of dom 6" x3 6 07:00.1
mark
attach_ok "07:00.1,permissive=1 into dom 5" s3 5 '07:00.1,permissive=1'
assert_attached "s3" 5 $B 0000:00:00.01 1

agent_done
t_done
