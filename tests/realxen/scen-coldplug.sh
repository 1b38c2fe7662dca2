# Scenario 2: cold-plug.  A guest created paused gets several devices in
# one request (one of them a two-function slot, by the `*` wildcard),
# then runs: its pcifront finds all of them at boot.
xt_agent_start || return

xt_check "assignable-add $NIC1" xen-pci assignable-add $NIC1
xt_check "assignable-add 00:04.* (both functions)" \
	xen-pci assignable-add 00:04.*
xt_is "assignable-list" "$(xen-pci assignable-list | awk '{print $1}' | tr '\n' ' ')" \
	"$NIC1 $MF0 $MF1 "
xt_dump assignable

xt_check "create guest g1 paused" xt_guest_create g1 -p
D=$(xt_guest_domid g1)
xt_check "attach $NIC1 and 00:04.* to paused g1 in one request" \
	xen-pci attach "$D" $NIC1 0000:00:04.*
xt_dump attached-paused

xt_check "unpause g1" xt_guest_unpause "$D"
xt_wait_check "g1 boots" 180 xt_guest_up g1
xt_wait_check "g1 sees all three functions" 120 \
	xt_guest_sees "$D" 0000:00:00.0 0000:00:01.0 0000:00:01.1
if [ "$XT_WORLD" = real ]; then
	for v in 0000:00:00.0 0000:00:01.0 0000:00:01.1; do
		xt_wait_check "g1's e1000 driver probes $v" 60 \
			xt_guest_binds "$D" $v e1000
	done
fi
xt_is "xen-pci list $D" "$(xen-pci list "$D" | grep -c '0000:00:0[34]')" 3
xt_dump running

xt_check "detach 00:04.* from g1" xen-pci detach "$D" 00:04.*
xt_wait_check "g1 keeps only $NIC1" 60 xt_guest_sees "$D" 0000:00:00.0
xt_dump detach-mf
xt_check "detach $NIC1 from g1" xen-pci detach "$D" $NIC1
xt_wait_check "g1 sees nothing" 60 xt_guest_sees_nothing "$D"
xt_check "destroy g1" xt_guest_destroy "$D"
for b in $NIC1 $MF0 $MF1; do
	xt_check "assignable-remove -r $b" xen-pci assignable-remove -r $b
	xt_is "e1000 has $b back" "$(xt_driver $b)" e1000
done
xt_dump end
xt_check "agent stops cleanly" xt_agent_stop
