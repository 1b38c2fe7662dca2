# HVM scenarios, one boot with one HVM guest (it takes minutes to boot
# under nested emulation, so the scenarios share it).
# Part 1, real world only (the simulated host has no xl): xl alone
# hot-plugs a device into the running HVM guest through qemu-xen's QMP
# and takes it out again.  It proves the machine: SVM+NPT, the IOMMU,
# qemu-xen in dom0, the guest's acpiphp and e1000 driver.
if ! xt_check "create HVM guest h1" xt_hvm_create h1 ||
		[ -z "$(xt_guest_domid h1)" ]; then
	xt_diag "$(cat /var/log/xen/qemu-dm-h1.log 2>&1)"
	return
fi
H=$(xt_guest_domid h1)
xt_wait_check "HVM guest h1 boots" 900 xt_guest_up h1
xt_diag "h1 up at $(cut -d' ' -f1 /proc/uptime)s: $(xt_guest_bus_line "$H")"
xt_is "h1 has no device passed through yet" \
	"$(xt_guest_bus "$H" | tr '\n' ' ')" ""

if [ "$XT_WORLD" = real ]; then
	xt_qmp_new h1 | sed 's/^/XTEST # xl create: /'
	xt_check "xl pci-assignable-add $NIC2" xl pci-assignable-add 00:05.0
	xt_check "xl pci-attach h1 $NIC2 (hot-plug through QMP)" \
		xl pci-attach h1 00:05.0
	xt_wait_check "h1 sees it at 00:03.0" 120 \
		xt_guest_sees "$H" 0000:00:03.0
	xt_wait_check "h1's e1000 driver probes it" 120 \
		xt_guest_binds "$H" 0000:00:03.0 e1000
	xt_check "xl pci-list h1 shows it" sh -c \
		"xl pci-list h1 | grep -q '^03\.0 *0000:00:05\.0'"
	xl pci-list h1 | sed 's/^/XTEST # xl pci-list: /'
	xt_qmp_new h1 | sed 's/^/XTEST # xl pci-attach: /'
	xt_check "xl pci-detach h1 $NIC2" xl pci-detach h1 00:05.0
	xt_wait_check "h1 no longer sees it" 120 xt_guest_sees_nothing "$H"
	xt_qmp_new h1 | sed 's/^/XTEST # xl pci-detach: /'
	xt_check "xl pci-list h1 is empty" sh -c \
		"[ -z \"\$(xl pci-list h1)\" ]"
	xt_check "xl pci-assignable-remove -r $NIC2" \
		xl pci-assignable-remove -r 00:05.0
	xt_is "e1000 has $NIC2 back" "$(xt_driver $NIC2)" e1000
fi
xt_check "destroy h1" xt_guest_destroy "$H"
