/*
 * libxl 4.17's records of a PCI device, /libxl/pci/<K>/ (K the device
 * key): `driver_path` (its dom0 driver, written by
 * libxl__device_pci_assignable_add), `domid` (the guest it is attached
 * to) and `name` (xl pci-assignable-add -n).  The agent keeps them as
 * libxl does so that xl and the agent can undo each other's work; this
 * file is the only code that reads or writes them.
 */
#ifndef XENPCI_LIBXL_PCI_H
#define XENPCI_LIBXL_PCI_H

#include <stddef.h>

#include <xenstore.h>

#include "bdf.h"

/* The guest b is attached to, -1 if none (or not a number). */
long libxl_pci_domid(xs_transaction_t t, const struct bdf *b);
/* 0 or -errno. */
int libxl_pci_set_domid(const struct bdf *b, unsigned int domid);
int libxl_pci_clear_domid(const struct bdf *b);
/* driver_path into buf ("" if absent): 0, or -ENOENT if absent. */
int libxl_pci_driver(xs_transaction_t t, const struct bdf *b, char *buf,
		     size_t len);
int libxl_pci_set_driver(const struct bdf *b, const char *host_path);
int libxl_pci_clear_driver(const struct bdf *b);
int libxl_pci_clear_name(const struct bdf *b);
/* xl pci-assignable-add -n: /libxl/pci/<K>/name.  0 or -errno. */
int libxl_pci_set_name(const struct bdf *b, const char *name);
/* The device assignable-add named `name`: 0, or -ENODEV. */
int libxl_pci_find_name(const char *name, struct bdf *out);

struct libxl_pci_att {
	struct bdf bdf;
	unsigned int domid;
};
/* Every device with a domid record, malloc'd.  0 or -errno. */
int libxl_pci_attached(struct libxl_pci_att **out, unsigned int *n);

#endif
