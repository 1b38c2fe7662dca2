#!/usr/bin/env bash
# Requests for different devices run concurrently, requests for one
# device run one at a time in arrival order; timeouts; SIGTERM with
# requests running and queued; an idle agent makes no system calls.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"

sim_up
agent_start || exit 1
A=0000:07:00.0 B=0000:07:00.1
PB=bus/pci/drivers/pciback
status_of() { xs_read "$R/requests/$1/status"; }
status_is() { [ "$(status_of "$1")" = "$2" ]; }

# --- different devices: 07:00.1 is not held up by a slow 07:00.0
# (the simulated sysfs, like the VFS, serialises writes to one file, so
# the two requests use different files: igb/unbind and pciback/unbind)
run_ok "07:00.1 assignable first" pre assignable-add spec=07:00.1
fault bus/pci/drivers/igb/unbind OK delay_ms=2000
req slow assignable-add spec=07:00.0
wait_until 10 status_is slow running
req fast assignable-remove spec=07:00.1
is "07:00.1 finishes while 07:00.0's unbind is held" "$(wait_final fast 5)" ok
is "07:00.0 still running then" "$(status_of slow)" running
is "07:00.0 finishes too" "$(wait_final slow)" ok
is "end state" "$(drv $A) $(drv $B)" "pciback none"
fault_clear
run_ok "07:00.1 back to igb" post assignable-remove spec=07:00.1 rebind=1
run_ok "07:00.0 back to igb" post2 assignable-remove spec=07:00.0 rebind=1
run_ok "07:00.* assignable" post3 assignable-add spec=07:00.*

# --- one device: serialised in arrival order
fault $PB/unbind OK delay_ms=1000
req q1 assignable-remove spec=07:00.0 rebind=1
wait_until 10 status_is q1 running
req q2 assignable-add spec=07:00.0
req q3 assignable-remove spec=07:00.0
check "q2 waits behind q1 (accepted, not running)" wait_until 10 status_is q2 accepted
is "q1 is still the one running" "$(status_of q1)" running
is "q1 ok" "$(wait_final q1)" ok
is "q2 ok" "$(wait_final q2)" ok
is "q3 ok" "$(wait_final q3)" ok
is "end state is q3's: unbound" "$(drv $A)" none
order=$(grep -oE 'request q[123] \([^)]*\): running' "$AGENT_LOG" |
	grep -oE 'q[123]' | tr '\n' ' ')
is "run order is arrival order" "$order" "q1 q2 q3 "
fault_clear
run_ok "07:00.0 back to igb" q4 assignable-remove spec=07:00.0 rebind=1

# --- a list waits for the requests before it, and shows their effect
fault $PB/bind OK delay_ms=1000
req lq1 assignable-add spec=07:00.0
wait_until 10 status_is lq1 running
req lq2 assignable-list
check "the list waits (accepted)" wait_until 10 status_is lq2 accepted
is "while the add runs" "$(status_of lq1)" running
is "lq2 ok" "$(wait_final lq2)" ok
is "the list shows the add's device" "$(xs_read $R/requests/lq2/result/0000-07-00-0)" igb
fault_clear
run_ok "07:00.0 back" lq3 assignable-remove spec=07:00.0 rebind=1

# --- a wildcard request waits for both functions
fault $PB/unbind OK delay_ms=1000
req w1 assignable-remove spec=07:00.1 rebind=1
wait_until 10 status_is w1 running
req w2 assignable-add spec=07:00.*
check "07:00.* waits for 07:00.1" wait_until 10 status_is w2 accepted
is "w1 is still the one running" "$(status_of w1)" running
is "w1 ok" "$(wait_final w1)" ok
is "w2 ok" "$(wait_final w2)" ok
is "both on pciback" "$(drv $A) $(drv $B)" "pciback pciback"
fault_clear
run_ok "both back" w3 assignable-remove spec=07:00.* rebind=1

# --- timeouts: a held sysfs write, and a request queued behind it
fault $PB/bind OK delay_ms=3000
req t1 assignable-add spec=07:00.0 timeout=1
req t2 assignable-add spec=07:00.0 timeout=1
is "t1 times out" "$(wait_final t1)" error
is "t1 code ETIMEDOUT" "$(xs_read $R/requests/t1/code)" ETIMEDOUT
like "t1 says it is being undone" "$(xs_read $R/requests/t1/error)" 'undone'
is "t2 (queued) times out" "$(wait_final t2)" error
like "t2 says it waited for the device" "$(xs_read $R/requests/t2/error)" \
	'waiting for earlier requests'
check "t1's add is undone once the write returns" \
	wait_until 10 bash -c "[ \"\$(basename \$(readlink $SYSFS_ROOT/bus/pci/devices/$A/driver 2>/dev/null) 2>/dev/null)\" = igb ] && grep -q 'undo: restored to driver igb' $AGENT_LOG"
run_ok "barrier" t3 assignable-add spec=07:00.1
check "no intent record" no_intents
is "t1's final status did not change" "$(xs_read $R/requests/t1/status)" error
fault_clear
run_ok "07:00.1 back" t4 assignable-remove spec=07:00.1 rebind=1

# --- an idle agent makes no system calls (libev sleeps in epoll_wait)
if [ -z "${AGENT_WRAPPER:-}" ] && command -v strace >/dev/null; then
	timeout -s INT 1 strace -f -p "$AGENT_PID" -o "$SIM/strace" 2>/dev/null
	# Calls already blocked when strace attached show as <unfinished>.
	n=$(grep -cvE 'unfinished|detached|^$|\+\+\+|---' "$SIM/strace")
	is "no system calls while idle" "$n" 0
	[ "$n" = 0 ] || sed 's/^/# /' "$SIM/strace" | head -5
fi

# --- SIGTERM: the running request finishes, the queued one is cancelled
fault $PB/bind OK delay_ms=1500
req s1 assignable-add spec=07:00.0
wait_until 10 status_is s1 running
req s2 assignable-remove spec=07:00.0 rebind=1
wait_until 10 status_is s2 accepted
agent_stop
is "running request finished before exit" "$(status_of s1)" ok
is "queued request cancelled" "$(status_of s2)" error
is "queued request code" "$(xs_read $R/requests/s2/code)" ECANCELED
is "device state is s1's" "$(drv $A)" pciback
fault_clear
req s3 assignable-remove spec=07:00.0 rebind=1
agent_start || exit 1
is "a request written after the stop is served at the next start" \
	"$(wait_final s3)" ok
is "07:00.0 back on igb" "$(drv $A)" igb

agent_done
t_done
