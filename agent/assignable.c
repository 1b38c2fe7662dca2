/*
 * assignable-add, assignable-remove and assignable-list: the sysfs steps
 * of xl pci-assignable-* in libxl 4.17's order
 * (tools/libs/light/libxl_pci.c, libxl__device_pci_assignable_add and
 * _remove), made crash safe with the intent journal (statedir.c) and
 * all-or-nothing across the functions a request names.
 *
 * These run on a worker thread (worker.c).  Every step is idempotent
 * and decided from what sysfs says now, so undoing and re-running are
 * always safe.  Messages name the device and the step:
 * "0000:07:00.0: bind to pciback: No such device".
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"

#define PCIBACK_HOST_PATH	"/sys/bus/pci/drivers/pciback"

/*
 * Test hook: XEN_PCI_AGENT_CRASH_AT=<step> makes the agent kill itself
 * with SIGKILL just before that step ("unbind", "remember", "new_slot",
 * "bind", "quarantine", "done" of an add; "dequarantine",
 * "unbind-pciback", "remove_slot", "rebind", "forget", "done" of a
 * remove; attach.c has its own steps).  The tests use it to prove that
 * no step can strand a device.
 */
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

static void xs_pci_path(char *buf, size_t len, const struct bdf *b,
			const char *node)
{
	snprintf(buf, len, LIBXL_PCI_KEY_PATH_FMT "/%s", b->dom, b->bus,
		 b->dev, b->func, node);
}

/*
 * The original driver: libxl's /libxl/pci/<K>/driver_path first (so a
 * device made assignable by xl is handed back correctly), then our own
 * record on disk (which survives a reboot).
 */
static void known_driver(const struct bdf *b, char *buf, size_t len)
{
	char p[128];
	char *v;

	xs_pci_path(p, sizeof(p), b, LIBXL_PCI_DRIVER_PATH);
	v = xs_read_str(XBT_NULL, p);
	if (v && v[0]) {
		snprintf(buf, len, "%s", v);
		free(v);
		return;
	}
	free(v);
	if (driver_recall(b, buf, len))
		buf[0] = '\0';
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

/* Append to out->msg (rollback details). */
static void note(struct outcome *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct outcome *out, const char *fmt, ...)
{
	size_t l = strlen(out->msg);
	va_list ap;

	if (l >= sizeof(out->msg) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(out->msg + l, sizeof(out->msg) - l, fmt, ap);
	va_end(ap);
}

static int check_pciback(struct outcome *out)
{
	int rc = sysfs_pciback_loaded();

	if (rc == -ENOENT)
		return fail(out, ENODEV, NULL,
			    "pciback driver is not loaded (%s/bus/pci/drivers/"
			    "pciback is missing): load xen-pciback first",
			    cfg.sysfs_root);
	if (rc)
		return fail(out, -rc, NULL, "cannot access pciback driver: %s",
			    strerror(-rc));
	return 0;
}

static int check_exists(const struct bdf *b, struct outcome *out)
{
	int rc = sysfs_dev_exists(b);

	if (rc == -ENOENT)
		return fail(out, ENODEV, b, "no such PCI device");
	if (rc)
		return fail(out, -rc, b, "look up device in sysfs: %s",
			    strerror(-rc));
	return 0;
}

static bool cancelled(const struct cancel *cancel, const struct bdf *b,
		      struct outcome *out)
{
	if (!cancel_is_set(cancel))
		return false;
	fail(out, ETIMEDOUT, b, "request timed out or was cancelled");
	return true;
}

/*
 * Put a device back into the state its intent record describes.  Used
 * both when a step fails and at start-up for records a crash left
 * behind.  Returns 0 if the device is back, else -errno (logged).
 */
int assignable_undo(const struct intent *in, char *how, size_t howlen)
{
	const struct bdf *b = &in->bdf;
	char cur[PATH_MAX], p[128];
	int rc, on, slot, err = 0;

	how[0] = '\0';
	on = sysfs_on_pciback(b);
	slot = sysfs_has_slot(b);
	rc = sysfs_dev_driver(b, cur, sizeof(cur));
	if (rc)
		cur[0] = '\0';

	if (in->op == INTENT_ADD) {
		if (in->orig_pciback)
			return 0;
		rc = quarantine_release(b);
		if (rc)
			log_dev(LOG_WARNING, b, "undo: de-quarantine: %s",
				strerror(-rc));
		if (on == 1) {
			rc = sysfs_pciback_write("unbind", b);
			if (rc) {
				log_dev(LOG_ERR, b, "undo: unbind from "
					"pciback: %s", strerror(-rc));
				err = rc;
			}
			cur[0] = '\0';
		}
		if (!in->orig_slot && slot == 1) {
			rc = sysfs_pciback_write("remove_slot", b);
			if (rc)
				log_dev(LOG_WARNING, b, "undo: remove_slot: "
					"%s", strerror(-rc));
		}
		if (!in->orig_driver[0]) {
			snprintf(how, howlen, "left unbound as it was");
			return err;
		}
		if (cur[0] && !strcmp(cur, in->orig_driver)) {
			snprintf(how, howlen, "still on driver %s",
				 driver_name(cur));
		} else if (!cur[0] && !err) {
			rc = sysfs_driver_write(in->orig_driver, "bind", b);
			if (rc) {
				log_dev(LOG_ERR, b, "undo: bind to %s: %s",
					driver_name(in->orig_driver),
					strerror(-rc));
				err = rc;
			}
		}
		if (err) {
			/* Keep the record so that remove -r can finish. */
			driver_remember(b, in->orig_driver);
			snprintf(how, howlen, "could not restore driver %s "
				 "(%s); it is remembered for assignable-"
				 "remove -r", driver_name(in->orig_driver),
				 strerror(-err));
			return err;
		}
		if (in->wrote_xs_path) {
			xs_pci_path(p, sizeof(p), b, LIBXL_PCI_DRIVER_PATH);
			xs_remove(XBT_NULL, p);
		}
		if (!how[0])
			snprintf(how, howlen, "restored to driver %s",
				 driver_name(in->orig_driver));
		log_dev(LOG_INFO, b, "undo: %s", how);
		return 0;
	}

	/* An unfinished remove: the device goes back to pciback. */
	if (on == 1) {
		rc = quarantine_assign(b);
		if (rc)
			log_dev(LOG_WARNING, b, "undo: quarantine: %s",
				strerror(-rc));
		return 0;
	}
	if (cur[0]) {
		rc = sysfs_driver_write(cur, "unbind", b);
		if (rc) {
			log_dev(LOG_ERR, b, "undo: unbind from %s: %s",
				driver_name(cur), strerror(-rc));
			snprintf(how, howlen, "left on driver %s",
				 driver_name(cur));
			return rc;
		}
	}
	if (slot == 0) {
		rc = sysfs_pciback_write("new_slot", b);
		if (rc)
			log_dev(LOG_WARNING, b, "undo: new_slot: %s",
				strerror(-rc));
	}
	rc = sysfs_pciback_write("bind", b);
	if (rc) {
		log_dev(LOG_ERR, b, "undo: bind to pciback: %s", strerror(-rc));
		err = rc;
		/* Never leave it bound to nothing if we can help it. */
		if (in->orig_driver[0] &&
		    !sysfs_driver_write(in->orig_driver, "bind", b)) {
			snprintf(how, howlen, "could not go back to pciback "
				 "(%s); bound to driver %s instead",
				 strerror(-rc), driver_name(in->orig_driver));
			return err;
		}
		snprintf(how, howlen, "could not go back to pciback (%s); "
			 "left unbound", strerror(-rc));
	} else {
		snprintf(how, howlen, "restored to pciback");
		log_dev(LOG_INFO, b, "undo: %s", how);
		rc = quarantine_assign(b);
		if (rc)
			log_dev(LOG_WARNING, b, "undo: quarantine: %s",
				strerror(-rc));
	}
	if (in->orig_driver[0]) {
		/* The record goes only after a successful rebind. */
		driver_remember(b, in->orig_driver);
		xs_pci_path(p, sizeof(p), b, LIBXL_PCI_DRIVER_PATH);
		xs_write_str(XBT_NULL, p, in->orig_driver);
	}
	return err;
}

static void undo_all(struct intent *in, bool *have, unsigned int n,
		     struct outcome *out)
{
	char how[512], bdf[BDF_STR_LEN];

	for (unsigned int i = n; i-- > 0;) {
		if (!have[i])
			continue;
		assignable_undo(&in[i], how, sizeof(how));
		if (how[0])
			note(out, "; %s %s", bdf_str(&in[i].bdf, bdf), how);
		intent_clear(&in[i].bdf);
		have[i] = false;
	}
}

/* One device of an add; on failure out is filled and -errno returned. */
static int add_one(const struct bdf *b, const char *req, struct intent *in,
		   bool *have, const struct cancel *cancel, struct outcome *out)
{
	char drv[PATH_MAX], p[128], *xs_drv;
	int rc, on, slot;

	on = sysfs_on_pciback(b);
	if (on < 0)
		return fail(out, -on, b, "check pciback binding: %s",
			    strerror(-on));
	if (on) {
		log_dev(LOG_INFO, b, "already assigned to pciback");
		/* libxl quarantines in this case too. */
		rc = quarantine_assign(b);
		if (rc)
			return fail(out, -rc, b, "quarantine (assign to "
				    "dom_io): %s", strerror(-rc));
		return 0;
	}
	rc = sysfs_dev_driver(b, drv, sizeof(drv));
	if (rc)
		return fail(out, -rc, b, "read current driver: %s",
			    strerror(-rc));
	slot = sysfs_has_slot(b);
	if (slot < 0)
		return fail(out, -slot, b, "read pciback slots: %s",
			    strerror(-slot));
	xs_pci_path(p, sizeof(p), b, LIBXL_PCI_DRIVER_PATH);
	xs_drv = xs_read_str(XBT_NULL, p);

	memset(in, 0, sizeof(*in));
	in->op = INTENT_ADD;
	in->bdf = *b;
	snprintf(in->request, sizeof(in->request), "%s", req);
	snprintf(in->orig_driver, sizeof(in->orig_driver), "%s", drv);
	in->orig_slot = slot;
	in->rebind = true;
	in->wrote_xs_path = drv[0] && !xs_drv;
	snprintf(in->boot_id, sizeof(in->boot_id), "%s", current_boot_id());
	rc = intent_write(in);
	if (rc) {
		free(xs_drv);
		return fail(out, -rc, b, "write intent record: %s",
			    strerror(-rc));
	}
	*have = true;

	step(b, "unbind");
	if (drv[0]) {
		rc = sysfs_driver_write(drv, "unbind", b);
		if (rc) {
			free(xs_drv);
			return fail(out, -rc, b, "unbind from %s: %s",
				    driver_name(drv), strerror(-rc));
		}
		log_dev(LOG_INFO, b, "unbound from %s", driver_name(drv));
	}
	if (cancelled(cancel, b, out)) {
		free(xs_drv);
		return -ETIMEDOUT;
	}

	/* libxl: "Store driver_path for rebinding to dom0". */
	step(b, "remember");
	if (drv[0]) {
		rc = driver_remember(b, drv);
		if (rc) {
			free(xs_drv);
			return fail(out, -rc, b, "remember driver %s on disk: "
				    "%s", driver_name(drv), strerror(-rc));
		}
		if (!xs_write_str(XBT_NULL, p, drv))
			log_dev(LOG_WARNING, b, "write %s: %s", p,
				strerror(errno));
	} else {
		char known[PATH_MAX];

		known_driver(b, known, sizeof(known));
		if (known[0]) {
			log_dev(LOG_INFO, b, "not bound to a driver, will be "
				"rebound to %s", known);
			/* After a reboot only the disk knows: tell libxl. */
			if (!xs_drv)
				xs_write_str(XBT_NULL, p, known);
		} else {
			log_dev(LOG_WARNING, b, "not bound to a driver, will "
				"not be rebound");
		}
	}
	free(xs_drv);

	step(b, "new_slot");
	if (!slot) {
		rc = sysfs_pciback_write("new_slot", b);
		if (rc)
			return fail(out, -rc, b, "add slot to pciback: %s",
				    strerror(-rc));
	}
	if (cancelled(cancel, b, out))
		return -ETIMEDOUT;

	step(b, "bind");
	rc = sysfs_pciback_write("bind", b);
	if (rc)
		return fail(out, -rc, b, "bind to pciback: %s", strerror(-rc));
	log_dev(LOG_INFO, b, "bound to pciback%s%s",
		drv[0] ? ", original driver " : "",
		drv[0] ? driver_name(drv) : "");

	step(b, "quarantine");
	rc = quarantine_assign(b);
	if (rc)
		return fail(out, -rc, b, "quarantine (assign to dom_io): %s",
			    strerror(-rc));
	return 0;
}

int assignable_add(const struct spec *sp, const char *req,
		   const struct cancel *cancel, struct outcome *out)
{
	struct intent in[SPEC_MAX_DEVS];
	bool have[SPEC_MAX_DEVS] = { false };
	unsigned int i;
	int rc;

	rc = check_pciback(out);
	for (i = 0; !rc && i < sp->ndevs; i++)
		rc = check_exists(&sp->devs[i], out);
	for (i = 0; !rc && i < sp->ndevs; i++)
		rc = add_one(&sp->devs[i], req, &in[i], &have[i], cancel, out);
	/* A timeout during the last write: the requester was told "undone". */
	if (!rc && cancelled(cancel, NULL, out))
		rc = -ETIMEDOUT;
	if (rc) {
		/* All or nothing: every function goes back. */
		undo_all(in, have, sp->ndevs, out);
		return rc;
	}
	for (i = 0; i < sp->ndevs; i++) {
		if (!have[i])
			continue;
		step(&sp->devs[i], "done");
		intent_clear(&sp->devs[i]);
	}
	return 0;
}

static int check_not_attached(const struct bdf *b, bool force,
			      struct outcome *out)
{
	char p[128];
	char *domid;

	xs_pci_path(p, sizeof(p), b, LIBXL_PCI_DOMID);
	domid = xs_read_str(XBT_NULL, p);
	if (!domid)
		return 0;
	if (force) {
		log_dev(LOG_WARNING, b, "assigned to domain %s, removing "
			"anyway (force)", domid);
		free(domid);
		return 0;
	}
	fail(out, EBUSY, b, "assigned to domain %s: detach it first", domid);
	free(domid);
	return -EBUSY;
}

/* A device that is not on pciback: nothing to undo, at most a rebind. */
static int remove_not_on_pciback(const struct bdf *b, bool rebind,
				 const char *known, struct outcome *out,
				 bool *unbound_left)
{
	char cur[PATH_MAX];
	int rc;

	rc = sysfs_dev_driver(b, cur, sizeof(cur));
	if (rc)
		return fail(out, -rc, b, "read current driver: %s",
			    strerror(-rc));
	if (cur[0]) {
		log_dev(LOG_INFO, b, "not assigned to pciback (driver %s): "
			"nothing to do", driver_name(cur));
		return 0;
	}
	if (!rebind) {
		log_dev(LOG_INFO, b, "not assigned to pciback: nothing to do");
		return 0;
	}
	if (!known[0]) {
		*unbound_left = true;
		return 0;
	}
	rc = sysfs_driver_write(known, "bind", b);
	if (rc)
		return fail(out, -rc, b, "bind to %s: %s", driver_name(known),
			    strerror(-rc));
	log_dev(LOG_INFO, b, "rebound to %s", driver_name(known));
	return 0;
}

int assignable_remove(const struct spec *sp, const char *req, bool rebind,
		      bool force, const struct cancel *cancel, struct outcome *out)
{
	struct intent in[SPEC_MAX_DEVS];
	bool have[SPEC_MAX_DEVS] = { false };
	bool unbound_left[SPEC_MAX_DEVS] = { false };
	char known[SPEC_MAX_DEVS][PATH_MAX];
	char p[128], bdf[BDF_STR_LEN];
	unsigned int i;
	int rc;

	rc = check_pciback(out);
	for (i = 0; !rc && i < sp->ndevs; i++)
		rc = check_exists(&sp->devs[i], out);
	for (i = 0; !rc && i < sp->ndevs; i++)
		rc = check_not_attached(&sp->devs[i], force, out);
	for (i = 0; !rc && i < sp->ndevs; i++) {
		/* Xen's word, for guests libxl does not know about. */
		int g = quarantine_guest_owned(&sp->devs[i]);

		if (g == 1)
			rc = fail(out, EBUSY, &sp->devs[i], "Xen has it "
				  "assigned to a guest: detach it first");
	}
	if (rc)
		return rc;

	for (i = 0; i < sp->ndevs; i++) {
		const struct bdf *b = &sp->devs[i];
		int on, slot;

		known_driver(b, known[i], sizeof(known[i]));
		on = sysfs_on_pciback(b);
		if (on < 0) {
			rc = fail(out, -on, b, "check pciback binding: %s",
				  strerror(-on));
			break;
		}
		if (!on) {
			rc = remove_not_on_pciback(b, rebind, known[i], out,
						   &unbound_left[i]);
			if (rc)
				break;
			continue;
		}
		slot = sysfs_has_slot(b);
		if (slot < 0) {
			rc = fail(out, -slot, b, "read pciback slots: %s",
				  strerror(-slot));
			break;
		}
		memset(&in[i], 0, sizeof(in[i]));
		in[i].op = INTENT_REMOVE;
		in[i].bdf = *b;
		snprintf(in[i].request, sizeof(in[i].request), "%s", req);
		snprintf(in[i].orig_driver, sizeof(in[i].orig_driver), "%s",
			 known[i]);
		in[i].orig_pciback = true;
		in[i].orig_slot = slot;
		in[i].rebind = rebind;
		snprintf(in[i].boot_id, sizeof(in[i].boot_id), "%s",
			 current_boot_id());
		rc = intent_write(&in[i]);
		if (rc) {
			rc = fail(out, -rc, b, "write intent record: %s",
				  strerror(-rc));
			break;
		}
		have[i] = true;

		/* libxl de-quarantines first. */
		step(b, "dequarantine");
		rc = quarantine_release(b);
		if (rc) {
			rc = fail(out, -rc, b, "de-quarantine (take back from "
				  "dom_io): %s", strerror(-rc));
			break;
		}

		step(b, "unbind-pciback");
		rc = sysfs_pciback_write("unbind", b);
		if (rc) {
			rc = fail(out, -rc, b, "unbind from pciback: %s",
				  strerror(-rc));
			break;
		}
		log_dev(LOG_INFO, b, "unbound from pciback");
		if (cancelled(cancel, b, out)) {
			rc = -ETIMEDOUT;
			break;
		}

		step(b, "remove_slot");
		if (slot) {
			rc = sysfs_pciback_write("remove_slot", b);
			if (rc) {
				rc = fail(out, -rc, b, "remove pciback slot: "
					  "%s", strerror(-rc));
				break;
			}
		}

		step(b, "rebind");
		if (rebind && !known[i][0]) {
			unbound_left[i] = true;
		} else if (rebind) {
			rc = sysfs_driver_write(known[i], "bind", b);
			if (rc) {
				rc = fail(out, -rc, b, "bind to %s: %s",
					  driver_name(known[i]),
					  strerror(-rc));
				break;
			}
			log_dev(LOG_INFO, b, "rebound to %s",
				driver_name(known[i]));
		}
		if (cancelled(cancel, b, out)) {
			rc = -ETIMEDOUT;
			break;
		}
	}
	if (!rc && cancelled(cancel, NULL, out))
		rc = -ETIMEDOUT;
	if (rc) {
		undo_all(in, have, sp->ndevs, out);
		return rc;
	}

	for (i = 0; i < sp->ndevs; i++) {
		const struct bdf *b = &sp->devs[i];

		/* Handed back: libxl deletes driver_path now, so do we. */
		if (rebind && known[i][0]) {
			step(b, "forget");
			xs_pci_path(p, sizeof(p), b, LIBXL_PCI_DRIVER_PATH);
			xs_remove(XBT_NULL, p);
			driver_forget(b);
		}
		xs_pci_path(p, sizeof(p), b, LIBXL_PCI_NAME);
		xs_remove(XBT_NULL, p);
		if (have[i]) {
			step(b, "done");
			intent_clear(b);
		}
	}
	for (i = 0; i < sp->ndevs; i++) {
		if (!unbound_left[i])
			continue;
		if (!out->err)
			fail(out, ENOENT, &sp->devs[i],
			     "cannot rebind: no original driver is known "
			     "(no /libxl/pci/%s driver_path, nothing in %s/"
			     "drivers); the device is left bound to no driver",
			     bdf_key(&sp->devs[i], bdf), cfg.state_dir);
		else
			note(out, "; %s is left bound to no driver (original "
			     "driver unknown)", bdf_str(&sp->devs[i], bdf));
	}
	return out->err ? -out->err : 0;
}

int assignable_list(struct outcome *out)
{
	struct bdf *devs = NULL;
	unsigned int n = 0, i;
	char p[128], known[PATH_MAX], *domid;
	int rc;

	rc = check_pciback(out);
	if (rc)
		return rc;
	rc = sysfs_pciback_devices(&devs, &n);
	if (rc)
		return fail(out, -rc, NULL, "list pciback devices: %s",
			    strerror(-rc));
	out->list = calloc(n ? n : 1, sizeof(*out->list));
	out->list_drv = calloc(n ? n : 1, sizeof(*out->list_drv));
	if (!out->list || !out->list_drv) {
		free(devs);
		return fail(out, ENOMEM, NULL, "out of memory");
	}
	for (i = 0; i < n; i++) {
		/* libxl: assigned to a guest means not assignable. */
		xs_pci_path(p, sizeof(p), &devs[i], LIBXL_PCI_DOMID);
		domid = xs_read_str(XBT_NULL, p);
		if (domid) {
			free(domid);
			continue;
		}
		known_driver(&devs[i], known, sizeof(known));
		out->list[out->nlist] = devs[i];
		snprintf(out->list_drv[out->nlist], sizeof(out->list_drv[0]),
			 "%s", known[0] ? driver_name(known) : "");
		out->nlist++;
	}
	free(devs);
	return 0;
}

void outcome_free(struct outcome *o)
{
	free(o->list);
	free(o->list_drv);
	o->list = NULL;
	o->list_drv = NULL;
	o->nlist = 0;
}

void assignable_recover(void)
{
	struct bdf *devs = NULL;
	unsigned int n = 0;
	struct intent in;
	char how[512];
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
			intent_clear(&devs[i]);
			continue;
		}
		if (strcmp(in.boot_id, current_boot_id())) {
			log_dev(LOG_INFO, &devs[i], "intent record from an "
				"earlier boot discarded (sysfs was reset)");
			if (in.orig_driver[0])
				driver_remember(&devs[i], in.orig_driver);
			intent_clear(&devs[i]);
			continue;
		}
		if (in.op == INTENT_ATTACH || in.op == INTENT_DETACH) {
			attach_undo(&in);
			continue;
		}
		log_dev(LOG_WARNING, &devs[i], "unfinished %s (request %s) "
			"found at start-up: undoing it",
			in.op == INTENT_ADD ? XENPCI_OP_ASSIGNABLE_ADD :
					      XENPCI_OP_ASSIGNABLE_REMOVE,
			in.request);
		rc = assignable_undo(&in, how, sizeof(how));
		if (rc)
			log_dev(LOG_ERR, &devs[i], "recovery: %s", how);
		else
			log_dev(LOG_INFO, &devs[i], "recovery: %s",
				how[0] ? how : "nothing to undo");
		intent_clear(&devs[i]);
	}
	free(devs);
}

/*
 * After a reboot xenstore is empty but the state dir still knows the
 * original drivers: give libxl its /libxl/pci/K/driver_path back for
 * the devices that are on pciback, so that `xl pci-assignable-remove -r`
 * works as well as ours.
 */
void assignable_restore_libxl(void)
{
	struct bdf *devs = NULL;
	unsigned int n = 0;
	char known[PATH_MAX], p[128], *v;

	if (sysfs_pciback_devices(&devs, &n))
		return;
	for (unsigned int i = 0; i < n; i++) {
		if (driver_recall(&devs[i], known, sizeof(known)))
			continue;
		xs_pci_path(p, sizeof(p), &devs[i], LIBXL_PCI_DRIVER_PATH);
		v = xs_read_str(XBT_NULL, p);
		if (!v && xs_write_str(XBT_NULL, p, known))
			log_dev(LOG_INFO, &devs[i], "restored %s = %s from "
				"the state dir", p, known);
		free(v);
	}
	free(devs);
}
