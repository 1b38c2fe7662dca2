#!/usr/bin/env bash
# A hotplug script says no, or fails after the device was changed, or
# crashes: prepare vetoes (EPERM, the script's last stderr line as the
# error, nothing changed, earlier devices of the request given back and
# their reattach run); a failed add undoes the attach (remove runs) with
# hotplug-status=error and hotplug-error; a failed reattach returns the
# device to pciback (prepare runs, but cannot veto the way back); a
# script killed by a signal.  And script= that tries to leave the
# script directory.
. "$(dirname "$0")/attach-lib.sh"
. "$TOP/tests/script-lib.sh"

host_up --inventory "$ATTACH_INV"
scripts_up
script_agent_up
guest 5

# --- prepare vetoes ------------------------------------------------------------
ctl prepare fail "site policy: 07:00.0 stays in dom0"
run_err "veto: assignable-add" EPERM v1 assignable-add spec=07:00.0 script=rec
is "veto: the error is the script's last stderr line" "$ERRMSG" \
	"$A: site policy: 07:00.0 stays in dom0; $A still on driver igb"
is "veto: still on igb" "$(drv $A)" igb
check "veto: no slot in pciback" eval "! has_slot $A"
check "veto: no driver_path written" xs_absent "/libxl/pci/$(key_of $A)/driver_path"
check "veto: no intent left" no_intents
check "veto: both stderr lines are in the log" \
	log_has_re "$A: rec prepare \(stderr\): rec: some detail on stderr"
ctl_clear

# Two functions, the second vetoes: the first is given back, reattach runs.
ctl prepare-$B fail "not 07:00.1"
calls_mark
run_err "veto 2nd: assignable-add 07:00.*" EPERM v2 assignable-add \
	'spec=07:00.*' script=rec
like "veto 2nd: the error names 07:00.1's veto" "$ERRMSG" "^$B: not 07:00.1"
is "veto 2nd: 07:00.0 back on igb" "$(drv $A)" igb
is "veto 2nd: 07:00.1 still on igb" "$(drv $B)" igb
is "veto 2nd: phases: prepare A, prepare B, then reattach A (the undo)" \
	"$(cut -d' ' -f1,2 "$CALLS" | tr '\n' ' ')" \
	"prepare bdf=$A prepare bdf=$B reattach bdf=$A "
check "veto 2nd: no intent left" no_intents
ctl_clear

# attach seize=1 is vetoed the same way.
ctl prepare fail "no seizing"
run_err "veto seize: attach 09:00.0,seize=1" EPERM v3 attach domid=5 \
	spec=09:00.0,seize=1 script=rec
like "veto seize: the message" "$ERRMSG" "no seizing"
is "veto seize: 09:00.0 still on e1000e" "$(drv $D)" e1000e
check "veto seize: no backend" xs_absent "$(be 5)"
ctl_clear

# --- add fails: the attach is undone -----------------------------------------
make_assignable $A $B
attach_ok "add: 07:00.0 into dom 5 (stays)" a1 5 07:00.0 script=rec
ctl add-$B fail "07:00.1: site check failed"
calls_mark
mark
run_err "add fails: attach 07:00.1" EPERM a2 attach domid=5 spec=07:00.1 \
	script=rec
like "add fails: the message is the script's" "$ERRMSG" "07:00.1: site check failed"
is "add fails: hotplug-status error" "$(xs_read "$(be 5)/hotplug-status")" error
like "add fails: hotplug-error says why" "$(xs_read "$(be 5)/hotplug-error")" \
	"site check failed"
is "add fails: phases add, then remove (the undo)" \
	"$(cut -d' ' -f1,2 "$CALLS" | tr '\n' ' ')" "add bdf=$B remove bdf=$B "
assert_released "add fails: 07:00.1 given back" $B 5
assert_attached "add fails: 07:00.0 kept" 5 $A 0000:00:00.00 0
check "add fails: no intent left" no_intents
ctl_clear
# A later add that works says connected again, without the old error.
attach_ok "add ok again" a3 5 07:00.1 script=rec
is "add ok again: hotplug-status connected" "$(xs_read "$(be 5)/hotplug-status")" connected
check "add ok again: hotplug-error gone" xs_absent "$(be 5)/hotplug-error"
detach_ok "detach 07:00.1" a4 5 07:00.1
detach_ok "detach 07:00.0" a5 5 07:00.0

# --- reattach fails: back to pciback -------------------------------------------
ctl reattach fail "reattach refused"
ctl prepare fail "prepare cannot veto an undo"
calls_mark
run_err "reattach fails: assignable-remove -r 07:00.0" EPERM m1 \
	assignable-remove spec=07:00.0 rebind=1 script=rec
like "reattach fails: the message" "$ERRMSG" "reattach refused"
like "reattach fails: and where the device ended" "$ERRMSG" "restored to pciback"
is "reattach fails: on pciback again" "$(drv $A)" pciback
is "reattach fails: R/devices assignable" "$(dev_state $A)" assignable
is "reattach fails: phases reattach, then prepare (the undo)" \
	"$(cut -d' ' -f1,2 "$CALLS" | tr '\n' ' ')" "reattach bdf=$A prepare bdf=$A "
check "reattach fails: the undo's prepare failure is only logged" \
	log_has_re "hotplug script rec prepare: prepare cannot veto an undo"
check "reattach fails: no intent left" no_intents
ctl_clear

# --- a script killed by a signal -----------------------------------------------
ctl prepare signal SEGV
run_err "crash: assignable-add 09:00.0" EPERM c1 assignable-add spec=09:00.0 \
	script=rec
like "crash: the message says which signal" "$ERRMSG" \
	"hotplug script rec prepare was killed by signal 11 \(Segmentation fault\)"
is "crash: still on e1000e" "$(drv $D)" e1000e
check "crash: its stdout is in the log" log_has_re "$D: rec prepare: rec: about to crash"
ctl_clear

# --- script= that tries to leave the script directory ------------------------
ln -s /bin/true "$SCRIPTS/outside"
mkdir -p "$SCRIPTS/sub" && cp "$SCRIPTS/rec" "$SCRIPTS/sub/rec"
printf 'not executable\n' >"$SCRIPTS/plain"
calls_mark
run_err "escape ../x" EINVAL e1 assignable-add spec=09:00.0 script=../rec
run_err "escape /bin/sh" EINVAL e2 assignable-add spec=09:00.0 script=/bin/sh
run_err "escape sub/rec" EINVAL e3 assignable-add spec=09:00.0 script=sub/rec
run_err "escape .hidden" EINVAL e4 assignable-add spec=09:00.0 script=.rec
run_err "escape: a symlink out of the directory" EINVAL e5 assignable-add \
	spec=09:00.0 script=outside
like "escape: the symlink's message" "$ERRMSG" "leads out of the script directory"
run_err "a directory is no script" EACCES e6 assignable-add spec=09:00.0 script=sub
run_err "a file that is not executable" EACCES e7 assignable-add spec=09:00.0 \
	script=plain
run_err "a script that does not exist" ENOENT e8 assignable-add spec=09:00.0 \
	script=nosuch
is "escape: nothing ran" "$(wc -l <"$CALLS")" 0
is "escape: 09:00.0 untouched" "$(drv $D)" e1000e
ln -s rec "$SCRIPTS/rec-link"
run_ok "a symlink within the directory is fine" e9 assignable-add spec=09:00.0 \
	script=rec-link
is "the link's target ran" "$(ncalls prepare $D)" 1
agent_done
t_done
