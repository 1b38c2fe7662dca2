# Scenario 5: interoperation with the real toolstack, real world only
# (the simulated host has no xl).  Both keep the original driver where
# the other looks for it (/libxl/pci/<BDF>/driver_path) and both write
# the PCI backend the same way, so each sees and undoes the other's work.
# At the end a site hotplug script sees xl's own attach and detach
# through the agent's add and remove phases.
xt_agent_start || return
# R/devices follows xl's changes without a request (agent/xlwatch.c):
# published_is STATE [DOMID] for $NIC1.
nic1_dev() { xenstore-read "$R/devices/0000-00-03-0/$1" 2>/dev/null; }
published_is() {
	[ "$(nic1_dev state)" = "$1" ] && [ "$(nic1_dev domid)" = "${2:-}" ]
}

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
xt_wait_check "R/devices: assignable after xl's detach (no request)" 30 \
	published_is assignable
xt_check "xl pci-attach (cold backend written by xl)" \
	xl pci-attach "$D" 00:03.0
xt_wait_check "g1 sees it again" 60 xt_guest_sees "$D" 0000:00:00.0
xt_wait_check "R/devices: attached to g1 after xl's attach (no request)" 30 \
	published_is attached "$D"
xt_check "xen-pci list shows what xl attached" sh -c \
	"xen-pci list $D | grep -q '$NIC1'"
xt_check "xen-pci detach of xl's device" xen-pci detach "$D" $NIC1
xt_wait_check "g1 no longer sees it" 60 xt_guest_sees_nothing "$D"

# Hotplug scripts: xl's own attach and detach (no request) run the
# agent's add and remove phases, once each, with the site's script
# (tests/realxen/site-pci, dom0's /xtest/scripts/pci).
HP=/run/xtest-hotplug.log
xt_check "agent stops for a restart with a script dir" xt_agent_stop
xen-pci-agent --foreground --log-level debug --script-dir /xtest/scripts \
	2>> /run/agent.log &
echo $! > "$XT_TMP/agent.pid"
xt_wait_check "agent serves with --script-dir /xtest/scripts" 30 \
	xt_agent_running
: > "$HP"
xt_check "xl pci-attach for the site script" xl pci-attach "$D" 00:03.0
xt_wait_check "g1 sees it" 60 xt_guest_sees "$D" 0000:00:00.0
xt_wait_check "the site script's add phase ran for xl's attach" 30 \
	grep -q "^add $NIC1 $D " "$HP"
xt_is "add: no request, e1000, the guest's backend" \
	"$(sed -n "s/^add $NIC1 $D //p" "$HP")" \
	" e1000 /local/domain/0/backend/pci/$D/0"
xt_is "hotplug-status connected in xl's backend" \
	"$(xenstore-read /local/domain/0/backend/pci/$D/0/hotplug-status)" \
	connected
xt_check "xl pci-detach for the site script" xl pci-detach "$D" 00:03.0
xt_wait_check "g1 no longer sees it" 60 xt_guest_sees_nothing "$D"
xt_wait_check "the site script's remove phase ran for xl's detach" 30 \
	grep -q "^remove $NIC1 $D " "$HP"
sleep 2
xt_is "each phase ran once" "$(cut -d' ' -f1 "$HP" | tr '\n' ' ')" \
	"add remove "
sed 's/^/XTEST # site script: /' "$HP"
xt_check "destroy g1" xt_guest_destroy "$D"
xt_check "xen-pci assignable-remove -r" xen-pci assignable-remove -r $NIC1
xt_is "e1000 has it back" "$(xt_driver $NIC1)" e1000
xt_check "agent stops cleanly" xt_agent_stop
