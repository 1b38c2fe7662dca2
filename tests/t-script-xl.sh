#!/usr/bin/env bash
# The hotplug script phases of what Debian's xl 4.17 does on its own:
# `xl pci-attach` and `xl pci-detach` (no request) run the agent's add
# and remove phases once each, with xl devd's environment, as xl devd
# runs vif and vbd scripts for backends it did not create; an attach or
# detach by the agent runs them once too, whichever tool undoes it.
# xl runs in a private mount namespace over the simulated sysfs with the
# simulated hypervisor (tests/bench/ns.sh, as make bench runs it).
. "$(dirname "$0")/attach-lib.sh"
. "$TOP/tests/script-lib.sh"

XL=${XL:-/usr/lib/xen-4.17/bin/xl}
if [ ! -x "$XL" ] || [ "$(id -u)" != 0 ]; then
	not_ok "xl 4.17 ($XL) and root (a mount namespace) are needed"
	t_done
	exit 1
fi
host_up
scripts_up
# rec as the default script: the phases of xl's changes run `pci`.
cp "$SCRIPTS/rec" "$SCRIPTS/pci"
script_agent_up
guest 5
XLSHIM=$TOP/$BUILD/lib/libbenchxl.so
[ -e "$XLSHIM" ] || XLSHIM=$BUILD/lib/libbenchxl.so

# xl ARGS...: Debian's xl over the simulated host.
xl() {
	LD_PRELOAD="$SIMXEN_PRELOAD $XLSHIM" "$TOP/tests/bench/ns.sh" \
		"$XL" "$@" >"$SIM/xl.out" 2>&1
}
ncalls_is() { [ "$(ncalls "$1" "$2")" = "$3" ]; }
# settled: the agent logged nothing for a second (a second phase would
# have run by then).
settled() {
	local n
	n=$(wc -l <"$AGENT_LOG")
	sleep 1
	[ "$n" = "$(wc -l <"$AGENT_LOG")" ]
}

# published BDF STATE [DOMID]: R/devices says so (no request asked).
published() {
	[ "$(dev_field "$1" state)" = "$2" ] &&
		[ "$(dev_field "$1" domid)" = "${3:-}" ]
}

make_assignable $A $B
calls_mark

# --- xl pci-attach, xl pci-detach ------------------------------------------
check "xl pci-attach 5 07:00.0" xl pci-attach 5 07:00.0 ||
	sed 's/^/# /' "$SIM/xl.out"
check "xl's attach: the add phase ran (bounded wait)" \
	wait_until 30 ncalls_is add $A 1
wait_until 10 settled
is "xl's attach: add ran once" "$(ncalls add $A)" 1
is "xl's attach: no other phase" "$(wc -l <"$CALLS")" 1
is "xl add: DOMID" "$(call_field add $A domid)" 5
is "xl add: DOMAIN_NAME" "$(call_field add $A name)" g5
is "xl add: XENBUS_TYPE" "$(call_field add $A type)" pci
is "xl add: XENBUS_PATH is the backend" "$(call_field add $A path)" "$(be 5)"
is "xl add: XENBUS_BASE_PATH" "$(call_field add $A base)" \
	/local/domain/0/backend
is "xl add: ORIG_DRIVER from libxl's driver_path" \
	"$(call_field add $A drv)" igb
is "xl add: no request" "$(call_field add $A req)" ""
is "xl add: SYSFS_PATH" "$(call_field add $A sysfs)" \
	"$SYSFS_ROOT/bus/pci/devices/$A"
is "xl add: hotplug-status connected" \
	"$(xs_read "$(be 5)/hotplug-status")" connected
check "xl add: the agent log says who attached it" \
	log_has_re "$A: attached to domain 5 by another toolstack \(xl\): add phase"
check "xl's attach: R/devices says attached to 5 without a request" \
	wait_until 30 published $A attached 5
is "xl's attach: R/devices stage" "$(dev_field $A stage)" exported

calls_mark
check "xl pci-attach 5 07:00.1 (hot plug)" xl pci-attach 5 07:00.1 ||
	sed 's/^/# /' "$SIM/xl.out"
check "xl's hot plug: add ran for 07:00.1" wait_until 30 ncalls_is add $B 1
wait_until 10 settled
is "xl's hot plug: only 07:00.1's add" "$(wc -l <"$CALLS")" 1
check "xl's hot plug: R/devices says 07:00.1 is attached to 5" \
	wait_until 30 published $B attached 5

calls_mark
check "xl pci-detach 5 07:00.0" xl pci-detach 5 07:00.0 ||
	sed 's/^/# /' "$SIM/xl.out"
check "xl's detach: the remove phase ran" wait_until 30 ncalls_is remove $A 1
wait_until 10 settled
is "xl's detach: remove once, nothing else (07:00.1 stays)" \
	"$(cut -d' ' -f1,2 "$CALLS" | tr '\n' ' ')" "remove bdf=$A "
is "xl remove: DOMID" "$(call_field remove $A domid)" 5
is "xl remove: XENBUS_PATH" "$(call_field remove $A path)" "$(be 5)"
is "xl remove: ORIG_DRIVER" "$(call_field remove $A drv)" igb
check "xl's detach: R/devices says assignable again without a request" \
	wait_until 30 published $A assignable
is "xl's detach: 07:00.1 still attached in R/devices" \
	"$(dev_field $B state) $(dev_field $B domid)" "attached 5"

calls_mark
check "xl pci-detach 5 07:00.1 (the last: the backend goes)" \
	xl pci-detach 5 07:00.1 || sed 's/^/# /' "$SIM/xl.out"
check "xl's last detach: remove ran for 07:00.1" \
	wait_until 30 ncalls_is remove $B 1
wait_until 10 settled
is "xl's last detach: remove once, nothing else" "$(wc -l <"$CALLS")" 1
check "no backend left" xs_absent "$(be 5)"
check "xl's last detach: R/devices says 07:00.1 is assignable" \
	wait_until 30 published $B assignable

# --- one tool attaches, the other detaches ----------------------------------
calls_mark
attach_ok "the agent attaches 07:00.0" x1 5 07:00.0
wait_until 10 settled
is "the agent's attach: add once (not again for the watch)" \
	"$(ncalls add $A)" 1
is "the agent's attach: its request ID" "$(call_field add $A req)" x1
check "xl pci-detach of the agent's device" xl pci-detach 5 07:00.0 ||
	sed 's/^/# /' "$SIM/xl.out"
check "the remove phase ran for xl's detach" \
	wait_until 30 ncalls_is remove $A 1
guest_sees_nothing() { [ -z "$(view 5)" ]; }
check "the guest let go of it" wait_until 30 guest_sees_nothing
check "and its backend is gone" xs_absent "$(be 5)"
wait_until 10 settled
is "add once, remove once" "$(cut -d' ' -f1 "$CALLS" | tr '\n' ' ')" \
	"add remove "

calls_mark
check "xl pci-attach 5 07:00.0 again" xl pci-attach 5 07:00.0 ||
	sed 's/^/# /' "$SIM/xl.out"
check "add ran for xl's attach" wait_until 30 ncalls_is add $A 1
detach_ok "the agent detaches xl's device" x2 5 07:00.0
wait_until 10 settled
is "add once (xl), remove once (the agent)" \
	"$(cut -d' ' -f1 "$CALLS" | tr '\n' ' ')" "add remove "
is "the agent's remove: its request ID" "$(call_field remove $A req)" x2

# --- a restart: what xl attached before is taken as it is -------------------
check "xl pci-attach 5 07:00.1" xl pci-attach 5 07:00.1 ||
	sed 's/^/# /' "$SIM/xl.out"
check "add ran" wait_until 30 ncalls_is add $B 1
agent_stop
calls_mark
script_agent_up
wait_until 10 settled
is "after a restart: no phase for a device already attached" \
	"$(wc -l <"$CALLS")" 0
check "xl pci-detach after the restart" xl pci-detach 5 07:00.1 ||
	sed 's/^/# /' "$SIM/xl.out"
check "its remove phase runs" wait_until 30 ncalls_is remove $B 1

# --- xen-pci --script NAME: the request's script= ---------------------------
cat >"$SCRIPTS/named" <<NAMED
#!/bin/sh
echo "\$1 \$BDF \${DOMID-}" >>"$SIM/named.calls"
NAMED
chmod +x "$SCRIPTS/named"
: >"$SIM/named.calls"
calls_mark
check "xen-pci --script named assignable-remove -r 07:00.0" \
	xen-pci --script named assignable-remove -r 07:00.0
check "xen-pci assignable-add --script named 07:00.0 (after the command)" \
	xen-pci assignable-add --script named 07:00.0
check "xen-pci --script named attach 5 07:00.0" \
	xen-pci --script named attach 5 07:00.0
check "xen-pci --script named detach 5 07:00.0" \
	xen-pci --script named detach 5 07:00.0
is "--script: named ran reattach, prepare, add, remove" \
	"$(tr '\n' ' ' <"$SIM/named.calls")" \
	"reattach $A  prepare $A  add $A 5 remove $A 5 "
is "--script: the default pci did not run for them" "$(wc -l <"$CALLS")" 0
xen-pci --script ../pci attach 5 07:00.0 >"$SIM/out" 2>&1
is "--script ../pci: usage error, exit 2" $? 2
like "--script ../pci: says why" "$(cat "$SIM/out")" "not the name of a file"
xen-pci --script nosuch attach 5 07:00.0 >"$SIM/out" 2>&1
is "--script nosuch: the agent's error, exit 1" $? 1
like "--script nosuch: ENOENT" "$(cat "$SIM/out")" "\(ENOENT\)"

# --- xl destroy: libxl releases the agent's device itself -------------------
# Real libxl's part of it (libxl__device_pci_destroy_all: the backend,
# /libxl/pci/K/domid, before the domain), as t-guard-xldestroy
# emulates it: the agent learns of it from its reset record, resets the
# device for the next guest and records the release.  Over the
# simulated host xl destroy gets through libxl's PCI removal and then
# dies (SIGSEGV) before the domain's own destruction, which is not
# simulated for xl (libbenchxl): its exit is not checked, what it did
# is, and simhost destroys the domain as libxl would next.
guest 7
attach_ok "the agent attaches 07:00.0 to 7" d1 7 07:00.0
is "attached: reset record says domain 7 has it" "$(dev_field $A reset)" \
	"dirty: domain 7 has it"
xl destroy 7
check "xl destroy: libxl removed the backend" xs_absent "$(be 7)"
check "xl destroy: libxl removed its record" libxl_domid_absent $A
simhost domain destroy 7
last_hist() {
	xenstore-ls "$R/devices/$(key_of "$1")/history" 2>/dev/null | tail -1
}
released7() { [[ "$(last_hist $A)" == *"released: domain 7 is gone: ok\"" ]]; }
check "xl destroy: the release is in the history (bounded wait)" \
	wait_until 30 released7
check "xl destroy: R/devices says assignable" published $A assignable
like "xl destroy: the reset record: reset after domain 7, or dirty and had it" \
	"$(dev_field $A reset)" '^(clean \(|dirty: domain 7 had it; )'
check "xl destroy: the agent says libxl released it" \
	log_has_re "$A: domain 7 is gone and libxl released it"
agent_done
t_done
