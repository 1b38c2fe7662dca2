# Scenario 9: dom0 uses one of the e1000s (up, an address and a route on
# it).  The dom0 guard refuses assignable-add with EBUSY naming the
# interface, then --force takes it anyway; the device goes back with
# assignable-remove -r.
xt_agent_start || return

IF=$(ls "$XT_SYSFS/bus/pci/devices/$NIC2/net" 2>/dev/null)
xt_is "$NIC2 has a network interface" "${IF:+yes}" yes
xt_check "dom0 uses $IF: up, 10.0.3.1/24 and a route" \
	xt_dom0_net "$IF" 10.0.3.1/24 10.9.0.0/16
xt_dump in-use

out=$(xen-pci assignable-add $NIC2 2>&1)
rc=$?
xt_is "assignable-add $NIC2 is refused" "$rc" 1
case $out in
*"in use by dom0: $IF is up with route 10.0.3.0/24; $IF is up with route 10.9.0.0/16"*"(EBUSY)"*)
	xt_ok "the refusal is EBUSY and names $IF" ;;
*) xt_not_ok "the refusal is EBUSY and names $IF"; xt_diag "$out" ;;
esac
case $out in
*force*) xt_ok "the refusal says how to override it" ;;
*) xt_not_ok "the refusal says how to override it"; xt_diag "$out" ;;
esac
xt_is "e1000 keeps it" "$(xt_driver $NIC2)" e1000
xt_is "assignable-list is empty" "$(xen-pci assignable-list)" ""
xt_dump refused

xt_check "assignable-add --force $NIC2" xen-pci assignable-add --force $NIC2
xt_is "pciback has it" "$(xt_driver $NIC2)" pciback
xt_is "assignable-list shows it" "$(xen-pci assignable-list)" "$NIC2 "
if grep -q "$NIC2.*force.*$IF" "$XT_AGENT_LOG" 2>/dev/null; then
	xt_ok "the agent logs the override with the reason"
else
	xt_not_ok "the agent logs the override with the reason"
	xt_diag "$(grep -i force "$XT_AGENT_LOG" 2>/dev/null | tail -n 3)"
fi
xt_dump forced

xt_check "assignable-remove -r $NIC2" xen-pci assignable-remove -r $NIC2
xt_is "e1000 has it back" "$(xt_driver $NIC2)" e1000
xt_dump end
xt_check "agent stops cleanly" xt_agent_stop
