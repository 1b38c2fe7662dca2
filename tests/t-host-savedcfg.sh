#!/usr/bin/env bash
# libxl's saved domain configuration (agent/savedcfg.c): simhost writes
# every guest's libxl-json as libxl does at create; an attach through
# the agent leaves it byte for byte as libxl leaves it after xl
# pci-attach of the same specs (tests/tools/libxljson.c: xl's spec
# parser, libxl's defaults and its JSON generator), so xl reboot and
# save/restore bring the device back, and the same as Debian's real xl
# 4.17 stores (run over the simulated host); a detach takes the entry
# out, waiting for libxl's lock like the attach; a
# failed attach leaves the file as it was; kill -9 before and after the
# write converges; libxl's domain-userdata lock is waited for; a guest
# with no saved configuration still gets its device.
. "$(dirname "$0")/hvm-lib.sh"

host_up --inventory "$ATTACH_INV"
agent_up
make_assignable $A $B $C
guest 5

uuid_of() { sed -n 's/^uuid=//p' "$SIMXEN_DIR/domains/$1"; }
cfg_of() { echo "$XEN_LIB_DIR/userdata-d.$1.$(uuid_of "$1").libxl-json"; }
lock_of() {
	echo "$XEN_LIB_DIR/userdata-l.$1.$(uuid_of "$1").domain-userdata-lock"
}
# want NAME SPEC...: libxl's file for dom 5 after xl pci-attach of SPECs
# to the configuration as it was created.
want() {
	local n=$1
	shift
	LD_PRELOAD=$SIMXEN_PRELOAD "$BIN/libxl-json" "$W/created${DOM:-5}" \
		"$@" > "$W/$n"
}
# cfg_is DESC NAME: dom 5's (or $DOM's) file is NAME, a diff if not.
cfg_is() {
	local f
	f=$(cfg_of "${DOM:-5}")
	if cmp -s "$f" "$W/$2"; then
		ok "$1"
	else
		not_ok "$1"
		diff <(tr -d '\0' < "$W/$2") <(tr -d '\0' < "$f") |
			sed 's/^/# /'
	fi
}
pcidevs() { tr -d '\0' < "$(cfg_of 5)" | jq -c '[.pcidevs[]? |
	"\(.domain):\(.bus):\(.dev).\(.func)"]'; }

W=$SIM/savedcfg
mkdir -p "$W"
like "dom 5 has a UUID" "$(uuid_of 5)" '^[0-9a-f]{8}-[0-9a-f]{4}-4'
check "simhost stored dom 5's libxl-json" test -s "$(cfg_of 5)"
cp "$(cfg_of 5)" "$W/created5"
want roundtrip
cfg_is "it is libxl's JSON (libxl's parser and generator leave it as is)" \
	roundtrip
is "with no PCI device" "$(pcidevs)" "[]"

# --- attach and detach -------------------------------------------------
attach_ok "attach 07:00.0 to dom 5" s1 5 07:00.0
want one 07:00.0
cfg_is "s1: the saved configuration is libxl's after xl pci-attach" one
is "s1: the file ends in a NUL, as libxl writes it" \
	"$(tail -c 1 "$(cfg_of 5)" | od -An -tx1 | tr -d ' ')" 00
check "s1: no lock file left (libxl unlinks it on unlock)" \
	test ! -e "$(lock_of 5)"
check "s1: no half-written file left" \
	test ! -e "$XEN_LIB_DIR/userdata-n.5.$(uuid_of 5).libxl-json"

run_ok "hot-plug 07:00.1 permissive, 08:00.0 msitranslate" s2 attach \
	domid=5 spec-0="07:00.1,permissive=1" \
	spec-1="08:00.0,msitranslate=1,power_mgmt=1,rdm_policy=relaxed"
want three 07:00.0 "07:00.1,permissive=1" \
	"08:00.0,msitranslate=1,power_mgmt=1,rdm_policy=relaxed"
cfg_is "s2: every flag as libxl stores it, in attach order" three

detach_ok "detach 07:00.0" s3 5 07:00.0
want two "07:00.1,permissive=1" \
	"08:00.0,msitranslate=1,power_mgmt=1,rdm_policy=relaxed"
cfg_is "s3: detach takes its entry out, the others stay as they were" two
detach_ok "detach 07:00.1" s4 5 07:00.1
detach_ok "detach 08:00.0" s5 5 08:00.0
want none
cfg_is "s5: after the last detach, pcidevs is gone again" none

# An entry libxl's own detach left (it does not remove it): the agent's
# attach replaces it, as device_add_domain_config() does.
want stale "07:00.0,permissive=1"
cp "$W/stale" "$(cfg_of 5)"
attach_ok "attach 07:00.0 over a stale entry of the same device" s6 5 07:00.0
cfg_is "s6: one entry for it, the new one" one
detach_ok "detach 07:00.0 (s6)" s7 5 07:00.0

# --- a failed attach leaves the file as it was ------------------------
mark
simhost fault xen xc_assign_device EBUSY
req f1 attach domid=5 spec=07:00.0
is "f1: the hypervisor refuses the grant: error" "$(wait_final f1)" error
simhost fault clear
cfg_is "f1: the saved configuration is back as it was" none
assert_released "f1" $A 5

# --- libxl's lock --------------------------------------------------------
# hold_lock: a process that holds dom 5's lock as libxl does (flock(2),
# exclusive) until killed; HOLDER is its pid, the one that holds the fd.
hold_lock() {
	( exec 8> "$(lock_of "${1:-5}")" && flock 8 && exec sleep 600 ) &
	HOLDER=$!
}
hold_lock
wait_until 10 test -e "$(lock_of 5)"
req l1 attach domid=5 spec=07:00.0
check "l1: waits while xl holds the domain-userdata lock" \
	wait_until 10 grep -q "step savedcfg" "$AGENT_LOG"
sleep 1
check "l1: no final status while the lock is held" eval "! is_final l1"
cfg_is "l1: the file is untouched while the lock is held" none
kill "$HOLDER"
wait "$HOLDER" 2>/dev/null
is "l1: ok once the lock is free" "$(wait_final l1)" ok
cfg_is "l1: then the entry is there" one
detach_ok "detach 07:00.0 (l1)" l2 5 07:00.0

hold_lock
wait_until 10 test -e "$(lock_of 5)"
req l3 attach domid=5 spec=07:00.0 timeout=2
is "l3: a lock held past the request's timeout: error" \
	"$(wait_final l3 20)" error
is "l3: ETIMEDOUT" "$(rq l3 code)" ETIMEDOUT
kill "$HOLDER"
wait "$HOLDER" 2>/dev/null
check "l3: the attach is undone" wait_until 20 eval \
	"[ \"\$(dev_state $A)\" = assignable ]"
like "l3: the log says whose lock it waited for" "$(cat "$AGENT_LOG")" \
	"libxl's lock .*userdata-l\\.5\\..*held by another process"
cfg_is "l3: the file is as it was" none
assert_released "l3" $A 5

# --- kill -9 before and after the write --------------------------------
agent_stop
for step in savedcfg grant; do
	XEN_PCI_AGENT_CRASH_AT=$step agent_start || exit 1
	req k-$step attach domid=5 spec=07:00.0
	agent_wait_exit_status
	is "k-$step: the agent died (SIGKILL) before the step" "$AGENT_RC" 137
	[ $step = grant ] && cfg_is "k-grant: it died with the entry written" one
	agent_start || exit 1
	is "k-$step: served again after the restart: ok" \
		"$(wait_final k-$step 20)" ok
	cfg_is "k-$step: exactly one entry, libxl's" one
	detach_ok "k-$step: detach" kd-$step 5 07:00.0
	cfg_is "k-$step: none after the detach" none
	agent_stop
done
agent_start || exit 1
attach_ok "attach 07:00.0 for the detach crash" k3 5 07:00.0
agent_stop
XEN_PCI_AGENT_CRASH_AT=unsavedcfg agent_start || exit 1
req k4 detach domid=5 spec=07:00.0
agent_wait_exit_status
is "k4: the agent died before taking the entry out" "$AGENT_RC" 137
cfg_is "k4: the entry is still there" one
agent_start || exit 1
is "k4: the detach finishes after the restart: ok" "$(wait_final k4 20)" ok
cfg_is "k4: the entry is gone" none
check "k4: no lock file left" test ! -e "$(lock_of 5)"

# --- a guest libxl did not make -------------------------------------------
guest 6
rm -f "$(cfg_of 6)"
attach_ok "attach 07:00.0 to dom 6, which has no saved configuration" n1 6 07:00.0
like "n1: the debug log says it was not kept" "$(cat "$AGENT_LOG")" \
	"no saved domain configuration .*userdata-d\\.6\\."
check "n1: and wrote none" test ! -e "$(cfg_of 6)"
detach_ok "detach it (n1)" n2 6 07:00.0

# --- destroy: simhost removes the userdata, as libxl ---------------------
simhost domain destroy 6
check "destroy: dom 6's libxl-json is gone" eval \
	"! ls $XEN_LIB_DIR/userdata-d.6.* > /dev/null 2>&1"

# --- Debian's xl 4.17 itself on the simulated host (tests/bench/ns.sh) -----
XL=${XL:-/usr/lib/xen-4.17/bin/xl}
XLSHIM=$TOP/$BUILD/lib/libbenchxl.so
[ -e "$XLSHIM" ] || XLSHIM=$BUILD/lib/libbenchxl.so
xl() {
	LD_PRELOAD="$SIMXEN_PRELOAD $XLSHIM" "$TOP/tests/bench/ns.sh" \
		"$XL" "$@" > "$SIM/xl.out" 2>&1
}
guest 7
cp "$(cfg_of 7)" "$W/created7"
check "x1: xl pci-attach 7 07:00.0" xl pci-attach 7 07:00.0 ||
	sed 's/^/# /' "$SIM/xl.out"
cp "$(cfg_of 7)" "$W/xl7"
DOM=7 want ref7 07:00.0
DOM=7 cfg_is "x1: real libxl stored what the reference says" ref7
check "x2: xl pci-detach 7 07:00.0" xl pci-detach 7 07:00.0 ||
	sed 's/^/# /' "$SIM/xl.out"
DOM=7 cfg_is "x2: libxl's own detach leaves its entry" xl7
cp "$W/created7" "$(cfg_of 7)"
attach_ok "x3: the agent attaches 07:00.0 to dom 7" x3 7 07:00.0
DOM=7 cfg_is "x3: the agent stored byte for byte what real xl stored" xl7
# xl holds libxl's lock while it changes the file: the agent's detach
# waits for it instead of losing xl's change or its own.
hold_lock 7
req x4 detach domid=7 spec=07:00.0
check "x4: the detach waits for the lock" \
	wait_until 10 grep -q "0000:07:00.0: step unsavedcfg" "$AGENT_LOG"
sleep 1
DOM=7 cfg_is "x4: the entry stays while the lock is held" xl7
kill "$HOLDER"
wait "$HOLDER" 2>/dev/null
is "x4: detach ok once the lock is free" "$(wait_final x4 20)" ok
DOM=7 cfg_is "x4: then the entry is gone" created7
simhost domain destroy 7

# --- an HVM guest: the slot QEMU gave it (pci_add_qmp_query_pci_cb()) ----
agent_stop
agent_start --run-dir "$XEN_RUN_DIR" || exit 1
hvm_guest 9
cp "$(cfg_of 9)" "$W/created9"
attach_ok "attach 07:00.0 to HVM dom 9" h1 9 07:00.0
slot=$(rq h1 result/vdev | cut -d: -f3 | cut -d. -f1)
diag "h1: QEMU put it in slot $slot"
DOM=9 want hvm "07:00.0@$slot"
DOM=9 cfg_is "h1: libxl's entry, with the guest slot QEMU reported" hvm
run_ok "h2: 07:00.1 at slot 06 of dom 9" h2 attach domid=9 spec=07:00.1@06
DOM=9 want hvm2 "07:00.0@$slot" "07:00.1@06"
DOM=9 cfg_is "h2: the slot asked for" hvm2
detach_ok "h3: detach 07:00.0 from dom 9" h3 9 07:00.0
detach_ok "h4: detach 07:00.1 from dom 9" h4 9 07:00.1
DOM=9 want hvm0
DOM=9 cfg_is "h4: no entry left" hvm0
agent_stop
