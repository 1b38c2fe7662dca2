# HVM scenarios, boot 2 of 2: one HVM guest, qemu-xen as its device model.
#  1. kill -9 of the agent with two devices attached: the guest keeps
#     them, the restarted agent picks them up and detaches them; a second
#     kill lands on a detach request the agent may have begun (device_del
#     sent, DEVICE_DELETED not yet seen) and the restarted agent finishes
#     it;
#  2. guest death: the guest is destroyed with a device attached, the
#     agent releases it, and the device works in a new (PV) guest;
#  3. cold-plug into a paused HVM guest (xl create -p), which finds the
#     device at boot.
# Guest death ends h1: the paused cold-plug gets a guest of its own.
if ! xt_check "create HVM guest h1" xt_hvm_create h1 ||
		[ -z "$(xt_guest_domid h1)" ]; then
	xt_diag "$(cat /var/log/xen/qemu-dm-h1.log 2>&1)"
	return
fi
H=$(xt_guest_domid h1)
xt_wait_check "HVM guest h1 boots" 900 xt_guest_up h1
xt_diag "h1 up at $(cut -d' ' -f1 /proc/uptime)s"
xt_qmp_new h1 | sed 's/^/XTEST # xl create: /'

# --- 1. kill -9 -------------------------------------------------------------
xt_agent_start || return
xt_check "assignable-add $NIC1" xen-pci assignable-add $NIC1
xt_check "assignable-add $NIC2" xen-pci assignable-add $NIC2
xt_check "attach $NIC1 and $NIC2 to h1 in one request" \
	xen-pci attach "$H" $NIC1 $NIC2
xt_wait_check "h1 sees both" 300 \
	xt_guest_sees "$H" 0000:00:03.0 0000:00:04.0
if [ "$XT_WORLD" = real ]; then
	for v in 0000:00:03.0 0000:00:04.0; do
		xt_wait_check "h1's e1000 driver probes $v" 300 \
			xt_guest_binds "$H" $v e1000
	done
fi
xt_dump attached

xt_check "kill -9 the agent" xt_agent_kill9
xt_is "h1 keeps its devices while no agent runs" \
	"$(xt_guest_bus "$H" | tr '\n' ' ')" "0000:00:03.0 0000:00:04.0 "
xt_agent_start
xt_check "xen-pci list $H after the restart" sh -c \
	"xen-pci list $H | grep -q $NIC1 && xen-pci list $H | grep -q $NIC2"
xt_is "R/devices still says attached" \
	"$(xenstore-read $R/devices/0000-00-03-0/state)" attached
xt_dump restarted

xt_check "detach $NIC1 after the restart" xen-pci detach "$H" $NIC1
xt_wait_check "h1 keeps only $NIC2" 300 xt_guest_sees "$H" 0000:00:04.0
xt_dump detached-one

# A request the killed agent may have begun: the restarted one ends it.
xenstore-write $R/requests/rx-hkill-1/domid "$H" \
	$R/requests/rx-hkill-1/spec 00:05.0
xenstore-write $R/requests/rx-hkill-1/op detach
xt_agent_kill9
xt_agent_start
xt_wait_check "the request the killed agent took has a final status" 300 \
	xt_request_done $R/requests/rx-hkill-1
xt_is "and it is ok" "$(xenstore-read $R/requests/rx-hkill-1/status)" ok
xenstore-rm $R/requests/rx-hkill-1
xt_wait_check "h1 sees nothing" 300 xt_guest_sees_nothing "$H"
xt_is "R/devices says assignable" \
	"$(xenstore-read $R/devices/0000-00-05-0/state)" assignable
# How far the killed agent got (device_del sent or not) is a race: the
# QMP messages of this step are the two worlds' own, and the trees are
# compared.
xt_qmp_new h1 | sed 's/^/XTEST # kill mid-detach: /'
xt_dump detached-all

# --- 2. guest death ---------------------------------------------------------
xt_is "raw attach request for $NIC1 to h1" \
	"$(xt_request rx-hdeath-1 attach domid="$H" spec=00:03.0)" "ok  "
xenstore-rm $R/requests/rx-hdeath-1
xt_wait_check "h1 sees it" 300 xt_guest_sees "$H" 0000:00:03.0
[ "$XT_WORLD" = real ] && xt_wait_check "h1's e1000 driver probes it" 300 \
	xt_guest_binds "$H" 0000:00:03.0 e1000
xt_dump attach-death

xt_check "destroy h1 with the device attached" xt_guest_destroy "$H"
xt_wait_check "the agent marks it assignable again" 60 sh -c \
	"[ \"\$(xenstore-read $R/devices/0000-00-03-0/state)\" = assignable ]"
xt_wait_check "h1's PCI backend is gone" 60 sh -c \
	"! xenstore-exists /local/domain/0/backend/pci/$H"
xt_is "assignable-list shows both" \
	"$(xen-pci assignable-list | tr "\n" " ")" "$NIC1  $NIC2  "
xt_is "pciback still holds it" "$(xt_driver $NIC1)" pciback
# Its QEMU is gone: what it said while dying is xl's business.
xt_qmp_new h1 | sed 's/^/XTEST # destroy: /'
xt_dump after-death

xt_check "create PV guest g2" xt_guest_create g2
D2=$(xt_guest_domid g2)
xt_wait_check "guest g2 boots" 180 xt_guest_up g2
xt_check "attach $NIC1 to g2" xen-pci attach "$D2" $NIC1
xt_wait_check "g2 sees it" 60 xt_guest_sees "$D2" 0000:00:00.0
[ "$XT_WORLD" = real ] && xt_wait_check "g2's e1000 driver probes it" 60 \
	xt_guest_binds "$D2" 0000:00:00.0 e1000
xt_dump attach-g2
xt_check "detach $NIC1 from g2" xen-pci detach "$D2" $NIC1
xt_wait_check "g2 no longer sees it" 60 xt_guest_sees_nothing "$D2"
xt_check "destroy g2" xt_guest_destroy "$D2"

# --- 3. cold-plug into a paused HVM guest ------------------------------------
# As xl pci-attach on a guest made with xl create -p: qemu-xen takes the
# device by QMP before the guest's firmware has run, so hvmloader and the
# guest's kernel find it at boot, not by hot-plug.
xt_check "create HVM guest h2 paused" xt_hvm_create h2 -p
H2=$(xt_guest_domid h2)
xt_check "attach $NIC2 to paused h2" xen-pci attach "$H2" $NIC2
xt_is "R/devices says attached to h2" \
	"$(xenstore-read $R/devices/0000-00-05-0/domid)" "$H2"
xt_qmp_new h2 | sed 's/^/XTEST # paused cold-plug: /'
xt_dump attached-paused
xt_check "unpause h2" xt_guest_unpause "$H2"
xt_wait_check "HVM guest h2 boots" 900 xt_guest_up h2
xt_wait_check "h2 finds it at boot at 00:03.0" 300 \
	xt_guest_sees "$H2" 0000:00:03.0
[ "$XT_WORLD" = real ] && xt_wait_check "h2's e1000 driver probes it" 300 \
	xt_guest_binds "$H2" 0000:00:03.0 e1000
xt_check "detach $NIC2 from h2" xen-pci detach "$H2" $NIC2
xt_wait_check "h2 no longer sees it" 300 xt_guest_sees_nothing "$H2"
xt_qmp_new h2 | sed 's/^/XTEST # paused detach: /'
xt_dump detached-paused
xt_check "destroy h2" xt_guest_destroy "$H2"
xt_check "assignable-remove -r $NIC1" xen-pci assignable-remove -r $NIC1
xt_check "assignable-remove -r $NIC2" xen-pci assignable-remove -r $NIC2
xt_is "e1000 has both back" "$(xt_driver $NIC1) $(xt_driver $NIC2)" \
	"e1000 e1000"
xt_dump end
xt_check "agent stops cleanly" xt_agent_stop
