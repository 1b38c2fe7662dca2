#!/usr/bin/env bash
# simpeer: guests whose pcifront cannot answer.  No pcifront module,
# a hung pcifront, a paused guest: pciback waits (BE 2 or 3) and the
# frontend stays as the toolstack wrote it.
. "$(dirname "$0")/sim/peer/peer-lib.sh"

peer_up
for b in 07 08 09 0a; do mkdev 0000:$b:00.0; done

# set_domstate DOMID running|paused: the hypervisor's view of the guest
set_domstate() {
	case $2 in
	paused) simhost domain pause "$1" ;;
	running) simhost domain unpause "$1" ;;
	esac
}

# --- no pcifront in the guest ---
guest 5 --no-pcifront
be_create 5 0000:07:00.0
check "no pcifront: pciback exports and waits (BE 3)" \
	wait_until 10 be_state 5 3
check "settle" settle
is "no pcifront: FE state untouched" "$(xs_read "$(fe 5)/state")" 1
check "no pcifront: no ring published" \
	sh -c "! xenstore-exists $(fe 5)/magic 2>/dev/null"
is "no pcifront: the guest sees nothing" "$(view 5)" ""
is "no pcifront: BE still 3" "$(xs_read "$(be 5)/state")" 3

# the module is loaded later: pcifront binds the waiting device
simhost domain set 5 pcifront=1 >/dev/null
check "pcifront loaded: FE Connected" wait_until 10 fe_state 5 4
check "pcifront loaded: BE Connected" wait_until 10 be_state 5 4
check "pcifront loaded: the guest sees the device" \
	wait_until 10 view_is 5 "0000:00:00.0 <- 0000:07:00.0"

# --- hung from the start ---
guest 6
simhost domain set 6 pcifront=hung >/dev/null
be_create 6 0000:08:00.0
check "hung pcifront: BE 3" wait_until 10 be_state 6 3
check "settle" settle
is "hung pcifront: FE stays 1" "$(xs_read "$(fe 6)/state")" 1
is "hung pcifront: BE stays 3" "$(xs_read "$(be 6)/state")" 3

# --- hung after connecting: a hot-add stays at BE 7 ---
guest 7
be_create 7 0000:09:00.0
check "guest 7 connected" wait_until 10 be_state 7 4
check "guest 7 FE connected" wait_until 10 fe_state 7 4
simhost domain set 7 pcifront=hung >/dev/null
check "simpeer notices the hang" \
	wait_until 10 peer_saw "dom 7: pcifront not reacting (hung)"
hot_add 7 0000:0a:00.0
check "settle" settle
is "hung: BE stays Reconfiguring" "$(xs_read "$(be 7)/state")" 7
is "hung: FE stays Connected" "$(xs_read "$(fe 7)/state")" 4
is "hung: the new device is not exported yet" \
	"$(xs_read "$(be 7)/state-1")" 1
is "hung: the guest still sees one device" "$(view 7)" \
	"0000:00:00.0 <- 0000:09:00.0"

# --- paused (cold-plug into a domain that is not running yet) ---
guest 8
set_domstate 8 paused
check "simpeer notices the pause" \
	wait_until 10 peer_saw "dom 8: pcifront not reacting (not running)"
be_create 8 0000:0a:00.0
check "paused guest: BE exports and waits (3)" wait_until 10 be_state 8 3
check "settle" settle
is "paused guest: FE untouched" "$(xs_read "$(fe 8)/state")" 1
set_domstate 8 running
check "unpaused: FE Connected" wait_until 10 fe_state 8 4
check "unpaused: BE Connected" wait_until 10 be_state 8 4

peer_done
