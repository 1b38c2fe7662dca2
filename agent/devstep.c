/*
 * The steps of a device's life, in libxl 4.17's order and with its
 * sysfs writes (tools/libs/light/libxl_pci.c: assignable_add/_remove,
 * do_pci_add, do_pci_remove), one per cell of device.c's table.  Each
 * is idempotent where the kernel lets it be, and each passes the
 * crash-test hooks named after what it is about to do.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "devstep.h"
#include "hypervisor.h"
#include "libxl_pci.h"
#include "qemupt.h"
#include "savedcfg.h"
#include "log.h"
#include "policy.h"
#include "script.h"
#include "statedir.h"
#include "sysfs.h"
#include "xenbus.h"

void step(const struct bdf *b, const char *name)
{
	const char *at = getenv("XEN_PCI_AGENT_CRASH_AT");

	log_dev(LOG_DEBUG, b, "step %s", name);
	if (at && !strcmp(at, name)) {
		log_dev(LOG_WARNING, b, "test hook: SIGKILL before step %s",
			name);
		raise(SIGKILL);
	}
}

/* The request's error: "<BDF>: <what>", logged; returns -err. */
int fail(struct outcome *out, int err, const struct bdf *b,
	 const char *fmt, ...)
{
	char bdf[BDF_STR_LEN], what[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (b)
		snprintf(out->msg, sizeof(out->msg), "%s: %s",
			 bdf_str(b, bdf), what);
	else
		snprintf(out->msg, sizeof(out->msg), "%s", what);
	out->err = err;
	if (b)
		log_dev(LOG_ERR, b, "%s", what);
	else
		log_err("%s", what);
	return -err;
}

/* Append to out->msg (how a device ended after a failure). */
void fail_note(struct outcome *out, const char *fmt, ...)
{
	size_t l = strlen(out->msg);
	va_list ap;

	if (l >= sizeof(out->msg) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(out->msg + l, sizeof(out->msg) - l, fmt, ap);
	va_end(ap);
}

/* The guest a device is taken from or given to. */
static unsigned int guest_of(const struct device *d)
{
	return (unsigned int)(d->domid >= 0 ? d->domid : d->goal.domid);
}

/*
 * The site's hotplug script for phase ph (script.c): a failure fails
 * the step, except while a failed drive is undone (journal.c).
 */
static int phase(struct device *d, struct drive *dr, enum script_phase ph,
		 long domid)
{
	char drv[PATH_MAX], msg[768];
	struct script_dev sd = { .bdf = &d->bdf, .domid = domid,
				 .orig_driver = drv, .req = dr->req };
	int rc;

	if (!script_active())
		return 0;
	snprintf(drv, sizeof(drv), "%s", ph == SP_PREPARE && d->driver[0] ?
		 d->driver : d->orig_driver);
	if (!drv[0] && libxl_pci_driver(XBT_NULL, &d->bdf, drv, sizeof(drv)) &&
	    driver_recall(&d->bdf, drv, sizeof(drv)))
		drv[0] = '\0';
	rc = script_run(ph, &sd, dr->cancel, msg, sizeof(msg));
	if (!rc || script_undoing())
		return 0;
	return fail(dr->out, -rc, &d->bdf, "%s", msg);
}

/* libxl: "Store driver_path for rebinding to dom0". */
static int remember(struct device *d, struct drive *dr)
{
	char known[PATH_MAX], cur[PATH_MAX];
	int rc;

	d->remembered = true;
	step(&d->bdf, "remember");
	if (d->orig_driver[0]) {
		rc = driver_remember(&d->bdf, d->orig_driver);
		if (rc)
			return fail(dr->out, -rc, &d->bdf, "remember driver "
				    "%s on disk: %s",
				    driver_name(d->orig_driver),
				    strerror(-rc));
		rc = libxl_pci_set_driver(&d->bdf, d->orig_driver);
		if (rc)
			log_dev(LOG_WARNING, &d->bdf, "write libxl's "
				"driver_path: %s", strerror(-rc));
		return 0;
	}
	if (!libxl_pci_driver(XBT_NULL, &d->bdf, known, sizeof(known)) ||
	    !driver_recall(&d->bdf, known, sizeof(known))) {
		log_dev(LOG_INFO, &d->bdf, "not bound to a driver, will be "
			"rebound to %s", known);
		/* After a reboot only the disk knows: tell libxl. */
		if (libxl_pci_driver(XBT_NULL, &d->bdf, cur, sizeof(cur)) == -ENOENT)
			libxl_pci_set_driver(&d->bdf, known);
	} else {
		log_dev(LOG_WARNING, &d->bdf, "not bound to a driver, will "
			"not be rebound");
	}
	return 0;
}

int st_unbind(struct device *d, struct drive *dr)
{
	int rc = phase(d, dr, SP_PREPARE, -1);

	if (rc)
		return rc;
	step(&d->bdf, "unbind");
	rc = sysfs_driver_write(d->driver, "unbind", &d->bdf);
	if (rc)
		return fail(dr->out, -rc, &d->bdf, "unbind from %s: %s",
			    driver_name(d->driver), strerror(-rc));
	log_dev(LOG_INFO, &d->bdf, "unbound from %s", driver_name(d->driver));
	return remember(d, dr);
}

int st_new_slot(struct device *d, struct drive *dr)
{
	int rc = d->remembered ? 0 : phase(d, dr, SP_PREPARE, -1);

	rc = rc || d->remembered ? rc : remember(d, dr);

	if (rc)
		return rc;
	step(&d->bdf, "new_slot");
	rc = sysfs_pciback_write("new_slot", &d->bdf);
	if (rc)
		return fail(dr->out, -rc, &d->bdf, "add slot to pciback: %s",
			    strerror(-rc));
	return 0;
}

int st_bind_pciback(struct device *d, struct drive *dr)
{
	int rc = d->remembered ? 0 : phase(d, dr, SP_PREPARE, -1);

	rc = rc || d->remembered ? rc : remember(d, dr);

	if (rc)
		return rc;
	step(&d->bdf, "bind");
	rc = sysfs_pciback_write("bind", &d->bdf);
	if (rc)
		return fail(dr->out, -rc, &d->bdf, "bind to pciback: %s",
			    strerror(-rc));
	log_dev(LOG_INFO, &d->bdf, "bound to pciback%s%s",
		d->orig_driver[0] ? ", original driver " : "",
		d->orig_driver[0] ? driver_name(d->orig_driver) : "");
	return 0;
}

int st_quarantine(struct device *d, struct drive *dr)
{
	int rc;

	step(&d->bdf, "quarantine");
	rc = quarantine_assign(&d->bdf);
	if (rc)
		return fail(dr->out, -rc, &d->bdf, "quarantine (assign to "
			    "dom_io): %s", strerror(-rc));
	d->quarantined = true;
	return 0;
}

/* libxl de-quarantines first, then unbinds. */
int st_unbind_pciback(struct device *d, struct drive *dr)
{
	int rc;

	step(&d->bdf, "dequarantine");
	rc = quarantine_release(&d->bdf);
	if (rc)
		return fail(dr->out, -rc, &d->bdf, "de-quarantine (take back "
			    "from dom_io): %s", strerror(-rc));
	d->quarantined = false;
	step(&d->bdf, "unbind-pciback");
	rc = sysfs_pciback_write("unbind", &d->bdf);
	if (rc)
		return fail(dr->out, -rc, &d->bdf, "unbind from pciback: %s",
			    strerror(-rc));
	log_dev(LOG_INFO, &d->bdf, "unbound from pciback");
	return 0;
}

int st_remove_slot(struct device *d, struct drive *dr)
{
	int rc;

	step(&d->bdf, "remove_slot");
	rc = sysfs_pciback_write("remove_slot", &d->bdf);
	if (rc)
		return fail(dr->out, -rc, &d->bdf, "remove pciback slot: %s",
			    strerror(-rc));
	return 0;
}

int st_rebind(struct device *d, struct drive *dr)
{
	const char *drv = d->goal.driver;
	char now[PATH_MAX];
	int rc;

	step(&d->bdf, "rebind");
	if (!drv[0])
		return fail(dr->out, ENOENT, &d->bdf, "cannot rebind: no "
			    "original driver is known");
	rc = sysfs_driver_write(drv, "bind", &d->bdf);
	if (rc)
		return fail(dr->out, -rc, &d->bdf, "bind to %s: %s",
			    driver_name(drv), strerror(-rc));
	/* Only the device's driver link says the bind took effect. */
	rc = sysfs_dev_driver(&d->bdf, now, sizeof(now));
	if (rc || strcmp(now, drv))
		return fail(dr->out, rc ? -rc : EIO, &d->bdf, "bind to %s: "
			    "written, but the device is %s%s", driver_name(drv),
			    rc ? "unreadable: " : now[0] ? "on " : "on no driver",
			    rc ? strerror(-rc) : now[0] ? driver_name(now) : "");
	log_dev(LOG_INFO, &d->bdf, "rebound to %s", driver_name(drv));
	return phase(d, dr, SP_REATTACH, -1);
}

/*
 * The permissive flag is sticky until the device leaves pciback
 * (pci_stub.c keeps it in the pcistub device): make it what this guest
 * asked for.
 */
static int set_permissive(struct device *d, struct drive *dr)
{
	const struct bdf *b = &d->bdf;
	int cur = sysfs_permissive(b), rc;
	bool want = d->xb.permissive;

	if (cur < 0)
		return fail(dr->out, -cur, b, "read pciback/permissive: %s",
			    strerror(-cur));
	if (want && !cur) {
		rc = sysfs_pciback_write("permissive", b);
		if (rc)
			return fail(dr->out, -rc, b, "set permissive: %s",
				    strerror(-rc));
		log_dev(LOG_WARNING, b, "permissive mode: the guest may write "
			"any configuration space field");
	} else if (!want && cur) {
		log_dev(LOG_INFO, b, "still permissive from an earlier guest: "
			"unbinding and rebinding it to pciback to clear that");
		rc = sysfs_pciback_write("unbind", b);
		if (!rc)
			rc = sysfs_pciback_write("bind", b);
		if (rc)
			return fail(dr->out, -rc, b, "rebind to pciback to "
				    "clear permissive: %s", strerror(-rc));
	}
	return 0;
}

/*
 * The guest's saved configuration keeps the device, as xl pci-attach's
 * libxl__device_pci_add_xenstore() keeps it, before the guest's bus
 * has it: libxl's invariant is that every device in xenstore has its
 * entry (libxl_retrieve_domain_configuration()).  vdevfn is libxl's:
 * the functions of a `*` get their own function numbers in the slot
 * asked for (device_pci_add_stubdom_done()); an HVM guest's is the one
 * QEMU reported (pci_add_qmp_query_pci_cb()), which st_plug() writes.
 */
static int keep_saved(struct device *d, struct drive *dr,
		      unsigned int vdevfn)
{
	struct savedcfg_wait w = { dr->timeout_ms, dr->cancel };
	struct savedcfg_pci p = {
		.bdf = d->bdf, .vdevfn = vdevfn,
		.vfunc_mask = d->vfunc_mask ? d->vfunc_mask : 1,
		.msitranslate = d->xb.msitranslate,
		.power_mgmt = d->xb.power_mgmt,
		.permissive = d->xb.permissive, .seize = d->seize,
		.rdm_relaxed = d->xb.rdm_relaxed, .name = d->xb.name,
	};
	char msg[768];
	int rc;

	rc = savedcfg_add((unsigned int)d->goal.domid, &p, &w, msg,
			  sizeof(msg));
	if (rc)
		return fail(dr->out, -rc, &d->bdf, "keep it in the guest's "
			    "saved configuration: %s", msg);
	return 0;
}

/*
 * libxl's own detach leaves the entry for its next read to drop; the
 * agent takes it out.  A failure here is a warning: that read drops a
 * stale entry anyway, and a detach must not stop on it.
 */
static void forget_saved(struct device *d, struct drive *dr)
{
	struct savedcfg_wait w = { dr->timeout_ms, dr->cancel };
	char msg[768];

	if (savedcfg_remove((unsigned int)guest_of(d), &d->bdf, &w, msg,
			    sizeof(msg)))
		log_dev(LOG_WARNING, &d->bdf, "take it out of domain %u's "
			"saved configuration: %s (libxl ignores the stale "
			"entry)", guest_of(d), msg);
}

static unsigned int saved_vdevfn(const struct device *d, unsigned int vdevfn)
{
	return (vdevfn & ~7U) | (d->vfunc_mask > 1 ? d->bdf.func : 0);
}

/* Ready the device for this guest, then libxl's record says whose. */
int st_mark(struct device *d, struct drive *dr)
{
	int rc;

	step(&d->bdf, "permissive");
	rc = set_permissive(d, dr);
	if (rc)
		return rc;
	step(&d->bdf, "mark");
	rc = libxl_pci_set_domid(&d->bdf, (unsigned int)d->goal.domid);
	if (rc)
		return fail(dr->out, -rc, &d->bdf, "write /libxl/pci record: "
			    "%s", strerror(-rc));
	step(&d->bdf, "savedcfg");
	return keep_saved(d, dr, saved_vdevfn(d, d->xb.vdevfn));
}

/*
 * Reset it (libxl__device_pci_reset(): pciback's do_flr, else the
 * device's reset file) and say how: method "do_flr", or the kernel's
 * first reset_method ("flr", "pm", "bus"...).  0, or -errno with why
 * set (-ENOTTY: no method at all).
 */
static int reset_dev(struct device *d, char *method, size_t mlen, char *why,
		     size_t wlen)
{
	char methods[64] = "";
	const char *how = "";
	int rc = sysfs_reset(&d->bdf, &how);

	if (!strcmp(how, "unsupported")) {
		snprintf(method, mlen, "none");
		snprintf(why, wlen, "no reset method (no reset_method, no "
			 "pciback do_flr)");
		return -ENOTTY;
	}
	if (!strcmp(how, "reset"))
		sysfs_reset_methods(&d->bdf, methods, sizeof(methods));
	methods[strcspn(methods, " ")] = '\0';
	snprintf(method, mlen, "%s", methods[0] ? methods : how);
	if (rc)
		snprintf(why, wlen, "reset (%s) failed: %s", method,
			 strerror(-rc));
	return rc;
}

/*
 * libxl resets a device before a guest gets it.  One that cannot be
 * reset and was not reset after its last guest is dirty: the policy
 * says whether another guest may have it (strict: no, EBUSY; best
 * effort: yes, and the record and the log say so).  *note: what a
 * best-effort grant should leave in the record.
 */
static int reset_before(struct device *d, struct drive *dr, char *note,
			size_t len)
{
	struct reset_rec prev, r;
	char method[32], why[160];
	long to = d->goal.domid;

	note[0] = '\0';
	policy_reset_get(&d->bdf, &prev);
	if (!reset_dev(d, method, sizeof(method), why, sizeof(why))) {
		r = (struct reset_rec){ .state = RESET_CLEAN,
					.domid = prev.domid };
		snprintf(r.method, sizeof(r.method), "%s", method);
		policy_reset_put(&d->bdf, &r);
		return 0;
	}
	if (prev.state != RESET_DIRTY || prev.domid == to) {
		log_dev(LOG_WARNING, &d->bdf, "not reset before domain %ld: "
			"%s", to, why);
		return 0;
	}
	snprintf(note, len, "not reset since domain %ld had it: %s%s%s",
		 prev.domid, prev.why, strcmp(why, prev.why) ? "; now " : "",
		 strcmp(why, prev.why) ? why : "");
	if (dr->reset_strict)
		return fail(dr->out, EBUSY, &d->bdf, "%s: reset=strict gives it "
			    "only back to domain %ld (reset=best-effort gives "
			    "it anyway)", note, prev.domid);
	log_dev(LOG_WARNING, &d->bdf, "given to domain %ld although %s "
		"(reset=best-effort)", to, note);
	return 0;
}

/* The guest has it now; what a best-effort grant let go is said. */
static void record_grant(struct device *d, struct drive *dr,
			 struct reset_rec *r, const char *note)
{
	char bs[BDF_STR_LEN];

	snprintf(r->why, sizeof(r->why), "%s", note);
	policy_reset_put(&d->bdf, r);
	if (note[0])
		snprintf(dr->out->warning, sizeof(dr->out->warning), "%s: %s",
			 bdf_str(&d->bdf, bs), note);
}

int st_grant(struct device *d, struct drive *dr)
{
	struct reset_rec r = { .state = RESET_IN_USE, .domid = d->goal.domid };
	char msg[768], note[400];
	int rc;

	step(&d->bdf, "grant");
	rc = reset_before(d, dr, note, sizeof(note));
	if (rc)
		return rc;
	rc = hv_grant((unsigned int)d->goal.domid, &d->bdf, d->xb.rdm_relaxed,
		      msg, sizeof(msg));
	if (rc)
		return fail(dr->out, -rc, NULL, "%s", msg);
	record_grant(d, dr, &r, note);
	return 0;
}

int st_export(struct device *d, struct drive *dr)
{
	struct device *one = d;

	return st_export_batch(&one, 1, dr);
}

/* The add phase of each exported device; hotplug-status says how. */
static int added(struct device **devs, unsigned int n, struct drive *dr)
{
	unsigned int domid = (unsigned int)devs[0]->goal.domid, i;
	int rc = 0;

	/* Accounted for, so that the watch on xl's backends leaves it. */
	for (i = 0; i < n; i++)
		script_ledger_set(domid, &devs[i]->bdf, true);
	if (!script_active())
		return 0;
	for (i = 0; i < n && !rc; i++)
		rc = phase(devs[i], dr, SP_ADD, domid);
	script_hotplug_status(domid, rc ? dr->out->msg : NULL);
	return rc;
}

int st_export_batch(struct device **devs, unsigned int n, struct drive *dr)
{
	struct xb_wait w = { .timeout_ms = dr->timeout_ms,
			     .cancel = dr->cancel };
	struct xb_dev xbs[REQ_MAX_DEVS];
	char msg[768];
	unsigned int i;
	int rc;

	step(&devs[0]->bdf, "xenstore");
	for (i = 0; i < n; i++)
		xbs[i] = devs[i]->xb;
	rc = xb_attach(cfg.domid, (unsigned int)devs[0]->goal.domid, xbs, n,
		       &w, msg, sizeof(msg));
	if (rc)
		return fail(dr->out, -rc, NULL, "%s", msg);
	for (i = 0; i < n; i++)
		devs[i]->xb = xbs[i];
	return added(devs, n, dr);
}

/* The guest lets go: the xenbus hot-remove handshake. */
int st_unexport(struct device *d, struct drive *dr)
{
	struct xb_wait w = { .timeout_ms = dr->timeout_ms,
			     .cancel = dr->cancel };
	char msg[768];
	int rc;

	step(&d->bdf, "handshake");
	rc = xb_detach(cfg.domid, guest_of(d), &d->bdf, dr->force, &w, msg,
		       sizeof(msg));
	if (rc == XB_NOT_THERE) {
		/*
		 * Gone from xenstore meanwhile: nothing left to remove.  Not
		 * any -ENOENT: a refused transaction is no proof of that, and
		 * going on would leave the device in the guest's backend.
		 */
		log_dev(LOG_WARNING, &d->bdf, "%s", msg);
		return 0;
	}
	if (rc)
		return fail(dr->out, -rc, NULL, "%s%s", msg, dr->force ? "" :
			    " (detach with force=1 to remove it anyway)");
	return 0;
}

/* Xen's deassign_device() hands the device back to dom_io. */
int st_revoke(struct device *d, struct drive *dr)
{
	char msg[768];
	int rc;

	step(&d->bdf, "revoke");
	rc = hv_revoke(guest_of(d), &d->bdf, msg, sizeof(msg));
	if (rc)
		return fail(dr->out, -rc, NULL, "%s", msg);
	d->quarantined = true;
	return 0;
}

/* The next guest gets it reset; then libxl's record lets it go. */
int st_release(struct device *d, struct drive *dr)
{
	struct reset_rec r = { .state = RESET_CLEAN }, prev;
	bool had_it;
	long guest = guest_of(d);
	char msg[768];
	int rc;

	if (device_goal_hvm(&d->goal)) {
		step(&d->bdf, "unrecord");
		rc = xb_unrecord(cfg.domid, guest_of(d), &d->bdf, msg,
				 sizeof(msg));
		if (rc)
			return fail(dr->out, -rc, NULL, "%s", msg);
	}
	step(&d->bdf, "reset");
	policy_reset_get(&d->bdf, &prev);
	/* An attach undone before its grant: the guest never had it. */
	had_it = prev.state == RESET_IN_USE && prev.domid == (long)guest_of(d);
	r.domid = prev.domid;
	if (reset_dev(d, r.method, sizeof(r.method), r.why, sizeof(r.why))) {
		log_dev(LOG_WARNING, &d->bdf, "%s", r.why);
		r.state = RESET_DIRTY;
		r.method[0] = '\0';
	} else {
		r.why[0] = '\0';
	}
	/* Clean whoever had it; dirty only for the guest that had it. */
	if (had_it || (r.state == RESET_CLEAN && prev.state != RESET_NEVER))
		policy_reset_put(&d->bdf, &r);
	step(&d->bdf, "unsavedcfg");
	forget_saved(d, dr);
	rc = libxl_pci_clear_domid(&d->bdf);
	if (rc)
		return fail(dr->out, -rc, &d->bdf, "remove /libxl/pci record: "
			    "%s", strerror(-rc));
	script_ledger_set((unsigned int)guest, &d->bdf, false);
	return phase(d, dr, d->goal.guest_gone ? SP_CLEANUP : SP_REMOVE,
		     guest);
}

/* ----------------------------------------------------------- HVM */

int st_grant_hvm(struct device *d, struct drive *dr)
{
	struct reset_rec r = { .state = RESET_IN_USE, .domid = d->goal.domid };
	char msg[768], note[400];
	int rc;

	step(&d->bdf, "grant");
	rc = reset_before(d, dr, note, sizeof(note));
	if (rc)
		return rc;
	rc = hv_grant_hvm((unsigned int)d->goal.domid, &d->bdf,
			  d->xb.rdm_relaxed, msg, sizeof(msg));
	if (rc)
		return fail(dr->out, -rc, NULL, "%s", msg);
	record_grant(d, dr, &r, note);
	return 0;
}

/*
 * Into qemu-xen, then libxl's record of it with the guest address QEMU
 * gave it.  A record that cannot be written leaves the device in QEMU:
 * the failure drives it back out.
 */
int st_plug(struct device *d, struct drive *dr)
{
	struct qpt_wait w = { .timeout_ms = dr->timeout_ms,
			      .cancel = dr->cancel };
	struct qpt_dev qd = { .vdevfn = d->xb.vdevfn,
			      .permissive = d->xb.permissive,
			      .multifunction = d->multifunction };
	unsigned int domid = (unsigned int)d->goal.domid, got = 0;
	char msg[768];
	int rc;

	step(&d->bdf, "device_add");
	rc = qpt_plug(domid, &d->bdf, &qd, &w, &got, msg, sizeof(msg));
	if (rc)
		return fail(dr->out, -rc, &d->bdf, "%s", msg);
	d->xb.vdevfn = got;
	snprintf(d->xb.vdev, sizeof(d->xb.vdev), "0000:00:%02x.%02x", got >> 3,
		 got & 7);
	step(&d->bdf, "record");
	rc = xb_record(cfg.domid, domid, &d->xb, msg, sizeof(msg));
	if (rc)
		return fail(dr->out, -rc, NULL, "%s", msg);
	step(&d->bdf, "savedcfg-slot");
	return keep_saved(d, dr, got);
}

/*
 * Out of qemu-xen: the guest ejects it, then QEMU says DEVICE_DELETED.
 * With force, a guest that does not let go in time loses the device
 * anyway (libxl's force: the removal goes on) and QEMU is not asked
 * again in this drive.
 */
int st_unplug(struct device *d, struct drive *dr)
{
	struct qpt_wait w = { .timeout_ms = dr->timeout_ms,
			      .cancel = dr->cancel };
	char msg[768];
	int rc;

	step(&d->bdf, "device_del");
	rc = qpt_unplug(guest_of(d), &d->bdf, &w, msg, sizeof(msg));
	if (rc == -ETIMEDOUT && dr->force) {
		log_dev(LOG_WARNING, &d->bdf, "%s: force: removing it anyway",
			msg);
		d->goal.guest_gone = true;
		return 0;
	}
	if (rc == -EPIPE) {
		/*
		 * QEMU died under the request: the next observation asks
		 * again, and a QEMU that is gone holds no bus to be in.
		 */
		log_dev(LOG_WARNING, &d->bdf, "%s: looking again", msg);
		return 0;
	}
	if (rc)
		return fail(dr->out, -rc, &d->bdf, "%s%s", msg,
			    rc == -ETIMEDOUT ? " (detach with force=1 to "
			    "remove it anyway)" : "");
	return 0;
}

int st_refuse_elsewhere(struct device *d, struct drive *dr)
{
	return fail(dr->out, EBUSY, &d->bdf, "attached to domain %ld: "
		    "detach it first", d->domid);
}
