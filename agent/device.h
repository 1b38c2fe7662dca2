/*
 * A device's life as data: what it is (observed from sysfs, libxl's
 * /libxl/pci records, the hypervisor and the guest's PCI backend), what
 * it should become (a goal), and one step per (state, goal) pair.  Every
 * operation and every recovery is the same loop: observe, look the
 * step up, do it, observe again, until the goal is reached or a step
 * fails.  The design and the table are in device.c.
 */
#ifndef XENPCI_DEVICE_H
#define XENPCI_DEVICE_H

#include <limits.h>
#include <stdbool.h>

#include "bdf.h"
#include "cancel.h"
#include "guest.h"
#include "ops.h"
#include "xenbus.h"

enum dev_state {
	DS_ABSENT,	/* no such device in sysfs */
	DS_HOST,	/* on a dom0 driver (the goal's, if it names one) */
	DS_OTHER,	/* on a dom0 driver other than the goal's */
	DS_UNBOUND,	/* on no driver, no pciback slot */
	DS_SLOT,	/* on no driver, pciback has a slot for it */
	DS_PCIBACK,	/* on pciback, not known to be quarantined */
	DS_ASSIGNABLE,	/* on pciback and quarantined (dom_io) */
	DS_MARKED,	/* libxl's record names the guest; not granted */
	DS_GRANTED,	/* a guest has its BARs, IRQ and assignment */
	DS_EXPORTED,	/* in the guest's PCI backend */
	DS_ELSEWHERE,	/* attached to another guest than the goal's */
	DS_NSTATES
};

enum dev_goal_kind {
	DG_HOST,	/* back on its dom0 driver (remove -r) */
	DG_RELEASED,	/* off pciback, on no driver (remove) */
	DG_ASSIGNABLE,	/* on pciback, quarantined, in no guest */
	DG_DETACHED,	/* nothing of it left in guest `domid` */
	DG_ATTACHED,	/* exported to guest `domid` */
	/* The same for an HVM guest: its bus is qemu-xen's (QMP). */
	DG_DETACHED_HVM,
	DG_ATTACHED_HVM,
	DG_KEEP,	/* a goal to return to only: stay where it is */
	DG_NGOALS = DG_KEEP
};


struct dev_goal {
	enum dev_goal_kind kind;
	long domid;		/* DG_ATTACHED, DG_DETACHED: the guest */
	bool guest_gone;	/* DG_DETACHED: its backend is not asked */
	char driver[PATH_MAX];	/* DG_HOST: the host path of the driver */
};

struct device {
	struct bdf bdf;
	struct dev_goal goal;
	struct dev_goal ret;	/* where a failure or a crash returns it */
	/* Observed. */
	enum dev_state state;
	char driver[PATH_MAX];	/* the driver it is on, "" none */
	long domid;		/* libxl's record, -1 none */
	/* domid and in_be as last seen, or as the steps since left them */
	bool domid_known;
	bool be_known, in_be;	/* in the guest's backend */
	bool quarantined;	/* see observe() in device.c */
	/* The driver it had when this drive began (add: remembered). */
	char orig_driver[PATH_MAX];
	bool wrote_xs_path;	/* this drive created libxl's driver_path */
	bool journaled;		/* an intent record is on disk */
	bool remembered;	/* the original driver is recorded */
	struct xb_dev xb;	/* attach: what the backend is told */
	/* attach: what else libxl's saved configuration says (savedcfg.h) */
	unsigned int vfunc_mask;	/* the functions of a `*`, else 1 */
	bool seize;
	/* HVM: function 0 of a multi-function slot (QEMU's multifunction). */
	bool multifunction;
	/* HVM: how long observing through QMP may wait, and the cancel. */
	unsigned int wait_ms;
	const struct cancel *cancel;
};

/* An HVM goal (attached-hvm, detached-hvm); inline for devstep.c. */
static inline bool device_goal_hvm(const struct dev_goal *g)
{
	return g->kind == DG_ATTACHED_HVM || g->kind == DG_DETACHED_HVM;
}

struct drive {
	const char *req;		/* the request, for the record */
	const struct cancel *cancel;	/* the request timed out */
	unsigned int timeout_ms;	/* for waiting on the guest */
	bool force;			/* a guest that does not answer */
	bool reset_strict;		/* a dirty device only to its guest */
	struct outcome *out;
};

const char *dev_state_name(enum dev_state s);
const char *dev_goal_name(enum dev_goal_kind g);

/* What steps[s][g] does: a step's name, done, refuse E..., impossible. */
const char *device_cell_name(enum dev_state s, enum dev_goal_kind g,
			     bool *batch);
/* The cell of its (state, goal) says done. */
bool device_at_goal(const struct device *d);
/* device_observe(), failing the drive with a message. */
struct drive;
int device_observe_or_fail(struct device *d, struct drive *dr);
/* Fills in what the device is, relative to its goal.  0 or -errno. */
int device_observe(struct device *d);
/* Prepares d for a drive: bdf set, domid unknown, nothing remembered. */
void device_init(struct device *d, const struct bdf *b);

/* journal.c: */
/*
 * Drives every device to its goal, all or nothing: an intent record
 * (goal, goal to return to, original driver) per device before its
 * first step; on failure every device is driven back to its `ret` and
 * out->msg says how each ended.  0 or -errno (out filled).
 */
int device_transition(struct device *devs, unsigned int n,
		      struct drive *dr);
/* Without a journal or a way back (recovery and cleanup). */
int device_drive(struct device *devs, unsigned int n, struct drive *dr);

/* After a transition: every intent record goes, passing hook `hook`. */
void device_done(struct device *devs, unsigned int n, const char *hook);
/*
 * Goal assignable, the way back its driver now (or none); a device
 * already on pciback stays there.  0 or -errno (out filled).
 */
int device_prepare_add(struct device *d, const struct bdf *b,
		       struct outcome *out);
/*
 * The dom0 guard (policy.c) for a device about to leave dom0: 0, or
 * -EBUSY (or the errno of what could not be read) with out set; force
 * goes on with a warning.
 */
int device_dom0_guard(const struct bdf *b, bool force, struct outcome *out);
/* Start-up: drive every device with an intent record to its `ret`. */
void device_recover(void);

/* The request's error: "<BDF>: <what>", logged; returns -err. */
int fail(struct outcome *out, int err, const struct bdf *b,
	 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Appends to out->msg: how the devices ended after a failure. */
void fail_note(struct outcome *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Test hook XEN_PCI_AGENT_CRASH_AT: SIGKILL before step `name`. */
void step(const struct bdf *b, const char *name);

#endif
