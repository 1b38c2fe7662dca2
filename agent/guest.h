/*
 * What kind of guest a domain is, as libxl tells it, and whether the
 * agent can give it a PCI device (guest.c).
 */
#ifndef XENPCI_GUEST_H
#define XENPCI_GUEST_H

#include <stddef.h>

enum guest_kind {
	GUEST_PV,	/* pcifront, through pciback (xenbus.c) */
	GUEST_HVM,	/* qemu-xen in dom0, through QMP (qmp.c) */
};

/*
 * The kind of domid: 0 and *kind set, or -errno with msg saying why
 * the agent cannot serve it (-EOPNOTSUPP: PVH, qemu-traditional, a
 * stub domain device model; -ESRCH: no such domain).
 */
int guest_kind(unsigned int domid, enum guest_kind *kind, char *msg,
	       size_t len);
const char *guest_kind_name(enum guest_kind k);

#endif
