#!/usr/bin/env bash
# The configuration file (xen-pci-agent.cfg(5)): every bad file is
# refused at start-up with exit 3 and "FILE:LINE: KEY: why"; a good one
# sets what the command line does not; `assignable` makes its devices
# assignable at start (a vanished one is reported, not fatal); SIGHUP
# reads the file again and keeps the old configuration when the new one
# is bad; a simulated reboot (a fresh simhost, the same state dir)
# brings the devices back as assignable with their drivers remembered.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"

A=0000:07:00.0 B=0000:07:00.1
KEEP=$(mktemp -d /tmp/xpa-host.XXXXXX)
STATE=$KEEP/state
CFG=$KEEP/agent.cfg
cleanup() {
	[ -n "$AGENT_PID" ] && kill -9 "$AGENT_PID" 2>/dev/null
	sim_down
	rm -rf "$KEEP"
	t_exit
}
sim_up
trap cleanup EXIT

# bad_cfg DESC EXPECTED-REGEX: the agent refuses $CFG with exit 3.
bad_cfg() {
	local out rc
	out=$(LD_PRELOAD=$SIMXEN_PRELOAD timeout 20 "$BIN/xen-pci-agent" \
		--foreground --config "$CFG" --sysfs-root "$SYSFS_ROOT" \
		--state-dir "$STATE" 2>&1)
	rc=$?
	is "$1: exit 3 (bad configuration)" "$rc" 3
	like "$1: says file, line and key" "$out" "$2"
	is "$1: the agent did not publish itself" \
		"$(xs_read $R/state)" "${3:-}"
}

printf 'log_level = "info"\n\nrequest_timout = 5\n' >"$CFG"
bad_cfg "an unknown key" "$CFG:3: request_timout: unknown key"
printf '# comment\ntoolstack_domid = 99999\n' >"$CFG"
bad_cfg "a domid out of range" "$CFG:2: toolstack_domid: value .99999. is greater than maximum bound .32751."
printf 'request_timeout = "soon"\n' >"$CFG"
bad_cfg "a timeout that is no number" "$CFG:1: request_timeout: .*number"
printf 'state_dir = "/tmp"\nlog_level = "chatty"\n' >"$CFG"
bad_cfg "an unknown log level" "$CFG:2: log_level: 'chatty' is not error"
printf 'state_dir = "relative/dir"\n' >"$CFG"
bad_cfg "a relative state dir" "$CFG:1: state_dir: 'relative/dir' is not an absolute"
printf 'script_dir = "scripts"\n' >"$CFG"
bad_cfg "a relative script dir" "$CFG:1: script_dir: 'scripts' is not an absolute"
printf '\n\nscript_timeout = 0\n' >"$CFG"
bad_cfg "a script timeout of 0" "$CFG:3: script_timeout: value .0. is smaller than minimum bound .1."
printf 'assignable = [ "07:00.0",\n  "zz:00.0" ]\n' >"$CFG"
bad_cfg "a bad spec in assignable" "$CFG:1: assignable: 'zz:00.0' is not a PCI_SPEC_STRING"
printf 'log_level = "info"\nassignable = "07:00.0"\n' >"$CFG"
bad_cfg "assignable not a list" "$CFG:2: assignable: parameter .assignable. is a single value but should be a list"
printf 'log_level = "info"\nassignable = [ "07:00.0"\n' >"$CFG"
bad_cfg "a syntax error" "$CFG:[23]"
bad_cfg_missing() {
	local out rc
	out=$("$BIN/xen-pci-agent" --foreground --config "$KEEP/none.cfg" \
		--sysfs-root "$SYSFS_ROOT" --state-dir "$STATE" 2>&1)
	rc=$?
	is "a missing --config file: exit 3" "$rc" 3
	like "a missing --config file: says so" "$out" \
		"$KEEP/none.cfg: No such file"
}
bad_cfg_missing
is "no device changed hands" "$(drv $A) $(drv $B)" "igb igb"

# --- a good file: a present and a vanished device
cat >"$CFG" <<CFG
# persistent assignments
log_level = "debug"; request_timeout = 40
script_dir = "$KEEP/site-scripts"; script_timeout = 7
assignable = [ '07:00.0',
               '0000:09:00.0' ]
CFG
agent_start --config "$CFG" || exit 1
check "07:00.0 from assignable is on pciback" wait_until 20 \
	bash -c "[ \"\$(readlink $SYSFS_ROOT/bus/pci/devices/$A/driver)\" ] &&
		 readlink $SYSFS_ROOT/bus/pci/devices/$A/driver | grep -q pciback"
is "07:00.1, not listed, keeps igb" "$(drv $B)" igb
persist_ok() { grep -q "request persistent-[0-9-]* (assignable-add $1): $2" "$AGENT_LOG"; }
check "the add of 07:00.0 ends ok" wait_until 20 persist_ok 07:00.0 ok
check "the vanished 0000:09:00.0 is reported as an error" \
	wait_until 20 persist_ok 0000:09:00.0 error
check "the agent still serves" agent_serving
like "its requests carry a final status in xenstore" \
	"$(for r in $(xenstore-list $R/requests); do xs_read $R/requests/$r/status; done | sort | tr '\n' ' ')" \
	'^error ok $'
run_err "script_dir from the file is the agent's" ENOENT s1 assignable-add \
	spec=07:00.1 script=mine
like "the error names the configured script directory" "$ERRMSG" \
	"$KEEP/site-scripts"
run_ok "assignable-list" l1 assignable-list
is "assignable-list: 07:00.0, its original driver igb" \
	"$(xenstore-list $R/requests/l1/result | tr '\n' ' ')" "0000-07-00-0 "
like "the original driver is igb" \
	"$(xs_read $R/requests/l1/result/0000-07-00-0)" 'igb$'


# --- SIGHUP: the file grows a device; then a bad edit is refused
sed -i "s/'0000:09:00.0'/'07:00.1'/" "$CFG"
kill -HUP "$AGENT_PID"
check "after SIGHUP 07:00.1 is on pciback" wait_until 20 \
	bash -c "readlink $SYSFS_ROOT/bus/pci/devices/$B/driver | grep -q pciback"
check "SIGHUP says the file was read again" \
	grep -q "SIGHUP: $CFG read again: 2 persistent" "$AGENT_LOG"
echo 'log_level = "loud"' >>"$CFG"
kill -HUP "$AGENT_PID"
refused() { grep -q "SIGHUP: $CFG refused; keeping the previous configuration" "$AGENT_LOG"; }
check "a bad file on SIGHUP is refused and the old one kept" \
	wait_until 10 refused
check "the refusal names file, line and key" \
	grep -q "configuration: $CFG:6: log_level: 'loud' is not" "$AGENT_LOG"
check "the agent still serves after a refused SIGHUP" agent_serving
sed -i '$d' "$CFG"
agent_stop

# --- a reboot: a fresh host (devices on igb again), the same state dir
sim_down
sim_up
trap cleanup EXIT
is "after the reboot both devices are on igb" "$(drv $A) $(drv $B)" "igb igb"
agent_start --config "$CFG" || exit 1
check "after the reboot 07:00.0 is assignable again" wait_until 20 \
	bash -c "readlink $SYSFS_ROOT/bus/pci/devices/$A/driver | grep -q pciback"
check "after the reboot 07:00.1 is assignable again" wait_until 20 \
	bash -c "readlink $SYSFS_ROOT/bus/pci/devices/$B/driver | grep -q pciback"
check "both adds end ok" wait_until 20 bash -c \
	"grep -c 'request persistent-[0-9-]* (assignable-add 07:00.[01]): ok' $AGENT_LOG | grep -qx 2"
run_ok "remove -r 07:00.0 after the reboot" r1 assignable-remove spec=$A rebind=1
is "07:00.0 is back on its original driver igb" "$(drv $A)" igb
agent_stop
t_exit
