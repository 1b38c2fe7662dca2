/* The hypervisor calls a PV guest's PCI device needs (hypervisor.c). */
#ifndef XENPCI_HYPERVISOR_H
#define XENPCI_HYPERVISOR_H

#include "agent.h"

int hv_open(void);
void hv_close(void);
/* BARs, IRQ and assignment, as libxl; all or nothing.  0 or -errno. */
int hv_grant(unsigned int domid, const struct bdf *b, char *msg,
	     size_t len);
/* Deassign and revoke; idempotent.  0 or -errno of the first failure. */
int hv_revoke(unsigned int domid, const struct bdf *b, char *msg,
	      size_t len);
/* 1 the domain exists and is not dying, 0 it does not, or -errno. */
int hv_domain_alive(unsigned int domid);

#endif
