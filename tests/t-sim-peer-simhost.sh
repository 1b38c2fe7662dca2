#!/usr/bin/env bash
# simpeer as simhost starts it, on the FUSE sysfs (simsysfs): a device
# bound to pciback through sysfs is exported and released, and
# simsysfs sees the guest take and let go of it (sim/hotplug), with
# pciback's reset on release; domain create records --no-passthrough.
. "$(dirname "$0")/sim/peer/peer-lib.sh"

sim_up
BDF=0000:07:00.0
P=$SYSFS_ROOT/bus/pci/drivers/pciback
LOG=$SIMSYSFS_CTL/log
logged() { grep -qE "^[0-9]+ $1\$" "$LOG"; }

if [ -e "$SYSFS_ROOT/bus/pci/devices/$BDF/driver" ]; then
	echo -n $BDF >"$SYSFS_ROOT/bus/pci/devices/$BDF/driver/unbind"
fi
echo -n $BDF >"$P/new_slot"
echo -n $BDF >"$P/bind"
check "the device is on pciback" test -e "$P/$BDF"

guest 5
be_create 5 $BDF
check "cold-plug on simhost: BE Connected" wait_until 10 be_state 5 4
check "cold-plug on simhost: FE Connected" wait_until 10 fe_state 5 4
check "the guest sees it" \
	wait_until 10 view_is 5 "0000:00:00.0 <- 0000:07:00.0"
check "sim/log: the export note" logged "note pciback-export $BDF dom 5"
check "simsysfs knows the owner" \
	grep -q "^$BDF .* domid=5" "$SIMSYSFS_CTL/state"

# domain create --no-passthrough: a guest without an IOMMU context, the
# "passthrough=" line of its domain file, which libsimxen.so reads in
# every process (xc_assign_device then fails with EOPNOTSUPP, checked in
# t-attach-errors).  The default is passthrough enabled, and pause,
# unpause and domain set keep the flag.
dom_line() { grep -qxF "$2" "$SIMXEN_DIR/domains/$1"; }
check "domain create: passthrough enabled by default" \
	dom_line 5 passthrough=1
check "domain create --no-passthrough is accepted" \
	simhost domain create 6 --name nopt --no-passthrough
check "--no-passthrough is recorded" dom_line 6 passthrough=0
simhost domain pause 6 >/dev/null
simhost domain set 6 pcifront=0 >/dev/null
check "pause and domain set keep passthrough=0" dom_line 6 passthrough=0
check "... and record what they changed" dom_line 6 pcifront=0
simhost domain unpause 6 >/dev/null
check "unpause keeps passthrough=0" dom_line 6 passthrough=0
check "--help lists --no-passthrough" \
	sh -c "simhost --help | grep -q -- '--no-passthrough'"
simhost domain destroy 6 >/dev/null
check "destroyed: no domain file" test ! -e "$SIMXEN_DIR/domains/6"

simhost domain destroy 5 >/dev/null
check "destroyed: release note" \
	wait_until 10 logged "note pciback-release $BDF dom 5"
check "destroyed: pciback's reset on release" \
	wait_until 10 logged "reset $BDF [a-z]+ pciback-release"
check "simsysfs: no owner any more" \
	sh -c "! grep -q '^$BDF .* domid=' $SIMSYSFS_CTL/state"
t_done
