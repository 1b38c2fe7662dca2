#!/usr/bin/env bash
# Issue 10 at a modest scale: SR-IOV VFs made assignable, attached four
# per guest and detached again, each burst written all at once.  Which
# VFs share a virtual slot matters (vpci.c __xen_pcibk_add_pci_dev()):
# a VF at function 0 has a slot of its own, the other VFs of one
# physical slot share one and keep their function numbers.  A simulated
# pciback that published every VF as function 0 could not find a VF at
# function N > 0 again when its guest let go of it: every such detach
# left the backend in Reconfiguring and timed out, and the detaches
# queued behind it on the same guest with it.  Plus one guest with the
# four functions of one multi-function device (not VFs).
# Only bounded waits for final statuses: no timing is asserted.
. "$(dirname "$0")/attach-lib.sh"

NG=4				# guests with 4 VFs each
INV=$(mktemp /tmp/xpa-burst-inv.XXXXXX)
{
	echo "pciback=loaded"
	echo "driver i40e ids=8086:1572"
	echo "driver iavf ids=8086:154c"
	echo "driver igb ids=8086:10a7"
	echo "0000:3b:00.0 8086 1572 0x020000 i40e flr=1 irq=32 numvfs=$((NG * 4))"
	for ((i = 0; i < NG * 4; i++)); do
		printf '0000:3c:%02x.%d 8086 154c 0x020000 iavf pf=0000:3b:00.0 flr=1 irq=0\n' \
			$((i / 8)) $((i % 8))
	done
	# a four-function device: its functions share one virtual slot
	for f in 0 1 2 3; do
		echo "0000:05:00.$f 8086 10a7 0x020000 igb flr=1 irq=$((40 + f))"
	done
} >"$INV"
host_up --inventory "$INV"
rm -f "$INV"
agent_up

# DEVS[g*4+i]: the i-th device of guest g+1; guest NG+1 has 05:00.0-3.
DEVS=()
for ((i = 0; i < NG * 4; i++)); do
	DEVS+=("$(printf '0000:3c:%02x.%d' $((i / 8)) $((i % 8)))")
done
DEVS+=(0000:05:00.0 0000:05:00.1 0000:05:00.2 0000:05:00.3)
G=$((NG + 1))

# burst PREFIX: wait (bounded) for the final status of every request
# PREFIX-<g>-<i> and report the ones that are not ok.
burst() {
	local g i id st
	for ((g = 1; g <= G; g++)); do
		for i in 0 1 2 3; do
			id=$1-$g-$i
			st=$(wait_final "$id" 90)
			is "$id (${DEVS[(g - 1) * 4 + i]}): status ok" "$st" ok
			[ "$st" = ok ] || diag "  $id: $(rq "$id" error) ($(rq "$id" code))"
		done
	done
}

# func_of BDF: its function number; slot_of VDEV: its slot.
func_of() { echo "${1##*.}"; }
slot_of() { local s=${1%.*}; echo "${s##*:}"; }

# --- every device assignable, all at once ------------------------------------
for bdf in "${DEVS[@]}"; do
	req "add-$(key_of "$bdf")" assignable-add spec="$bdf"
done
n=0
for bdf in "${DEVS[@]}"; do
	[ "$(wait_final "add-$(key_of "$bdf")" 90)" = ok ] && n=$((n + 1))
done
is "all ${#DEVS[@]} assignable-adds ok" "$n" ${#DEVS[@]}

# --- four devices per guest, all attaches at once -------------------------------
for ((g = 1; g <= G; g++)); do
	guest $g
done
mark
for ((g = 1; g <= G; g++)); do
	for i in 0 1 2 3; do
		req at-$g-$i attach domid=$g spec="${DEVS[(g - 1) * 4 + i]}"
	done
done
burst at
for ((g = 1; g <= G; g++)); do
	want=
	for i in 0 1 2 3; do
		bdf=${DEVS[(g - 1) * 4 + i]}
		vdev=$(rq at-$g-$i result/vdev)
		# 4ba50e7c423c: the function number is the device's own
		is "at-$g-$i: $bdf keeps its function ($vdev)" \
			"$((16#$(func_of "$vdev")))" "$(func_of "$bdf")"
		want+="$(view_line "$vdev" "$bdf")"$'\n'
	done
	# ok means exported; the guest may still be scanning its bus
	check "guest $g sees its four devices at their vdevs" wait_until 20 \
		view_set_is $g "${want%$'\n'}"
done
# Guest 1 has 3c:00.0-3: the VF at function 0 alone, the others together.
v0=$(slot_of "$(rq at-1-0 result/vdev)")
v1=$(slot_of "$(rq at-1-1 result/vdev)")
check "guest 1: the VF at function 0 has a virtual slot of its own" \
	test "$v0" != "$v1"
for i in 2 3; do
	is "guest 1: ${DEVS[i]} shares ${DEVS[1]}'s virtual slot" \
		"$(slot_of "$(rq at-1-$i result/vdev)")" "$v1"
done
# Guest 2 has 3c:00.4-7, guest G the multi-function device: one slot each.
for g in 2 $G; do
	v=$(slot_of "$(rq at-$g-0 result/vdev)")
	for i in 1 2 3; do
		is "guest $g: ${DEVS[(g - 1) * 4 + i]} in the virtual slot of the first" \
			"$(slot_of "$(rq at-$g-$i result/vdev)")" "$v"
	done
done

# --- every device detached, all at once ------------------------------------------
mark
for ((g = 1; g <= G; g++)); do
	for i in 0 1 2 3; do
		req dt-$g-$i detach domid=$g spec="${DEVS[(g - 1) * 4 + i]}"
	done
done
burst dt
for ((g = 1; g <= G; g++)); do
	assert_no_backend "all detached, dom $g" $g
	is "all detached: dom $g holds nothing" "$(live_grants $g all)" ""
	is "all detached: guest $g sees nothing" "$(view $g)" ""
	for i in 0 1 2 3; do
		bdf=${DEVS[(g - 1) * 4 + i]}
		is "dt-$g-$i: R/devices says $bdf is assignable" \
			"$(dev_field "$bdf" state)" assignable
		check "dt-$g-$i: the hypervisor took $bdf back (owner $(owner "$bdf"))" \
			owner_released "$bdf"
	done
done
check "no intent record left" no_intents

agent_done
t_done
