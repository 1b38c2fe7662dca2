# Scenario 1: the seed article end to end, through the xen-pci CLI.
# assignable-list, assignable-add, a PV guest, hot-plug attach (the
# guest sees the device and its e1000 driver probes it), list, detach
# (the guest loses it), assignable-remove -r (e1000 takes it back).
xt_agent_start || return

xt_is "assignable-list is empty at first" "$(xen-pci assignable-list)" ""
xt_is "$NIC1 starts on e1000" "$(xt_driver $NIC1)" e1000
xt_dump start

xt_check "assignable-add $NIC1" xen-pci assignable-add 00:03.0
xt_is "pciback holds $NIC1" "$(xt_driver $NIC1)" pciback
xt_is "assignable-list shows $NIC1" "$(xen-pci assignable-list)" "$NIC1 "
xt_dump assignable-add

xt_check "create guest g1" xt_guest_create g1
D=$(xt_guest_domid g1)
xt_wait_check "guest g1 boots" 180 xt_guest_up g1
xt_check "attach $NIC1 to g1 (hot-plug)" xen-pci attach "$D" $NIC1
xt_wait_check "g1 sees it at 00:00.0" 60 xt_guest_sees "$D" 0000:00:00.0
[ "$XT_WORLD" = real ] && xt_wait_check "g1's e1000 driver probes it" 60 \
	xt_guest_binds "$D" 0000:00:00.0 e1000
xt_check "xen-pci list $D shows it" sh -c \
	"xen-pci list $D | grep -q '$NIC1'"
xt_is "assignable-list no longer shows it" "$(xen-pci assignable-list)" ""
xt_dump attach

xt_check "detach $NIC1 from g1" xen-pci detach "$D" $NIC1
xt_wait_check "g1 no longer sees it" 60 xt_guest_sees_nothing "$D"
xt_is "xen-pci list $D is empty" "$(xen-pci list "$D" | grep -c "$NIC1")" 0
xt_is "assignable-list shows it again" "$(xen-pci assignable-list)" "$NIC1 "
xt_dump detach

xt_check "assignable-remove -r $NIC1" xen-pci assignable-remove -r $NIC1
xt_is "e1000 has $NIC1 back" "$(xt_driver $NIC1)" e1000
xt_is "assignable-list is empty again" "$(xen-pci assignable-list)" ""
xt_dump assignable-remove

xt_check "destroy g1" xt_guest_destroy "$D"
xt_check "agent stops cleanly" xt_agent_stop
