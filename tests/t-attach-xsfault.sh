#!/usr/bin/env bash
# attach and detach when xenstore refuses a change in the backend: the
# transaction is aborted (nothing of it is committed), the request fails
# with the device, the domain and the errno, and the agent's log names
# the node.  The real xenstored never refuses dom0 anything, so the
# agent runs with libxsfault.so (tests/sim/xsfault/xsfault.c), which
# fails the libxenstore calls the rules in $XSFAULT_CTL name.
#
# Before every change in a transaction was checked, each of these
# detaches answered ok: with 09:00.0 lost from the backend (its dev-1
# never written, its dev-2 removed, num_devs 2), with the guest still
# holding 07:00.0 (state-0 never Closing, its keys removed anyway), or
# with the backend gone and the guest's frontend left behind.
. "$(dirname "$0")/attach-lib.sh"

host_up --inventory "$ATTACH_INV"
# In the host's directory: it goes with the host.
XSFAULT_CTL=$SIM/xsfault
export XSFAULT_CTL
: >"$XSFAULT_CTL"
AGENT_PRELOAD="$SIMXEN_PRELOAD $BUILD/lib/libxsfault.so" agent_up
check_attach_features
make_assignable $A $C $D
guest 5
b=$(be 5)

# arm OP PATTERN ERRNO [COUNT]: the next COUNT (1) matching calls fail.
arm() { echo "$1 $2 $3 ${4:-1}" >"$XSFAULT_CTL"; }
disarm() { : >"$XSFAULT_CTL"; }
injected() { grep -qF -- "xsfault: $1" "$AGENT_LOG"; }
# be_snapshot DOMID: every backend node with its value, on one line.
be_snapshot() {
	xenstore-ls "$(be "$1")" 2>/dev/null | sort | tr '\n' ';'
}

run_ok "three devices into dom 5" a1 attach domid=5 spec-0=07:00.0 \
	spec-1=08:00.0 spec-2=09:00.0
check "a1: backend Connected" wait_until 10 be_state 5 4
is "a1: dev-1 is 08:00.0" "$(xs_read $b/dev-1)" $C
is "a1: dev-2 is 09:00.0" "$(xs_read $b/dev-2)" $D

# --- renumbering: writing 09:00.0's dev-1 fails -------------------------
# After the handshake the agent tries the removal 3 times (the guest let
# go already): the fault stays until disarmed.
arm write "$b/dev-1" EACCES -1
run_err "d1: detach 08:00.0, dev-1 refused" EACCES d1 detach domid=5 \
	spec=08:00.0 timeout=5
check "d1: the fault was made" injected "write $b/dev-1: EACCES"
like "d1: the message says what failed, on which device and domain" \
	"$ERRMSG" "0000:08:00\.0: remove from the PCI backend of domain 5 \(the guest let go of it already: a detach again finishes the removal\): Permission denied"
check "d1: the agent's log names the node" \
	agent_log_has "xenstore: write $b/dev-1: Permission denied"
is "d1: nothing committed: num_devs still 3" "$(xs_read $b/num_devs)" 3
is "d1: dev-0 still 07:00.0" "$(xs_read $b/dev-0)" $A
is "d1: dev-1 still 08:00.0" "$(xs_read $b/dev-1)" $C
is "d1: dev-2 still 09:00.0" "$(xs_read $b/dev-2)" $D
is "d1: key-2 still there" "$(xs_read $b/key-2)" $D
is "d1: opts-2 still there" "$(xs_read $b/opts-2)" "$OPTS0"
is "d1: 09:00.0 still exported (state-2 3)" "$(xs_read $b/state-2)" 3
is "d1: 08:00.0 still attached in R/devices" "$(dev_field $C state)" attached
disarm

# The guest has let go of 08:00.0 already (the handshake came first,
# state-1 is Closing): a second round would find nothing to remove in
# pciback and leave the backend Reconfiguring, so only the keys go.
mark
run_ok "d2: detach 08:00.0 again" d2 detach domid=5 spec=08:00.0 timeout=5
check "d2: no second handshake" eval "! pl_has 'backend/pci/5/0: state Connected -> Reconfigured'"
check "d2: the agent says why" agent_log_has "domain 5 let go of it already"
check "d2: backend still Connected" be_state 5 4
check "d2: frontend still Connected" fe_state 5 4
is "d2: num_devs 2" "$(xs_read $b/num_devs)" 2
is "d2: dev-1 is now 09:00.0" "$(xs_read $b/dev-1)" $D
is "d2: exactly libxl's keys for two devices" "$(be_keys 5)" \
	"$(libxl_be_keys 2)"
assert_released "d2" $C 5
assert_attached "d2: 09:00.0 stays" 5 $D 0000:00:02.00 0

# --- the hot-remove cannot start: state-0 Closing refused ----------------
before=$(be_snapshot 5)
arm write "$b/state-0" EACCES
run_err "d3: detach 07:00.0, state-0 refused" EACCES d3 detach domid=5 \
	spec=07:00.0 timeout=5
check "d3: the fault was made" injected "write $b/state-0: EACCES"
like "d3: the message says the removal could not start" "$ERRMSG" \
	"0000:07:00\.0: start the removal from the PCI backend of domain 5: Permission denied"
is "d3: nothing committed (no Reconfiguring either)" "$(be_snapshot 5)" \
	"$before"
check "d3: the guest still sees 07:00.0" view_has 5 \
	"$(view_line 0000:00:00.00 $A)"
assert_attached "d3: 07:00.0 stays" 5 $A 0000:00:00.00 0
disarm

# --- the same refused with ENOENT: no proof that the backend is gone ------
# Before, any ENOENT out of the hot-remove was taken for "gone from
# xenstore meanwhile": the detach went on, revoked and released the
# device and answered ok, with the guest's backend still exporting it.
before=$(be_snapshot 5)
arm write "$b/state-0" ENOENT
run_err "d3b: detach 07:00.0, state-0 refused with ENOENT" ENOENT d3b \
	detach domid=5 spec=07:00.0 timeout=5
check "d3b: the fault was made" injected "write $b/state-0: ENOENT"
is "d3b: nothing committed" "$(be_snapshot 5)" "$before"
check "d3b: the guest still sees 07:00.0" view_has 5 \
	"$(view_line 0000:00:00.00 $A)"
assert_attached "d3b: 07:00.0 stays" 5 $A 0000:00:00.00 0
disarm

# --- a remove that finds nothing (ENOENT) is not a failure ---------------
mark
arm rm "$b/vdevfn-*" ENOENT -1
detach_ok "d4: detach 07:00.0, vdevfn-i already gone" d4 5 07:00.0
check "d4: the fault was made" injected "rm $b/vdevfn-0: ENOENT"
is "d4: num_devs 1" "$(xs_read $b/num_devs)" 1
is "d4: dev-0 is now 09:00.0" "$(xs_read $b/dev-0)" $D
is "d4: exactly libxl's keys for one device" "$(be_keys 5)" \
	"$(libxl_be_keys 1)"
assert_released "d4" $A 5
disarm

# --- hot-add: one key refused, the whole transaction goes ------------------
before=$(be_snapshot 5)
arm write "$b/opts-1" EACCES
run_err "a2: attach 07:00.0, opts-1 refused" EACCES a2 attach domid=5 \
	spec=07:00.0 timeout=5
like "a2: the message names the backend's domain" "$ERRMSG" \
	"write PCI backend of domain 5: Permission denied"
check "a2: the agent's log names the node" \
	agent_log_has "xenstore: write $b/opts-1: Permission denied"
is "a2: nothing committed" "$(be_snapshot 5)" "$before"
assert_released "a2" $A 5
disarm

# --- the last device: removing the frontend refused ------------------------
arm rm "$(fe 5)" EACCES -1
run_err "d5: detach 09:00.0, the frontend's removal refused" EACCES d5 \
	detach domid=5 spec=09:00.0 timeout=5
like "d5: the message says what could not be removed" "$ERRMSG" \
	"0000:09:00\.0: remove the PCI backend and frontend of domain 5 \(the guest let go of it already: a detach again finishes the removal\): Permission denied"
check "d5: the frontend is still there" xs_exists "$(fe 5)"
check "d5: and so is the backend (one transaction)" xs_exists "$b/state"
disarm
# Its keys went in the first transaction: a detach again finds an empty
# backend, releases the device and removes what is left.
run_ok "d6: detach 09:00.0 again" d6 detach domid=5 spec=09:00.0 timeout=5
assert_released "d6" $D
assert_no_backend "d6: the empty backend went too" 5

agent_stop
t_done
