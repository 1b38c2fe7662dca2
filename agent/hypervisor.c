/*
 * What libxl asks of the hypervisor for a PV guest's PCI device
 * (tools/libs/light/libxl_pci.c pci_add_dm_done(), do_pci_remove(),
 * pci_remove_detached()), behind a small interface so that the rest of
 * the agent never sees libxenctrl:
 *
 *   grant:  I/O port and memory permissions for every BAR listed in the
 *           device's sysfs `resource` (sysfs.c reads it and its `irq`:
 *           this file only talks to Xen), the legacy IRQ mapped to a pirq
 *           with permission, then xc_assign_device (ENOSYS tolerated
 *           for PV, as libxl does: no IOMMU), with the strict RDM
 *           policy unless the spec says rdm_policy=relaxed (libxl
 *           4.17 pci_add_dm_done(), libxl__device_pci_setdefault()).
 *           EOPNOTSUPP is the guest's own lack of an IOMMU context,
 *           EPERM most often a shared RMRR under the strict policy
 *           (vtd/iommu.c intel_iommu_assign_device()): both are
 *           explained, and every other failure names its likely causes.
 *   revoke: xc_deassign_device first (the guest loses DMA before it
 *           loses its BARs), then the permissions in reverse.
 *
 * Revoking is idempotent, so a replay after a crash may run it again:
 * denying a range that is not granted is not an error in Xen
 * (rangeset_remove_range()), and a device that is no longer assigned to
 * the domain gives ENODEV from deassign, which is what we wanted.  So
 * does EOPNOTSUPP: a guest without an IOMMU context can hold no device.
 *
 * Quarantine (libxl 4.17 libxl__device_pci_assignable_add/_remove): an
 * assignable device is assigned to DOMID_IO after it is bound to
 * pciback, and taken back before it leaves pciback.  Both are
 * idempotent: assigning a device dom_io owns succeeds, de-assigning one
 * it does not own gives ENODEV, taken as "not quarantined" (a device
 * hidden at boot never was).
 *
 * Without a hypervisor interface (a test box without Xen) the agent
 * says so once: assignable-* go on without quarantine, attach fails.
 *
 * One xc handle for the process, used under a lock: requests run on
 * worker threads and libxenctrl does not promise concurrent use.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <xenctrl.h>
#include <xentoollog.h>

#include "config.h"
#include "hypervisor.h"
#include "log.h"
#include "sysfs.h"

static uint32_t sbdf(const struct bdf *b)
{
	return b->dom << 16 | b->bus << 8 | b->dev << 3 | b->func;
}

static xc_interface *xch;
static xentoollog_logger_stdiostream *xtl;
static pthread_mutex_t xc_lock = PTHREAD_MUTEX_INITIALIZER;

void hv_open(void)
{
	/* libxc's own complaints would only repeat ours. */
	xtl = xtl_createlogger_stdiostream(stderr, XTL_CRITICAL, 0);
	xch = xc_interface_open((xentoollog_logger *)xtl, NULL, 0);
	if (!xch)
		log_warn("no hypervisor interface (%s): devices will not be "
			 "quarantined, attach and detach will fail",
			 strerror(errno));
}

void hv_close(void)
{
	if (xch)
		xc_interface_close(xch);
	if (xtl)
		xtl_logger_destroy((xentoollog_logger *)xtl);
	xch = NULL;
	xtl = NULL;
}

bool quarantine_available(void)
{
	return xch != NULL;
}

int quarantine_assign(const struct bdf *b)
{
	int rc = 0;

	if (!xch)
		return 0;
	pthread_mutex_lock(&xc_lock);
	/* DOMID_IO has no mappings: RDM relaxed, as libxl passes. */
	if (xc_assign_device(xch, DOMID_IO, sbdf(b),
			     XEN_DOMCTL_DEV_RDM_RELAXED) < 0)
		rc = -errno;
	pthread_mutex_unlock(&xc_lock);
	return rc;
}

int quarantine_guest_owned(const struct bdf *b)
{
	int rc = 0;

	if (!xch)
		return 0;
	pthread_mutex_lock(&xc_lock);
	/*
	 * No domain is named: do_domctl() looks any other domid up, and
	 * dom_io is not found there (ESRCH).  iommu_do_pci_domctl() answers
	 * EINVAL when device_assigned() fails: a domain other than dom0 and
	 * dom_io has the device (or Xen does not know it, which a device in
	 * dom0's sysfs is not).
	 */
	if (xc_test_assign_device(xch, DOMID_INVALID, sbdf(b)) < 0)
		rc = errno == EINVAL ? 1 : -errno;
	pthread_mutex_unlock(&xc_lock);
	return rc;
}

int quarantine_release(const struct bdf *b)
{
	int rc = 0;

	if (!xch)
		return 0;
	pthread_mutex_lock(&xc_lock);
	if (xc_deassign_device(xch, DOMID_IO, sbdf(b)) < 0 && errno != ENODEV)
		rc = -errno;
	pthread_mutex_unlock(&xc_lock);
	return rc;
}


/*
 * libxl goes on without an IRQ when it cannot read one, and says so:
 * a grant then gives none, a revoke leaves it alone.
 */
static int device_irq(const struct bdf *b)
{
	int irq = sysfs_irq(b);

	if (irq >= 0)
		return irq;
	log_dev(LOG_WARNING, b, "read its IRQ from sysfs: %s; going on "
		"without one", strerror(-irq));
	return 0;
}

static int bar_permission(unsigned int domid, const struct sysfs_bar *bar,
			  bool allow)
{
	if (bar->io)
		return xc_domain_ioport_permission(xch, domid,
						   (uint32_t)bar->start,
						   (uint32_t)bar->size, allow);
	return xc_domain_iomem_permission(xch, domid,
			bar->start >> XC_PAGE_SHIFT,
			(bar->size + XC_PAGE_SIZE - 1) >> XC_PAGE_SHIFT,
			allow);
}

static int hv_fail(char *msg, size_t len, const struct bdf *b, int err,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int hv_fail(char *msg, size_t len, const struct bdf *b, int err,
		   const char *fmt, ...)
{
	char bs[BDF_STR_LEN], what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(msg, len, "%s: %s: %s", bdf_str(b, bs), what, strerror(err));
	return -err;
}

/*
 * Xen 4.17 iommu_do_domctl() refuses every device operation with
 * EOPNOTSUPP for a domain that has no IOMMU context: libxl only asks
 * for one (XEN_DOMCTL_CDF_iommu) when the guest is created with
 * passthrough enabled, and it cannot be added later.  strerror() alone
 * ("Operation not supported") leaves an admin guessing, so say why.
 */
static int assign_fail(char *msg, size_t len, const struct bdf *b, int err,
		       unsigned int domid, bool relaxed)
{
	char bs[BDF_STR_LEN];

	/*
	 * intel_iommu_assign_device(): "It's disallowed to assign %pp with
	 * shared RMRR" is -EPERM under the strict policy, and the bare
	 * "Operation not permitted" is all a toolstack user ever sees.
	 */
	if (err == EPERM && !relaxed) {
		snprintf(msg, len, "%s: assign to domain %u: %s (Xen refused "
			 "it under the strict RDM policy: most likely the "
			 "device shares an RMRR, a memory region the firmware "
			 "reserves for a device's own DMA (USB legacy "
			 "emulation, integrated graphics), with another "
			 "device; rdm_policy=relaxed in the spec assigns it "
			 "anyway, at the risk that DMA to that region from the "
			 "other device or the firmware corrupts the guest's "
			 "memory or the guest's device reaches the other's; "
			 "other causes: no IOMMU, or the device is already "
			 "assigned; xl dmesg says which)", bdf_str(b, bs),
			 domid, strerror(err));
		return -err;
	}
	if (err != EOPNOTSUPP) {
		snprintf(msg, len, "%s: assign to domain %u: %s (likely "
			 "causes: the device shares an RMRR with another "
			 "device%s, the IOMMU is off or missing, or the device "
			 "is already assigned; xl dmesg says which)",
			 bdf_str(b, bs), domid, strerror(err), relaxed ? "" :
			 " (try rdm_policy=relaxed, at a risk)");
		return -err;
	}
	snprintf(msg, len, "%s: assign to domain %u: %s (domain %u has no "
		 "IOMMU context: it was created without passthrough; create "
		 "it with passthrough=\"enabled\" or a pci= entry in its xl "
		 "config)", bdf_str(b, bs), domid, strerror(err), domid);
	return -err;
}

static int grant_locked(unsigned int domid, const struct bdf *b,
			uint32_t rdm, bool hvm, char *msg, size_t len)
{
	struct sysfs_bar bars[SYSFS_PCI_RESOURCES];
	unsigned int i, n;
	int rc, irq, pirq;

	rc = sysfs_resources(b, bars, &n);
	if (rc)
		return hv_fail(msg, len, b, -rc, "read its resources");
	for (i = 0; i < n; i++)
		if (bar_permission(domid, &bars[i], true))
			return hv_fail(msg, len, b, errno,
				       "grant domain %u %s 0x%" PRIx64 "/0x%"
				       PRIx64, domid, bars[i].io ? "I/O ports" :
				       "memory", bars[i].start, bars[i].size);
	irq = device_irq(b);
	if (irq) {
		pirq = irq;
		if (xc_physdev_map_pirq(xch, domid, irq, &pirq))
			return hv_fail(msg, len, b, errno,
				       "map IRQ %d for domain %u", irq, domid);
		if (xc_domain_irq_permission(xch, domid, pirq, true))
			return hv_fail(msg, len, b, errno,
				       "grant domain %u IRQ %d", domid, pirq);
	}
	/* pci_add_dm_done(): "r < 0 && (hvm || errno != ENOSYS)". */
	if (xc_assign_device(xch, domid, sbdf(b), rdm) &&
	    (hvm || errno != ENOSYS))
		return assign_fail(msg, len, b, errno, domid,
				   rdm & XEN_DOMCTL_DEV_RDM_RELAXED);
	return 0;
}

/* Every BAR taken back; rc, or the first failure when rc is 0. */
static int revoke_bars(unsigned int domid, const struct bdf *b, int rc,
		       char *msg, size_t len)
{
	struct sysfs_bar bars[SYSFS_PCI_RESOURCES];
	unsigned int i, n;
	int err;

	err = sysfs_resources(b, bars, &n);
	if (err) {
		/* As libxl: without the list there is nothing to revoke. */
		log_dev(LOG_WARNING, b, "read its resources from sysfs: %s; "
			"domain %u keeps its access to the BARs",
			strerror(-err), domid);
		return rc;
	}
	for (i = 0; i < n; i++)
		if (bar_permission(domid, &bars[i], false) && errno != ESRCH &&
		    !rc)
			rc = hv_fail(msg, len, b, errno, "revoke domain %u's "
				     "access to 0x%" PRIx64, domid,
				     bars[i].start);
	return rc;
}

static int revoke_locked(unsigned int domid, const struct bdf *b,
			 char *msg, size_t len)
{
	int rc = 0, irq;

	/* Deassign first: the guest loses DMA before it loses its BARs. */
	if (xc_deassign_device(xch, domid, sbdf(b)) && errno != ENODEV &&
	    errno != ENOSYS && errno != ESRCH && errno != EOPNOTSUPP)
		rc = hv_fail(msg, len, b, errno, "deassign from domain %u",
			     domid);
	rc = revoke_bars(domid, b, rc, msg, len);
	irq = device_irq(b);
	if (irq) {
		/* A dead domain has no pirqs or permissions left. */
		if (xc_domain_irq_permission(xch, domid, irq, false) &&
		    errno != ESRCH && !rc)
			rc = hv_fail(msg, len, b, errno,
				     "revoke domain %u's IRQ %d", domid, irq);
		if (xc_physdev_unmap_pirq(xch, domid, irq) &&
		    errno != ESRCH && errno != EINVAL && !rc)
			rc = hv_fail(msg, len, b, errno,
				     "unmap IRQ %d of domain %u", irq, domid);
	}
	return rc;
}

static int grant(unsigned int domid, const struct bdf *b, uint32_t rdm,
		 bool hvm, char *msg, size_t len)
{
	char ignore[256];
	int rc;

	if (!xch)
		return hv_fail(msg, len, b, ENODEV, "no hypervisor interface");
	pthread_mutex_lock(&xc_lock);
	rc = grant_locked(domid, b, rdm, hvm, msg, len);
	if (rc)
		revoke_locked(domid, b, ignore, sizeof(ignore));
	pthread_mutex_unlock(&xc_lock);
	return rc;
}

/* libxl 4.17 pci_add_dm_done(): strict unless rdm_policy=relaxed. */
int hv_grant(unsigned int domid, const struct bdf *b, bool rdm_relaxed,
	     char *msg, size_t len)
{
	return grant(domid, b, rdm_relaxed ? XEN_DOMCTL_DEV_RDM_RELAXED : 0,
		     false, msg, len);
}

/*
 * An HVM guest's RDM policy is the spec's (libxl__device_pci_setdefault:
 * strict unless rdm_policy=relaxed), and a failed assign is fatal
 * whatever the errno: without the IOMMU the device would DMA into the
 * wrong memory.
 */
int hv_grant_hvm(unsigned int domid, const struct bdf *b, bool rdm_relaxed,
		 char *msg, size_t len)
{
	return grant(domid, b, rdm_relaxed ? XEN_DOMCTL_DEV_RDM_RELAXED : 0,
		     true, msg, len);
}

int hv_revoke(unsigned int domid, const struct bdf *b, char *msg, size_t len)
{
	int rc;

	if (!xch)
		return hv_fail(msg, len, b, ENODEV, "no hypervisor interface");
	pthread_mutex_lock(&xc_lock);
	rc = revoke_locked(domid, b, msg, len);
	pthread_mutex_unlock(&xc_lock);
	return rc;
}

/* Xen's record of domid: 0, -ESRCH when it has none, or -errno. */
static int domain_info(unsigned int domid, xc_domaininfo_t *info)
{
	int n;

	if (!xch)
		return -ENODEV;
	pthread_mutex_lock(&xc_lock);
	n = xc_domain_getinfolist(xch, domid, 1, info);
	pthread_mutex_unlock(&xc_lock);
	if (n < 0)
		return -errno;
	return n == 1 && info->domain == domid ? 0 : -ESRCH;
}

int hv_domain_alive(unsigned int domid)
{
	xc_domaininfo_t info;
	int rc = domain_info(domid, &info);

	if (rc)
		return rc == -ESRCH ? 0 : rc;
	return !(info.flags & XEN_DOMINF_dying);
}

/*
 * The domain's handle, which libxl calls its UUID and names its
 * userdata files after (libxl_domain_info(): info.uuid from handle).
 */
int hv_domain_uuid(unsigned int domid, unsigned char uuid[16])
{
	xc_domaininfo_t info;
	int rc = domain_info(domid, &info);

	if (!rc)
		memcpy(uuid, info.handle, 16);
	return rc;
}

/* As libxl__domain_type(): Xen's flag, then libxl's record (guest.c). */
int hv_domain_hvm(unsigned int domid)
{
	xc_domaininfo_t info;
	int rc = domain_info(domid, &info);

	return rc ? rc : !!(info.flags & XEN_DOMINF_hvm_guest);
}

int hv_iommu_enabled(void)
{
	xc_physinfo_t info = { 0 };
	int rc;

	if (!xch)
		return -ENODEV;
	pthread_mutex_lock(&xc_lock);
	/* xl info's virt_caps "directio": Xen has an IOMMU enabled. */
	rc = xc_physinfo(xch, &info) ? -errno :
	     !!(info.capabilities & XEN_SYSCTL_PHYSCAP_directio);
	pthread_mutex_unlock(&xc_lock);
	return rc;
}
