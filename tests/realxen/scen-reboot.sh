# Scenario: a device the agent attached is in libxl's saved domain
# configuration exactly as xl pci-attach leaves it, so `xl reboot`
# brings it back: the rebooted guest (a new domain, made by xl's own
# monitoring process from that configuration) has it again, and a
# detach through the agent takes it out.  Real world only: the
# simulated host runs no libxl to rebuild a guest from its
# configuration (tests/t-host-savedcfg.sh covers the file there).
xt_agent_start || return

# The saved configuration of domain $1 (libxl__userdata_path()), and
# the same without libxl's trailing NUL for the eye.
xt_saved() { ls /var/lib/xen/userdata-d."$1".*.libxl-json 2>/dev/null; }
xt_saved_show() { tr -d '\0' < "$(xt_saved "$1")"; }
xt_saved_has() { xt_saved_show "$1" | grep -q '"pcidevs"'; }
# xt_same_file NAME A B: byte for byte.
xt_same_file() {
	if cmp -s "$2" "$3"; then
		xt_ok "$1"
	else
		xt_not_ok "$1"
		xt_diag "--- $2" "$(tr -d '\0' < "$2")" "--- $3" \
			"$(tr -d '\0' < "$3")"
	fi
}
# The console keeps the first boot's reports: only those after the last
# "XGUEST up" are the rebooted guest's.
xt_new_boot_sees() {
	[ "$(tr -d '\r' < "$(xt_guest_log "$1")" | awk '
		/^XGUEST up/ { last = "" }
		/^XGUEST pci:/ { last = $0 }
		END { print last }')" = "XGUEST pci: $2" ]
}
xt_ups() { grep -c '^XGUEST up' "$(xt_guest_log "$1")" 2>/dev/null; }
xt_rebooted() {
	local d
	d=$(xl domid "$1" 2>/dev/null) && [ "$d" != "$2" ] &&
		[ "$(xt_ups "$1")" -ge 2 ]
}

xt_check "assignable-add $NIC1" xen-pci assignable-add $NIC1
xt_check "create guest g1" xt_guest_create g1
D1=$(xt_guest_domid g1)
xt_wait_check "guest g1 boots" 180 xt_guest_up g1
xt_check "xl stored g1's configuration" test -s "$(xt_saved "$D1")"
cp "$(xt_saved "$D1")" "$XT_TMP/created.json"

# The agent's entry is libxl's: compare with xl's own attach.
xt_check "xen-pci attach $NIC1 to g1" xen-pci attach "$D1" $NIC1
xt_wait_check "g1 sees it" 60 xt_guest_sees "$D1" 0000:00:00.0
cp "$(xt_saved "$D1")" "$XT_TMP/agent.json"
xt_check "xen-pci detach $NIC1" xen-pci detach "$D1" $NIC1
xt_wait_check "g1 no longer sees it" 60 xt_guest_sees_nothing "$D1"
xt_same_file "the agent's detach leaves the configuration as created" \
	"$XT_TMP/created.json" "$(xt_saved "$D1")"
xt_check "xl pci-attach g1 00:03.0" xl pci-attach g1 00:03.0
xt_wait_check "g1 sees xl's attach" 60 xt_guest_sees "$D1" 0000:00:00.0
xt_same_file "the agent's attach stored what xl pci-attach stores" \
	"$(xt_saved "$D1")" "$XT_TMP/agent.json"
xt_check "xl pci-detach g1 00:03.0" xl pci-detach g1 00:03.0
xt_wait_check "g1 no longer sees it (xl)" 60 xt_guest_sees_nothing "$D1"
xt_check "libxl's own detach leaves its entry (libxl 4.17)" \
	xt_saved_has "$D1"

xt_check "xen-pci attach $NIC1 to g1 again" xen-pci attach "$D1" $NIC1
xt_wait_check "g1 sees it again" 60 xt_guest_sees "$D1" 0000:00:00.0
xt_same_file "one entry, the agent's (libxl's stale one replaced)" \
	"$(xt_saved "$D1")" "$XT_TMP/agent.json"

xt_check "xl reboot g1" xl reboot g1
xt_wait_check "g1 comes back as a new domain and boots" 300 \
	xt_rebooted g1 "$D1"
D2=$(xl domid g1)
xt_diag "g1 was domain $D1, is now $D2"
echo "$D2 g1" >> "$XT_TMP/guests"
xt_wait_check "rebooted g1 sees $NIC1 again, its e1000 driver bound" 120 \
	xt_new_boot_sees g1 "0000:00:00.0=8086:100e/e1000"
xt_is "libxl's record says the new domain has it" \
	"$(xenstore-read /libxl/pci/0000-00-03-0/domid)" "$D2"
xt_check "xl pci-list of the rebooted g1 shows it" sh -c \
	"xl pci-list $D2 | grep -q '0000:00:03.0'"
xt_check "its new saved configuration keeps it" xt_saved_has "$D2"
# xl's own attach is not published by itself: a list rewrites R/devices
# (agent/ops.c ops_publish(): a list rewrites the tree).
xt_check "xen-pci assignable-list" xen-pci assignable-list
xt_wait_check "the agent says it is attached to the new domain" 60 sh -c \
	"[ \"\$(xenstore-read $R/devices/0000-00-03-0/domid)\" = $D2 ]"

xt_check "xen-pci detach $NIC1 from the rebooted g1" \
	xen-pci detach "$D2" $NIC1
xt_wait_check "rebooted g1 no longer sees it" 60 xt_guest_sees_nothing "$D2"
xt_check "its saved configuration no longer has it" sh -c \
	"! grep -q pcidevs $(xt_saved "$D2")"
xt_check "destroy g1" xt_guest_destroy "$D2"
xt_check "assignable-remove -r $NIC1" xen-pci assignable-remove -r $NIC1
xt_is "e1000 has it back" "$(xt_driver $NIC1)" e1000
xt_check "agent stops cleanly" xt_agent_stop
