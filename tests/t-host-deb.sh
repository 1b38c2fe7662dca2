#!/usr/bin/env bash
# The Debian package: dpkg-buildpackage -us -uc -b builds it from a copy
# of this tree; its contents are where the man pages say; its maintainer
# scripts register the init script and the unit and stop the agent on
# removal; unpacked into a throw-away root, the installed agent runs by
# its init script and by its unit's ExecStart against the simulated
# host (tests/host-lib.sh).
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

# The tree as committed plus what is not yet, without build outputs.
mkdir "$KEEP/src"
(cd "$TOP" && git ls-files -co --exclude-standard -z |
	xargs -0 tar -c --no-recursion -f - 2>/dev/null) | tar -x -C "$KEEP/src"
start=$SECONDS
(cd "$KEEP/src" && dpkg-buildpackage -us -uc -b) >"$KEEP/build.log" 2>&1
rc=$?
is "dpkg-buildpackage -us -uc -b: exit 0" "$rc" 0
[ $rc = 0 ] || { tail -20 "$KEEP/build.log" | sed 's/^/# /'; exit 1; }
diag "package built in $((SECONDS - start)) s"
deb=$(ls "$KEEP"/xen-pci-agent_*_"$(dpkg --print-architecture)".deb)
check "a .deb is built" test -f "$deb"
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
contents=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
for f in /usr/sbin/xen-pci-agent /usr/bin/xen-pci \
	 /etc/xen/xen-pci-agent.cfg /etc/default/xen-pci-agent \
	 /etc/init.d/xen-pci-agent /lib/systemd/system/xen-pci-agent.service \
	 /usr/lib/$MA/libxenpci.so.1.0.0 /usr/lib/$MA/pkgconfig/xenpci.pc \
	 /usr/include/xenpci_client.h \
	 /usr/share/bash-completion/completions/xen-pci \
	 /usr/share/man/man1/xen-pci.1.gz /usr/share/man/man5/xen-pci-agent.cfg.5.gz \
	 /usr/share/man/man7/xen-pci-protocol.7.gz \
	 /usr/share/man/man8/xen-pci-agent.8.gz /var/lib/xen-pci-agent/ \
	 /etc/xen/scripts/pci /etc/xen/scripts/pci-common.sh; do
	check "the package holds $f" grep -qx "$f" <<<"$contents"
done
conffiles=$(dpkg-deb -f "$deb" >/dev/null; dpkg-deb --ctrl-tarfile "$deb" |
	tar -xO ./conffiles)
check "the configuration is a conffile" \
	grep -qx /etc/xen/xen-pci-agent.cfg <<<"$conffiles"
check "the init script is a conffile" \
	grep -qx /etc/init.d/xen-pci-agent <<<"$conffiles"
mkdir "$KEEP/ctrl"
dpkg-deb -e "$deb" "$KEEP/ctrl"
check "postinst registers the init script (update-rc.d)" \
	grep -q 'update-rc.d xen-pci-agent' "$KEEP/ctrl/postinst"
check "postinst enables the unit (deb-systemd-helper)" \
	grep -q "deb-systemd-helper enable 'xen-pci-agent.service'" "$KEEP/ctrl/postinst"
check "prerm stops the agent on removal" \
	grep -qE 'invoke-rc.d.* xen-pci-agent stop|deb-systemd-invoke stop.*xen-pci-agent.service' \
	"$KEEP/ctrl/prerm"
like "it depends on the libraries it links" \
	"$(dpkg-deb -f "$deb" Depends)" 'libsystemd0.*libxenstore'

dpkg-deb -x "$deb" "$ROOT"
host_check_tree "$ROOT" "/usr/lib/$MA"
host_check_completion "$ROOT"
sed -i "s/^#assignable = .*/assignable = [ '07:00.0' ]/" \
	"$ROOT/etc/xen/xen-pci-agent.cfg"
host_check_init "$ROOT"
host_check_unit "$ROOT"
t_exit
