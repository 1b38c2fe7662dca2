/*
 * The steps of a device's life (devstep.c), one per cell of device.c's
 * table.  Each takes the device one state further, or fails with the
 * request's message set ("0000:07:00.0: bind to pciback: ...").
 */
#ifndef XENPCI_DEVSTEP_H
#define XENPCI_DEVSTEP_H

#include "device.h"

typedef int (*step_fn)(struct device *d, struct drive *dr);

int st_unbind(struct device *d, struct drive *dr);
int st_new_slot(struct device *d, struct drive *dr);
int st_bind_pciback(struct device *d, struct drive *dr);
int st_quarantine(struct device *d, struct drive *dr);
int st_unbind_pciback(struct device *d, struct drive *dr);
int st_remove_slot(struct device *d, struct drive *dr);
int st_rebind(struct device *d, struct drive *dr);
int st_mark(struct device *d, struct drive *dr);
int st_grant(struct device *d, struct drive *dr);
/* The batch step's marker in the table; st_export_batch runs it. */
int st_export(struct device *d, struct drive *dr);
int st_export_batch(struct device **devs, unsigned int n,
		    struct drive *dr);
int st_unexport(struct device *d, struct drive *dr);
int st_revoke(struct device *d, struct drive *dr);
int st_release(struct device *d, struct drive *dr);
/* HVM guests (qemu-xen through QMP). */
int st_grant_hvm(struct device *d, struct drive *dr);
int st_plug(struct device *d, struct drive *dr);
int st_unplug(struct device *d, struct drive *dr);
int st_refuse_elsewhere(struct device *d, struct drive *dr);

#endif
