# Issue 15 on a host: the agent started by its init script at boot from
# /etc/xen/xen-pci-agent.cfg, whose persistent assignment ($NIC2, in
# scen-NAME.cfg) it applies at start: $NIC2 goes from e1000 to pciback
# with e1000 remembered.  `xen-pci assignable-add --persistent` adds
# $NIC1 to the file, and a restart by the init script keeps both;
# `assignable-remove --persistent -r` gives both back to e1000 and
# empties the list; the init script stops the agent.  (scen-ox.sh runs
# it first; on the simulated host the agent runs with the init script's
# command line, see scenario-lib.sh.)
xt_check "the init script started the agent at boot" xt_initd_booted ||
	return
xt_wait_check "the agent serves (started by the init script)" 30 \
	xt_initd_serving || return
xt_wait_check "persistent $NIC2 is on pciback after the start" 30 \
	xt_driver_is $NIC2 pciback
xt_is "its original driver is remembered" \
	"$(xenstore-read $R/devices/0000-00-05-0/driver)" e1000
xt_is "assignable-list shows it" \
	"$(xen-pci assignable-list | awk '{print $1}' | tr '\n' ' ')" "$NIC2 "
xt_is "$NIC1 stays on e1000" "$(xt_driver $NIC1)" e1000
xt_dump initd-boot

xt_check "assignable-add --persistent $NIC1" \
	xen-pci assignable-add --persistent 00:03.0
xt_check "the configuration file lists $NIC1 and $NIC2" sh -c \
	"grep '^assignable' '$(xt_cfg)' | grep -q '$NIC1' &&
	 grep '^assignable' '$(xt_cfg)' | grep -q '$NIC2'"
P0=$(xt_initd_pid)
xt_check "restart by the init script" xt_initd restart
xt_wait_check "a new agent serves" 30 xt_initd_serving
xt_check "it is another process" test "$(xt_initd_pid)" != "$P0"
xt_is "both are on pciback" "$(xt_driver $NIC1) $(xt_driver $NIC2)" \
	"pciback pciback"
xt_is "assignable-list shows both" \
	"$(xen-pci assignable-list | awk '{print $1}' | tr '\n' ' ')" \
	"$NIC1 $NIC2 "
xt_is "e1000 is still remembered for both" \
	"$(xenstore-read $R/devices/0000-00-03-0/driver) $(xenstore-read \
	$R/devices/0000-00-05-0/driver)" "e1000 e1000"
xt_dump initd-restart

xt_check "assignable-remove --persistent -r $NIC1" \
	xen-pci assignable-remove --persistent -r $NIC1
xt_check "assignable-remove --persistent -r $NIC2" \
	xen-pci assignable-remove --persistent -r $NIC2
xt_is "e1000 has both back" "$(xt_driver $NIC1) $(xt_driver $NIC2)" \
	"e1000 e1000"
xt_check "the configuration file lists neither" sh -c \
	"! grep '^assignable' '$(xt_cfg)' | grep -q '0000:00:0[35]'"
xt_is "assignable-list is empty" "$(xen-pci assignable-list)" ""
xt_dump initd-removed
xt_check "stop by the init script" xt_initd stop
xt_wait_check "the agent is gone" 30 xt_initd_gone
xt_is "and says so" "$(xenstore-read $R/state)" stopped
