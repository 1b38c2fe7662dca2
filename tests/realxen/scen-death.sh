# Scenario 4: a guest is destroyed with a device attached.  The agent
# sees it go (@releaseDomain), removes its PCI backend, takes the
# device back from the hypervisor, and the device can go to a new guest.
xt_agent_start || return

xt_check "assignable-add $NIC1" xen-pci assignable-add $NIC1
xt_check "create guest g1" xt_guest_create g1
D1=$(xt_guest_domid g1)
xt_wait_check "guest g1 boots" 180 xt_guest_up g1
xt_check "attach $NIC1 to g1" xen-pci attach "$D1" $NIC1
xt_wait_check "g1 sees it" 60 xt_guest_sees "$D1" 0000:00:00.0
xt_dump attach-g1

xt_check "destroy g1 with the device attached" xt_guest_destroy "$D1"
xt_wait_check "the agent marks it assignable again" 60 sh -c \
	"[ \"\$(xenstore-read $R/devices/0000-00-03-0/state)\" = assignable ]"
xt_wait_check "g1's PCI backend is gone" 60 sh -c \
	"! xenstore-exists /local/domain/0/backend/pci/$D1"
xt_is "assignable-list shows it" "$(xen-pci assignable-list)" "$NIC1 "
xt_is "pciback still holds it" "$(xt_driver $NIC1)" pciback
xt_dump after-death

xt_check "create guest g2" xt_guest_create g2
D2=$(xt_guest_domid g2)
xt_wait_check "guest g2 boots" 180 xt_guest_up g2
# Through a raw request this time, as a toolstack writes it.
xt_is "raw attach request for $NIC1 to g2" \
	"$(xt_request rx-death-1 attach domid="$D2" spec=00:03.0)" "ok  "
xenstore-rm $R/requests/rx-death-1
xt_wait_check "g2 sees it" 60 xt_guest_sees "$D2" 0000:00:00.0
[ "$XT_WORLD" = real ] && xt_wait_check "g2's e1000 driver probes it" 60 \
	xt_guest_binds "$D2" 0000:00:00.0 e1000
xt_dump attach-g2

xt_is "raw detach request" \
	"$(xt_request rx-death-2 detach domid="$D2" spec=00:03.0)" "ok  "
xenstore-rm $R/requests/rx-death-2
xt_wait_check "g2 no longer sees it" 60 xt_guest_sees_nothing "$D2"
xt_check "destroy g2" xt_guest_destroy "$D2"
xt_check "assignable-remove -r $NIC1" xen-pci assignable-remove -r $NIC1
xt_is "e1000 has it back" "$(xt_driver $NIC1)" e1000
xt_dump end
xt_check "agent stops cleanly" xt_agent_stop
