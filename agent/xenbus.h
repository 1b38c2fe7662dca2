/*
 * The PCI backend and frontend in xenstore and the xenbus handshake
 * with xen-pciback and the guest's pcifront (xenbus.c).
 */
#ifndef XENPCI_XENBUS_H
#define XENPCI_XENBUS_H

#include <stdbool.h>
#include <stddef.h>

#include "bdf.h"
#include "cancel.h"

struct xb_dev {
	struct bdf bdf;
	unsigned int vdevfn;	/* 0: pciback picks the virtual slot */
	bool permissive;
	bool msitranslate;
	bool power_mgmt;
	bool rdm_relaxed;
	const char *name;	/* or NULL */
	char vdev[32];		/* out: vdev-N as pciback wrote it */
};

struct xb_wait {
	unsigned int timeout_ms;
	const struct cancel *cancel;	/* set: the request timed out */
};

/*
 * Adds devs to domid's PCI backend: one transaction creating backend,
 * frontend and every device when there is no backend yet (cold-plug),
 * else the hot-add through Reconfiguring; then waits until pciback has
 * exported them all.  On failure nothing this call wrote is left.
 * 0 or -errno with msg set.
 */
int xb_attach(unsigned int be_domid, unsigned int domid,
	      struct xb_dev *devs, unsigned int n, const struct xb_wait *w,
	      char *msg, size_t len);

/*
 * Hot-removes b: state-i Closing and backend Reconfiguring, wait for
 * Connected again, then remove its keys and renumber the later ones as
 * libxl does; the last device takes backend and frontend with it.
 * force: a guest that does not answer in time is removed anyway.
 * Every change is checked: a failed one aborts its transaction, and the
 * next call finishes the job (a device already let go of, state-i
 * Closing, gets no second handshake; an empty backend is removed).
 * 0, XB_NOT_THERE (b is in no backend of domid: msg says so), or -errno.
 */
#define XB_NOT_THERE	1
int xb_detach(unsigned int be_domid, unsigned int domid,
	      const struct bdf *b, bool force, const struct xb_wait *w,
	      char *msg, size_t len);

/*
 * HVM guests: libxl records a device given to qemu-xen in the same
 * backend (libxl__device_pci_add_xenstore(), where the HVM guest gets
 * no wait for Connected), which `xl pci-list` and `xl destroy` read;
 * no pcifront will ever connect to it.  xb_record() adds d (vdevfn the
 * guest address QEMU gave it) in one transaction, creating backend and
 * frontend for the first device and setting Reconfiguring for a later
 * one, as libxl does; xb_unrecord() removes it and renumbers the rest
 * (libxl__device_pci_remove_xenstore()), the last device taking the
 * backend with it; a device not there is not an error.  0 or -errno
 * with msg set.
 */
int xb_record(unsigned int be_domid, unsigned int domid,
	      const struct xb_dev *d, char *msg, size_t len);
int xb_unrecord(unsigned int be_domid, unsigned int domid,
		const struct bdf *b, char *msg, size_t len);
/* The device is in domid's backend records.  1, 0 or -errno. */
int xb_recorded(unsigned int be_domid, unsigned int domid,
		const struct bdf *b);

/*
 * Removes domid's backend and frontend outright (a dead guest).  0 or
 * -errno, which is also left in errno.
 */
int xb_destroy(unsigned int be_domid, unsigned int domid);
/*
 * Removes domid's backend and frontend if no device is left in it (a
 * detach whose last removal failed half way).  0 or -errno.
 */
int xb_prune(unsigned int be_domid, unsigned int domid);

struct xb_entry {
	struct bdf bdf;
	char vdev[32];
	char opts[128];
	int state;		/* state-i, -1 if absent */
};
/* The devices in domid's backend, malloc'd; 0 entries if none. */
int xb_list(unsigned int be_domid, unsigned int domid,
	    struct xb_entry **out, unsigned int *n);

/* The guests that have a PCI backend in be_domid, malloc'd. */
int xb_backends(unsigned int be_domid, unsigned int **domids,
		unsigned int *n);

#endif
