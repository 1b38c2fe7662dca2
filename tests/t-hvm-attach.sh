#!/usr/bin/env bash
# HVM guests with qemu-xen: attach and detach through QMP as libxl 4.17
# does (libxl_pci.c pci_add_qmp_device_add(), pci_add_qmp_query_pci_cb(),
# pci_remove_qmp_device_del()): hot-plug into a running guest, cold-plug
# into a paused one, @vslot, permissive, rdm_policy, a `*` spec (function
# 0 last), libxl's records, R/devices, the CLI, and xl holding the QMP
# socket meanwhile.
. "$(dirname "$0")/hvm-lib.sh"

host_up --inventory "$ATTACH_INV"
hvm_agent_up
make_assignable $A $B $C $D $E
hvm_guest 9
hvm_guest 10
simhost domain pause 10 >/dev/null

# --- hot-plug into a running guest ---------------------------------------
mark
attach_ok "07:00.0 into HVM dom 9" a1 9 07:00.0
is "a1: result/vdev is QEMU's first free slot" "$(rq a1 result/vdev)" \
	"$(vdev_of 04 0)"
assert_hvm_attached "a1" 9 $A 04.0 0
is "a1: libxl's device_add, once" "$(sent_re 9 "$(device_add_re $A)")" 1
check "a1: then query-pci" eval "sent 9 | grep -q '\"execute\":\"query-pci\"'"
is "a1: assign_device with rdm strict (flag 0), once" \
	"$(hc_count "assign_device dom=9 sbdf=$A flag=0 rc=0")" 1
check "a1: no pcifront handshake for an HVM guest" \
	eval "! xs_exists $(fe 9)/state || [ \"\$(xs_read $(fe 9)/state)\" = 1 ]"

# --- detach --------------------------------------------------------------
mark
detach_ok "07:00.0 out of dom 9" d1 9 07:00.0
assert_hvm_released "d1" $A 9
check "d1: libxl's device_del" sent_has 9 \
	"$(sent 9 | grep -F '"execute":"device_del","arguments":{"id":"pci-pt-07_00.0"}' | tail -1)"
is "d1: deassigned from dom 9" "$(hc_count_re "deassign_device dom=9 sbdf=$A .*rc=0")" 1
assert_no_backend "d1: the last device takes libxl's backend" 9

# --- @vslot, permissive, rdm_policy=relaxed --------------------------------
mark
attach_ok "07:00.0@6,permissive=1,rdm_policy=relaxed into dom 9" v1 9 \
	'07:00.0@6,permissive=1,rdm_policy=relaxed'
is "v1: result/vdev is the slot asked for" "$(rq v1 result/vdev)" "$(vdev_of 06 0)"
assert_hvm_attached "v1" 9 $A 06.0 1 relaxed
is "v1: device_add with addr and permissive" \
	"$(sent_re 9 "$(device_add_re $A 6.0 1)")" 1
is "v1: assign_device with rdm relaxed (flag 1)" \
	"$(hc_count "assign_device dom=9 sbdf=$A flag=1 rc=0")" 1
check "v1: pciback lists it as permissive" sys_permissive $A

# R/domains/<domid>/permissive applies when the spec does not say.
xenstore-write "$R/domains/9/permissive" 1
attach_ok "08:00.0 into dom 9 with the domain's permissive default" v2 9 08:00.0
assert_hvm_attached "v2" 9 $C 04.0 1
xenstore-rm "$R/domains/9/permissive"
detach_ok "v1 out" v3 9 07:00.0
assert_hvm_released "v3" $A 9
detach_ok "v2 out" v4 9 08:00.0
assert_hvm_released "v4" $C 9
check "v4: permissive cleared for the next guest" eval "! sys_permissive $C || true"

# --- a paused guest: QEMU takes the device as xl pci-attach does ---------
mark
attach_ok "09:00.0 into paused dom 10" p1 10 09:00.0
assert_hvm_attached "p1" 10 $D 04.0 0
simhost domain unpause 10 >/dev/null
detach_ok "09:00.0 out of dom 10" p2 10 09:00.0
assert_hvm_released "p2" $D 10

# --- a * spec: every function in the slot asked for, function 0 last -----
mark
attach_ok "07:00.*@5 into dom 9" w1 9 '07:00.*@5'
is "w1: result/vdev is function 0's" "$(rq w1 result/vdev)" "$(vdev_of 05 0)"
assert_hvm_attached "w1: 07:00.0" 9 $A 05.0 0
assert_hvm_attached "w1: 07:00.1" 9 $B 05.1 0
first=$(sent 9 | grep -oE '"hostaddr":"[^"]*"' | tail -2 | head -1)
last=$(sent 9 | grep -oE '"hostaddr":"[^"]*"' | tail -1)
is "w1: function 1 goes in first" "$first" "\"hostaddr\":\"$B\""
is "w1: function 0 goes in last (QEMU shows the slot then)" "$last" "\"hostaddr\":\"$A\""
is "w1: function 0 says multifunction" \
	"$(sent 9 | grep '"device_add"' | tail -1 | grep -c '"multifunction":true')" 1
run_err "07:00.* without @vslot" EINVAL w2 attach domid=10 spec='07:00.*'
like "w2: the message asks for a virtual slot" "$ERRMSG" 'virtual slot'
detach_ok "07:00.1 out" w3 9 07:00.1
detach_ok "07:00.0 out" w4 9 07:00.0
assert_hvm_released "w4: 07:00.0" $A 9
assert_hvm_released "w4: 07:00.1" $B 9

# --- several specs, one request ---------------------------------------------
attach_ok "spec-0..1 into dom 9" m1 9 07:00.0
detach_ok "m1 out" m0 9 07:00.0
run_ok "spec-0 08:00.0, spec-1 0a:00.0@7" m2 attach domid=9 spec-0=08:00.0 \
	spec-1=0a:00.0@7
is "m2: result/vdev-0" "$(rq m2 result/vdev-0)" "$(vdev_of 04 0)"
is "m2: result/vdev-1" "$(rq m2 result/vdev-1)" "$(vdev_of 07 0)"
assert_hvm_attached "m2: 08:00.0" 9 $C 04.0 0
assert_hvm_attached "m2: 0a:00.0" 9 $E 07.0 0
run_err "08:00.0 into dom 9 again" EEXIST m3 attach domid=9 spec=08:00.0
run_err "08:00.0 into dom 10 while dom 9 has it" EBUSY m4 attach domid=10 \
	spec=08:00.0

# --- the CLI ----------------------------------------------------------------
out=$(xen-pci list 9 2>&1)
like "cli: xen-pci list 9 shows 08:00.0 at QEMU's 04.0, as xl pci-list" \
	"$out" '(^|'$'\n'')04\.0 0000:08:00\.0 '
like "cli: and 0a:00.0 at 07.0" "$out" '(^|'$'\n'')07\.0 0000:0a:00\.0 '
out=$(xen-pci detach 9 0a:00.0 2>&1)
is "cli: xen-pci detach 9 0a:00.0 exits 0" "$?" 0
assert_hvm_released "cli detach" $E 9
out=$(xen-pci attach 9 0a:00.0@8 2>&1)
is "cli: xen-pci attach 9 0a:00.0@8 exits 0 ($out)" "$?" 0
assert_hvm_attached "cli attach" 9 $E 08.0 0

# --- xl holds the QMP socket: the agent waits its turn -------------------
hold=$SIM/hold-release
connected=$SIM/xl-connected
qmpc -t 60 -c "$connected" "$QMP_DIR/qmp-libxl-9" \
	'{"execute":"qmp_capabilities"}' "hold:$hold" \
	'{"execute":"query-status"}' >"$SIM/xl.out" 2>&1 &
XL=$!
wait_until 10 test -e "$connected"
req x1 detach domid=9 spec=0a:00.0
wait_until 10 eval '[ "$(rq x1 status)" = running ]'
sleep 0.5	# time to finish, were it not waiting: it must not have
is "x1: the detach waits while xl has the socket" "$(rq x1 status)" running
touch "$hold"
is "x1: then it ends ok" "$(wait_final x1 30)" ok
wait "$XL"
is "x1: xl's session went on undisturbed" "$?" 0
assert_hvm_released "x1" $E 9

detach_ok "08:00.0 out" z1 9 08:00.0
assert_hvm_released "z1" $C 9
assert_no_backend "z1" 9
