# Scenario 5: interoperation with the real toolstack, real world only
# (the simulated host has no xl).  Both keep the original driver where
# the other looks for it (/libxl/pci/<BDF>/driver_path) and both write
# the PCI backend the same way, so each sees and undoes the other's work.
xt_agent_start || return

xt_check "xen-pci assignable-add $NIC1" xen-pci assignable-add $NIC1
xt_check "xl pci-assignable-list shows it" sh -c \
	"xl pci-assignable-list | grep -q '$NIC1'"
xt_check "xl pci-assignable-remove -r of the agent's device" \
	xl pci-assignable-remove -r 00:03.0
xt_is "e1000 has it back (xl read the agent's driver_path)" \
	"$(xt_driver $NIC1)" e1000
xt_is "xen-pci assignable-list no longer shows it" \
	"$(xen-pci assignable-list)" ""

xt_check "xl pci-assignable-add $NIC2" xl pci-assignable-add 00:05.0
xt_is "xen-pci assignable-list shows xl's device" \
	"$(xen-pci assignable-list)" "$NIC2 "
xt_check "xen-pci assignable-remove -r of xl's device" \
	xen-pci assignable-remove -r $NIC2
xt_is "e1000 has it back (the agent read xl's driver_path)" \
	"$(xt_driver $NIC2)" e1000
xt_check "xl pci-assignable-list is empty" sh -c \
	"[ -z \"\$(xl pci-assignable-list)\" ]"

xt_check "xen-pci assignable-add $NIC1" xen-pci assignable-add $NIC1
xt_check "create guest g1" xt_guest_create g1
D=$(xt_guest_domid g1)
xt_wait_check "guest g1 boots" 180 xt_guest_up g1
xt_check "xen-pci attach $NIC1" xen-pci attach "$D" $NIC1
xt_wait_check "g1 sees it" 60 xt_guest_sees "$D" 0000:00:00.0
xt_check "xl pci-list shows what the agent attached" sh -c \
	"xl pci-list $D | grep -q '^00\.0 *0000:00:03\.0'"
xl pci-list "$D" | sed 's/^/XTEST # xl pci-list: /'
xt_check "xl pci-detach of the agent's device" xl pci-detach "$D" 00:03.0
xt_wait_check "g1 no longer sees it" 60 xt_guest_sees_nothing "$D"
xt_check "xl pci-attach (cold backend written by xl)" \
	xl pci-attach "$D" 00:03.0
xt_wait_check "g1 sees it again" 60 xt_guest_sees "$D" 0000:00:00.0
xt_check "xen-pci list shows what xl attached" sh -c \
	"xen-pci list $D | grep -q '$NIC1'"
xt_check "xen-pci detach of xl's device" xen-pci detach "$D" $NIC1
xt_wait_check "g1 no longer sees it" 60 xt_guest_sees_nothing "$D"
xt_check "destroy g1" xt_guest_destroy "$D"
xt_check "xen-pci assignable-remove -r" xen-pci assignable-remove -r $NIC1
xt_is "e1000 has it back" "$(xt_driver $NIC1)" e1000
xt_check "agent stops cleanly" xt_agent_stop
