#!/usr/bin/env bash
# simhost up/down leave nothing behind, also when the test is killed.
. "$(dirname "$0")/lib.sh"

procs_of() { for f in "$1"/run/*.pid; do [ -e "$f" ] && cat "$f"; done; }
all_dead() { for p in "$@"; do kill -0 "$p" 2>/dev/null && return 1; done
	return 0; }
not_mounted() { ! grep -q " $1/sysfs " /proc/self/mounts; }

D=$(mktemp -d /tmp/xpa-world.XXXXXX)
trap 'simhost down --dir "$D" >/dev/null 2>&1; rm -rf "$D"; t_exit' EXIT
check "simhost up" simhost up --dir "$D" --owner-pid $$
pids=$(procs_of "$D")
check "env is written" test -s "$D/env"
(. "$D/env"; check "env names the socket" test -S "$XENSTORED_PATH")
(. "$D/env"; check "env names the sysfs root" test -d "$SYSFS_ROOT/bus/pci")
check "up refuses a second host in the same dir" \
	sh -c "! simhost up --dir '$D' 2>/dev/null"
check "simhost down" simhost down --dir "$D"
# shellcheck disable=SC2086
check "no process left after down" all_dead $pids
check "no mount left after down" not_mounted "$D"
check "down twice is harmless" simhost down --dir "$D"

# The owner dies by SIGKILL: the guard takes the host down.
bash -c 'simhost up --dir "$1" --owner-pid $$ && exec sleep 600' _ "$D" &
owner=$!
wait_until 20 test -s "$D/env"
pids=$(procs_of "$D")
check "a host owned by another process is up" test -n "$pids"
kill -9 $owner
wait $owner 2>/dev/null
# shellcheck disable=SC2086
check "its processes go when the owner is killed" wait_until 20 all_dead $pids
check "its mount goes too" wait_until 20 not_mounted "$D"

out=$(simhost up 2>&1)
like "up without --dir is refused" "$out" 'dir'
out=$(simhost frobnicate 2>&1)
like "an unknown command is refused" "$out" "unknown command"
trap - EXIT
rm -rf "$D"
t_exit
