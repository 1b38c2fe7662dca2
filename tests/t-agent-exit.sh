#!/usr/bin/env bash
# The daemon's exit status tells a supervisor what to do: 0 a clean
# stop, 1 a temporary failure worth a retry (xenstore unreachable or
# lost, another agent holding the state dir), 2 bad usage and 3 bad
# configuration (an unusable state dir), which no retry cures; in
# daemon mode the parent exits with the daemon's status.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"

sim_up
agent() {
	LD_PRELOAD=$SIMXEN_PRELOAD "$BIN/xen-pci-agent" \
		--sysfs-root "$SYSFS_ROOT" "$@"
}

out=$("$BIN/xen-pci-agent" --help)
like "--help documents the exit statuses" "$out" \
	'0 clean stop.*1 .*temporary.*2 bad usage.*3 .*configuration'

# --- bad configuration: the state dir cannot be created
touch "$SIM/file"
out=$(agent --foreground --state-dir "$SIM/file/state" 2>&1); rc=$?
is "an unusable state dir exits 3" "$rc" 3
like "and says why" "$out" "state dir $SIM/file/state: Not a directory"
agent --state-dir "$SIM/file/state" >/dev/null 2>&1; rc=$?
is "daemon mode: an unusable state dir, the parent exits 3" "$rc" 3

# --- temporary: xenstore unreachable
out=$(XENSTORED_PATH=$SIM/no-such-socket agent --foreground \
	--state-dir "$SIM/state-1" 2>&1); rc=$?
is "xenstore unreachable exits 1" "$rc" 1
like "and says why" "$out" 'connect to xenstore'
XENSTORED_PATH=$SIM/no-such-socket agent --state-dir "$SIM/state-1" \
	>/dev/null 2>&1; rc=$?
is "daemon mode: xenstore unreachable, the parent exits 1" "$rc" 1

# --- temporary: another agent holds the state dir (a retry may work)
agent_start || exit 1
agent --foreground --state-dir "$STATE" >/dev/null 2>&1; rc=$?
is "state dir locked by another agent exits 1" "$rc" 1
agent_done

# --- the clean stop is still 0 and the usage error still 2
"$BIN/xen-pci-agent" --bogus >/dev/null 2>&1
is "bad usage exits 2" "$?" 2
t_done
