#!/bin/bash
# simsysfs: command line, daemon and foreground modes, clean exit on
# "fusermount3 -u" and on SIGTERM, O_TRUNC writes, bad inventories.
set -u
. "$(dirname "$0")/sim/sysfs/tlib.sh"

"$SIMSYSFS" --help >/dev/null
is "--help exits 0" $? 0
"$SIMSYSFS" 2>/dev/null
is "no --mount: usage error 2" $? 2
"$SIMSYSFS" --mount /nonexistent/simsysfs 2>/dev/null
is "missing mount directory: 2" $? 2
"$SIMSYSFS" --mount /tmp extra 2>/dev/null
is "stray argument: 2" $? 2

T=$(mktemp -d /tmp/simsysfs.XXXXXX)
MNTS+=("$T")
PIDS+=("")
mkdir "$T/mnt"
printf '0000:07:00.0 8086 10a7 0x020000 igb bogus=1\n' > "$T/bad.inv"
"$SIMSYSFS" --mount "$T/mnt" --inventory "$T/bad.inv" 2>"$T/err"
is "bad inventory: exit 2" $? 2
check "bad inventory: the option is named" grep -q "bogus=1" "$T/err"
check "bad inventory: nothing mounted" sh -c "! mountpoint -q '$T/mnt'"
"$SIMSYSFS" --mount "$T/mnt" --inventory "$T/none.inv" 2>/dev/null
is "missing inventory: exit 2" $? 2
printf 'pciback=maybe\n' > "$T/bad2.inv"
"$SIMSYSFS" --mount "$T/mnt" --inventory "$T/bad2.inv" 2>/dev/null
is "bad global line: exit 2" $? 2

# Daemon mode: usable as soon as the command returns.
check "daemon mode mount" sim_start
is "DIR holds dev, proc, sim and sys only" "$(ls "$MNT" | xargs)" "dev proc sim sys"
check "mounted" mountpoint -q "$MNT"
echo 1 > "$DEV/0000:07:00.0/reset"
is "echo (O_TRUNC) works" "$(tail -n2 "$MNT/sim/log" |
	head -n1 | awk '{print $NF}')" ok
pid=$SIMPID
fusermount3 -u "$MNT"
is "fusermount3 -u succeeds" $? 0
wait_gone "$pid"
gone() { ! pid_alive "$1"; }
check "the daemon exits after fusermount3 -u" gone "$pid"

check "daemon mode mount again" sim_start
pid=$SIMPID
kill -TERM "$pid"
wait_gone "$pid"
check "SIGTERM ends the daemon" gone "$pid"
check "and unmounts" sh -c "! mountpoint -q '$MNT'"

# Foreground mode: the caller owns the process.
F=$T/fg
mkdir "$F"
"$SIMSYSFS" --mount "$F" --foreground 2>/dev/null &
fg=$!
PIDS[1]=$fg
wait_until 5 test -e "$F/sim/pid"
is "foreground: sim/pid is the child we started" "$(rd "$F/sim/pid")" "$fg"
is "foreground: the tree is there" \
	"$(rd "$F/sys/bus/pci/devices/0000:07:00.0/vendor")" 0x8086
fusermount3 -u "$F"
wait "$fg"
is "foreground: exit status 0 after fusermount3 -u" $? 0
rmdir "$F"

finish
