# Scenario 3: permissive mode, per device (permissive=1 in the spec) and
# per domain (R/domains/<domid>/permissive, xl's pci_permissive), as
# pciback's permissive file and the kernel log show it; detach takes
# it away again.
xt_agent_start || return

xt_check "assignable-add $NIC2" xen-pci assignable-add $NIC2
xt_check "assignable-add $NIC1" xen-pci assignable-add $NIC1
xt_check "create guest g1" xt_guest_create g1
D=$(xt_guest_domid g1)
xt_wait_check "guest g1 boots" 180 xt_guest_up g1

xt_check "attach $NIC2,permissive=1" xen-pci attach "$D" 00:05.0,permissive=1
xt_wait_check "g1 sees it" 60 xt_guest_sees "$D" 0000:00:00.0
xt_is "pciback's permissive file lists it" \
	"$(xt_pciback_file permissive)" "$NIC2"
xt_check "the kernel logged permissive mode for $NIC2" \
	xt_permissive_logged $NIC2
xt_is "R/devices says permissive" \
	"$(xenstore-read $R/devices/0000-00-05-0/permissive)" 1
xt_check "xen-pci list shows permissive=1" sh -c \
	"xen-pci list --long $D | grep '$NIC2' | grep -q permissive=1"
xt_dump permissive-device

# The domain default, through a raw request.
xt_check "write R/domains/$D/permissive = 1" \
	xenstore-write $R/domains/$D/permissive 1
xt_is "raw attach request for $NIC1 takes the domain default" \
	"$(xt_request rx-perm-1 attach domid="$D" spec=00:03.0)" "ok  "
xenstore-rm $R/requests/rx-perm-1
xt_wait_check "g1 sees both" 60 xt_guest_sees "$D" 0000:00:00.0 0000:00:01.0
xt_is "pciback's permissive file lists both" \
	"$(xt_pciback_file permissive | sort | tr '\n' ' ')" "$NIC1 $NIC2 "
xt_dump permissive-domain

xt_check "detach $NIC2" xen-pci detach "$D" $NIC2
xt_check "detach $NIC1" xen-pci detach "$D" $NIC1
xt_wait_check "g1 sees nothing" 60 xt_guest_sees_nothing "$D"
# pciback forgets the flag only when the device leaves it; xl leaves
# it set, the agent clears it at the next attach that does not ask.
xt_is "after detach pciback still lists both (sticky, as with xl)" \
	"$(xt_pciback_file permissive | sort | tr '\n' ' ')" "$NIC1 $NIC2 "
xt_dump detach
xt_check "remove the domain default" xenstore-rm $R/domains/$D/permissive
xt_check "attach $NIC1 again, not permissive" xen-pci attach "$D" $NIC1
xt_wait_check "g1 sees it" 60 xt_guest_sees "$D" 0000:00:00.0
xt_is "pciback's permissive file no longer lists $NIC1" \
	"$(xt_pciback_file permissive)" "$NIC2"
xt_is "R/devices says not permissive" \
	"$(xenstore-read $R/devices/0000-00-03-0/permissive)" 0
xt_dump reattach
xt_check "detach $NIC1" xen-pci detach "$D" $NIC1
xt_check "destroy g1" xt_guest_destroy "$D"
xt_check "assignable-remove -r $NIC2" xen-pci assignable-remove -r $NIC2
xt_check "assignable-remove -r $NIC1" xen-pci assignable-remove -r $NIC1
xt_is "pciback's permissive file is empty once they left pciback" \
	"$(xt_pciback_file permissive)" ""
xt_dump end
xt_check "agent stops cleanly" xt_agent_stop
