# Scenario 6: the agent is killed with SIGKILL while a device is
# attached, and started again: it picks its state up from xenstore and
# its state directory, and detach and assignable-remove work.  A second
# kill lands in the middle of a detach (a request without a final
# status yet) and the restarted agent finishes or fails it cleanly.
# The guest's name: g1, or XT_GUEST (scen-ox.sh runs it after the
# seed, whose g1 the console logs still hold).
G=${XT_GUEST:-g1}
xt_agent_start || return

xt_check "assignable-add $NIC1" xen-pci assignable-add $NIC1
xt_check "assignable-add $NIC2" xen-pci assignable-add $NIC2
xt_check "create guest $G" xt_guest_create $G
D=$(xt_guest_domid $G)
xt_wait_check "guest $G boots" 180 xt_guest_up $G
xt_check "attach $NIC1 and $NIC2 to $G" xen-pci attach "$D" $NIC1 $NIC2
xt_wait_check "$G sees both" 60 xt_guest_sees "$D" 0000:00:00.0 0000:00:01.0
xt_dump attached

xt_check "kill -9 the agent" xt_agent_kill9
xt_is "$G keeps its devices while no agent runs" \
	"$(xt_guest_bus "$D" | tr '\n' ' ')" "0000:00:00.0 0000:00:01.0 "
xt_agent_start
xt_check "xen-pci list $D after the restart" sh -c \
	"xen-pci list $D | grep -q $NIC1 && xen-pci list $D | grep -q $NIC2"
xt_is "R/devices still says attached" \
	"$(xenstore-read $R/devices/0000-00-03-0/state)" attached
xt_dump restarted

xt_check "detach $NIC1 after the restart" xen-pci detach "$D" $NIC1
xt_wait_check "$G keeps only $NIC2" 60 xt_guest_sees "$D" 0000:00:01.0
xt_dump detached-one

# A request the killed agent never answered: the restarted one must.
xenstore-write $R/requests/rx-kill-1/domid "$D" \
	$R/requests/rx-kill-1/spec 00:05.0
xenstore-write $R/requests/rx-kill-1/op detach
xt_agent_kill9
xt_agent_start
xt_wait_check "the request the killed agent took has a final status" 60 \
	xt_request_done $R/requests/rx-kill-1
xt_is "and it is ok" "$(xenstore-read $R/requests/rx-kill-1/status)" ok
xenstore-rm $R/requests/rx-kill-1
xt_wait_check "$G sees nothing" 60 xt_guest_sees_nothing "$D"
xt_dump detached-all

xt_check "destroy $G" xt_guest_destroy "$D"
xt_check "assignable-remove -r $NIC1" xen-pci assignable-remove -r $NIC1
xt_check "assignable-remove -r $NIC2" xen-pci assignable-remove -r $NIC2
xt_is "e1000 has both back" "$(xt_driver $NIC1) $(xt_driver $NIC2)" \
	"e1000 e1000"
xt_dump end
xt_check "agent stops cleanly" xt_agent_stop
