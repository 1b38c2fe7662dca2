#!/usr/bin/env bash
# xen-pci against the real xen-pci-agent on the simulated host: each
# command end to end, checked in sysfs and xenstore; the agent's errors
# reach the user with exit 1; a stopped or dead agent gives exit 3; a
# request given up on is not served later.
. "$(dirname "$0")/lib.sh"

sim_up
R=/local/domain/0/pci-agent
STATE=$SIM/state
AGENT_PID=
AGENT_N=0

agent_serving() {
	[ "$(xs_read $R/state)" = running ] &&
		[ "$(xs_read $R/pid)" = "$AGENT_PID" ]
}
agent_start() {
	AGENT_N=$((AGENT_N + 1))
	AGENT_LOG=$SIM/agent.$AGENT_N.log
	# On the simulated hypervisor, as a real agent runs on Xen.
	LD_PRELOAD=$SIMXEN_PRELOAD "$BIN/xen-pci-agent" --foreground \
		--sysfs-root "$SYSFS_ROOT" --state-dir "$STATE" \
		--log-level debug >"$AGENT_LOG" 2>&1 &
	AGENT_PID=$!
	if ! wait_until 10 agent_serving; then
		not_ok "the agent starts"
		sed 's/^/# /' "$AGENT_LOG"
		exit 1
	fi
}
agent_stop() {
	[ -n "$AGENT_PID" ] || return 0
	kill -TERM "$AGENT_PID"
	wait "$AGENT_PID"
	is "the agent exits 0 on SIGTERM" $? 0
	AGENT_PID=
}
cleanup() {
	[ -n "$AGENT_PID" ] && kill -9 "$AGENT_PID" 2>/dev/null
	sim_down
	t_exit
}
trap cleanup EXIT

drv() {
	local l
	l=$(readlink "$SYSFS_ROOT/bus/pci/devices/$1/driver" 2>/dev/null) ||
		{ echo none; return; }
	basename "$l"
}
drv_is() { [ "$(drv "$1")" = "$2" ]; }
key_of() { echo "$1" | tr ':.' '--'; }
dev_state() {
	local k
	k=$(key_of "$1")
	xs_exists "$R/devices/$k" || { echo absent; return; }
	xs_read "$R/devices/$k/state"
}
no_requests() { [ -z "$(xenstore-list $R/requests 2>/dev/null)" ]; }
json_ok() {
	command -v python3 >/dev/null || return 0
	python3 -c 'import json,sys; json.loads(sys.stdin.read())' <<<"$1"
}
# run ARGS...: xen-pci ARGS; sets rc, out, err.
run() {
	out=$(xen-pci "$@" 2>"$SIM/err")
	rc=$?
	err=$(cat "$SIM/err")
}

agent_start
features=$(xs_read $R/features)
diag "agent features: $features"

run assignable-list
is "assignable-list on a fresh host: exit 0, empty" "$rc:$out" "0:"

# --- assignable-add / -list / -remove -r -------------------------------
run assignable-add 07:00.0
is "assignable-add 07:00.0: exit 0" "$rc" 0
is "assignable-add 07:00.0: quiet" "$out$err" ""
is "assignable-add 07:00.0: bound to pciback in sysfs" "$(drv 0000:07:00.0)" pciback
is "assignable-add 07:00.0: published assignable" "$(dev_state 0000:07:00.0)" assignable
is "assignable-add 07:00.0: original driver published" \
	"$(xs_read $R/devices/0000-07-00-0/driver)" igb
check "assignable-add 07:00.0: libxl's driver_path written" \
	xs_exists /libxl/pci/0000-07-00-0/driver_path
check "assignable-add 07:00.0: request removed" no_requests

run assignable-list
is "assignable-list: the BDF, as xl prints it" "$rc:$out" "0:0000:07:00.0 "
run --json assignable-list
check "assignable-list --json: JSON" json_ok "$out"
like "assignable-list --json: with the original driver" "$out" \
	'"devices":\[\{"bdf":"0000:07:00.0","key":"0000-07-00-0","driver":"igb"\}\]'

run assignable-add 07:00.0
is "assignable-add again: ok (already on pciback)" "$rc" 0

run assignable-remove -r 07:00.0
is "assignable-remove -r: exit 0" "$rc" 0
is "assignable-remove -r: back on igb" "$(drv 0000:07:00.0)" igb
run assignable-list
is "assignable-list after remove: empty" "$rc:$out" "0:"

run assignable-add '0000:07:00.*'
is "assignable-add 0000:07:00.*: exit 0" "$rc" 0
is "wildcard: both functions on pciback" \
	"$(drv 0000:07:00.0) $(drv 0000:07:00.1)" "pciback pciback"
run assignable-list
is "assignable-list: both functions" "$out" $'0000:07:00.0 \n0000:07:00.1 '
run assignable-remove -r 07:00.1
is "assignable-remove -r 07:00.1: exit 0" "$rc" 0
run assignable-remove 07:00.0
is "assignable-remove 07:00.0 (no -r): exit 0" "$rc" 0
is "without -r the device is left unbound" "$(drv 0000:07:00.0)" none
run assignable-add 07:00.0
run assignable-remove -r 07:00.0
is "add + remove -r gives it back to igb" "$(drv 0000:07:00.0)" igb

# --- the agent's errors reach the user ----------------------------------
run assignable-add 77:00.0
is "unknown device: exit 1" "$rc" 1
like "unknown device: the agent's message and code" "$err" \
	'^xen-pci: assignable-add 77:00\.0: .*0000:77:00\.0.* \(ENODEV\)$'
check "unknown device: request removed" no_requests
run --json assignable-add '07:00.0,bogus=1'
is "bad spec: exit 1" "$rc" 1
check "bad spec --json: JSON" json_ok "$out"
like "bad spec --json: code EINVAL, libxlutil's reason" "$out" \
	'"status":"error","error":"[^"]*bogus[^"]*","code":"EINVAL"'

simhost fault sysfs bus/pci/drivers/pciback/bind EIO
run assignable-add 07:00.1
simhost fault clear
is "bind fails: exit 1" "$rc" 1
like "bind fails: says so, with the errno" "$err" '0000:07:00\.1.*\(EIO\)$'
is "bind fails: the device is back on igb" "$(drv 0000:07:00.1)" igb

# --- concurrency and the agent's own timeout ---------------------------
xen-pci assignable-add 07:00.0 >"$SIM/o1" 2>&1 &
p1=$!
xen-pci assignable-add 07:00.1 >"$SIM/o2" 2>&1 &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
is "two CLIs at once on two devices: both exit 0" "$r1:$r2" 0:0
is "two CLIs at once: both devices on pciback" \
	"$(drv 0000:07:00.0) $(drv 0000:07:00.1)" "pciback pciback"
check "two CLIs at once: no request left" no_requests
run assignable-remove -r '07:00.*'
is "remove -r 07:00.*: both back on igb" \
	"$rc $(drv 0000:07:00.0) $(drv 0000:07:00.1)" "0 igb igb"

# A bind held for 4 s: the agent answers ETIMEDOUT after the request's
# timeout (1 s), before xen-pci's own deadline (1 s + 5 s grace).
simhost fault sysfs bus/pci/drivers/pciback/bind OK delay_ms=4000
start=$SECONDS
run --timeout 1 assignable-add 07:00.0
is "agent times out: exit 1, the agent's answer (not 3)" "$rc" 1
like "agent times out: its message and ETIMEDOUT" "$err" \
	'timed out.*\(ETIMEDOUT\)$'
check "agent times out: answered before the CLI's deadline" \
	test $((SECONDS - start)) -lt 6
if wait_until 15 drv_is 0000:07:00.0 igb; then
	ok "agent times out: the device ends up back on igb"
else
	not_ok "agent times out: the device ends up back on igb"
	tail -n 15 "$AGENT_LOG" | sed 's/^/# /'
fi
simhost fault clear
# Whatever happened, start the next part from igb.
[ "$(drv 0000:07:00.0)" = igb ] || xen-pci assignable-remove -r 07:00.0

# --- attach / detach / list -------------------------------------------
if [[ " $features " == *" attach "* ]]; then
	simhost domain create 3 --name g3
	run assignable-add 07:00.0
	is "attach prep: assignable" "$rc" 0
	run attach 3 07:00.0
	is "attach 3 07:00.0: exit 0" "$rc" 0
	like "attach 3 07:00.0: prints the vdev" "$out" '^07:00\.0: vdev [0-9a-f]{2}\.[0-7]$'
	is "attach: published attached" "$(dev_state 0000:07:00.0)" attached
	run list 3
	like "list 3: the device, as xl pci-list prints it" "$out" \
		$'^Vdev Device\n[0-9a-f]{2}\\.[0-7] 0000:07:00\\.0$'
	run list --long 3
	like "list --long 3: with its options" "$out" \
		$'^Vdev Device       Options\n[0-9a-f]{2}\\.[0-7] 0000:07:00\\.0 permissive=0$'
	run list
	like "list: with the domain" "$out" $'\n3     [0-9a-f]{2}\\.[0-7] 0000:07:00\\.0 '
	run detach 3 07:00.0
	is "detach 3 07:00.0: exit 0" "$rc" 0
	is "detach: assignable again" "$(dev_state 0000:07:00.0)" assignable
	run list --long 3
	is "list --long 3 after detach: header only" "$out" "Vdev Device       Options"
	run assignable-add 07:00.1
	run attach 3 07:00.0 07:00.1
	is "attach 3 with two SPECs: exit 0" "$rc" 0
	like "attach 3 with two SPECs: one vdev line per SPEC" "$out" \
		$'^07:00\\.0: vdev [0-9a-f]{2}\\.[0-7]\n07:00\\.1: vdev [0-9a-f]{2}\\.[0-7]$'
	run list 3
	is "list 3: both devices" "$(echo "$out" | awk 'NR > 1 {print $2}' |
		tr '\n' ' ')" "0000:07:00.0 0000:07:00.1 "
	run attach 3 07:00.0
	is "attach an attached device: exit 1" "$rc" 1
	like "attach an attached device: the agent's message on stderr" \
		"$err" '^xen-pci: attach 3 07:00\.0: .*\([A-Z]+\)$'
	run detach -f 3 07:00.1
	is "detach -f 3 07:00.1: exit 0" "$rc" 0
	run detach 3 07:00.0
	is "detach the last device: exit 0" "$rc" 0
	run list
	is "list: nothing attached" "$out" "Domid Vdev Device       Options"
	run assignable-remove -r '07:00.*'
	is "detach then remove -r: back on igb" \
		"$rc:$(drv 0000:07:00.0):$(drv 0000:07:00.1)" 0:igb:igb
else
	run attach 3 07:00.0
	is "attach with an agent without the feature: exit 1" "$rc" 1
	like "attach with an agent without the feature: its message" "$err" \
		'attach .*\(EOPNOTSUPP\)$'
	run list --long 3
	is "list --long 3 with nothing attached: header only" "$rc:$out" \
		"0:Vdev Device       Options"
fi

# --- a stopped agent ---------------------------------------------------
agent_stop
is "the agent wrote state=stopped" "$(xs_read $R/state)" stopped
run assignable-add 07:00.0
is "stopped agent: exit 3" "$rc" 3
like "stopped agent: says so" "$err" 'no agent is serving: .*"stopped"'
is "stopped agent: nothing done" "$(drv 0000:07:00.0)" igb
check "stopped agent: no request left behind" no_requests

# --- a dead agent (R/state still says running) -------------------------
agent_start
kill -9 "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null
AGENT_PID=
is "killed agent: R/state still says running" "$(xs_read $R/state)" running
start=$SECONDS
run --timeout 1 assignable-add 07:00.1
is "dead agent: exit 3 after the timeout" "$rc" 3
check "dead agent: within timeout + grace" test $((SECONDS - start)) -lt 20
like "dead agent: says no answer came" "$err" 'no answer from the agent'
check "dead agent: the request is removed" no_requests
agent_start
run assignable-list
is "restarted agent: serves again" "$rc:$out" "0:"
is "the request given up on was not served by the new agent" \
	"$(drv 0000:07:00.1)" igb

agent_stop
sanitizer_check "the agent logs" "$SIM"/agent.*.log
trap - EXIT
sim_down
t_exit
