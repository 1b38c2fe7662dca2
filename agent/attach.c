/*
 * attach and detach of PCI devices to a running PV guest (xl
 * pci-attach / pci-detach), and the cleanup when a guest dies.
 *
 * attach, per request (all its devices, all or nothing):
 *   check     the guest exists; every device exists, is assignable
 *             (seize=1 makes it so first) and is not attached anywhere
 *   intent    journal: "attaching <K> to <domid>"
 *   permissive  pciback/permissive when asked (by the spec or the
 *             domain's default); a device still permissive from an
 *             earlier guest is unbound and rebound to pciback first,
 *             since the flag cannot be cleared otherwise
 *   domid     /libxl/pci/<K>/domid, as libxl writes it
 *   grant     BARs, IRQ, xc_assign_device (hypervisor.c)
 *   xenstore  backend/frontend and the xenbus handshake (xenbus.c)
 * Any failure undoes, in reverse, what was done, and the record goes.
 *
 * detach: the handshake first (the guest lets go of the device), then
 * its keys, then revoke and deassign, then reset, and the device stays
 * assignable.  libxl revokes before the handshake; doing it after
 * means a guest never has a device disappear under a running driver.
 *
 * Crash safety follows the journal's rule (statedir.c): a record left
 * by a crash is undone at start-up, and the request, which has no final
 * status yet, is served again.  Undoing an attach takes the device out
 * of the guest (forced removal) and leaves it assignable; undoing a
 * detach finishes it, since the guest may already have let go.
 *
 * Attaches and detaches of one guest are serialised (a lock per
 * domid): pciback handles one reconfiguration of a backend at a time,
 * and a cold-plug racing a hot-add would leave a device unexported.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "xenbus.h"

/* ------------------------------------------------ per-domain locks */

struct domlock {
	unsigned int domid;
	unsigned int users;
	pthread_mutex_t m;
	struct domlock *next;
};

static pthread_mutex_t domlocks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct domlock *domlocks;

static struct domlock *domain_lock(unsigned int domid)
{
	struct domlock *d;

	pthread_mutex_lock(&domlocks_lock);
	for (d = domlocks; d && d->domid != domid; d = d->next)
		;
	if (!d) {
		d = calloc(1, sizeof(*d));
		if (!d) {
			pthread_mutex_unlock(&domlocks_lock);
			return NULL;
		}
		d->domid = domid;
		pthread_mutex_init(&d->m, NULL);
		d->next = domlocks;
		domlocks = d;
	}
	d->users++;
	pthread_mutex_unlock(&domlocks_lock);
	pthread_mutex_lock(&d->m);
	return d;
}

static void domain_unlock(struct domlock *d)
{
	struct domlock **pp;

	pthread_mutex_unlock(&d->m);
	pthread_mutex_lock(&domlocks_lock);
	if (--d->users == 0) {
		for (pp = &domlocks; *pp != d; pp = &(*pp)->next)
			;
		*pp = d->next;
		pthread_mutex_destroy(&d->m);
		free(d);
	}
	pthread_mutex_unlock(&domlocks_lock);
}

/* ------------------------------------------------------- helpers */

static void libxl_path(char *buf, size_t len, const struct bdf *b,
		       const char *node)
{
	snprintf(buf, len, LIBXL_PCI_KEY_PATH_FMT "/%s", b->dom, b->bus,
		 b->dev, b->func, node);
}

/* The guest a device is attached to (libxl's record), or -1. */
static long attached_to(const struct bdf *b)
{
	char p[128], *v, *end;
	long d = -1;

	libxl_path(p, sizeof(p), b, "domid");
	v = xs_read_str(XBT_NULL, p);
	if (v) {
		d = strtol(v, &end, 10);
		if (end == v || *end)
			d = -1;
	}
	free(v);
	return d;
}

static bool set_attached(const struct bdf *b, unsigned int domid)
{
	char p[128], v[16];

	libxl_path(p, sizeof(p), b, "domid");
	snprintf(v, sizeof(v), "%u", domid);
	return xs_write_str(XBT_NULL, p, v);
}

static void clear_attached(const struct bdf *b)
{
	char p[128];

	libxl_path(p, sizeof(p), b, "domid");
	xs_remove(XBT_NULL, p);
}

/* xl's pci_permissive=1 for one domain: R/domains/<domid>/permissive. */
static bool domain_permissive(unsigned int domid)
{
	char p[160], *v;
	bool on;

	snprintf(p, sizeof(p), "%s/" XENPCI_DOMAINS "/%u/"
		 XENPCI_DOM_PERMISSIVE, agent_root, domid);
	v = xs_read_str(XBT_NULL, p);
	on = v && !strcmp(v, "1");
	free(v);
	return on;
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

/*
 * libxl__device_pci_reset(): pciback's do_flr where the kernel has it,
 * else the PCI core's reset file.  *how says which, or why neither.
 */
int attach_reset(const struct bdf *b, const char **how)
{
	char p[PATH_MAX], bdf[BDF_STR_LEN];
	int rc;

	rc = sysfs_pciback_write("do_flr", b);
	if (rc != -ENOENT) {
		*how = "do_flr";
		return rc;
	}
	sysfs_path(p, sizeof(p), "/bus/pci/devices/%s/reset", bdf_str(b, bdf));
	rc = write_file(p, "1");
	if (rc == -ENOENT) {
		*how = "unsupported";
		log_dev(LOG_WARNING, b, "the kernel doesn't support reset from "
			"sysfs for this device (no pciback/do_flr, no reset)");
		return 0;
	}
	*how = "reset";
	return rc;
}

/*
 * The permissive flag is sticky until the device leaves pciback
 * (pci_stub.c keeps it in the pcistub device).  Make it what this guest
 * asked for.
 */
static int set_permissive(const struct bdf *b, bool want,
			  struct outcome *out)
{
	int cur = sysfs_permissive(b), rc;

	if (cur < 0)
		return fail(out, -cur, b, "read pciback/permissive: %s",
			    strerror(-cur));
	if (want && !cur) {
		rc = sysfs_pciback_write("permissive", b);
		if (rc)
			return fail(out, -rc, b, "set permissive: %s",
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
			return fail(out, -rc, b, "rebind to pciback to clear "
				    "permissive: %s", strerror(-rc));
	}
	return 0;
}

/* The vdev of b in domid's backend, if pciback has exported it there. */
static bool exported_vdev(unsigned int domid, const struct bdf *b,
			  char *vdev, size_t len)
{
	struct xb_entry *e;
	unsigned int n, i;
	bool found = false;

	if (xb_list(cfg.domid, domid, &e, &n))
		return false;
	for (i = 0; i < n && !found; i++)
		if (bdf_eq(&e[i].bdf, b) && e[i].vdev[0] &&
		    e[i].state == 3) {
			snprintf(vdev, len, "%s", e[i].vdev);
			found = true;
		}
	free(e);
	return found;
}

/*
 * Every message names the devices: a failure about the guest or the
 * backend ("domain 9 does not exist") gets them in front.
 */
static void name_devices(struct outcome *out, const struct bdf *devs,
			 unsigned int n)
{
	char names[256] = "", bdf[BDF_STR_LEN], msg[sizeof(out->msg)];
	size_t l = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (strstr(out->msg, bdf_str(&devs[i], bdf)))
			return;
	for (i = 0; i < n && l < sizeof(names) - 20; i++)
		l += snprintf(names + l, sizeof(names) - l, "%s%s",
			      i ? ", " : "", bdf_str(&devs[i], bdf));
	/* Truncation of a very long message is acceptable here. */
	l = strlen(names);
	memcpy(msg, names, l);
	memcpy(msg + l, ": ", 2);
	snprintf(msg + l + 2, sizeof(msg) - l - 2, "%.*s",
		 (int)(sizeof(msg) - l - 3), out->msg);
	memcpy(out->msg, msg, sizeof(msg));
}

/* ------------------------------------------------------------ attach */

struct adev {
	struct xb_dev xb;
	bool permissive_set;	/* the spec said permissive= */
	bool seize;
	bool have_intent, granted, marked;
};

static int check_device(unsigned int domid, struct adev *a, const char *req,
			const struct cancel *cancel, struct outcome *out)
{
	const struct bdf *b = &a->xb.bdf;
	long d;
	int rc = sysfs_dev_exists(b);

	if (rc == -ENOENT)
		return fail(out, ENODEV, b, "no such PCI device");
	if (rc)
		return fail(out, -rc, b, "look up device: %s", strerror(-rc));
	d = attached_to(b);
	if (d == (long)domid)
		return fail(out, EEXIST, b, "already attached to domain %u",
			    domid);
	if (d >= 0)
		return fail(out, EBUSY, b, "attached to domain %ld: detach it "
			    "first", d);
	rc = sysfs_on_pciback(b);
	if (rc < 0)
		return fail(out, -rc, b, "look up pciback: %s", strerror(-rc));
	if (rc)
		return 0;
	if (!a->seize)
		return fail(out, EPERM, b, "not assignable (not bound to "
			    "pciback): run assignable-add first, or give "
			    "seize=1");
	/* seize=1: libxl makes it assignable, remembering the driver. */
	struct spec one = { .devs = { *b }, .ndevs = 1 };

	return assignable_add(&one, req, cancel, out);
}

static void undo_attach(unsigned int domid, struct adev *devs,
			unsigned int n)
{
	char msg[512];
	unsigned int i;

	for (i = n; i-- > 0;) {
		struct adev *a = &devs[i];

		if (a->granted && hv_revoke(domid, &a->xb.bdf, msg,
					    sizeof(msg)))
			log_dev(LOG_ERR, &a->xb.bdf, "undo: %s", msg);
		if (a->marked)
			clear_attached(&a->xb.bdf);
		if (a->have_intent)
			intent_clear(&a->xb.bdf);
		a->granted = a->marked = a->have_intent = false;
	}
}

static int attach_devices(unsigned int domid, struct adev *devs,
			  unsigned int n, const char *req,
			  const struct xb_wait *w, struct outcome *out)
{
	char msg[768];
	unsigned int i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = check_device(domid, &devs[i], req, w->cancel, out);
		if (rc)
			return rc;
	}
	for (i = 0; i < n; i++) {
		struct adev *a = &devs[i];
		struct intent in = { .op = INTENT_ATTACH, .bdf = a->xb.bdf,
				     .domid = domid };

		snprintf(in.request, sizeof(in.request), "%s", req);
		snprintf(in.boot_id, sizeof(in.boot_id), "%s",
			 current_boot_id());
		step(&a->xb.bdf, "attach-intent");
		if (intent_write(&in))
			return fail(out, EIO, &a->xb.bdf,
				    "write intent record");
		a->have_intent = true;
		step(&a->xb.bdf, "permissive");
		rc = set_permissive(&a->xb.bdf, a->xb.permissive, out);
		if (rc)
			return rc;
		step(&a->xb.bdf, "mark");
		if (!set_attached(&a->xb.bdf, domid))
			return fail(out, errno, &a->xb.bdf, "write /libxl/pci "
				    "record: %s", strerror(errno));
		a->marked = true;
		step(&a->xb.bdf, "grant");
		rc = hv_grant(domid, &a->xb.bdf, msg, sizeof(msg));
		if (rc)
			return fail(out, -rc, NULL, "%s", msg);
		a->granted = true;
	}
	step(&devs[0].xb.bdf, "xenstore");
	struct xb_dev xbs[REQ_MAX_DEVS];

	for (i = 0; i < n; i++)
		xbs[i] = devs[i].xb;
	rc = xb_attach(cfg.domid, domid, xbs, n, w, msg, sizeof(msg));
	if (rc)
		return fail(out, -rc, NULL, "%s", msg);
	for (i = 0; i < n; i++)
		devs[i].xb = xbs[i];
	return 0;
}

/* The flags of xl's libxl_device_pci that end up in opts-N. */
static void fill_adev(struct adev *a, const struct spec *sp,
		      const struct bdf *b, bool dom_permissive)
{
	memset(a, 0, sizeof(*a));
	a->xb.bdf = *b;
	a->xb.vdevfn = sp->vdevfn;
	a->xb.msitranslate = sp->msitranslate;
	a->xb.power_mgmt = sp->power_mgmt;
	a->xb.rdm_relaxed = sp->rdm_relaxed;
	a->xb.name = sp->name;
	a->permissive_set = sp->permissive_set;
	a->xb.permissive = sp->permissive_set ? sp->permissive :
			   dom_permissive;
	a->seize = sp->seize;
}

/*
 * A replayed request whose devices are all attached to the guest and
 * exported: the agent that died had finished.  Answer as it would have.
 */
static bool already_done(unsigned int domid, struct adev *devs,
			 unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (attached_to(&devs[i].xb.bdf) != (long)domid ||
		    !exported_vdev(domid, &devs[i].xb.bdf, devs[i].xb.vdev,
				   sizeof(devs[i].xb.vdev)))
			return false;
	return true;
}

static void report_vdevs(unsigned int domid, const struct spec *specs,
			 unsigned int nspecs, const struct adev *devs,
			 struct outcome *out)
{
	unsigned int i, j, k;

	/*
	 * A `*` spec answers with its lowest function's vdev (the
	 * functions are sorted); the others share its virtual slot.
	 */
	for (i = 0, k = 0; i < nspecs; i++) {
		snprintf(out->vdev[i], sizeof(out->vdev[i]), "%s",
			 devs[k].xb.vdev);
		for (j = 0; j < specs[i].ndevs; j++, k++)
			log_dev(LOG_INFO, &devs[k].xb.bdf, "attached to domain "
				"%u as %s%s", domid, devs[k].xb.vdev,
				devs[k].xb.permissive ? " (permissive)" : "");
	}
	out->nvdev = nspecs;
}

static int attach_checked(unsigned int domid, const struct spec *specs,
			  unsigned int nspecs, const char *req,
			  unsigned int timeout_s, bool replay,
			  const struct cancel *cancel, struct outcome *out,
			  struct adev *devs, unsigned int *ndevs);

int pci_attach(unsigned int domid, const struct spec *specs,
	       unsigned int nspecs, const char *req, unsigned int timeout_s,
	       bool replay, const struct cancel *cancel, struct outcome *out)
{
	struct adev devs[REQ_MAX_DEVS];
	struct bdf all[REQ_MAX_DEVS];
	unsigned int n = 0, i, j;
	int rc;

	rc = attach_checked(domid, specs, nspecs, req, timeout_s, replay,
			    cancel, out, devs, &n);
	if (rc) {
		for (i = 0, n = 0; i < nspecs; i++)
			for (j = 0; j < specs[i].ndevs; j++)
				all[n++] = specs[i].devs[j];
		name_devices(out, all, n);
	}
	return rc;
}

static int attach_checked(unsigned int domid, const struct spec *specs,
			  unsigned int nspecs, const char *req,
			  unsigned int timeout_s, bool replay,
			  const struct cancel *cancel, struct outcome *out,
			  struct adev *devs, unsigned int *ndevs)
{
	struct xb_wait w = { .timeout_ms = timeout_s * 1000,
			     .cancel = cancel };
	struct domlock *dl;
	unsigned int n = 0, i, j, k;
	bool dperm;
	int rc;

	if (domid == cfg.domid)
		return fail(out, EINVAL, NULL, "cannot attach a device to the "
			    "backend domain %u itself", domid);
	rc = hv_domain_alive(domid);
	if (rc < 0)
		return fail(out, -rc, NULL, "look up domain %u: %s", domid,
			    strerror(-rc));
	if (!rc)
		return fail(out, ESRCH, NULL, "domain %u does not exist",
			    domid);
	dperm = domain_permissive(domid);
	for (i = 0; i < nspecs; i++)
		for (j = 0; j < specs[i].ndevs; j++) {
			for (k = 0; k < n; k++)
				if (bdf_eq(&devs[k].xb.bdf,
					   &specs[i].devs[j]))
					return fail(out, EINVAL,
						    &specs[i].devs[j],
						    "named twice in one "
						    "request");
			fill_adev(&devs[n++], &specs[i], &specs[i].devs[j],
				  dperm);
		}
	*ndevs = n;
	dl = domain_lock(domid);
	if (!dl)
		return fail(out, ENOMEM, NULL, "out of memory");
	if (replay && already_done(domid, devs, n)) {
		log_msg(LOG_INFO, "attach to domain %u was completed before "
			"the agent restarted", domid);
		report_vdevs(domid, specs, nspecs, devs, out);
		domain_unlock(dl);
		return 0;
	}
	rc = attach_devices(domid, devs, n, req, &w, out);
	if (rc) {
		undo_attach(domid, devs, n);
	} else {
		report_vdevs(domid, specs, nspecs, devs, out);
		for (k = 0; k < n; k++) {
			step(&devs[k].xb.bdf, "attach-done");
			intent_clear(&devs[k].xb.bdf);
		}
	}
	domain_unlock(dl);
	return rc;
}

/* ------------------------------------------------------------ detach */

/*
 * Everything after the guest has let go (or is gone): revoke, reset,
 * forget the attachment.  Idempotent: used by detach, by the recovery
 * of a detach or attach record, and when a guest dies.
 */
static int release_device(unsigned int domid, const struct bdf *b,
			  struct outcome *out)
{
	const char *how = "";
	char msg[768];
	int rc;

	step(b, "revoke");
	rc = hv_revoke(domid, b, msg, sizeof(msg));
	if (rc)
		log_dev(LOG_ERR, b, "%s", msg);
	step(b, "reset");
	if (attach_reset(b, &how))
		log_dev(LOG_WARNING, b, "reset (%s) failed", how);
	clear_attached(b);
	if (rc && out)
		return fail(out, -rc, NULL, "%s", msg);
	return 0;
}

static int detach_checked(unsigned int domid, const struct spec *sp,
			  const char *req, bool force, unsigned int timeout_s,
			  bool replay, const struct cancel *cancel,
			  struct outcome *out);

int pci_detach(unsigned int domid, const struct spec *sp, const char *req,
	       bool force, unsigned int timeout_s, bool replay,
	       const struct cancel *cancel, struct outcome *out)
{
	int rc = detach_checked(domid, sp, req, force, timeout_s, replay,
				cancel, out);

	if (rc)
		name_devices(out, sp->devs, sp->ndevs);
	return rc;
}

static int detach_checked(unsigned int domid, const struct spec *sp,
			  const char *req, bool force, unsigned int timeout_s,
			  bool replay, const struct cancel *cancel,
			  struct outcome *out)
{
	struct xb_wait w = { .timeout_ms = timeout_s * 1000,
			     .cancel = cancel };
	struct domlock *dl;
	char msg[768];
	unsigned int i;
	int rc = 0;

	rc = hv_domain_alive(domid);
	if (rc == 0 && !replay)
		return fail(out, ESRCH, NULL, "domain %u does not exist (the "
			    "agent releases a dead guest's devices by itself)",
			    domid);
	rc = 0;
	for (i = 0; i < sp->ndevs; i++) {
		if (attached_to(&sp->devs[i]) == (long)domid)
			continue;
		if (replay) {
			log_dev(LOG_INFO, &sp->devs[i], "detach from domain %u "
				"was completed before the agent restarted",
				domid);
			continue;
		}
		return fail(out, ENOENT, &sp->devs[i], "not attached to "
			    "domain %u", domid);
	}
	dl = domain_lock(domid);
	if (!dl)
		return fail(out, ENOMEM, NULL, "out of memory");
	for (i = 0; i < sp->ndevs && !rc; i++) {
		const struct bdf *b = &sp->devs[i];

		if (attached_to(b) != (long)domid)
			continue;	/* replay: already done */
		struct intent in = { .op = INTENT_DETACH, .bdf = *b,
				     .domid = domid };

		snprintf(in.request, sizeof(in.request), "%s", req);
		snprintf(in.boot_id, sizeof(in.boot_id), "%s",
			 current_boot_id());
		step(b, "detach-intent");
		if (intent_write(&in)) {
			rc = fail(out, EIO, b, "write intent record");
			break;
		}
		step(b, "handshake");
		rc = xb_detach(cfg.domid, domid, b, force, &w, msg,
			       sizeof(msg));
		if (rc == -ENOENT) {
			/* Not in xenstore (a stale record): just release. */
			log_dev(LOG_WARNING, b, "%s", msg);
			rc = 0;
		}
		if (rc) {
			fail(out, -rc, NULL, "%s%s", msg, force ? "" :
			     " (detach with force=1 to remove it anyway)");
			intent_clear(b);
			break;
		}
		rc = release_device(domid, b, out);
		step(b, "detach-done");
		intent_clear(b);
		if (!rc)
			log_dev(LOG_INFO, b, "detached from domain %u", domid);
	}
	domain_unlock(dl);
	return rc;
}

/* ------------------------------------------- recovery and dead guests */

/*
 * A record left by a crash: take the device out of the guest whatever
 * the record said, and leave it assignable.  The request is then served
 * again from the start.
 */
int attach_undo(const struct intent *in)
{
	/* A few seconds for a live guest to let go; a dead one can't. */
	struct xb_wait w = { .timeout_ms = 3000 };
	char msg[512];
	int rc;

	log_dev(LOG_WARNING, &in->bdf, "unfinished %s for domain %u (request "
		"%s): taking it back from the guest",
		in->op == INTENT_ATTACH ? "attach" : "detach", in->domid,
		in->request);
	rc = xb_detach(cfg.domid, in->domid, &in->bdf, true, &w, msg,
		       sizeof(msg));
	if (rc && rc != -ENOENT)	/* ENOENT: not in xenstore yet */
		log_dev(LOG_WARNING, &in->bdf, "%s", msg);
	release_device(in->domid, &in->bdf, NULL);
	return intent_clear(&in->bdf);
}

/*
 * The guest is gone: what pciback and libxl would have cleaned up.
 * Every device it held is revoked, reset and stays assignable; its
 * backend (libxl may leave a stale one) is removed.
 */
void attach_domain_gone(unsigned int domid, const struct bdf *devs,
			unsigned int n)
{
	unsigned int i;

	log_msg(LOG_NOTICE, "domain %u is gone: releasing its %u PCI "
		"device%s", domid, n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++)
		release_device(domid, &devs[i], NULL);
	if (xb_destroy(cfg.domid, domid))
		log_err("remove PCI backend of dead domain %u: %s", domid,
			strerror(errno));
}
