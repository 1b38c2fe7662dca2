/*
 * libxenctrl, as far as xenstored and a PCI passthrough toolstack use
 * it.  Domain liveness comes from $SIMXEN_DIR/domains; PCI ownership
 * follows xen/drivers/passthrough/pci.c: a device is owned by one
 * domain at a time, assign fails with EBUSY while another guest holds
 * it (device_assigned()), deassign of a device the domain does not own
 * fails with ENODEV (deassign_device()).  Deassigning from a guest puts
 * the device in quarantine (dom_io), from dom_io gives it back to dom0:
 * deassign_device() with Xen 4.17's default iommu_quarantine (basic).
 * A guest without an IOMMU context (simhost domain create
 * --no-passthrough) gets EOPNOTSUPP from assign, test_assign and
 * deassign alike: iommu.c iommu_do_domctl() checks is_iommu_enabled(d)
 * before anything else, once domctl.c has looked the domain up.
 * An HVM or PVH guest (simhost domain create --hvm/--pvh) has the HVM
 * flag, and HAP as libxl asks by default: getdomaininfo() in
 * xen/common/domctl.c sets XEN_DOMINF_hvm_guest for is_hvm_domain(d)
 * and XEN_DOMINF_hap for paging_mode_hap(d); libxenctrl's
 * xc_domain_getinfo() turns them into info->hvm and info->hap.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenctrl.h>

#include "simxen.h"

struct xc_interface_core {
	int magic;
};

#define SIM_DOMID_IO 0x7FF1U

xc_interface *xc_interface_open(xentoollog_logger *logger,
				xentoollog_logger *dombuild_logger,
				unsigned open_flags)
{
	xc_interface *xch;

	(void)logger;
	(void)dombuild_logger;
	(void)open_flags;
	if (!sim_dir()) {
		errno = ENOENT;
		return NULL;
	}
	xch = calloc(1, sizeof(*xch));
	if (xch)
		xch->magic = 0x5158;
	return xch;
}

int xc_interface_close(xc_interface *xch)
{
	free(xch);
	return 0;
}

static void fill_dominfo(xc_dominfo_t *info, uint32_t domid,
			 enum sim_domstate st)
{
	memset(info, 0, sizeof(*info));
	info->domid = domid;
	info->dying = st == SIM_DOM_DYING;
	info->crashed = st == SIM_DOM_CRASHED;
	info->shutdown = st == SIM_DOM_SHUTDOWN || st == SIM_DOM_CRASHED;
	info->paused = st == SIM_DOM_PAUSED;
	info->running = st == SIM_DOM_RUNNING;
	info->xenstore = domid == 0;
	info->nr_online_vcpus = 1;
	info->hvm = sim_domain_hvm(domid);
	info->hap = info->hvm;
	sim_domain_uuid(domid, info->handle);
}

/* Xen returns the domains with domid >= first_domid, in order. */
int xc_domain_getinfo(xc_interface *xch, uint32_t first_domid,
		      unsigned int max_doms, xc_dominfo_t *info)
{
	unsigned int n = 0;
	long id = first_domid;

	(void)xch;
	while (n < max_doms) {
		id = sim_next_domain((uint32_t)id);
		if (id < 0)
			break;
		fill_dominfo(&info[n++], (uint32_t)id,
			     sim_domain_state((uint32_t)id));
		id++;
	}
	return (int)n;
}

int xc_domain_getinfolist(xc_interface *xch, uint32_t first_domain,
			  unsigned int max_domains, xc_domaininfo_t *info)
{
	unsigned int n = 0;
	long id = first_domain;

	(void)xch;
	while (n < max_domains) {
		enum sim_domstate st;

		id = sim_next_domain((uint32_t)id);
		if (id < 0)
			break;
		st = sim_domain_state((uint32_t)id);
		memset(&info[n], 0, sizeof(info[n]));
		info[n].domain = (domid_t)id;
		if (st == SIM_DOM_DYING)
			info[n].flags |= XEN_DOMINF_dying;
		if (st == SIM_DOM_SHUTDOWN || st == SIM_DOM_CRASHED)
			info[n].flags |= XEN_DOMINF_shutdown;
		if (st == SIM_DOM_CRASHED)
			info[n].flags |= SHUTDOWN_crash <<
					 XEN_DOMINF_shutdownshift;
		if (st == SIM_DOM_PAUSED)
			info[n].flags |= XEN_DOMINF_paused;
		if (st == SIM_DOM_RUNNING)
			info[n].flags |= XEN_DOMINF_running;
		if (sim_domain_hvm((uint32_t)id))
			info[n].flags |= XEN_DOMINF_hvm_guest |
					 XEN_DOMINF_hap;
		sim_domain_uuid((uint32_t)id, info[n].handle);
		n++;
		id++;
	}
	return (int)n;
}

static int fail(int err)
{
	errno = err;
	return -1;
}

static bool domain_alive(uint32_t domid)
{
	return domid == SIM_DOMID_IO || sim_domain_state(domid) != SIM_DOM_NONE;
}

static int owner_path(char *buf, size_t len, uint32_t sbdf)
{
	return sim_path(buf, len, "pci/%08x", sbdf);
}

static long pci_owner(uint32_t sbdf)
{
	char path[512];
	long owner = 0;
	FILE *f;

	if (owner_path(path, sizeof(path), sbdf))
		return 0;
	f = fopen(path, "re");
	if (!f)
		return 0;	/* not assigned anywhere: hardware domain */
	if (fscanf(f, "%li", &owner) != 1)
		owner = 0;
	fclose(f);
	return owner;
}

static int set_owner(uint32_t sbdf, uint32_t domid)
{
	char path[512];
	FILE *f;

	if (owner_path(path, sizeof(path), sbdf))
		return -1;
	if (domid == 0)
		return unlink(path) && errno != ENOENT ? -1 : 0;
	f = fopen(path, "we");
	if (!f)
		return -1;
	fprintf(f, "%u\n", domid);
	return fclose(f);
}

/* Xen's console ring, for `xl dmesg`: $SIMXEN_DIR/dmesg. */
static void xen_printk(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void xen_printk(const char *fmt, ...)
{
	char path[512];
	va_list ap;
	FILE *f;

	if (sim_path(path, sizeof(path), "dmesg"))
		return;
	f = fopen(path, "ae");
	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

/*
 * The ACPI DMAR table's RMRRs: $SIMXEN_DIR/rmrr, one line per region,
 * "BASE SBDF [SBDF...]" (BASE hex, each device DDDD:BB:DD.F).  True and
 * *base when sbdf is in a region other devices share too
 * (rmrr->scope.devices_cnt > 1).
 */
static bool shared_rmrr(uint32_t sbdf, unsigned long long *base)
{
	char path[512], *line = NULL, *p;
	unsigned int d, b, s, f;
	size_t cap = 0;
	bool found = false;
	FILE *fp;

	if (sim_path(path, sizeof(path), "rmrr"))
		return false;
	fp = fopen(path, "re");
	if (!fp)
		return false;
	while (!found && getline(&line, &cap, fp) > 0) {
		unsigned int cnt = 0;
		bool mine = false;
		int n;

		if (sscanf(line, "%llx%n", base, &n) != 1)
			continue;
		for (p = line + n; sscanf(p, " %x:%x:%x.%x%n", &d, &b, &s, &f,
					  &n) == 4; p += n, cnt++)
			mine |= (d << 16 | b << 8 | s << 3 | f) == sbdf;
		found = mine && cnt > 1;
	}
	free(line);
	fclose(fp);
	return found;
}

#define SBDF_FMT "%04x:%02x:%02x.%u"
#define SBDF_ARGS(s) (s) >> 16, ((s) >> 8) & 0xff, ((s) >> 3) & 0x1f, (s) & 7

static int assign(uint32_t domid, uint32_t sbdf, uint32_t flag)
{
	unsigned long long base;
	long owner;
	int err = sim_fault("xc_assign_device");

	if (err)
		return fail(err);
	if (!domain_alive(domid))
		return fail(ESRCH);
	if (!sim_domain_passthrough(domid))
		return fail(EOPNOTSUPP);
	/* pci.c iommu_do_pci_domctl(): no flags but RDM_RELAXED */
	if (flag & ~XEN_DOMCTL_DEV_RDM_RELAXED)
		return fail(EINVAL);
	owner = pci_owner(sbdf);
	/* pci.c assign_device(): only from dom0 or dom_io (quarantine) */
	if (owner != 0 && owner != SIM_DOMID_IO && owner != (long)domid)
		return fail(EBUSY);
	/*
	 * vtd/iommu.c intel_iommu_assign_device(), before the dom_io case:
	 * a shared RMRR is refused under the strict policy, only warned
	 * about under the relaxed one.
	 */
	if (shared_rmrr(sbdf, &base)) {
		bool relaxed = flag & XEN_DOMCTL_DEV_RDM_RELAXED;

		xen_printk("(XEN) [VT-D] It's %s to assign " SBDF_FMT " with "
			   "shared RMRR at %llx for d%u.\n", relaxed ? "risky" :
			   "disallowed", SBDF_ARGS(sbdf), base, domid);
		if (!relaxed)
			return fail(EPERM);
	}
	return set_owner(sbdf, domid);
}

int xc_assign_device(xc_interface *xch, uint32_t domid, uint32_t sbdf,
		     uint32_t flag)
{
	int rc;

	(void)xch;
	rc = assign(domid, sbdf, flag);
	sim_log("assign_device dom=%u sbdf=" SBDF_FMT " flag=%u rc=%s", domid,
		SBDF_ARGS(sbdf), flag, rc ? sim_errno_name(errno) : "0");
	return rc;
}

/*
 * domctl.c do_domctl(): test_assign_device takes DOMID_INVALID for "no
 * domain"; any other domid is looked up with rcu_lock_domain_by_id(),
 * which does not find dom_io (only assign and deassign special-case
 * DOMID_IO): ESRCH.  pci.c iommu_do_pci_domctl(): EINVAL when
 * device_assigned() fails, i.e. unless the hardware domain or dom_io
 * owns the device ("already assigned, or non-existent").
 */
int xc_test_assign_device(xc_interface *xch, uint32_t domid, uint32_t sbdf)
{
	long owner = pci_owner(sbdf);

	(void)xch;
	if (domid != DOMID_INVALID) {
		if (domid == SIM_DOMID_IO || !domain_alive(domid))
			return fail(ESRCH);
		if (!sim_domain_passthrough(domid))
			return fail(EOPNOTSUPP);
	}
	if (owner != 0 && owner != SIM_DOMID_IO)
		return fail(EINVAL);
	return 0;
}

static int deassign(uint32_t domid, uint32_t sbdf)
{
	int err = sim_fault("xc_deassign_device");

	if (err)
		return fail(err);
	if (!sim_domain_passthrough(domid))
		return fail(EOPNOTSUPP);
	if (pci_owner(sbdf) != (long)domid)
		return fail(ENODEV);
	return set_owner(sbdf, domid == SIM_DOMID_IO ? 0 : SIM_DOMID_IO);
}

int xc_deassign_device(xc_interface *xch, uint32_t domid, uint32_t sbdf)
{
	int rc;

	(void)xch;
	rc = deassign(domid, sbdf);
	sim_log("deassign_device dom=%u sbdf=" SBDF_FMT " rc=%s", domid,
		SBDF_ARGS(sbdf), rc ? sim_errno_name(errno) : "0");
	return rc;
}

static int perm_call(const char *call, uint32_t domid)
{
	int err = sim_fault(call);

	if (err)
		return fail(err);
	if (!domain_alive(domid))
		return fail(ESRCH);
	return 0;
}

static const char *rcname(int rc)
{
	return rc ? sim_errno_name(errno) : "0";
}

int xc_domain_ioport_permission(xc_interface *xch, uint32_t domid,
				uint32_t first_port, uint32_t nr_ports,
				uint32_t allow_access)
{
	int rc = perm_call("xc_domain_ioport_permission", domid);

	(void)xch;
	sim_log("ioport_permission dom=%u first=0x%x nr=0x%x allow=%u rc=%s",
		domid, first_port, nr_ports, allow_access, rcname(rc));
	return rc;
}

int xc_domain_iomem_permission(xc_interface *xch, uint32_t domid,
			       unsigned long first_mfn, unsigned long nr_mfns,
			       uint8_t allow_access)
{
	int rc = perm_call("xc_domain_iomem_permission", domid);

	(void)xch;
	sim_log("iomem_permission dom=%u first=0x%lx nr=0x%lx allow=%u rc=%s",
		domid, first_mfn, nr_mfns, allow_access, rcname(rc));
	return rc;
}

int xc_domain_irq_permission(xc_interface *xch, uint32_t domid,
			     uint32_t pirq, bool allow_access)
{
	int rc = perm_call("xc_domain_irq_permission", domid);

	(void)xch;
	sim_log("irq_permission dom=%u pirq=%u allow=%d rc=%s", domid, pirq,
		allow_access, rcname(rc));
	return rc;
}

/* PHYSDEVOP_map_pirq with MAP_PIRQ_TYPE_GSI: the pirq equals the GSI. */
int xc_physdev_map_pirq(xc_interface *xch, uint32_t domid, int index,
			int *pirq)
{
	int rc = perm_call("xc_physdev_map_pirq", domid);

	(void)xch;
	if (!rc)
		*pirq = index;
	sim_log("map_pirq dom=%u index=%d pirq=%d rc=%s", domid, index,
		rc ? -1 : *pirq, rcname(rc));
	return rc;
}

int xc_physdev_unmap_pirq(xc_interface *xch, uint32_t domid, int pirq)
{
	int rc = perm_call("xc_physdev_unmap_pirq", domid);

	(void)xch;
	sim_log("unmap_pirq dom=%u pirq=%d rc=%s", domid, pirq, rcname(rc));
	return rc;
}

/*
 * sysctl.c XEN_SYSCTL_physinfo: the capabilities only, "directio" (an
 * IOMMU is on) unless $SIMXEN_DIR/no-iommu exists (iommu=0, or the
 * firmware's VT-d switched off).
 */
int xc_physinfo(xc_interface *xch, xc_physinfo_t *info)
{
	char path[512];

	(void)xch;
	memset(info, 0, sizeof(*info));
	info->nr_cpus = 2;
	info->capabilities = XEN_SYSCTL_PHYSCAP_pv;
	if (sim_path(path, sizeof(path), "no-iommu") || access(path, F_OK))
		info->capabilities |= XEN_SYSCTL_PHYSCAP_directio;
	return 0;
}
