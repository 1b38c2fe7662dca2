#!/usr/bin/env bash
# The request protocol: validation of the ID and of every field,
# requests written in pieces, duplicate IDs, requests removed while
# running, requests written while the agent was down, and reaping.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"

sim_up
export XEN_PCI_AGENT_REAP_SECONDS=300
agent_start || exit 1
A=0000:07:00.0

# --- validation: each bad input gets error + code, nothing changes
run_err "ID with a character outside [A-Za-z0-9_-]" EINVAL 'bad@1' assignable-list
like "message names the ID rule" "$ERRMSG" 'invalid request ID'
long=$(printf 'x%.0s' $(seq 65))
run_err "ID longer than 64" EINVAL "$long" assignable-list
run_ok "ID of exactly 64" "${long:1}" assignable-list
run_err "unknown op" EOPNOTSUPP v1 frobnicate
like "message lists the ops" "$ERRMSG" "unknown op 'frobnicate'"
# Unknown fields are ignored (PROTOCOL.md section 13: additive extensions).
run_ok "unknown field is ignored" v2 assignable-list colour=blue
check "and logged" agent_log_has "request v2: ignoring unknown field 'colour'"
run_err "rebind=2" EINVAL v3 assignable-remove spec=07:00.0 rebind=2
run_err "force=yes" EINVAL v4 assignable-remove spec=07:00.0 force=yes
run_err "timeout=0" EINVAL v5 assignable-add spec=07:00.0 timeout=0
run_err "timeout=abc" EINVAL v6 assignable-add spec=07:00.0 timeout=abc
run_err "domid=x1" EINVAL v7 assignable-list domid=x1
run_err "add without spec" EINVAL v8 assignable-add
like "message asks for a spec" "$ERRMSG" 'needs a spec'
run_err "attach to a domain that does not exist" ESRCH v9 attach spec=07:00.0 domid=1
like "the message names device and domain" "$ERRMSG" '0000:07:00\.0: domain 1 does not exist'
run_err "detach from a domain that does not exist" ESRCH v10 detach spec=07:00.0 domid=1
like "the message names device and domain" "$ERRMSG" '0000:07:00\.0: domain 1 does not exist'
run_err "attach without domid" EINVAL v11 attach spec=07:00.0
run_err "attach with spec and spec-0" EINVAL v12 attach spec=07:00.0 spec-0=07:00.1 domid=1
run_err "attach with a gap in spec-N" EINVAL v13 attach spec-0=07:00.0 spec-2=07:00.1 domid=1
run_err "attach naming a device twice" EINVAL v14 attach spec-0=07:00.0 spec-1=07:00.0 domid=1
like "the message says so" "$ERRMSG" 'named twice'
is "nothing changed" "$(drv $A)" igb
is "no accepted state leaks: v1 has only op/status/error/code" \
	"$(xenstore-list $R/requests/v1 | sort | tr '\n' ' ')" "code error op status "

# --- a request is acted on only when op appears (written last)
xenstore-write $R/requests/p1/spec 07:00.0
xenstore-write $R/requests/p1/timeout 20
run_ok "barrier request" p0 assignable-list
is "no status before op" "$(xs_read $R/requests/p1/status)" ""
xenstore-write $R/requests/p1/op assignable-add
is "served once op is written" "$(wait_final p1)" ok
is "on pciback" "$(drv $A)" pciback

# --- duplicate ID: a final status never changes, the op is not re-run
xenstore-write $R/requests/p1/op assignable-remove
xenstore-write $R/requests/p1/rebind 1
run_ok "barrier request" p2 assignable-list
is "re-written op on a finished request: status unchanged" \
	"$(xs_read $R/requests/p1/status)" ok
is "re-written op on a finished request: not re-run" "$(drv $A)" pciback
check "the agent says why it ignored it" agent_log_has 'request p1: change ignored'

# --- duplicate ID while in flight: the snapshot is served
fault bus/pci/drivers/pciback/unbind OK delay_ms=1500
req d1 assignable-remove spec=07:00.0 rebind=1
check "d1 is running" wait_until 10 bash -c \
	"[ \"\$(xenstore-read $R/requests/d1/status)\" = running ]"
xenstore-write $R/requests/d1/op assignable-add
is "op re-written in flight: the first op is served" "$(wait_final d1)" ok
is "d1 removed the device from pciback" "$(drv $A)" igb
fault_clear

# --- ID reused after removing the directory: a new request
xenstore-rm $R/requests/p1
run_ok "ID p1 reused after its removal" p1 assignable-add spec=07:00.0
is "the new p1 ran" "$(drv $A)" pciback

# --- the requester removes its request while it runs
fault bus/pci/drivers/pciback/unbind OK delay_ms=1000
req o1 assignable-remove spec=07:00.0 rebind=1
check "o1 is running" wait_until 10 bash -c \
	"[ \"\$(xenstore-read $R/requests/o1/status)\" = running ]"
xenstore-rm $R/requests/o1
check "the operation still completes" wait_until 10 bash -c \
	"[ \"\$(readlink $SYSFS_ROOT/bus/pci/devices/$A/driver)\" != \"\$(readlink $SYSFS_ROOT/bus/pci/drivers/pciback 2>/dev/null || echo x)\" ] && grep -q 'request o1.*removed by the requester' $AGENT_LOG"
check "finished" wait_until 10 bash -c "[ \"\$(basename \$(readlink $SYSFS_ROOT/bus/pci/devices/$A/driver))\" = igb ]"
run_ok "barrier request" o2 assignable-list
check "no answer is written into a removed request" \
	bash -c "! xenstore-exists $R/requests/o1 2>/dev/null"
fault_clear

# --- requests written while the agent is down are served at start
agent_stop
req down1 assignable-add spec=07:00.0
req down2 assignable-list
req down3 assignable-add spec=zz
agent_start || exit 1
is "down1 served after start" "$(wait_final down1)" ok
is "down1: on pciback" "$(drv $A)" pciback
is "down2 served" "$(wait_final down2)" ok
is "down2 (written after down1) shows its device" "$(xs_read $R/requests/down2/result/0000-07-00-0)" igb
run_ok "list after down1" down4 assignable-list
is "the list shows the device" "$(xs_read $R/requests/down4/result/0000-07-00-0)" igb
is "down3 (bad spec) answered" "$(wait_final down3)" error
is "finished requests from before are not re-run: v1 unchanged" \
	"$(xs_read $R/requests/v1/code)" EOPNOTSUPP
is "d1's ok stays" "$(xs_read $R/requests/d1/status)" ok
is "device not touched by re-reading old requests" "$(drv $A)" pciback
agent_stop

# --- reaping of finished requests nobody removed
XEN_PCI_AGENT_REAP_SECONDS=1 agent_start || exit 1
run_ok "a request to reap" reap1 assignable-list
check "finished requests are removed after the reap delay" \
	wait_until 10 bash -c "! xenstore-exists $R/requests/reap1 2>/dev/null"
check "old requests found at start are reaped too" \
	wait_until 10 bash -c "! xenstore-exists $R/requests/v1 2>/dev/null"
run_ok "cleanup: remove -r" c1 assignable-remove spec=07:00.0 rebind=1

agent_done
t_done
