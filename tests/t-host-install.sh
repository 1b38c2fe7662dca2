#!/usr/bin/env bash
# make install PREFIX=/usr DESTDIR=<a throw-away root>: the tree it
# lays out, a toolstack built with pkg-config against the installed
# libxenpci, the man pages (man --warnings), the bash completion, and
# the installed agent run by its init script and by its systemd unit's
# ExecStart against the simulated host (tests/host-lib.sh).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"
. "$TOP/tests/host-lib.sh"

KEEP=$(mktemp -d /tmp/xpa-host.XXXXXX)
ROOT=$KEEP/root
cleanup() {
	[ -f "$KEEP/agent.pid" ] && kill -9 "$(cat "$KEEP/agent.pid")" 2>/dev/null
	sim_down
	rm -rf "$KEEP"
	t_exit
}
sim_up
trap cleanup EXIT

make -C "$TOP" -s install BUILD="$BUILD" PREFIX=/usr DESTDIR="$ROOT" \
	>"$KEEP/install.log" 2>&1
is "make install PREFIX=/usr DESTDIR=...: exit 0" "$?" 0
for f in usr/sbin/xen-pci-agent usr/bin/xen-pci \
	 usr/lib/libxenpci.so.1.0.0 usr/lib/libxenpci.so.1 usr/lib/libxenpci.so \
	 usr/lib/pkgconfig/xenpci.pc usr/include/xenpci_client.h \
	 usr/include/xenpci_protocol.h etc/xen/xen-pci-agent.cfg \
	 etc/default/xen-pci-agent etc/init.d/xen-pci-agent \
	 lib/systemd/system/xen-pci-agent.service \
	 usr/share/bash-completion/completions/xen-pci \
	 usr/share/man/man8/xen-pci-agent.8 etc/xen/scripts/pci \
	 etc/xen/scripts/pci-common.sh; do
	check "installed: /$f" test -e "$ROOT/$f"
done
check "the init script is executable" test -x "$ROOT/etc/init.d/xen-pci-agent"
check "the default hotplug script is executable" test -x "$ROOT/etc/xen/scripts/pci"
like "the init script starts after xen, before xendomains" \
	"$(sed -n '/BEGIN INIT INFO/,/END INIT INFO/p' "$ROOT/etc/init.d/xen-pci-agent")" \
	'Required-Start:.* xen.*X-Start-Before: *xendomains'
check "the init script passes --pidfile" \
	grep -q -- '--pidfile "$PIDFILE"' "$ROOT/etc/init.d/xen-pci-agent"
like "the soname is libxenpci.so.1" \
	"$(objdump -p "$ROOT/usr/lib/libxenpci.so.1.0.0" | grep SONAME)" \
	'libxenpci\.so\.1$'
make -C "$TOP" -s install BUILD="$BUILD" PREFIX=/opt/xpa DESTDIR="$KEEP/opt" \
	>>"$KEEP/install.log" 2>&1
like "PREFIX=/opt/xpa: xenpci.pc says so" \
	"$(cat "$KEEP/opt/opt/xpa/lib/pkgconfig/xenpci.pc")" 'prefix=/opt/xpa'
check "PREFIX=/opt/xpa: the unit runs /opt/xpa/sbin/xen-pci-agent" \
	grep -q '^ExecStart=/opt/xpa/sbin/xen-pci-agent ' \
	"$KEEP/opt/lib/systemd/system/xen-pci-agent.service"
check "PREFIX=/opt/xpa: so does the init script" \
	grep -qx 'DAEMON=/opt/xpa/sbin/xen-pci-agent' \
	"$KEEP/opt/etc/init.d/xen-pci-agent"

host_check_tree "$ROOT" /usr/lib
host_check_completion "$ROOT"
# The example configuration with one persistent assignment.
sed -i "s/^#assignable = .*/assignable = [ '07:00.0' ]/" \
	"$ROOT/etc/xen/xen-pci-agent.cfg"
host_check_init "$ROOT"
host_check_unit "$ROOT"
t_exit
