#!/usr/bin/env bash
# RDM policy (libxl 4.17): a guest's device is assigned with the strict
# policy unless its spec says rdm_policy=relaxed.  The simulated
# hypervisor has 07:00.0 and 07:00.1 share an RMRR (a firmware-reserved
# DMA region, $SIMXEN_DIR/rmrr); Xen 4.17's intel_iommu_assign_device()
# refuses a shared RMRR under the strict policy with EPERM and allows it
# under the relaxed one, saying so on its console.  The error explains
# RMRR and rdm_policy=relaxed with its risk; any other failure of the
# assignment names the likely causes and `xl dmesg`.  Quarantine (dom_io)
# is always relaxed, as libxl does, so assignable-add works.
. "$(dirname "$0")/attach-lib.sh"

host_up --inventory "$ATTACH_INV"
agent_up
echo "ab000000 $A $B" >"$SIMXEN_DIR/rmrr"
make_assignable $A $B $C
is "quarantined despite the shared RMRR (relaxed for dom_io)" \
	"$(owner $A)" $DOMID_IO
guest 5

mark
run_err "strict: 07:00.0 with a shared RMRR" EPERM r1 attach domid=5 \
	spec=07:00.0
like "r1: names the device, the domain and EPERM" "$ERRMSG" \
	"^$A: assign to domain 5: Operation not permitted"
like "r1: explains RMRR" "$ERRMSG" \
	'shares an RMRR, a memory region the firmware reserves'
like "r1: names rdm_policy=relaxed and its risk" "$ERRMSG" \
	'rdm_policy=relaxed in the spec assigns it anyway, at the risk'
like "r1: the other causes and xl dmesg" "$ERRMSG" \
	'no IOMMU, or the device is already assigned; xl dmesg says which'
is "r1: strict flag (0) passed" \
	"$(hc_count_re "^assign_device dom=5 sbdf=$A flag=0 rc=EPERM\$")" 1
like "r1: Xen's console says disallowed" "$(cat "$SIMXEN_DIR/dmesg")" \
	"It's disallowed to assign $A with shared RMRR at ab000000 for d5"
is "r1: back in quarantine" "$(owner $A)" $DOMID_IO
check "r1: not in the guest's backend" xs_absent "$(be 5)/dev-0"
is "r1: still assignable" "$(dev_state $A)" assignable

run_err "strict, rdm_policy=strict spelled out" EPERM r2 attach domid=5 \
	spec=07:00.0,rdm_policy=strict

mark
attach_ok "relaxed: 07:00.0,rdm_policy=relaxed" r3 5 07:00.0,rdm_policy=relaxed
is "r3: relaxed flag (1) passed" \
	"$(hc_count_re "^assign_device dom=5 sbdf=$A flag=1 rc=0\$")" 1
like "r3: Xen's console says risky" "$(tail -1 "$SIMXEN_DIR/dmesg")" \
	"It's risky to assign $A with shared RMRR at ab000000 for d5"
is "r3: the guest owns it" "$(owner $A)" 5
like "r3: opts-0 says rdm_policy=relaxed" "$(xs_read "$(be 5)/opts-0")" \
	'rdm_policy=relaxed'

mark
attach_ok "strict: 08:00.0, an RMRR of its own (none shared)" r4 5 08:00.0
is "r4: strict flag (0) passed" \
	"$(hc_count_re "^assign_device dom=5 sbdf=$C flag=0 rc=0\$")" 1
detach_ok "detach 07:00.0" r5 5 07:00.0
detach_ok "detach 08:00.0" r6 5 08:00.0

# --- any other failure: the likely causes and xl dmesg
simhost fault xen xc_assign_device EIO
run_err "assign fails with EIO" EIO r7 attach domid=5 spec=07:00.1
like "r7: likely causes, with rdm_policy=relaxed to try" "$ERRMSG" \
	'likely causes: the device shares an RMRR with another device \(try rdm_policy=relaxed, at a risk\), the IOMMU is off or missing, or the device is already assigned; xl dmesg says which'
simhost fault xen xc_assign_device EPERM
run_err "EPERM under relaxed: no RMRR advice to relax" EPERM r8 attach \
	domid=5 spec=07:00.1,rdm_policy=relaxed
like "r8: likely causes without 'try relaxed'" "$ERRMSG" \
	'Operation not permitted \(likely causes: the device shares an RMRR with another device, the IOMMU'
simhost fault clear
is "07:00.1 still assignable" "$(dev_state $B)" assignable
agent_done
t_done
