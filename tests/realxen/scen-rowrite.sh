# Scenario 10: a guest writes a configuration space field pciback does
# not emulate (0x48 of the e1000: no header field, no capability).
# pciback drops it and warns once in dom0's kernel log; the agent,
# reading the kernel log, puts a permissive hint on the device.
xt_agent_start || return

xt_check "assignable-add $NIC1" xen-pci assignable-add $NIC1
XT_GUEST_EXTRA=xtest_cfgwrite=72 xt_check "create guest g1" xt_guest_create g1
D=$(xt_guest_domid g1)
xt_wait_check "guest g1 boots" 180 xt_guest_up g1
xt_check "attach $NIC1 to g1" xen-pci attach "$D" $NIC1
xt_wait_check "g1 sees it" 60 xt_guest_sees "$D" 0000:00:00.0
xt_check "g1 writes config space at 0x48" \
	xt_guest_cfgwrite "$D" 0000:00:00.0 72
xt_wait_check "pciback warns in the kernel log" 30 xt_dmesg_ro_write $NIC1
H=$R/devices/0000-00-03-0/permissive-hint
xt_wait_check "the agent puts a permissive hint on $NIC1" 30 \
	xenstore-exists $H
case $(xenstore-read $H) in
*"domain $D wrote read-only config space at 0x48 (size 2)"*permissive=1*)
	xt_ok "the hint names the guest, the offset and permissive=1" ;;
*)	xt_not_ok "the hint names the guest, the offset and permissive=1"
	xt_diag "$(xenstore-read $H)" ;;
esac
xt_dump hinted

xt_check "detach $NIC1" xen-pci detach "$D" $NIC1
xt_wait_check "g1 sees nothing" 60 xt_guest_sees_nothing "$D"
xt_check "destroy g1" xt_guest_destroy "$D"
xt_check "assignable-remove -r $NIC1" xen-pci assignable-remove -r $NIC1
xt_check "the hint went with it" sh -c "! xenstore-exists $H"
xt_dump end
xt_check "agent stops cleanly" xt_agent_stop
