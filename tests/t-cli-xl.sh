#!/usr/bin/env bash
# xen-pci speaks xl's language, checked against Debian's real xl 4.17 run
# over the same simulated host (tests/bench/ns.sh: a private mount
# namespace with the simulated sysfs over /sys, the simulated hypervisor
# preloaded): assignable-list [-n] and list DOMAIN print byte for byte
# what xl pci-assignable-list [-n] and xl pci-list print; device names
# given with -n are libxl's (/libxl/pci/K/name), so each tool sees the
# other's; domains go by name where xl takes one; --persistent edits the
# agent's configuration through the agent.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"

XL_BIN=/usr/lib/xen-4.17/bin/xl
A=0000:07:00.0 B=0000:07:00.1
sim_up
KEEP=$(mktemp -d /tmp/xpa-clixl.XXXXXX)
cleanup() {
	[ -n "$AGENT_PID" ] && kill -9 "$AGENT_PID" 2>/dev/null
	sim_down
	rm -rf "$KEEP"
	t_exit
}
trap cleanup EXIT
xl() {
	SYSFS_ROOT=$SYSFS_ROOT "$TOP/tests/bench/ns.sh" env \
		LD_PRELOAD="$SIMXEN_PRELOAD $BUILD/lib/libbenchxl.so" \
		"$XL_BIN" "$@"
}
# same DESC CMD...: xen-pci CMD and xl pci-CMD print the same bytes.
same() {
	local desc=$1 mine theirs
	shift
	mine=$(xen-pci "$@" 2>&1; echo "rc=$?")
	theirs=$(xl "pci-$1" "${@:2}" 2>&1; echo "rc=$?")
	is "$desc: xen-pci $* prints what xl pci-$* prints" \
		"$(cat -A <<<"$mine")" "$(cat -A <<<"$theirs")"
}

simhost domain create 5 --name g5 >/dev/null
simhost domain create 6 --name quiet >/dev/null
CFG=$KEEP/agent.cfg
printf '# test configuration\nlog_level = "debug"\n' >"$CFG"
agent_start --config "$CFG" || exit 1

same "nothing assignable" assignable-list
same "nothing assignable, names" assignable-list -n

# -n: the agent stores the name where libxl does
xen-pci assignable-add -n nic0 07:00.0
is "assignable-add -n nic0: exit 0" "$?" 0
is "the name is at /libxl/pci/K/name" \
	"$(xs_read /libxl/pci/0000-07-00-0/name)" nic0
same "one assignable" assignable-list
like "assignable-list has xl's trailing space" \
	"$(xen-pci assignable-list | cat -A)" '^0000:07:00\.0 \$$'
same "one assignable, names" assignable-list -n
is "assignable-list -n: BDF NAME" "$(xen-pci assignable-list -n)" \
	"$A nic0"
# xl names a device: the agent's list shows it
xl pci-assignable-add -n wired 07:00.1 >/dev/null 2>&1
is "xl pci-assignable-add -n wired: exit 0" "$?" 0
same "xl's name, seen by both" assignable-list -n
like "xen-pci assignable-list -n shows xl's name" \
	"$(xen-pci assignable-list -n)" "$B wired"
out=$(xen-pci --json assignable-list -n)
like "--json assignable-list -n carries the names" "$out" '"name":"wired"'
# an add without -n drops an old name, as libxl does
xen-pci assignable-remove "$B" && xl pci-assignable-add -n again 07:00.1 \
	>/dev/null 2>&1
xen-pci assignable-add 07:00.1
is "add without -n on a named device drops the name (libxl)" \
	"$(xs_read /libxl/pci/0000-07-00-1/name)" ""
run_err "a name with a space" EINVAL n1 assignable-add spec=07:00.1 \
	"name=a b"
run_err "a name on a wildcard add" EINVAL n2 assignable-add \
	'spec=07:00.*' name=both
run_err "a name on a remove" EINVAL n3 assignable-remove spec=07:00.1 \
	name=x

# remove by name, as xl pci-assignable-remove NAME
xen-pci assignable-remove -r nic0
is "assignable-remove -r nic0: exit 0" "$?" 0
is "nic0 (07:00.0) is back on igb" "$(drv $A)" igb
is "and its name is gone" "$(xs_read /libxl/pci/0000-07-00-0/name)" ""
out=$(xen-pci assignable-remove nosuch 2>&1)
is "remove of an unknown name: exit 1" "$?" 1
like "remove of an unknown name: says so" "$out" "no device is named 'nosuch'"
same "after remove by name" assignable-list -n

# domains by name; list DOMAIN as xl pci-list DOMAIN
xen-pci assignable-add 07:00.0
out=$(xen-pci attach g5 07:00.0)
is "attach g5 (a name): exit 0" "$?" 0
same "one attached, by name" list g5
same "one attached, by id" list 5
same "a domain without devices" list quiet
xen-pci assignable-add 07:00.1 && xen-pci attach 5 07:00.1,permissive=1 >/dev/null
same "two attached, one permissive" list g5
xen-pci detach g5 07:00.1 && xen-pci assignable-remove 07:00.1
same "after detaching the second" list g5
like "list --long keeps the Options table" "$(xen-pci list --long g5)" \
	'^Vdev Device +Options'
out=$(xen-pci attach nosuchdomain 07:00.1 2>&1)
is "attach to an unknown name: usage error" "$?" 2
like "attach to an unknown name: says so" "$out" "no domain is named so"
xen-pci detach g5 07:00.0
is "detach g5 (a name): exit 0" "$?" 0
same "after the detach" list g5
same "assignable again after the detach" assignable-list

# --persistent: the agent edits its configuration
xen-pci assignable-add --persistent 07:00.0
is "assignable-add --persistent of an assignable device: exit 0" "$?" 0
like "the configuration lists it" "$(cat "$CFG")" \
	"assignable = \[ '0000:07:00.0' \]"
like "the rest of the file is kept" "$(head -2 "$CFG")" \
	'# test configuration'
xen-pci assignable-remove "$B"
xen-pci assignable-add --persistent '07:00.*' 2>/dev/null
xen-pci assignable-remove --persistent 07:00.0
is "assignable-remove --persistent: exit 0" "$?" 0
like "only the wildcard entry is left" "$(grep ^assignable "$CFG")" \
	"^assignable = \[ '0000:07:00.\*' \]$"
kill -HUP "$AGENT_PID"
check "the edited file reads well on SIGHUP" wait_until 10 \
	grep -q "SIGHUP: $CFG read again: 1 persistent" "$AGENT_LOG"
diag "the configuration now:"
sed 's/^/#   /' "$CFG"
xen-pci assignable-remove --persistent 07:00.1 2>/dev/null
like "removing one function leaves the slot's entry" \
	"$(grep ^assignable "$CFG")" "'0000:07:00.\*'"
out=$(xen-pci list --persistent 5 2>&1)
is "--persistent on list: usage error" "$?" 2
agent_stop
agent_start || exit 1
xen-pci assignable-add 07:00.0 >/dev/null 2>&1
out=$(xen-pci assignable-add --persistent 07:00.0 2>&1)
is "--persistent without a configuration file: exit 1" "$?" 1
like "and says why" "$out" 'not persistent: the agent runs without a configuration file'
agent_stop
t_exit
