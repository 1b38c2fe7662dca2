/*
 * Xen's side of a device: quarantine to DOMID_IO, a guest's BAR and IRQ
 * permissions and assignment, domain liveness.  Only this file sees
 * libxenctrl.
 */
#ifndef XENPCI_HYPERVISOR_H
#define XENPCI_HYPERVISOR_H

#include <stdbool.h>
#include <stddef.h>

#include "bdf.h"

/* Opens the hypervisor interface; without one, says what will not work. */
void hv_open(void);
void hv_close(void);
/* Quarantine: assignable devices belong to DOMID_IO, as with libxl. */
bool quarantine_available(void);
int quarantine_assign(const struct bdf *b);
int quarantine_release(const struct bdf *b);
/* 1 Xen has an IOMMU on (physinfo "directio"), 0 not, or -errno. */
int hv_iommu_enabled(void);
/* 1 if a guest owns the device, 0 if not, or -errno. */
int quarantine_guest_owned(const struct bdf *b);
/*
 * BARs, IRQ and assignment, as libxl; all or nothing.  rdm_relaxed:
 * the spec's rdm_policy=relaxed, else strict.  0 or -errno.
 */
int hv_grant(unsigned int domid, const struct bdf *b, bool rdm_relaxed,
	     char *msg, size_t len);
/* The same for an HVM guest: its RDM policy, any assign failure fatal. */
int hv_grant_hvm(unsigned int domid, const struct bdf *b, bool rdm_relaxed,
		 char *msg, size_t len);
/* Deassign and revoke; idempotent.  0 or -errno of the first failure. */
int hv_revoke(unsigned int domid, const struct bdf *b, char *msg,
	      size_t len);
/*
 * 1 the domain was built with XEN_DOMCTL_CDF_hvm (HVM or PVH), 0 PV,
 * -ESRCH it does not exist, or -errno.
 */
int hv_domain_hvm(unsigned int domid);
/* 1 the domain exists and is not dying, 0 it does not, or -errno. */
int hv_domain_alive(unsigned int domid);
/* Xen's handle of domid (libxl's UUID): 0, -ESRCH or -errno. */
int hv_domain_uuid(unsigned int domid, unsigned char uuid[16]);

#endif
