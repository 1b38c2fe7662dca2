#!/usr/bin/env bash
# The dom0 guard on attach with seize=1 (libxl makes the device
# assignable first: so does the agent, behind the same guard), on the
# default inventory (what `make demo` shows): dom0's uplink 03:00.0 and
# its root disk controller 00:1f.2 are refused with EBUSY, nothing
# moves and the guest gets nothing; force=1 attaches anyway, with a
# warning.  A device already assignable is not asked about again.
. "$(dirname "$0")/attach-lib.sh"

host_up
agent_up
guest 5
NIC=0000:03:00.0 DISK=0000:00:1f.2

run_err "seize dom0's uplink" EBUSY s1 attach domid=5 spec=03:00.0,seize=1
like "s1: names the interface, its route and force=1" "$ERRMSG" \
	"$NIC: in use by dom0: eth0 is up with route 10.0.2.0/24; eth0 is up with route 0.0.0.0/0 via 10.0.2.2; force=1 takes it anyway"
is "s1: still on e1000" "$(drv $NIC)" e1000
check "s1: not in the guest's backend" xs_absent "$(be 5)/dev-0"
check "s1: not attached in libxl's record" libxl_domid_absent $NIC

run_err "seize the root disk controller" EBUSY s2 attach domid=5 \
	spec=00:1f.2,seize=1
like "s2: / and swap" "$ERRMSG" "sda1 is mounted on /; sda2 is active swap"
is "s2: still on ahci" "$(drv $DISK)" ahci

run_err "plain assignable-add of the uplink" EBUSY s3 assignable-add \
	spec=03:00.0
run_err "several specs: one in use refuses all" EBUSY s4 attach domid=5 \
	spec-0=07:00.0,seize=1 spec-1=03:00.0,seize=1
is "s4: 07:00.0 back on igb" "$(drv $A)" igb

run_ok "force=1 seizes the uplink" s5 attach domid=5 spec=03:00.0,seize=1 \
	force=1
check "s5: the warning names the reason" agent_log_has \
	"$NIC: taken from dom0 anyway (force=1), although eth0 is up"
check "s5: in the guest's view" wait_until 10 \
	bash -c "grep -q '$NIC' '$(view_file 5)'"
is "s5: attached in libxl's record" "$(libxl_domid $NIC)" 5
check "s5: its routes went with its driver" \
	bash -c "! grep -q '^eth0' '$PROC_ROOT/net/route'"
detach_ok "detach it" s6 5 03:00.0
run_ok "give it back to e1000" s6b assignable-remove spec=03:00.0 rebind=1

like "R/features lists dom0-guard" "$(xs_read $R/features)" 'dom0-guard'

# --- the CLI: -f / --force for assignable-add and attach, nowhere else
out=$("$BIN/xen-pci" assignable-add 03:00.0 2>&1); rc=$?
is "xen-pci assignable-add 03:00.0: exit 1" $rc 1
like "... prints the reasons and EBUSY" "$out" 'in use by dom0: eth0 .*\(EBUSY\)'
out=$("$BIN/xen-pci" assignable-add --force 03:00.0 2>&1); rc=$?
is "xen-pci assignable-add --force 03:00.0: exit 0" $rc 0
is "... on pciback" "$(drv $NIC)" pciback
"$BIN/xen-pci" assignable-remove -r 03:00.0
is "... back on e1000" "$(drv $NIC)" e1000
out=$("$BIN/xen-pci" attach 5 00:1f.2,seize=1 2>&1); rc=$?
is "xen-pci attach 5 00:1f.2,seize=1: exit 1" $rc 1
out=$("$BIN/xen-pci" list --force 2>&1); rc=$?
is "xen-pci list --force: usage error (exit 2)" $rc 2
like "... says so" "$out" "unknown option '--force'"

run_ok "assignable-add with force=1 (dom0's disk)" s7 assignable-add \
	spec=00:1f.2 force=1
run_ok "attach of the assignable disk needs no force" s8 attach domid=5 \
	spec=00:1f.2,seize=1
detach_ok "detach it" s9 5 00:1f.2
out=$("$BIN/xen-pci" attach -f 5 00:1f.2,seize=1 2>&1); rc=$?
is "xen-pci attach -f 5 00:1f.2,seize=1: exit 0" $rc 0
detach_ok "detach it again" s9b 5 00:1f.2
run_ok "give it back to ahci" s10 assignable-remove spec=00:1f.2 rebind=1
is "ahci has it again" "$(drv $DISK)" ahci
agent_done
t_done
