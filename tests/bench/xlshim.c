/*
 * libbenchxl.so: what xl 4.17 asks the hypervisor at start-up and that
 * the simulated hypervisor (libsimxen.so) does not model, because the
 * agent never asks it: the Xen version (libxl_get_version_info) and the
 * host's CPU and node counts (xl's parse_global_config() allocates CPU
 * bitmaps) and the domain's FLASK label (libxl_domain_info(), which
 * libxl's userdata lock calls on pci-attach/-detach; a Xen without
 * FLASK answers EOPNOTSUPP and libxl leaves the label empty).  Preloaded after libsimxen.so, so every PCI-related call
 * xl makes (assign/deassign/test_assign, iomem/ioport/irq permission,
 * map/unmap pirq, domain info) still goes to libsimxen.so, the same code
 * the agent calls.  Answers describe a small fixed host; nothing here
 * touches a real hypervisor.
 */
#include <errno.h>
#include <string.h>
#include <xenctrl.h>

#define SIM_CPUS 2

int xc_version(xc_interface *xch, int cmd, void *arg)
{
	(void)xch;
	switch (cmd) {
	case XENVER_version:
		return 4 << 16 | 17;
	case XENVER_extraversion:
		strcpy(arg, ".0-sim");
		return 0;
	case XENVER_compile_info:
		memset(arg, 0, sizeof(xen_compile_info_t));
		strcpy(((xen_compile_info_t *)arg)->compiler, "sim");
		return 0;
	case XENVER_capabilities:
		strcpy(arg, "xen-3.0-x86_64 hvm-3.0-x86_64");
		return 0;
	case XENVER_changeset:
		strcpy(arg, "sim");
		return 0;
	case XENVER_platform_parameters:
		((xen_platform_parameters_t *)arg)->virt_start =
			0xffff800000000000ULL;
		return 0;
	case XENVER_pagesize:
		return 4096;
	case XENVER_commandline:
		strcpy(arg, "");
		return 0;
	case XENVER_get_features:
		((xen_feature_info_t *)arg)->submap = 0;
		return 0;
	default:
		errno = ENOSYS;
		return -1;
	}
}

int xc_physinfo(xc_interface *xch, xc_physinfo_t *info)
{
	(void)xch;
	memset(info, 0, sizeof(*info));
	info->threads_per_core = 1;
	info->cores_per_socket = SIM_CPUS;
	info->nr_cpus = SIM_CPUS;
	info->max_cpu_id = SIM_CPUS - 1;
	info->nr_nodes = 1;
	info->max_node_id = 0;
	info->cpu_khz = 2000000;
	info->total_pages = 1 << 20;
	info->free_pages = 1 << 19;
	info->max_mfn = (1 << 20) - 1;
	return 0;
}

int xc_get_max_cpus(xc_interface *xch)
{
	(void)xch;
	return SIM_CPUS;
}

int xc_get_online_cpus(xc_interface *xch)
{
	(void)xch;
	return SIM_CPUS;
}

int xc_get_max_nodes(xc_interface *xch)
{
	(void)xch;
	return 1;
}

int xc_flask_sid_to_context(xc_interface *xch, int sid, char *buf,
			    uint32_t size)
{
	(void)xch;
	(void)sid;
	(void)buf;
	(void)size;
	errno = EOPNOTSUPP;
	return -1;
}
