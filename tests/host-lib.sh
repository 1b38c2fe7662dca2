# Helpers for tests/t-host-install.sh and t-host-deb.sh, sourced after
# tests/lib.sh and tests/agent-lib.sh: run an installed tree ($ROOT, as
# make install or the .deb lays it out) against the simulated host, by
# the init script and by the systemd unit's ExecStart, and check what a
# user of the tree relies on (pkg-config, man pages, completion).
#
# The init script runs unchanged; only its /etc/default file (which the
# script reads after its own defaults, as Debian's scripts do) points
# DAEMON, CONFIG and the dom0 check into $ROOT and the simulated host,
# seen at /etc/default through a private mount namespace.

# host_defaults ROOT CAPS: the test's /etc/default/xen-pci-agent.
host_defaults() {
	local root=$1
	mkdir -p "$KEEP/default"
	cat >"$KEEP/default/xen-pci-agent" <<DEF
DAEMON=$root${SBIN:-/usr/sbin}/xen-pci-agent
CONFIG=$root/etc/xen/xen-pci-agent.cfg
PIDFILE=$KEEP/agent.pid
XEN_CAPABILITIES=$2
DAEMON_ARGS="--sysfs-root $SYSFS_ROOT --state-dir $KEEP/state --log-level debug"
DEF
}

# host_init ROOT ACTION: the installed init script, LD_PRELOAD and
# XENSTORED_PATH passed down to the agent as a shell would.
host_init() {
	LD_PRELOAD=$SIMXEN_PRELOAD unshare --mount --propagation private \
		sh -c 'mount --bind "$1" /etc/default && exec "$2" "$3"' \
		sh "$KEEP/default" "$1/etc/init.d/xen-pci-agent" "$2"
}

host_pid() { cat "$KEEP/agent.pid" 2>/dev/null; }
host_serving() {
	[ "$(xs_read $R/state)" = running ] &&
		[ "$(xs_read $R/pid)" = "$(host_pid)" ]
}

# host_check_init ROOT: start, status, reload, stop; and a non-dom0.
host_check_init() {
	local root=$1 out rc pid
	rm -rf "$KEEP/state"
	echo "control_d" >"$KEEP/caps"
	host_defaults "$root" "$KEEP/caps"
	out=$(host_init "$root" start 2>&1)
	rc=$?
	is "init start: exit 0" "$rc" 0
	[ $rc = 0 ] || diag "$out"
	check "init start: the agent serves" wait_until 10 host_serving
	pid=$(host_pid)
	is "the installed libxenpci sees the agent running" \
		"$(LD_LIBRARY_PATH=$TOOLSTACK_LIBDIR "$KEEP/toolstack")" "1 running"
	like "init start: the pid file names a live agent" \
		"$(cat /proc/"$pid"/comm 2>/dev/null)" '^xen-pci-agent$'
	check "init start: the persistent 07:00.0 is on pciback" \
		wait_until 20 bash -c "readlink $SYSFS_ROOT/bus/pci/devices/0000:07:00.0/driver | grep -q pciback"
	out=$(host_init "$root" start 2>&1)
	is "init start again: exit 0, nothing new" "$?:$(host_pid)" "0:$pid"
	host_init "$root" status >/dev/null 2>&1
	is "init status: running (0)" "$?" 0
	host_init "$root" reload >/dev/null 2>&1
	is "init reload: exit 0" "$?" 0
	check "init reload: the agent still serves" host_serving
	host_init "$root" stop >/dev/null 2>&1
	is "init stop: exit 0" "$?" 0
	check "init stop: the agent is gone" \
		wait_until 10 bash -c "! kill -0 $pid 2>/dev/null"
	is "init stop: state=stopped" "$(xs_read $R/state)" stopped
	check "init stop: no pid file left" test ! -e "$KEEP/agent.pid"
	is "init stop: the device stays assignable" \
		"$(drv 0000:07:00.0)" pciback
	host_init "$root" status >/dev/null 2>&1
	is "init status: not running (3)" "$?" 3
	# Not a Xen dom0: a domU's capabilities, then none at all.
	for caps in "$KEEP/caps-domu" "$KEEP/no-such-file"; do
		: >"$KEEP/caps-domu"
		host_defaults "$root" "$caps"
		out=$(host_init "$root" start 2>&1)
		rc=$?
		is "init start, not dom0 (${caps##*/}): exit 0" "$rc" 0
		like "init start, not dom0: says so" "$out" \
			"not a Xen dom0 .*not starting"
		is "init start, not dom0: no agent" "$(xs_read $R/state)" stopped
	done
}

# host_check_unit ROOT: the unit's ExecStart, with $NOTIFY_SOCKET.
host_check_unit() {
	local root=$1 unit=$1/lib/systemd/system/xen-pci-agent.service
	local cmd pid rc
	check "unit: Type=notify" grep -qx 'Type=notify' "$unit"
	check "unit: after xenstored.service and xen.service" \
		grep -qE '^After=.*xenstored\.service.*xen\.service' "$unit"
	check "unit: before xendomains.service and libvirtd.service" \
		grep -qE '^Before=.*xendomains\.service.*libvirtd\.service' "$unit"
	check "unit: only on Xen (ConditionPathExists=/proc/xen/capabilities)" \
		grep -qx 'ConditionPathExists=/proc/xen/capabilities' "$unit"
	check "unit: only in dom0 (ExecCondition on control_d)" \
		grep -qE '^ExecCondition=.*control_d /proc/xen/capabilities' "$unit"
	if command -v systemd-analyze >/dev/null; then
		out=$(systemd-analyze verify --man=no --root="$root" \
			"$unit" 2>&1 | grep -v -e 'Failed to' -e 'Cannot add dependency' \
			-e 'is not executable' -e 'No such file' -e '^$')
		is "unit: systemd-analyze verify has nothing to say" "$out" ""
	fi
	# ExecCondition's own command on a machine that is not dom0.
	cmd=$(sed -n 's/^ExecCondition=//p' "$unit")
	: >"$KEEP/caps-domu"
	${cmd/\/proc\/xen\/capabilities/$KEEP/caps-domu}
	is "unit: ExecCondition fails (skips) on a domU" "$?" 1
	echo control_d >"$KEEP/caps"
	${cmd/\/proc\/xen\/capabilities/$KEEP/caps}
	is "unit: ExecCondition passes in dom0" "$?" 0

	cmd=$(sed -n 's/^ExecStart=//p' "$unit")
	cmd=${cmd//\/usr\/sbin\//$root\/usr\/sbin\/}
	cmd=${cmd//\/etc\/xen\//$root\/etc\/xen\/}
	DAEMON_ARGS="--sysfs-root $SYSFS_ROOT --state-dir $KEEP/state --log-level debug"
	cmd=${cmd//\$DAEMON_ARGS/$DAEMON_ARGS}
	diag "unit: running $cmd"
	rm -f "$KEEP/notify" "$KEEP/notify.log"
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as f:
    while True:
        f.write(s.recv(4096).decode().replace("\n", " ") + "\n")
        f.flush()
' "$KEEP/notify" "$KEEP/notify.log" &
	NOTIFY_PY=$!
	wait_until 10 test -S "$KEEP/notify"
	# shellcheck disable=SC2086
	NOTIFY_SOCKET=$KEEP/notify LD_PRELOAD=$SIMXEN_PRELOAD $cmd \
		>"$KEEP/unit.log" 2>&1 &
	pid=$!
	check "unit: READY=1 through sd_notify" wait_until 10 \
		grep -q 'READY=1' "$KEEP/notify.log"
	is "unit: the agent serves when it says READY" \
		"$(xs_read $R/state) $(xs_read $R/pid)" "running $pid"
	# ExecReload=/bin/kill -HUP $MAINPID
	kill -HUP "$pid"
	check "unit: reload says RELOADING=1 then READY=1" wait_until 10 \
		bash -c "grep -A1 RELOADING=1 $KEEP/notify.log | grep -q READY=1"
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	is "unit: SIGTERM, exit 0" "$rc" 0
	check "unit: STOPPING=1 on SIGTERM" grep -q STOPPING=1 "$KEEP/notify.log"
	kill "$NOTIFY_PY" 2>/dev/null
	wait "$NOTIFY_PY" 2>/dev/null
}

# host_check_tree ROOT LIBDIR: library, man pages, completion.
host_check_tree() {
	local root=$1 libdir=$2 flags out f
	flags=$(PKG_CONFIG_PATH=$root$libdir/pkgconfig \
		PKG_CONFIG_SYSROOT_DIR=$root pkg-config --cflags --libs xenpci)
	like "pkg-config --cflags --libs xenpci" "$flags" \
		"-I$root/usr/include .*-lxenpci"
	cat >"$KEEP/toolstack.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <xenpci_client.h>
int main(void)
{
	struct xenpci_client *c = xenpci_client_open(0);
	char *state = NULL;
	int rc;
	if (!c)
		return 2;
	rc = xenpci_agent_running(c, &state);
	printf("%d %s\n", rc, state ? state : "-");
	free(state);
	xenpci_client_close(c);
	return 0;
}
C
	# shellcheck disable=SC2086
	cc -o "$KEEP/toolstack" "$KEEP/toolstack.c" $flags -lxenstore
	is "a toolstack builds against the installed libxenpci" "$?" 0
	like "it links the shared library" \
		"$(LD_LIBRARY_PATH=$root$libdir ldd "$KEEP/toolstack")" \
		"libxenpci.so.1 => $root$libdir/libxenpci.so.1"
	TOOLSTACK_LIBDIR=$root$libdir
	for f in man1/xen-pci.1 man5/xen-pci-agent.cfg.5 \
		 man7/xen-pci-protocol.7 man8/xen-pci-agent.8; do
		f=$(ls "$root/usr/share/man/$f"* 2>/dev/null | head -1)
		if [ -z "$f" ]; then
			not_ok "man page $f installed"
			continue
		fi
		out=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
		is "man --warnings ${f##*/}: no warning" "$out" ""
		like "${f##*/} renders" "$(MANWIDTH=80 man -l "$f" 2>/dev/null)" \
			'SEE ALSO'
	done
}

# complete_words LINE: what the installed completion offers for LINE.
complete_words() {
	bash -c '. "$1"; read -ra COMP_WORDS <<<"$2"
		[[ $2 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_xen_pci; [ ${#COMPREPLY[@]} = 0 ] || printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
		sh "$COMPLETION" "$1"
}

host_check_completion() {
	COMPLETION=$1/usr/share/bash-completion/completions/xen-pci
	is "completion: commands" "$(complete_words 'xen-pci assign')" \
		"assignable-add assignable-list assignable-remove "
	is "completion: BDFs from sysfs" \
		"$(complete_words 'xen-pci assignable-add ')" \
		"0000:07:00.0 0000:07:00.1 "
	is "completion: options of remove" \
		"$(complete_words 'xen-pci assignable-remove -')" \
		"--agent-domid --help --json --persistent --timeout -r "
	is "completion: options of add" \
		"$(complete_words 'xen-pci assignable-add -')" \
		"--agent-domid --help --json --persistent --timeout -n "
	is "completion: nothing for the NAME of add -n" \
		"$(complete_words 'xen-pci assignable-add -n ')" ""
	is "completion: a BDF after add -n NAME" \
		"$(complete_words 'xen-pci assignable-add -n nic0 0000:07:00.')" \
		"0000:07:00.0 0000:07:00.1 "
	xenstore-write /libxl/pci/0000-07-00-1/name wired
	is "completion: remove offers device names (libxl's)" \
		"$(complete_words 'xen-pci assignable-remove wi')" "wired "
	xenstore-rm /libxl/pci/0000-07-00-1
	is "completion: list --long" \
		"$(complete_words 'xen-pci list --l')" "--long "
	simhost domain create 7 --name web >/dev/null
	is "completion: domain ids and names" \
		"$(complete_words 'xen-pci attach ')" "7 web "
	simhost domain destroy 7 >/dev/null
}
