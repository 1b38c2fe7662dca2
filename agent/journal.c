/*
 * Drives with a way back (device.h): before a device's first step an
 * intent record (statedir.c) says its goal, the goal to return to and
 * its original driver; a failure drives every device of the request
 * back, the last one first; at start-up every record a crash left is
 * driven back the same way.  A detach's way back is `keep`: recovery
 * finishes it, because the guest may already have let go of the device.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "device.h"
#include "libxl_pci.h"
#include "log.h"
#include "script.h"
#include "statedir.h"
#include "sysfs.h"

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
		if (strcmp(name, dev_goal_name(k)))
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

static int drive_back(struct device *d, struct drive *dr, char *how,
		       size_t len);

/*
 * Drive d to its `ret`; *how says where it ended, for the request's
 * message and the log.  0 if it got there.  The hotplug scripts of the
 * phases it passes run, but cannot stop the way back.
 */
static int return_one(struct device *d, struct drive *dr, char *how,
		      size_t len)
{
	int rc;

	script_undo(true);
	rc = drive_back(d, dr, how, len);
	script_undo(false);
	return rc;
}

static int drive_back(struct device *d, struct drive *dr, char *how,
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
	case DG_DETACHED_HVM:
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
		rc = device_observe_or_fail(&devs[i], dr);
		if (!rc && !device_at_goal(&devs[i]))
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
