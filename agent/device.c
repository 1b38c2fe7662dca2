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
 * quarantine step, idempotent in Xen, settles it.
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
 * The table itself is printed in agent/README.md.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "device.h"
#include "devstep.h"
#include "hypervisor.h"
#include "libxl_pci.h"
#include "log.h"
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
	return g->kind == DG_ATTACHED || g->kind == DG_DETACHED;
}

/* In domid's backend; fills the vdev pciback gave it. */
static int in_backend(struct device *d, unsigned int domid)
{
	struct xb_entry *e;
	unsigned int n, i;
	int found = 0;

	if (xb_list(cfg.domid, domid, &e, &n))
		return 0;
	for (i = 0; i < n && !found; i++) {
		if (!bdf_eq(&e[i].bdf, &d->bdf))
			continue;
		found = 1;
		snprintf(d->xb.vdev, sizeof(d->xb.vdev), "%s", e[i].vdev);
	}
	free(e);
	return found;
}

/* Which guest state: the record's guest, else the goal's. */
static int observe_guest(struct device *d)
{
	long guest = d->domid >= 0 ? d->domid : d->goal.domid;
	int owned;

	if (d->domid >= 0 && d->goal.domid >= 0 && d->domid != d->goal.domid)
		return DS_ELSEWHERE;
	if (guest >= 0 && !d->goal.guest_gone &&
	    in_backend(d, (unsigned int)guest))
		return DS_EXPORTED;
	owned = quarantine_guest_owned(&d->bdf);
	if (owned < 0)
		return owned;
	if (owned)
		return DS_GRANTED;
	return d->domid >= 0 ? DS_MARKED : -ENOENT;
}

static int observe_driver(struct device *d)
{
	int rc = sysfs_on_pciback(&d->bdf);

	if (rc < 0)
		return rc;
	if (rc)
		return d->quarantined ? DS_ASSIGNABLE : DS_PCIBACK;
	rc = sysfs_dev_driver(&d->bdf, d->driver, sizeof(d->driver));
	if (rc)
		return rc;
	if (d->driver[0])
		return d->goal.kind == DG_HOST && d->goal.driver[0] &&
		       strcmp(d->driver, d->goal.driver) ? DS_OTHER : DS_HOST;
	rc = sysfs_has_slot(&d->bdf);
	if (rc < 0)
		return rc;
	return rc ? DS_SLOT : DS_UNBOUND;
}

int device_observe(struct device *d)
{
	int rc = sysfs_dev_exists(&d->bdf);

	d->driver[0] = '\0';
	if (rc == -ENOENT) {
		d->state = DS_ABSENT;
		return 0;
	}
	if (rc)
		return rc;
	if (guest_goal(&d->goal)) {
		d->domid = libxl_pci_domid(XBT_NULL, &d->bdf);
		rc = observe_guest(d);
		if (rc >= 0) {
			d->state = rc;
			return 0;
		}
		if (rc != -ENOENT)
			return rc;
	}
	rc = observe_driver(d);
	if (rc < 0)
		return rc;
	d->state = rc;
	return 0;
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

static const struct cell steps[DS_NSTATES][DG_NGOALS] = {
	/* goals: host, released, assignable, detached, attached */
	[DS_ABSENT] = {
		REFUSE(ENODEV, "no such PCI device"),
		REFUSE(ENODEV, "no such PCI device"),
		REFUSE(ENODEV, "no such PCI device"),
		REFUSE(ENODEV, "no such PCI device"),
		REFUSE(ENODEV, "no such PCI device") },
	[DS_HOST] = {
		DONE, DONE, STEP(st_unbind), DONE,
		REFUSE(EPERM, NOT_ASSIGNABLE) },
	/* The host has it: the agent takes nothing from a driver it did
	 * not bind (return_one() says so). */
	[DS_OTHER] = {
		DONE, IMPOSSIBLE, IMPOSSIBLE, IMPOSSIBLE, IMPOSSIBLE },
	[DS_UNBOUND] = {
		STEP(st_rebind), DONE, STEP(st_new_slot), DONE,
		REFUSE(EPERM, NOT_ASSIGNABLE) },
	[DS_SLOT] = {
		STEP(st_remove_slot), STEP(st_remove_slot),
		STEP(st_bind_pciback), DONE, REFUSE(EPERM, NOT_ASSIGNABLE) },
	[DS_PCIBACK] = {
		STEP(st_unbind_pciback), STEP(st_unbind_pciback),
		STEP(st_quarantine), DONE, STEP(st_mark) },
	[DS_ASSIGNABLE] = {
		STEP(st_unbind_pciback), STEP(st_unbind_pciback), DONE, DONE,
		STEP(st_mark) },
	[DS_MARKED] = {
		IMPOSSIBLE, IMPOSSIBLE, IMPOSSIBLE, STEP(st_release),
		STEP(st_grant) },
	[DS_GRANTED] = {
		IMPOSSIBLE, IMPOSSIBLE, IMPOSSIBLE, STEP(st_revoke),
		BATCH(st_export) },
	[DS_EXPORTED] = {
		IMPOSSIBLE, IMPOSSIBLE, IMPOSSIBLE, STEP(st_unexport), DONE },
	[DS_ELSEWHERE] = {
		IMPOSSIBLE, IMPOSSIBLE, IMPOSSIBLE,
		STEP(st_refuse_elsewhere), STEP(st_refuse_elsewhere) },
};

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

static int observe_or_fail(struct device *d, struct drive *dr)
{
	int rc = device_observe(d);

	if (rc)
		return fail(dr->out, -rc, &d->bdf, "look up device: %s",
			    strerror(-rc));
	return 0;
}

/* The devices whose next step is the batch step: run it once for all. */
static int run_batch(struct device *devs, unsigned int n, step_fn fn,
		     struct drive *dr)
{
	struct device *batch[REQ_MAX_DEVS];
	unsigned int i, nb = 0;

	for (i = 0; i < n; i++)
		if (cell_of(&devs[i])->fn == fn)
			batch[nb++] = &devs[i];
	return st_export_batch(batch, nb, dr);
}

/* One round: every device observed, the first device's step taken. */
static int drive_round(struct device *devs, unsigned int n,
		       struct drive *dr, bool *done)
{
	const struct cell *batch = NULL;
	unsigned int i;
	int rc;

	*done = true;
	for (i = 0; i < n; i++) {
		rc = observe_or_fail(&devs[i], dr);
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
		return c->fn(&devs[i], dr);
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

/* ---------------------------------------------------------- journal */

static void goal_to_record(const struct dev_goal *g, char *name,
			   size_t len, long *domid)
{
	snprintf(name, len, "%s", dev_goal_name(g->kind));
	*domid = g->domid;
}

static bool goal_from_record(const char *name, long domid,
			     const char *driver, struct dev_goal *g)
{
	memset(g, 0, sizeof(*g));
	for (int k = 0; k <= DG_KEEP; k++) {
		if (strcmp(name, goal_names[k]))
			continue;
		g->kind = k;
		g->domid = domid;
		snprintf(g->driver, sizeof(g->driver), "%s", driver);
		return true;
	}
	return false;
}

static int journal(struct device *d, struct drive *dr)
{
	struct intent in = { .bdf = d->bdf };
	int rc;

	goal_to_record(&d->goal, in.goal, sizeof(in.goal), &in.goal_domid);
	goal_to_record(&d->ret, in.ret, sizeof(in.ret), &in.ret_domid);
	snprintf(in.request, sizeof(in.request), "%s", dr->req ? dr->req : "");
	snprintf(in.orig_driver, sizeof(in.orig_driver), "%s",
		 d->ret.kind == DG_HOST ? d->ret.driver : d->goal.driver[0] ?
		 d->goal.driver : d->orig_driver);
	in.wrote_xs_path = d->wrote_xs_path;
	snprintf(in.boot_id, sizeof(in.boot_id), "%s", current_boot_id());
	rc = intent_write(&in);
	if (rc)
		return fail(dr->out, -rc, &d->bdf, "write intent record: %s",
			    strerror(-rc));
	d->journaled = true;
	return 0;
}

/* After a failed way back to pciback: never leave it on no driver. */
static void fallback_host(struct device *d, struct drive *dr, int err,
			  char *how, size_t len)
{
	struct outcome scratch = { 0 };
	struct drive back = *dr;

	back.out = &scratch;
	d->goal.kind = DG_HOST;
	snprintf(d->goal.driver, sizeof(d->goal.driver), "%s",
		 d->orig_driver);
	if (d->orig_driver[0] && !device_drive(d, 1, &back))
		snprintf(how, len, "could not go back to pciback (%s); bound "
			 "to driver %s instead", strerror(err),
			 driver_name(d->orig_driver));
	else
		snprintf(how, len, "could not go back to pciback (%s); left "
			 "unbound", strerror(err));
}

/* The record is written before the first step: what it left behind. */
static void forget_add(struct device *d)
{
	if (d->wrote_xs_path)
		libxl_pci_clear_driver(&d->bdf);
}

/*
 * Drive d to its `ret`; *how says where it ended, for the request's
 * message and the log.  0 if it got there.
 */
static int return_one(struct device *d, struct drive *dr, char *how,
		      size_t len)
{
	struct outcome scratch = { 0 };
	struct drive back = *dr;
	enum dev_state before = d->state;
	int rc;

	back.out = &scratch;
	back.cancel = NULL;	/* the way back is never cut short */
	how[0] = '\0';
	if (d->ret.kind == DG_KEEP)
		return 0;
	d->goal = d->ret;
	rc = device_drive(d, 1, &back);
	switch (d->ret.kind) {
	case DG_HOST:
		if (!rc && d->state == DS_OTHER) {
			/* Kept: the device is not where the record says. */
			driver_remember(&d->bdf, d->ret.driver);
			snprintf(how, len, "on driver %s, not %s: left there",
				 driver_name(d->driver),
				 driver_name(d->ret.driver));
		} else if (!rc && before == DS_HOST && !d->remembered) {
			snprintf(how, len, "still on driver %s",
				 driver_name(d->ret.driver));
		} else if (!rc) {
			snprintf(how, len, "restored to driver %s",
				 driver_name(d->ret.driver));
			forget_add(d);
		} else {
			/* Kept so that assignable-remove -r can finish. */
			driver_remember(&d->bdf, d->ret.driver);
			snprintf(how, len, "could not restore driver %s (%s); "
				 "it is remembered for assignable-remove -r",
				 driver_name(d->ret.driver),
				 strerror(scratch.err));
		}
		break;
	case DG_RELEASED:
		snprintf(how, len, rc ? "could not take it off pciback (%s)" :
			 "left unbound as it was", strerror(scratch.err));
		break;
	case DG_ASSIGNABLE:
		if (rc) {
			fallback_host(d, dr, scratch.err, how, len);
			break;
		}
		snprintf(how, len, "restored to pciback");
		if (d->orig_driver[0]) {
			driver_remember(&d->bdf, d->orig_driver);
			libxl_pci_set_driver(&d->bdf, d->orig_driver);
		}
		break;
	case DG_DETACHED:
		/* The attach's own message says it all; only log. */
		if (rc)
			log_dev(LOG_ERR, &d->bdf, "undo: could not take it "
				"back from domain %ld: %s", d->ret.domid,
				scratch.msg);
		else
			log_dev(LOG_INFO, &d->bdf, "undo: taken back from "
				"domain %ld", d->ret.domid);
		return rc;
	default:
		break;
	}
	log_dev(rc ? LOG_ERR : LOG_INFO, &d->bdf, "undo: %s", how);
	return rc;
}

static void unjournal(struct device *d)
{
	if (d->journaled)
		intent_clear(&d->bdf);
	d->journaled = false;
}

int device_transition(struct device *devs, unsigned int n, struct drive *dr)
{
	char how[768], bdf[BDF_STR_LEN];
	unsigned int i;
	int rc = 0;

	for (i = 0; i < n && !rc; i++) {
		rc = observe_or_fail(&devs[i], dr);
		if (!rc && cell_of(&devs[i])->kind != C_DONE)
			rc = journal(&devs[i], dr);
	}
	if (!rc)
		rc = device_drive(devs, n, dr);
	if (!rc && cancel_is_set(dr->cancel))
		rc = fail(dr->out, ETIMEDOUT, NULL, "request timed out or was "
			  "cancelled");
	if (!rc)
		return 0;
	/* All or nothing: every device goes back, the last one first. */
	for (i = n; i-- > 0;) {
		if (!devs[i].journaled)
			continue;
		return_one(&devs[i], dr, how, sizeof(how));
		if (how[0])
			fail_note(dr->out, "; %s %s", bdf_str(&devs[i].bdf, bdf),
			     how);
		unjournal(&devs[i]);
	}
	return rc;
}

/* Clear every record of a drive that succeeded. */
void device_done(struct device *devs, unsigned int n, const char *hook)
{
	for (unsigned int i = 0; i < n; i++) {
		if (!devs[i].journaled)
			continue;
		step(&devs[i].bdf, hook);
		unjournal(&devs[i]);
	}
}

/*
 * Goal assignable, and the way back: its driver now, or no driver.
 * seize=1 of an attach uses the same.
 */
int device_prepare_add(struct device *d, const struct bdf *b,
		struct outcome *out)
{
	char xs_drv[PATH_MAX];
	int rc;

	device_init(d, b);
	d->goal.kind = DG_ASSIGNABLE;
	rc = device_observe(d);
	if (rc)
		return fail(out, -rc, b, "read current driver: %s",
			    strerror(-rc));
	if (d->state == DS_PCIBACK || d->state == DS_ASSIGNABLE) {
		log_dev(LOG_INFO, b, "already assigned to pciback");
		d->ret.kind = DG_ASSIGNABLE;
		return 0;
	}
	snprintf(d->orig_driver, sizeof(d->orig_driver), "%s", d->driver);
	d->ret.kind = d->driver[0] ? DG_HOST : DG_RELEASED;
	snprintf(d->ret.driver, sizeof(d->ret.driver), "%s", d->driver);
	d->wrote_xs_path = d->driver[0] &&
		libxl_pci_driver(XBT_NULL, b, xs_drv, sizeof(xs_drv)) ==
		-ENOENT;
	return 0;
}

/* ---------------------------------------------------------- recovery */

static void recover_one(const struct intent *in)
{
	struct outcome out = { 0 };
	struct drive dr = { .req = in->request, .timeout_ms = 3000,
			    .force = true, .out = &out };
	struct device d;
	char how[768];
	int rc;

	device_init(&d, &in->bdf);
	if (!goal_from_record(in->goal, in->goal_domid, in->orig_driver,
			      &d.goal) ||
	    !goal_from_record(in->ret, in->ret_domid, in->orig_driver,
			      &d.ret)) {
		log_dev(LOG_ERR, &in->bdf, "intent record with unknown goal "
			"'%s' or '%s': discarded", in->goal, in->ret);
		return;
	}
	snprintf(d.orig_driver, sizeof(d.orig_driver), "%s", in->orig_driver);
	d.wrote_xs_path = in->wrote_xs_path;
	d.remembered = true;	/* it was, or the replay will */
	log_dev(LOG_WARNING, &in->bdf, "unfinished drive to %s (request %s) "
		"found at start-up: %s", in->goal, in->request,
		d.ret.kind == DG_KEEP ? "finishing it" : "going back");
	if (d.ret.kind == DG_KEEP)
		d.ret = d.goal;
	rc = device_observe(&d);
	if (!rc)
		rc = return_one(&d, &dr, how, sizeof(how));
	log_dev(rc ? LOG_ERR : LOG_INFO, &in->bdf, "recovery: %s",
		rc ? (how[0] ? how : out.msg) : how[0] ? how :
		"nothing to undo");
}

void device_recover(void)
{
	struct bdf *devs = NULL;
	unsigned int n = 0;
	struct intent in;
	int rc;

	rc = intent_list(&devs, &n);
	if (rc) {
		log_err("read intent records in %s/intent: %s", cfg.state_dir,
			strerror(-rc));
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		rc = intent_read(&devs[i], &in);
		if (rc) {
			log_dev(LOG_ERR, &devs[i], "unreadable intent record: "
				"%s; discarded", strerror(-rc));
		} else if (strcmp(in.boot_id, current_boot_id())) {
			log_dev(LOG_INFO, &devs[i], "intent record from an "
				"earlier boot discarded (sysfs was reset)");
			if (in.orig_driver[0])
				driver_remember(&devs[i], in.orig_driver);
		} else {
			recover_one(&in);
		}
		intent_clear(&devs[i]);
	}
	free(devs);
}
