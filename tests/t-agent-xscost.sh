#!/usr/bin/env bash
# What one request costs in xenstore, counted in xenstored's own trace
# (no timing): the agent reads a request once, not again each time one
# of its own answers (status, error, result/) fires its watch, and it
# publishes only the devices the request named.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"

sim_up
agent_start || exit 1
A=0000:07:00.0

# in_trace FROM PATTERN: trace lines since line FROM that match.
in_trace() { xs_trace | tail -n +"$1" | grep -a -c -- "$2"; }
# lines_since FROM PATTERN: those lines themselves.
lines_since() { xs_trace | tail -n +"$1" | grep -a -- "$2"; }

# quiet: the trace has stopped growing (the agent is done writing).
agent_done_quiet() {
	wait_until 10 bash -c '[ $(xs_trace | wc -l) = $(sleep 0.3; xs_trace | wc -l) ]'
}

run_ok "warm-up" w1 assignable-list
# Another device already on pciback: publishing must leave it alone.
run_ok "a second device on pciback" a2 assignable-add spec=07:00.1
agent_done_quiet
n0=$(xs_trace | wc -l)
run_ok "add" a1 assignable-add spec=07:00.0
agent_done_quiet
is "the request's directory is listed once" \
	"$(in_trace $((n0 + 1)) "DIRECTORY ($R/requests/a1 )")" 1
is "its op is read once outside the status writes" \
	"$(in_trace $((n0 + 1)) "READ ($R/requests/a1/spec )")" 1
is "R/devices: only 07:00.0 is written" \
	"$(lines_since $((n0 + 1)) "WRITE ($R/devices/" |
	   grep -av 0000-07-00-0 | wc -l)" 0

n1=$(xs_trace | wc -l)
run_ok "remove -r 07:00.0" r1 assignable-remove spec=07:00.0 rebind=1
agent_done_quiet
is "remove: 07:00.1's entry is not rewritten" \
	"$(in_trace $((n1 + 1)) "WRITE ($R/devices/0000-07-00-1")" 0
is "remove: 07:00.0's entry goes" "$(dev_state $A)" absent

# The watch on the PCI backends (xlwatch.c, for what xl does there):
# the agent's own attach and detach, and pciback's last word after a
# cold plug, make it read nothing and queue no look at the backend.
simhost domain create 5 --name g5 >/dev/null
run_ok "attach 07:00.1 (cold plug)" x1 attach domid=5 spec=07:00.1
run_ok "detach 07:00.1" x2 detach domid=5 spec=07:00.1
agent_done_quiet
is "attach and detach: no look at the backend for xl's changes" \
	"$(grep -c 'xl-backend' "$AGENT_LOG")" 0

# A PV attach: libxl's record is read by the checks, the journal's look
# and the publication, not again at every step (8 times before), and
# the drive lists the backend only before the export (the publication
# lists it once more).
run_ok "add again" a3 assignable-add spec=07:00.0
agent_done_quiet
n2=$(xs_trace | wc -l)
run_ok "attach 07:00.0 to 5" t1 attach domid=5 spec=07:00.0
agent_done_quiet
rec=$(in_trace $((n2 + 1)) "READ (/libxl/pci/0000-07-00-0/domid )")
check "attach: libxl's record read at most 4 times (read $rec)" \
	test "$rec" -le 4
lst=$(in_trace $((n2 + 1)) "READ (/local/domain/0/backend/pci/5/0/opts-0 )")
# opts-0: read by pciback's peer once, and by each listing of the agent's
is "attach: the agent lists the backend's devices once, to publish" \
	"$lst" 2
agent_done
