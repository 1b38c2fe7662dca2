#!/usr/bin/env bash
# The agent is killed (SIGKILL) while a hotplug script runs, and that
# script has started a process of its own.  The script dies with the
# agent (PR_SET_PDEATHSIG); the next agent of the same state dir finds
# what it left running, kills it and says so, undoes the half-done
# attach and serves the request again.  SIGTERM while a script runs:
# the request finishes first, then the agent stops.
. "$(dirname "$0")/attach-lib.sh"
. "$TOP/tests/script-lib.sh"

host_up --inventory "$ATTACH_INV"
scripts_up
script_agent_up
guest 5
make_assignable $A

ctl add child
# Generous timeouts: under load the guest may take long to let go
# and come back (bounded waits only).
req k1 attach domid=5 spec=07:00.0 script=rec timeout=120
check "the add script runs and has started a child (bounded wait)" \
	wait_until 30 test -s "$SIM/child.pid"
spid=$(cat "$SIM/hang.pid")
cpid=$(cat "$SIM/child.pid")
check "script $spid alive" pid_alive "$spid"
check "its child $cpid alive" pid_alive "$cpid"
agent_kill9
check "the script dies with the agent (bounded wait)" wait_until 10 no_proc "$spid"
check "its child is still there, orphaned" pid_alive "$cpid"
is "k1 has no final status" "$(rq k1 status)" running

ctl_clear
calls_mark
script_agent_up
check "the new agent killed the orphan (bounded wait)" wait_until 10 no_proc "$cpid"
check "and reported it" log_has_re \
	"orphan of a hotplug script of an earlier agent \(pid [0-9]+\): process $cpid \(sleep\) killed"
is "k1 served again: ok" "$(wait_final k1 150)" ok
[ "$(rq k1 status)" = ok ] || diag "k1: $(rq k1 code) $(rq k1 error)"
assert_attached "k1" 5 $A 0000:00:00.00 0
is "k1: the add phase ran again" "$(ncalls add $A)" 1
no_orphan_left() { ! grep -lsx "XEN_PCI_AGENT_SCRIPT=$STATE:.*" /proc/[0-9]*/environ 2>/dev/null | grep -q .; }
check "no process of ours with a script mark is left" no_orphan_left

# Killed half way through an attach (test hook: before the export): the
# next agent's start-up recovery drives the device back before it
# serves, running the phases the way back passes with the default
# script (the request's script= is not in the intent record); then the
# request served again runs its own.
make_assignable $B
agent_stop
XEN_PCI_AGENT_CRASH_AT=xenstore script_agent_up
calls_mark
req k3 attach domid=5 spec=07:00.1 script=rec timeout=120
agent_wait_exit
script_agent_up
check "recovery: the remove phase ran, undoing (pci)" log_has_re \
	"$B: running hotplug script pci remove \(undoing\)"
l_rm=$(grep -n "$B: running hotplug script pci remove" "$AGENT_LOG" | head -n 1 | cut -d: -f1)
l_srv=$(grep -n ': serving ' "$AGENT_LOG" | head -n 1 | cut -d: -f1)
check "recovery: before the agent served (log lines $l_rm, $l_srv)" \
	test "${l_rm:-999999}" -lt "${l_srv:-0}"
check "recovery: its line, with the request ID" log_has_re \
	"$B: pci remove: info: remove $B domain 5 \(g5\) driver igb request k3"
is "k3 served again: ok" "$(wait_final k3 150)" ok
[ "$(rq k3 status)" = ok ] || diag "k3: $(rq k3 code) $(rq k3 error)"
is "k3: rec's add ran once" "$(ncalls add $B)" 1
detach_ok "k3: detach again" k4 5 07:00.1

# SIGTERM while a script runs: the request finishes, then the agent.
ctl remove waitfor "$SIM/go"
req k2 detach domid=5 spec=07:00.0 script=rec timeout=120
check "the remove script runs (bounded wait)" wait_until 30 test -e "$SIM/running.$A"
kill -TERM "$AGENT_PID"
sleep 0.5
check "the agent waits for the running request" pid_alive "$AGENT_PID"
touch "$SIM/go"
is "k2 finishes ok" "$(wait_final k2 150)" ok
AGENT_RC=
agent_wait_exit_status
is "then the agent exits 0" "$AGENT_RC" 0
t_done
