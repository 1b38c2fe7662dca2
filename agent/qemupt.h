/*
 * A host PCI device in an HVM guest's qemu-xen, as libxl 4.17 puts it
 * there and takes it out (qemupt.c): QEMU's xen-pci-passthrough device
 * through QMP.
 */
#ifndef XENPCI_QEMUPT_H
#define XENPCI_QEMUPT_H

#include <stdbool.h>
#include <stddef.h>

#include "bdf.h"
#include "cancel.h"

struct qpt_wait {
	unsigned int timeout_ms;	/* the whole QMP session */
	const struct cancel *cancel;
};

/*
 * device_add driver=xen-pci-passthrough id=pci-pt-BB_SS.F hostaddr=b
 * [addr=SS.F from vdevfn] [permissive=true] [multifunction=true], then query-pci for the
 * guest address it got (*got_vdevfn).  0 or -errno with msg set (QEMU's
 * own error for a refused device_add: -EIO).
 */
struct qpt_dev {
	unsigned int vdevfn;	/* 0: QEMU picks the slot */
	bool permissive;
	bool multifunction;	/* function 0 of a multi-function slot */
};
int qpt_plug(unsigned int domid, const struct bdf *b,
	     const struct qpt_dev *qd, const struct qpt_wait *w,
	     unsigned int *got_vdevfn, char *msg, size_t len);
/*
 * query-pci: 1 and *vdevfn if QEMU has b, 0 if it has not (or QEMU is
 * not there at all: its socket is missing or refuses), or -errno with
 * msg set.
 */
int qpt_find(unsigned int domid, const struct bdf *b,
	     const struct qpt_wait *w, unsigned int *vdevfn, char *msg,
	     size_t len);
/*
 * device_del, then wait for QEMU's DEVICE_DELETED (the guest let go).
 * 0 (also when QEMU no longer has it), -ETIMEDOUT when the guest did
 * not let go in time, or -errno; msg set on failure.
 */
int qpt_unplug(unsigned int domid, const struct bdf *b,
	       const struct qpt_wait *w, char *msg, size_t len);
/* "pci-pt-07_00.0" */
void qpt_id(const struct bdf *b, char *buf, size_t len);

#endif
