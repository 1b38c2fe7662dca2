# HVM scenarios, boot 1 of 2: one HVM guest (it takes minutes to boot
# under nested emulation, so the scenarios share it), qemu-xen as its
# device model, every hot-plug through QMP:
#  1. xl alone (real world only: the simulated host has no xl) proves the
#     machine: SVM+NPT, the IOMMU, qemu-xen in dom0, the guest's acpiphp
#     and e1000 driver;
#  2. the seed flow through the agent: assignable-add, hot-plug, the
#     guest's driver probes the device, detach, assignable-remove -r;
#  3. permissive (QEMU's xen-pci-passthrough permissive=true, pciback's
#     permissive list);
#  4. xl interop on the same guest (real world only): xl pci-list shows
#     what the agent attached, a device xl attached next to one the agent
#     attached, each detached by the other.
# The guest's first free device slot is 03.0 (its AHCI disk is at 1f.0).
if ! xt_check "create HVM guest h1" xt_hvm_create h1 ||
		[ -z "$(xt_guest_domid h1)" ]; then
	xt_diag "$(cat /var/log/xen/qemu-dm-h1.log 2>&1)"
	return
fi
H=$(xt_guest_domid h1)
xt_wait_check "HVM guest h1 boots" 900 xt_guest_up h1
xt_diag "h1 up at $(cut -d' ' -f1 /proc/uptime)s"
xt_is "h1 has no device passed through yet" \
	"$(xt_guest_bus "$H" | tr '\n' ' ')" ""
# libxl's own QMP conversation at create (the simulated host has none).
xt_qmp_new h1 | sed 's/^/XTEST # xl create: /'

# --- 1. xl alone ------------------------------------------------------------
if [ "$XT_WORLD" = real ]; then
	xt_check "xl pci-assignable-add $NIC2" xl pci-assignable-add 00:05.0
	xt_check "xl pci-attach h1 $NIC2 (hot-plug through QMP)" \
		xl pci-attach h1 00:05.0
	xt_wait_check "h1 sees it at 00:03.0" 300 \
		xt_guest_sees "$H" 0000:00:03.0
	xt_wait_check "h1's e1000 driver probes it" 300 \
		xt_guest_binds "$H" 0000:00:03.0 e1000
	xt_check "xl pci-list h1 shows it" sh -c \
		"xl pci-list h1 | grep -q '^03\.0 *0000:00:05\.0'"
	xt_qmp_new h1 | sed 's/^/XTEST # xl pci-attach: /'
	xt_check "xl pci-detach h1 $NIC2" xl pci-detach h1 00:05.0
	xt_wait_check "h1 no longer sees it" 300 xt_guest_sees_nothing "$H"
	xt_qmp_new h1 | sed 's/^/XTEST # xl pci-detach: /'
	xt_check "xl pci-list h1 is empty" sh -c \
		"[ -z \"\$(xl pci-list h1)\" ]"
	xt_check "xl pci-assignable-remove -r $NIC2" \
		xl pci-assignable-remove -r 00:05.0
	xt_is "e1000 has $NIC2 back" "$(xt_driver $NIC2)" e1000
fi

# --- 2. the seed flow through the agent ----------------------------------
xt_agent_start || return
xt_dump start
xt_check "assignable-add $NIC1" xen-pci assignable-add 00:03.0
xt_is "pciback holds $NIC1" "$(xt_driver $NIC1)" pciback
xt_dump assignable-add

xt_check "attach $NIC1 to HVM guest h1 (hot-plug)" xen-pci attach "$H" $NIC1
xt_wait_check "h1 sees it at 00:03.0" 300 xt_guest_sees "$H" 0000:00:03.0
[ "$XT_WORLD" = real ] && xt_wait_check "h1's e1000 driver probes it" 300 \
	xt_guest_binds "$H" 0000:00:03.0 e1000
xt_check "xen-pci list $H shows it" sh -c "xen-pci list $H | grep -q '$NIC1'"
xen-pci list "$H" | sed 's/^/XTEST # xen-pci list: /'
[ "$XT_WORLD" = real ] && xt_check "xl pci-list shows what the agent attached" \
	sh -c "xl pci-list h1 | grep -q '^03\.0 *0000:00:03\.0'"
xt_is "assignable-list no longer shows it" "$(xen-pci assignable-list)" ""
xt_dump attach

xt_check "detach $NIC1 from h1" xen-pci detach "$H" $NIC1
xt_wait_check "h1 no longer sees it" 300 xt_guest_sees_nothing "$H"
xt_is "xen-pci list $H is empty" "$(xen-pci list "$H" | grep -c "$NIC1")" 0
xt_is "assignable-list shows it again (as xl: BDF and a space)" \
	"$(xen-pci assignable-list)" "$NIC1 "
xt_dump detach
xt_check "assignable-remove -r $NIC1" xen-pci assignable-remove -r $NIC1
xt_is "e1000 has $NIC1 back" "$(xt_driver $NIC1)" e1000
xt_dump assignable-remove

# --- 3. permissive ----------------------------------------------------------
xt_check "assignable-add $NIC2" xen-pci assignable-add $NIC2
xt_check "attach $NIC2,permissive=1 to h1" \
	xen-pci attach "$H" 00:05.0,permissive=1
xt_wait_check "h1 sees it at 00:03.0" 300 xt_guest_sees "$H" 0000:00:03.0
[ "$XT_WORLD" = real ] && xt_wait_check "h1's e1000 driver probes it" 300 \
	xt_guest_binds "$H" 0000:00:03.0 e1000
xt_check "QEMU was asked for a permissive device" sh -c \
	"grep -q '\"permissive\": *true' $(xt_qmp_file h1)"
xt_is "pciback's permissive file lists it" \
	"$(xt_pciback_file permissive)" "$NIC2"
xt_check "the kernel logged permissive mode for $NIC2" \
	xt_permissive_logged $NIC2
xt_is "R/devices says permissive" \
	"$(xenstore-read $R/devices/0000-00-05-0/permissive)" 1
xt_dump permissive
xt_check "detach $NIC2" xen-pci detach "$H" $NIC2
xt_wait_check "h1 no longer sees it" 300 xt_guest_sees_nothing "$H"
xt_dump permissive-detach

# --- 4. xl and the agent on one guest -------------------------------------
if [ "$XT_WORLD" = real ]; then
	xt_check "xen-pci assignable-add $NIC1" xen-pci assignable-add $NIC1
	xt_check "xen-pci attach $NIC1 to h1" xen-pci attach "$H" $NIC1
	xt_wait_check "h1 sees it at 00:03.0" 300 \
		xt_guest_sees "$H" 0000:00:03.0
	xt_check "xl pci-attach h1 $NIC2 next to it" xl pci-attach h1 00:05.0
	xt_wait_check "h1 sees both (xl's at 00:04.0)" 300 \
		xt_guest_sees "$H" 0000:00:03.0 0000:00:04.0
	xt_wait_check "h1's e1000 driver probes xl's device" 300 \
		xt_guest_binds "$H" 0000:00:04.0 e1000
	xl pci-list h1 | sed 's/^/XTEST # xl pci-list: /'
	xt_check "xl pci-list shows both" sh -c "xl pci-list h1 |
		grep -q '^03\.0 *0000:00:03\.0' && xl pci-list h1 |
		grep -q '^04\.0 *0000:00:05\.0'"
	xt_check "xen-pci list shows both" sh -c "xen-pci list $H |
		grep -q '$NIC1' && xen-pci list $H | grep -q '$NIC2'"
	xt_check "xl pci-detach of the agent's device" \
		xl pci-detach h1 00:03.0
	xt_wait_check "h1 keeps only xl's" 300 xt_guest_sees "$H" 0000:00:04.0
	xt_check "xen-pci detach of xl's device" xen-pci detach "$H" $NIC2
	xt_wait_check "h1 sees nothing" 300 xt_guest_sees_nothing "$H"
	xt_check "xen-pci list $H is empty" sh -c \
		"[ -z \"\$(xen-pci list $H | grep 0000:00:0)\" ]"
	xt_check "xl pci-list h1 is empty" sh -c \
		"[ -z \"\$(xl pci-list h1)\" ]"
	xt_qmp_new h1 | sed 's/^/XTEST # xl interop: /'
	xt_check "assignable-remove -r $NIC1" xen-pci assignable-remove -r $NIC1
fi
xt_dump interop-end

xt_check "destroy h1" xt_guest_destroy "$H"
xt_check "assignable-remove -r $NIC2" xen-pci assignable-remove -r $NIC2
xt_is "e1000 has both back" "$(xt_driver $NIC1) $(xt_driver $NIC2)" \
	"e1000 e1000"
xt_dump end
xt_check "agent stops cleanly" xt_agent_stop
