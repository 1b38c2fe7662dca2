/*
 * A device's life as a state table (device.h).
 *
 * STATES are observed, never remembered: sysfs says which driver the
 * device is on and whether pciback has a slot for it; libxl's record
 * (/libxl/pci/<K>/domid) which guest it is attached to; the guest's PCI
 * backend whether it is exported there; the hypervisor whether a guest
 * owns it.  One fact cannot be observed: Xen 4.17 does not say whether
 * dom0 or dom_io owns a device (device_assigned() answers the same for
 * both), so `quarantined` is what this drive knows from its own steps
 * (quarantine, revoke: deassign returns a device to dom_io); a fresh
 * drive treats a device on pciback as not yet quarantined, and the
 * quarantine step, idempotent in Xen, settles it.  Within one drive,
 * libxl's record and the guest's backend are looked at once and then
 * followed through the drive's own steps (the device's queue lets no
 * other request at it meanwhile): issue 10, an attach read the record 8
 * times and listed the backend 5 times.
 *
 * GOALS: host (its dom0 driver), released (off pciback), assignable,
 * attached to guest N.  A goal also says what the state is relative
 * to: "on another driver" only exists for a host goal naming a driver,
 * "attached elsewhere" only for a guest-related goal, and the attached
 * states are observed only when the goal concerns a guest.
 *
 * STEPS: steps[state][goal], every cell filled: a step, DONE, a
 * refusal with its errno, or IMPOSSIBLE (a pair observe() never
 * produces: logged loudly and failed with EIO).  A step may pass
 * several crash-test hooks (step()), e.g. `unbind` then `remember`.
 * The export to the guest's backend is a batch step: one xenstore
 * transaction for every device of the drive that has reached it, which
 * pciback needs (xenbus.c's header).
 *
 * The table itself is printed in agent/README.md; journal.c drives
 * devices with an intent record and a way back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "device.h"
#include "devstep.h"
#include "hypervisor.h"
#include "libxl_pci.h"
#include "log.h"
#include "policy.h"
#include "qemupt.h"
#include "statedir.h"
#include "sysfs.h"

static const char *const state_names[DS_NSTATES] = {
	[DS_ABSENT] = "absent", [DS_HOST] = "host", [DS_OTHER] = "other",
	[DS_UNBOUND] = "unbound", [DS_SLOT] = "slot",
	[DS_PCIBACK] = "pciback", [DS_ASSIGNABLE] = "assignable",
	[DS_MARKED] = "marked", [DS_GRANTED] = "granted",
	[DS_EXPORTED] = "exported", [DS_ELSEWHERE] = "elsewhere",
};

static const char *const goal_names[DG_KEEP + 1] = {
	[DG_HOST] = "host", [DG_RELEASED] = "released",
	[DG_ASSIGNABLE] = "assignable", [DG_DETACHED] = "detached",
	[DG_ATTACHED] = "attached",
	[DG_DETACHED_HVM] = "detached-hvm", [DG_ATTACHED_HVM] = "attached-hvm",
	[DG_KEEP] = "keep",
};

const char *dev_state_name(enum dev_state s)
{
	return s < DS_NSTATES ? state_names[s] : "?";
}

const char *dev_goal_name(enum dev_goal_kind g)
{
	return g <= DG_KEEP ? goal_names[g] : "?";
}

void device_init(struct device *d, const struct bdf *b)
{
	memset(d, 0, sizeof(*d));
	d->bdf = *b;
	d->xb.bdf = *b;
	d->domid = -1;
	d->goal.domid = d->ret.domid = -1;
	d->ret.kind = DG_KEEP;
}

/* ----------------------------------------------------------- observe */

static bool guest_goal(const struct dev_goal *g)
{
	return g->kind == DG_ATTACHED || g->kind == DG_DETACHED ||
	       device_goal_hvm(g);
}

/* Without a drive (R/devices), a QMP look-up waits this long at most. */
#define OBSERVE_QMP_MS	5000

/*
 * An HVM guest's bus is qemu-xen's: the device is exported when
 * query-pci shows our qdev id.  QEMU is asked only about a device the
 * guest owns in Xen, because the steps plug only after the grant and
 * revoke only after the unplug, and a dead guest's is not asked at all.
 */
static int observe_hvm(struct device *d, long guest)
{
	struct qpt_wait w = { .timeout_ms = d->wait_ms ? d->wait_ms :
			      OBSERVE_QMP_MS, .cancel = d->cancel };
	int owned = quarantine_guest_owned(&d->bdf), rc;
	unsigned int vdevfn = 0;
	char msg[512];

	if (owned < 0)
		return owned;
	if (!owned)
		return d->domid >= 0 ? DS_MARKED : -ENOENT;
	if (guest < 0 || d->goal.guest_gone)
		return DS_GRANTED;
	rc = qpt_find((unsigned int)guest, &d->bdf, &w, &vdevfn, msg,
		      sizeof(msg));
	if (rc == -EEXIST) {
		/* Not ours: never unplug it; a plug gets QEMU's refusal. */
		log_dev(LOG_WARNING, &d->bdf, "%s", msg);
		return DS_GRANTED;
	}
	if (rc < 0) {
		log_dev(LOG_ERR, &d->bdf, "%s", msg);
		return rc;
	}
	if (!rc)
		return DS_GRANTED;
	d->xb.vdevfn = vdevfn;
	snprintf(d->xb.vdev, sizeof(d->xb.vdev), "0000:00:%02x.%02x",
		 vdevfn >> 3, vdevfn & 7);
	return DS_EXPORTED;
}

/*
 * In domid's backend; fills the vdev pciback gave it.  In a drive, what
 * the last look saw, followed through the drive's export and unexport
 * (note_step()).
 */
static int in_backend(struct device *d, unsigned int domid, bool in_drive)
{
	struct xb_entry *e;
	unsigned int n, i;
	int found = 0;

	if (in_drive && d->be_known)
		return d->in_be;
	if (xb_list(cfg.domid, domid, &e, &n))
		return 0;
	for (i = 0; i < n && !found; i++) {
		if (!bdf_eq(&e[i].bdf, &d->bdf))
			continue;
		found = 1;
		snprintf(d->xb.vdev, sizeof(d->xb.vdev), "%s", e[i].vdev);
	}
	free(e);
	d->be_known = true;
	d->in_be = found;
	return found;
}

static int observe(struct device *d, bool in_drive);

/* What one listing of a backend says of d. */
static void note_listing(struct device *d, const struct xb_entry *e,
			 unsigned int n)
{
	d->in_be = false;
	for (unsigned int i = 0; i < n && !d->in_be; i++) {
		if (!bdf_eq(&e[i].bdf, &d->bdf))
			continue;
		d->in_be = true;
		snprintf(d->xb.vdev, sizeof(d->xb.vdev), "%s", e[i].vdev);
	}
	d->be_known = true;
}

static bool pv_guest_goal(const struct device *d)
{
	return (d->goal.kind == DG_ATTACHED || d->goal.kind == DG_DETACHED) &&
	       d->goal.domid >= 0 && !d->goal.guest_gone;
}

/*
 * The devices of a drive that have not looked at their guest's backend
 * yet share one listing per guest (issue 10: 4 devices of a grouped
 * attach listed it 4 times, each listing 1 + 4 reads per device).
 */
static void list_backends_once(struct device *devs, unsigned int n)
{
	struct xb_entry *e;
	unsigned int m, i, j;

	for (i = 0; i < n; i++) {
		if (!pv_guest_goal(&devs[i]) || devs[i].be_known)
			continue;
		if (xb_list(cfg.domid, (unsigned int)devs[i].goal.domid, &e,
			    &m))
			continue;
		for (j = i; j < n; j++)
			if (pv_guest_goal(&devs[j]) && !devs[j].be_known &&
			    devs[j].goal.domid == devs[i].goal.domid)
				note_listing(&devs[j], e, m);
		free(e);
	}
}

int device_observe_listed(struct device *d, const struct xb_entry *e,
			  unsigned int n)
{
	if (pv_guest_goal(d))
		note_listing(d, e, n);
	return observe(d, true);
}

/* Which guest state: the record's guest, else the goal's. */
static int observe_guest(struct device *d, bool in_drive)
{
	long guest = d->domid >= 0 ? d->domid : d->goal.domid;
	int owned;

	if (d->domid >= 0 && d->goal.domid >= 0 && d->domid != d->goal.domid)
		return DS_ELSEWHERE;
	if (device_goal_hvm(&d->goal))
		return observe_hvm(d, guest);
	if (guest >= 0 && !d->goal.guest_gone &&
	    in_backend(d, (unsigned int)guest, in_drive))
		return DS_EXPORTED;
	owned = quarantine_guest_owned(&d->bdf);
	if (owned < 0)
		return owned;
	if (owned)
		return DS_GRANTED;
	return d->domid >= 0 ? DS_MARKED : -ENOENT;
}

/* probe: sysfs_dev_probe()'s answer, drv its driver. */
static int observe_driver(struct device *d, int probe, const char *drv)
{
	int rc;

	if (probe == SYSFS_ON_PCIBACK)
		return d->quarantined ? DS_ASSIGNABLE : DS_PCIBACK;
	if (probe == SYSFS_ON_DRIVER) {
		snprintf(d->driver, sizeof(d->driver), "%s", drv);
		return d->goal.kind == DG_HOST && d->goal.driver[0] &&
		       strcmp(d->driver, d->goal.driver) ? DS_OTHER : DS_HOST;
	}
	rc = sysfs_has_slot(&d->bdf);
	if (rc < 0)
		return rc;
	return rc ? DS_SLOT : DS_UNBOUND;
}

/*
 * Every step is followed by an observation: one sysfs lookup for a
 * device on a driver (issue 10: three before, each a round trip to the
 * kernel's sysfs, or to the simulated one).  libxl's record and the
 * backend are read by device_observe() (a drive's caller looks first)
 * and then followed through the drive's steps (note_step()): the
 * device's queue admits no other request for it meanwhile.  An attach
 * read the record at every step, 8 times.
 */
static int observe(struct device *d, bool in_drive)
{
	char drv[sizeof(d->driver)];
	int probe = sysfs_dev_probe(&d->bdf, drv, sizeof(drv)), rc;

	d->driver[0] = '\0';
	if (probe == -ENOENT) {
		d->state = DS_ABSENT;
		return 0;
	}
	if (probe < 0)
		return probe;
	if (guest_goal(&d->goal)) {
		if (!in_drive || !d->domid_known)
			d->domid = libxl_pci_domid(XBT_NULL, &d->bdf);
		d->domid_known = true;
		rc = observe_guest(d, in_drive);
		if (rc >= 0) {
			d->state = rc;
			return 0;
		}
		if (rc != -ENOENT)
			return rc;
	}
	rc = observe_driver(d, probe, drv);
	if (rc < 0)
		return rc;
	d->state = rc;
	return 0;
}

int device_observe(struct device *d)
{
	return observe(d, false);
}

/* ------------------------------------------------------------- steps */


enum cell_kind { C_IMPOSSIBLE, C_DONE, C_STEP, C_BATCH, C_REFUSE };

struct cell {
	enum cell_kind kind;
	step_fn fn;
	int err;		/* C_REFUSE */
	const char *why;	/* C_REFUSE: the message */
	const char *name;	/* for the log and agent/README.md */
};

#define STEP(f)		{ C_STEP, f, 0, NULL, #f + 3 }
#define BATCH(f)	{ C_BATCH, f, 0, NULL, #f + 3 }
#define DONE		{ C_DONE, NULL, 0, NULL, "done" }
#define REFUSE(e, w)	{ C_REFUSE, NULL, e, w, "refuse " #e }
#define IMPOSSIBLE	{ C_IMPOSSIBLE, NULL, 0, NULL, "impossible" }

#define NOT_ASSIGNABLE	"not assignable (not bound to pciback): run " \
			"assignable-add first, or give seize=1"

/*
 * The HVM columns are the PV ones but where the guest's bus is
 * concerned: the grant uses the guest's RDM policy and a failed assign
 * is fatal (grant_hvm), the device goes into qemu-xen by QMP device_add
 * (plug) and out by device_del and DEVICE_DELETED (unplug), and
 * libxl's backend records go with the release.
 */
static const struct cell steps[DS_NSTATES][DG_NGOALS] = {
	/* goals: host, released, assignable, detached, attached,
	 * detached-hvm, attached-hvm */
	[DS_ABSENT] = {
		REFUSE(ENODEV, "no such PCI device"),
		REFUSE(ENODEV, "no such PCI device"),
		REFUSE(ENODEV, "no such PCI device"),
		REFUSE(ENODEV, "no such PCI device"),
		REFUSE(ENODEV, "no such PCI device"),
		REFUSE(ENODEV, "no such PCI device"),
		REFUSE(ENODEV, "no such PCI device") },
	[DS_HOST] = {
		DONE, DONE, STEP(st_unbind), DONE,
		REFUSE(EPERM, NOT_ASSIGNABLE),
		DONE, REFUSE(EPERM, NOT_ASSIGNABLE) },
	/* The host has it: the agent takes nothing from a driver it did
	 * not bind (return_one() says so). */
	[DS_OTHER] = {
		DONE, IMPOSSIBLE, IMPOSSIBLE, IMPOSSIBLE, IMPOSSIBLE,
		IMPOSSIBLE, IMPOSSIBLE },
	[DS_UNBOUND] = {
		STEP(st_rebind), DONE, STEP(st_new_slot), DONE,
		REFUSE(EPERM, NOT_ASSIGNABLE),
		DONE, REFUSE(EPERM, NOT_ASSIGNABLE) },
	[DS_SLOT] = {
		STEP(st_remove_slot), STEP(st_remove_slot),
		STEP(st_bind_pciback), DONE, REFUSE(EPERM, NOT_ASSIGNABLE),
		DONE, REFUSE(EPERM, NOT_ASSIGNABLE) },
	[DS_PCIBACK] = {
		STEP(st_unbind_pciback), STEP(st_unbind_pciback),
		STEP(st_quarantine), DONE, STEP(st_mark),
		DONE, STEP(st_mark) },
	[DS_ASSIGNABLE] = {
		STEP(st_unbind_pciback), STEP(st_unbind_pciback), DONE, DONE,
		STEP(st_mark),
		DONE, STEP(st_mark) },
	[DS_MARKED] = {
		IMPOSSIBLE, IMPOSSIBLE, IMPOSSIBLE, STEP(st_release),
		STEP(st_grant),
		STEP(st_release), STEP(st_grant_hvm) },
	[DS_GRANTED] = {
		IMPOSSIBLE, IMPOSSIBLE, IMPOSSIBLE, STEP(st_revoke),
		BATCH(st_export),
		STEP(st_revoke), STEP(st_plug) },
	[DS_EXPORTED] = {
		IMPOSSIBLE, IMPOSSIBLE, IMPOSSIBLE, STEP(st_unexport), DONE,
		STEP(st_unplug), DONE },
	[DS_ELSEWHERE] = {
		IMPOSSIBLE, IMPOSSIBLE, IMPOSSIBLE,
		STEP(st_refuse_elsewhere), STEP(st_refuse_elsewhere),
		STEP(st_refuse_elsewhere), STEP(st_refuse_elsewhere) },
};

bool device_at_goal(const struct device *d)
{
	return steps[d->state][d->goal.kind].kind == C_DONE;
}

const char *device_cell_name(enum dev_state s, enum dev_goal_kind g,
			     bool *batch)
{
	*batch = steps[s][g].kind == C_BATCH;
	return steps[s][g].name;
}

/* ------------------------------------------------------------ drive */

/* More than any goal needs: a loop that does not converge is a bug. */
#define MAX_STEPS	(4 * DS_NSTATES)

static const struct cell *cell_of(const struct device *d)
{
	return &steps[d->state][d->goal.kind];
}

static int refuse(struct device *d, const struct cell *c, struct drive *dr)
{
	if (c->kind == C_REFUSE)
		return fail(dr->out, c->err, &d->bdf, "%s", c->why);
	log_dev(LOG_ERR, &d->bdf, "impossible: state %s with goal %s",
		dev_state_name(d->state), dev_goal_name(d->goal.kind));
	return fail(dr->out, EIO, &d->bdf, "internal error: state %s with "
		    "goal %s", dev_state_name(d->state),
		    dev_goal_name(d->goal.kind));
}

static int observe_or_fail(struct device *d, struct drive *dr,
			   bool in_drive)
{
	int rc = observe(d, in_drive);

	if (rc)
		return fail(dr->out, -rc, &d->bdf, "look up device: %s",
			    strerror(-rc));
	return 0;
}

int device_observe_or_fail(struct device *d, struct drive *dr)
{
	return observe_or_fail(d, dr, false);
}

/*
 * What a step made of libxl's record and the backend.  A step that
 * failed may have gone half way (st_release clears the record, then its
 * script fails): the next observation looks again.
 */
static void note_step(struct device *d, step_fn fn, int rc)
{
	if (rc) {
		d->domid_known = d->be_known = false;
		return;
	}
	if (fn == st_mark)
		d->domid = d->goal.domid;
	else if (fn == st_release)
		d->domid = -1;
	else if (fn == st_unexport || fn == st_export)
		d->be_known = true;
	/* st_export_batch() filled in the vdev pciback gave it */
	if (fn == st_unexport || fn == st_export)
		d->in_be = fn == st_export;
}

/* The devices whose next step is the batch step: run it once for all. */
static int run_batch(struct device *devs, unsigned int n, step_fn fn,
		     struct drive *dr)
{
	struct device *batch[REQ_MAX_DEVS];
	unsigned int i, nb = 0;

	int rc;

	for (i = 0; i < n; i++)
		if (cell_of(&devs[i])->fn == fn)
			batch[nb++] = &devs[i];
	rc = st_export_batch(batch, nb, dr);
	for (i = 0; i < nb; i++)
		note_step(batch[i], fn, rc);
	return rc;
}

/* One round: every device observed, the first device's step taken. */
static int drive_round(struct device *devs, unsigned int n,
		       struct drive *dr, bool *done)
{
	const struct cell *batch = NULL;
	unsigned int i;
	int rc;

	*done = true;
	if (n > 1)
		list_backends_once(devs, n);
	for (i = 0; i < n; i++) {
		devs[i].wait_ms = dr->timeout_ms;
		devs[i].cancel = dr->cancel;
		rc = observe_or_fail(&devs[i], dr, true);
		if (rc)
			return rc;
	}
	for (i = 0; i < n; i++) {
		const struct cell *c = cell_of(&devs[i]);

		if (c->kind == C_DONE)
			continue;
		*done = false;
		if (c->kind == C_BATCH) {
			batch = c;
			continue;
		}
		if (c->kind != C_STEP)
			return refuse(&devs[i], c, dr);
		log_dev(LOG_DEBUG, &devs[i].bdf, "%s, goal %s: %s",
			dev_state_name(devs[i].state),
			dev_goal_name(devs[i].goal.kind), c->name);
		rc = c->fn(&devs[i], dr);
		note_step(&devs[i], c->fn, rc);
		return rc;
	}
	return batch ? run_batch(devs, n, batch->fn, dr) : 0;
}

int device_drive(struct device *devs, unsigned int n, struct drive *dr)
{
	bool done = false;
	int rc, rounds;

	for (rounds = 0; rounds < MAX_STEPS * (int)n + 1; rounds++) {
		if (cancel_is_set(dr->cancel))
			return fail(dr->out, ETIMEDOUT, NULL, "request timed "
				    "out or was cancelled");
		rc = drive_round(devs, n, dr, &done);
		if (rc || done)
			return rc;
	}
	return fail(dr->out, ELOOP, &devs[0].bdf, "internal error: no "
		    "progress towards %s", dev_goal_name(devs[0].goal.kind));
}

/*
 * The dom0 guard (policy.c) for a device about to leave dom0; one
 * already on pciback has left.  force=1 goes on, saying why it should
 * not have.
 */
int device_dom0_guard(const struct bdf *b, bool force, struct outcome *out)
{
	char why[sizeof(out->msg) - 80];
	int rc = sysfs_on_pciback(b);

	if (rc == 1)
		return 0;
	rc = policy_dom0_uses(b, why, sizeof(why));
	if (!rc)
		return 0;
	if (force) {
		log_dev(LOG_WARNING, b, "taken from dom0 anyway (force=1), "
			"although %s", why);
		return 0;
	}
	if (rc < 0)
		return fail(out, -rc, b, "%s; force=1 takes it anyway", why);
	return fail(out, EBUSY, b, "in use by dom0: %s; force=1 takes it "
		    "anyway", why);
}
