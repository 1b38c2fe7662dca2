#!/usr/bin/env bash
# Spec strings (parsed by libxlutil, '*' expanded from sysfs), unknown
# devices, a host without pciback and devices hidden at boot.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/agent-lib.sh"

sim_up
agent_start || exit 1
A=0000:07:00.0 B=0000:07:00.1

# --- the spec forms
run_ok "short BDF 07:00.0" s1 assignable-add spec=07:00.0
is "07:00.0 on pciback" "$(drv $A)" pciback
run_ok "full BDF with options 0000:07:00.1,permissive=1,seize=1" s2 \
	assignable-add spec=0000:07:00.1,permissive=1,seize=1
is "07:00.1 on pciback" "$(drv $B)" pciback
run_ok "wildcard remove -r 07:00.*" s3 assignable-remove spec=07:00.* rebind=1
is "07:00.0 back on igb" "$(drv $A)" igb
is "07:00.1 back on igb" "$(drv $B)" igb
run_ok "wildcard add 0000:07:00.*" s4 assignable-add spec=0000:07:00.*
is "both functions on pciback (0)" "$(drv $A)" pciback
is "both functions on pciback (1)" "$(drv $B)" pciback
is "both published" "$(xenstore-list $R/devices | tr '\n' ' ')" \
	"0000-07-00-0 0000-07-00-1 "
run_ok "key form bdf=07:00.1 with a vslot" s5 assignable-remove \
	spec=bdf=07:00.1,vslot=3 rebind=1
is "07:00.1 back on igb" "$(drv $B)" igb
xenstore-write /libxl/pci/0000-07-00-0/name nic0
run_ok "name=nic0 (libxl's /libxl/pci/K/name)" s6 assignable-remove \
	spec=name=nic0 rebind=1
is "07:00.0 back on igb" "$(drv $A)" igb
is "name removed as libxl does" "$(xs_read /libxl/pci/0000-07-00-0/name)" ""

# --- bad specs
for s in xyz 07:00.8 07:00 "07:00.0,bogus=1" "07:00.0,rdm_policy=odd" \
	"07:00.0,permissive" "" "07:00.0@40" "bdf=07:00" "07:00,bdf=07:00.0"; do
	run_err "bad spec '$s'" EINVAL "bad$RANDOM" assignable-add "spec=$s"
done
like "libxlutil's reason is passed on" "$(
	req bad-opt assignable-add spec=07:00.0,bogus=1; wait_final bad-opt >/dev/null
	xs_read $R/requests/bad-opt/error)" 'Unknown PCI_SPEC_STRING option: bogus'
run_err "unknown device 07:01.0" ENODEV u1 assignable-add spec=07:01.0
like "message names the device" "$ERRMSG" '^0000:07:01.0: no such PCI device'
run_err "wildcard with no function present" ENODEV u2 assignable-add spec=0000:09:00.*
run_err "unknown name" ENODEV u3 assignable-remove spec=name=nosuch
run_err "add by name alone" EINVAL u4 assignable-add spec=name=nic0
is "07:00.0 untouched" "$(drv $A)" igb
is "07:00.1 untouched" "$(drv $B)" igb
agent_done
sim_down

# --- a host without xen-pciback
INV=$(mktemp /tmp/xpa-inv.XXXXXX)
cat >"$INV" <<'INV'
pciback=absent
driver igb ids=8086:10a7
0000:07:00.0 8086 10a7 0x020000 igb
INV
sim_up --inventory "$INV"
STATE=$SIM/state
agent_start || exit 1
run_err "add without pciback" ENODEV np1 assignable-add spec=07:00.0
like "message says pciback is not loaded" "$ERRMSG" 'pciback driver is not loaded'
is "device untouched" "$(drv $A)" igb
run_err "list without pciback" ENODEV np2 assignable-list
run_err "remove without pciback" ENODEV np3 assignable-remove spec=07:00.0 rebind=1
agent_done
sim_down

# --- a device hidden at boot (xen-pciback.hide): no known driver
cat >"$INV" <<'INV'
pciback=loaded
driver igb ids=8086:10a7
hide=(0000:07:00.0)
0000:07:00.0 8086 10a7 0x020000 pciback
0000:07:00.1 8086 10a7 0x020000 igb
INV
sim_up --inventory "$INV"
STATE=$SIM/state
agent_start || exit 1
is "hidden device published at start" "$(dev_state $A)" assignable
is "with an empty driver" "$(dev_driver $A)" ""
run_ok "list" h1 assignable-list
check "hidden device listed" xs_exists $R/requests/h1/result/0000-07-00-0
is "with an empty driver" "$(xs_read $R/requests/h1/result/0000-07-00-0)" ""
run_ok "add of a hidden device: already assignable" h2 assignable-add spec=07:00.0
run_err "remove -r with no known driver" ENOENT h3 assignable-remove \
	spec=07:00.0 rebind=1
like "message says it is left unbound" "$ERRMSG" \
	'no original driver is known.*left bound to no driver'
is "device left unbound" "$(drv $A)" none
is "not published any more" "$(dev_state $A)" absent
check "no intent record" no_intents
agent_done
rm -f "$INV"
t_done
