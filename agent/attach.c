/*
 * attach and detach of PCI devices to a running PV guest (xl
 * pci-attach / pci-detach), and the cleanup when a guest dies, as
 * drives of device.c's table:
 *
 *   attach   goal attached to the guest, the way back detached from
 *            it; all the request's devices at once (one backend
 *            transaction), all or nothing.  seize=1 makes a device
 *            assignable first, as libxl does.
 *   detach   goal detached, one device at a time; a guest that does
 *            not let go keeps the device unless force=1.  A crash
 *            finishes a detach (the guest may already have let go)
 *            rather than giving the device back.
 *   cleanup  a dead guest's devices driven to detached without asking
 *            its backend, which is then removed.
 *
 * Attaches and detaches of one guest are serialised by the request
 * queues (queue.c: the guest is a resource like each device), because
 * pciback handles one reconfiguration of a backend at a time.
 *
 * libxl revokes before the hot-unplug handshake; the table does it
 * after, so a guest never has a device disappear under a running
 * driver.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "device.h"
#include "devstep.h"
#include "guest.h"
#include "hypervisor.h"
#include "libxl_pci.h"
#include "log.h"
#include "ops.h"
#include "policy.h"
#include "statedir.h"
#include "xenbus.h"
#include <xen/io/xenbus.h>
#include "sysfs.h"
#include "xs.h"

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
		    e[i].state == XenbusStateInitialised) {
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

/* The flags of xl's libxl_device_pci that end up in opts-N. */
static void fill_device(struct device *d, const struct spec *sp,
			const struct bdf *b, unsigned int domid,
			bool dom_permissive, enum guest_kind kind)
{
	device_init(d, b);
	d->goal.kind = kind == GUEST_HVM ? DG_ATTACHED_HVM : DG_ATTACHED;
	d->goal.domid = domid;
	d->ret.kind = kind == GUEST_HVM ? DG_DETACHED_HVM : DG_DETACHED;
	d->ret.domid = domid;
	d->remembered = true;
	d->xb.vdevfn = sp->vdevfn;
	d->xb.msitranslate = sp->msitranslate;
	d->xb.power_mgmt = sp->power_mgmt;
	d->xb.rdm_relaxed = sp->rdm_relaxed;
	d->xb.name = sp->name;
	d->xb.permissive = sp->permissive_set ? sp->permissive :
			   dom_permissive;
	d->seize = sp->seize;
	/* xl's parser: 1 for one function; libxl: the functions of a `*` */
	d->vfunc_mask = 1;
	if (sp->wildcard) {
		d->vfunc_mask = 0;
		for (unsigned int i = 0; i < sp->ndevs; i++)
			d->vfunc_mask |= 1U << sp->devs[i].func;
	}
	/*
	 * libxl's virtual address for QEMU (device_pci_add_stubdom_done()):
	 * the functions of a `*` spec keep theirs in the slot asked for;
	 * a single device is function 0 of its slot, or the guest would
	 * not see it.
	 */
	if (kind == GUEST_HVM && sp->wildcard)
		d->xb.vdevfn = sp->vdevfn | b->func;
	/*
	 * Function 0 arrives last, with functions already in its slot:
	 * QEMU's pci_init_multifunction() refuses it ("indicates single
	 * function, but ... is already populated") unless it says
	 * multifunction.  libxl 4.17 does not say it; the agent does.
	 */
	d->multifunction = kind == GUEST_HVM && sp->wildcard &&
			   sp->ndevs > 1 && b->func == 0;
}

/*
 * The devices of the request in drive order.  For an HVM guest the
 * functions of a `*` spec go in highest first: QEMU shows a slot to the
 * guest when its function 0 arrives, so that comes last, as in libxl.
 */
static unsigned int fill_devices(unsigned int domid, const struct spec *specs,
				 unsigned int nspecs, enum guest_kind kind,
				 struct device *devs)
{
	bool dperm = domain_permissive(domid);
	unsigned int n = 0, i, j, k;

	for (i = 0; i < nspecs; i++)
		for (j = 0; j < specs[i].ndevs; j++) {
			k = kind == GUEST_HVM ? specs[i].ndevs - 1 - j : j;
			fill_device(&devs[n++], &specs[i], &specs[i].devs[k],
				    domid, dperm, kind);
		}
	return n;
}

/* libxl: "Must specify a v-slot for multi-function devices" (HVM). */
static int check_specs(enum guest_kind kind, const struct spec *specs,
		       unsigned int nspecs, struct outcome *out)
{
	for (unsigned int i = 0; kind == GUEST_HVM && i < nspecs; i++)
		if (specs[i].wildcard && !specs[i].vdevfn)
			return fail(out, EINVAL, &specs[i].devs[0], "an HVM "
				    "guest needs a virtual slot for a "
				    "multi-function device: give @VSLOT "
				    "(libxl refuses it too)");
	return 0;
}

/* What a seize=1 took from dom0, to give it back if the attach fails. */
struct seized {
	struct bdf bdf;
	enum dev_goal_kind kind;	/* DG_HOST or DG_RELEASED */
	char driver[PATH_MAX];
};

struct seizes {
	struct seized *s;		/* REQ_MAX_DEVS, on the heap */
	unsigned int n;
};

/* seize=1: libxl makes it assignable, remembering the driver. */
static int seize(struct device *d, struct drive *dr, struct seizes *sz)
{
	struct device a;
	int rc = device_prepare_add(&a, &d->bdf, dr->out);

	if (!rc)
		rc = device_transition(&a, 1, dr);
	if (!rc)
		device_done(&a, 1, "done");
	if (!rc && a.ret.kind != DG_ASSIGNABLE && sz->s) {
		sz->s[sz->n].bdf = a.bdf;
		sz->s[sz->n].kind = a.ret.kind;
		memcpy(sz->s[sz->n].driver, a.ret.driver,
		       sizeof(sz->s[0].driver));
		sz->n++;
	}
	return rc;
}

/*
 * The attach failed: the devices its seize=1 took go back where they
 * were, their driver forgotten as remove -r forgets it, so a failed
 * request leaves nothing changed.  Its own timeout does not stop this.
 */
static void unseize(struct seizes *sz, const char *req, struct outcome *out)
{
	char bdf[BDF_STR_LEN];

	for (unsigned int i = sz->n; i-- > 0;) {
		struct outcome o = { 0 };
		struct drive dr = { .req = req, .timeout_ms = 3000,
				    .force = true, .out = &o };
		struct seized *s = &sz->s[i];
		struct device u;

		device_init(&u, &s->bdf);
		u.goal.kind = s->kind;
		memcpy(u.goal.driver, s->driver, sizeof(u.goal.driver));
		memcpy(u.orig_driver, s->driver, sizeof(u.orig_driver));
		u.ret.kind = DG_ASSIGNABLE;
		u.remembered = true;
		if (device_transition(&u, 1, &dr)) {
			fail_note(out, "; %s stays on pciback: %s",
				  bdf_str(&s->bdf, bdf), o.msg);
			continue;
		}
		if (s->kind == DG_HOST) {
			libxl_pci_clear_driver(&s->bdf);
			driver_forget(&s->bdf);
		}
		device_done(&u, 1, "done");
		log_dev(LOG_INFO, &s->bdf, "seize=1 undone: back on %s",
			s->kind == DG_HOST ? driver_name(s->driver) :
			"no driver");
	}
	sz->n = 0;
}

static int check_device(unsigned int domid, struct device *d, bool seize_it,
			struct drive *dr, struct seizes *sz)
{
	const struct bdf *b = &d->bdf;
	long att;
	int rc = sysfs_dev_exists(b);

	if (rc == -ENOENT)
		return fail(dr->out, ENODEV, b, "no such PCI device");
	if (rc)
		return fail(dr->out, -rc, b, "look up device: %s",
			    strerror(-rc));
	att = libxl_pci_domid(XBT_NULL, b);
	if (att == (long)domid)
		return fail(dr->out, EEXIST, b, "already attached to domain "
			    "%u", domid);
	if (att >= 0)
		return fail(dr->out, EBUSY, b, "attached to domain %ld: "
			    "detach it first", att);
	rc = sysfs_on_pciback(b);
	if (rc < 0)
		return fail(dr->out, -rc, b, "look up pciback: %s",
			    strerror(-rc));
	if (rc)
		return 0;
	if (!seize_it)
		return fail(dr->out, EPERM, b, "not assignable (not bound to "
			    "pciback): run assignable-add first, or give "
			    "seize=1");
	return seize(d, dr, sz);
}

/*
 * A replayed request whose devices are all attached to the guest and
 * exported: the agent that died had finished.  Answer as it would have.
 */
static bool already_done(unsigned int domid, struct device *devs,
			 unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (libxl_pci_domid(XBT_NULL, &devs[i].bdf) != (long)domid)
			return false;
		if (device_goal_hvm(&devs[i].goal)) {
			if (device_observe(&devs[i]) ||
			    devs[i].state != DS_EXPORTED ||
			    xb_recorded(cfg.domid, domid, &devs[i].bdf) != 1)
				return false;
		} else if (!exported_vdev(domid, &devs[i].bdf,
					  devs[i].xb.vdev,
					  sizeof(devs[i].xb.vdev))) {
			return false;
		}
	}
	return true;
}

static void report_vdevs(unsigned int domid, const struct spec *specs,
			 unsigned int nspecs, const struct device *devs,
			 struct outcome *out)
{
	unsigned int i, j, k;

	/*
	 * A `*` spec answers with its lowest function's vdev (the
	 * functions are sorted); the others share its virtual slot.
	 */
	for (i = 0, k = 0; i < nspecs; i++) {
		/* HVM: drive order is highest function first. */
		j = device_goal_hvm(&devs[k].goal) ? specs[i].ndevs - 1 : 0;
		snprintf(out->vdev[i], sizeof(out->vdev[i]), "%s",
			 devs[k + j].xb.vdev);
		for (j = 0; j < specs[i].ndevs; j++, k++)
			log_dev(LOG_INFO, &devs[k].bdf, "attached to domain "
				"%u as %s%s", domid, devs[k].xb.vdev,
				devs[k].xb.permissive ? " (permissive)" : "");
	}
	out->nvdev = nspecs;
}

/*
 * The guest's kind decides its bus: pcifront through pciback for PV,
 * qemu-xen through QMP for HVM.  Never the PV path for an HVM guest: it
 * has no pcifront, so a backend written for it would reach state 3 and
 * nothing would ever bind the device in the guest.
 */
static int check_kind(unsigned int domid, enum guest_kind *kind,
		      struct outcome *out)
{
	char msg[512];
	int rc = guest_kind(domid, kind, msg, sizeof(msg));

	if (rc)
		return fail(out, -rc, NULL, "%s", msg);
	return 0;
}

static int check_guest(unsigned int domid, enum guest_kind *kind,
		       struct outcome *out)
{
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
	return check_kind(domid, kind, out);
}

static int attach_checked(unsigned int domid, const struct spec *specs,
			  unsigned int nspecs, bool replay, bool force,
			  struct device *devs, struct drive *dr,
			  struct seizes *sz)
{
	unsigned int n = 0, i, j;
	enum guest_kind kind;
	int rc;

	rc = check_guest(domid, &kind, dr->out);
	rc = rc ?: check_specs(kind, specs, nspecs, dr->out);
	if (rc)
		return rc;
	n = fill_devices(domid, specs, nspecs, kind, devs);
	if (replay && already_done(domid, devs, n)) {
		log_msg(LOG_INFO, "attach to domain %u was completed before "
			"the agent restarted", domid);
		report_vdevs(domid, specs, nspecs, devs, dr->out);
		return 0;
	}
	/* The dom0 guard for every device to seize, before any is seized. */
	for (i = 0, n = 0; i < nspecs; i++)
		for (j = 0; j < specs[i].ndevs; j++, n++) {
			if (!specs[i].seize)
				continue;
			rc = device_dom0_guard(&devs[n].bdf, force, dr->out);
			if (rc)
				return rc;
		}
	for (i = 0, n = 0; i < nspecs; i++)
		for (j = 0; j < specs[i].ndevs; j++, n++) {
			rc = check_device(domid, &devs[n], specs[i].seize,
					  dr, sz);
			if (rc)
				return rc;
		}
	if (kind == GUEST_HVM)
		log_msg(LOG_INFO, "domain %u is an HVM guest: its devices go "
			"to qemu-xen through QMP", domid);
	for (i = 0; i < n; i++)
		step(&devs[i].bdf, "attach-intent");
	rc = device_transition(devs, n, dr);
	if (rc)
		return rc;
	report_vdevs(domid, specs, nspecs, devs, dr->out);
	device_done(devs, n, "attach-done");
	return 0;
}

int pci_attach(unsigned int domid, const struct spec *specs,
	       unsigned int nspecs, const char *req, unsigned int timeout_s,
	       bool replay, bool force, int reset,
	       const struct cancel *cancel, struct outcome *out)
{
	struct device devs[REQ_MAX_DEVS];
	struct drive dr = { .req = req, .cancel = cancel, .out = out,
			    .timeout_ms = timeout_s * 1000 };
	struct bdf all[REQ_MAX_DEVS];
	struct seizes sz = { calloc(REQ_MAX_DEVS, sizeof(*sz.s)), 0 };
	unsigned int n = 0, i, j;
	int rc;

	dr.reset_strict = reset == RESET_POLICY_DEFAULT ? cfg.reset_strict :
			  reset == RESET_POLICY_STRICT;
	rc = attach_checked(domid, specs, nspecs, replay, force, devs, &dr,
			    &sz);
	if (rc)
		unseize(&sz, req, out);
	free(sz.s);
	if (rc) {
		for (i = 0; i < nspecs; i++)
			for (j = 0; j < specs[i].ndevs; j++)
				all[n++] = specs[i].devs[j];
		name_devices(out, all, n);
	}
	return rc;
}

/* ------------------------------------------------- grouped attaches */

/* A member's devices, checked as pci_attach() checks them. */
static int check_member(unsigned int domid, struct attach_req *a,
			struct device *devs, struct drive *dr,
			unsigned int *n)
{
	struct seizes none = { NULL, 0 };
	int rc;

	*n = fill_devices(domid, a->specs, a->nspecs, GUEST_PV, devs);
	for (unsigned int i = 0; i < *n; i++) {
		rc = check_device(domid, &devs[i], false, dr, &none);
		if (rc)
			return rc;
	}
	return 0;
}

static void attach_alone(unsigned int domid, struct attach_req *a,
			 unsigned int timeout_s, bool force, int reset)
{
	memset(a->out, 0, sizeof(*a->out));
	pci_attach(domid, a->specs, a->nspecs, a->req, timeout_s, false,
		   force, reset, a->cancel, a->out);
}

static void name_member(struct attach_req *a)
{
	struct bdf all[REQ_MAX_DEVS];
	unsigned int n = 0;

	for (unsigned int i = 0; i < a->nspecs; i++)
		for (unsigned int j = 0; j < a->specs[i].ndevs; j++)
			all[n++] = a->specs[i].devs[j];
	name_devices(a->out, all, n);
}

/*
 * The checked members' devices, one drive: pciback reconfigures the
 * backend once for all of them (num_devs > 1, xenbus.c).  false when
 * the drive failed and took them all back.
 */
static bool group_drive(unsigned int domid, struct attach_req *a,
			unsigned int n, struct device *devs,
			struct drive *dr, bool *in)
{
	unsigned int first[REQ_GROUP_MAX], cnt[REQ_GROUP_MAX], total = 0;
	unsigned int i, k;

	for (i = 0; i < n; i++) {
		struct drive one = *dr;

		one.out = a[i].out;
		one.req = a[i].req;
		in[i] = !check_member(domid, &a[i], devs + total, &one,
				      &cnt[i]);
		if (!in[i]) {
			name_member(&a[i]);
			continue;
		}
		first[i] = total;
		total += cnt[i];
	}
	if (!total)
		return true;
	for (k = 0; k < total; k++)
		step(&devs[k].bdf, "attach-intent");
	if (device_transition(devs, total, dr))
		return false;
	for (i = 0; i < n; i++) {
		if (!in[i])
			continue;
		report_vdevs(domid, a[i].specs, a[i].nspecs, devs + first[i],
			     a[i].out);
		device_done(devs + first[i], cnt[i], "attach-done");
	}
	return true;
}

void pci_attach_group(unsigned int domid, struct attach_req *a,
		      unsigned int n, unsigned int timeout_s, bool force,
		      int reset, const struct cancel *any)
{
	struct device *devs = calloc(REQ_MAX_DEVS, sizeof(*devs));
	struct outcome gout = { 0 };
	struct drive dr = { .req = a[0].req, .cancel = any, .out = &gout,
			    .timeout_ms = timeout_s * 1000 };
	bool in[REQ_GROUP_MAX] = { false };
	enum guest_kind kind;
	unsigned int i;

	dr.reset_strict = reset == RESET_POLICY_DEFAULT ? cfg.reset_strict :
			  reset == RESET_POLICY_STRICT;
	/* HVM: QEMU plugs one device at a time anyway. */
	if (!devs || n > REQ_GROUP_MAX || check_guest(domid, &kind, &gout) ||
	    kind != GUEST_PV)
		goto alone;
	log_msg(LOG_INFO, "domain %u: %u attach requests (%s ...) in one "
		"reconfiguration of its backend", domid, n, a[0].req);
	if (group_drive(domid, a, n, devs, &dr, in))
		goto out;
	log_msg(LOG_INFO, "domain %u: the attach of %u requests together "
		"failed (%s); serving them one by one", domid, n, gout.msg);
	for (i = 0; i < n; i++)
		if (in[i])
			attach_alone(domid, &a[i], timeout_s, force, reset);
	goto out;
alone:
	for (i = 0; i < n; i++)
		attach_alone(domid, &a[i], timeout_s, force, reset);
out:
	free(devs);
}

/* ------------------------------------------------------------ detach */

static int detach_checked(unsigned int domid, const struct spec *sp,
			  bool replay, struct drive *dr)
{
	enum guest_kind kind = GUEST_PV;
	struct device d;
	unsigned int i;
	int rc;

	rc = hv_domain_alive(domid);
	if (rc == 0 && !replay)
		return fail(dr->out, ESRCH, NULL, "domain %u does not exist "
			    "(the agent releases a dead guest's devices by "
			    "itself)", domid);
	if (rc > 0) {
		rc = check_kind(domid, &kind, dr->out);
		if (rc)
			return rc;
	}
	for (i = 0; i < sp->ndevs; i++) {
		if (libxl_pci_domid(XBT_NULL, &sp->devs[i]) == (long)domid)
			continue;
		if (replay) {
			log_dev(LOG_INFO, &sp->devs[i], "detach from domain %u "
				"was completed before the agent restarted",
				domid);
			continue;
		}
		return fail(dr->out, ENOENT, &sp->devs[i], "not attached to "
			    "domain %u", domid);
	}
	for (i = 0; i < sp->ndevs; i++) {
		if (libxl_pci_domid(XBT_NULL, &sp->devs[i]) != (long)domid)
			continue;	/* replay: already done */
		device_init(&d, &sp->devs[i]);
		d.goal.kind = kind == GUEST_HVM ? DG_DETACHED_HVM :
			      DG_DETACHED;
		d.goal.domid = domid;
		d.remembered = true;
		step(&d.bdf, "detach-intent");
		rc = device_transition(&d, 1, dr);
		if (rc)
			return rc;
		device_done(&d, 1, "detach-done");
		log_dev(LOG_INFO, &d.bdf, "detached from domain %u", domid);
	}
	/* libxl removes the backend with its last device: so do we. */
	return xb_prune(cfg.domid, domid);
}

int pci_detach(unsigned int domid, const struct spec *sp, const char *req,
	       bool force, unsigned int timeout_s, bool replay,
	       const struct cancel *cancel, struct outcome *out)
{
	struct drive dr = { .req = req, .cancel = cancel, .out = out,
			    .timeout_ms = timeout_s * 1000, .force = force };
	int rc = detach_checked(domid, sp, replay, &dr);

	if (rc)
		name_devices(out, sp->devs, sp->ndevs);
	return rc;
}

/* ------------------------------------------------------ dead guests */

/*
 * The agent gave the device to domid (its reset record says the guest
 * has it) and the drive found nothing left to do: `xl destroy` came
 * first, and libxl let it go itself (libxl__device_pci_destroy_all():
 * backend, deassign, /libxl/pci record) before the domain's death
 * reached the agent.
 */
static bool released_behind(const struct bdf *b, unsigned int domid)
{
	struct reset_rec r;

	policy_reset_get(b, &r);
	return r.state == RESET_IN_USE && r.domid == (long)domid;
}

/*
 * What the agent's own release does after the guest (st_release): the
 * device is reset for the next guest and the record says whether that
 * worked, the site's script gets its cleanup phase; the steps libxl
 * did already find nothing to undo.
 */
static int release_after_libxl(struct device *d, struct drive *dr)
{
	log_dev(LOG_INFO, &d->bdf, "domain %ld is gone and libxl released "
		"it (xl destroy): resetting it for the next guest",
		d->goal.domid);
	return st_release(d, dr);
}

/*
 * The guest is gone: what pciback and libxl would have cleaned up.
 * Every device it held is revoked, reset and stays assignable; its
 * backend (libxl may leave a stale one) is removed.
 */
void attach_domain_gone(unsigned int domid, const struct bdf *devs,
			unsigned int n)
{
	struct outcome out = { 0 };
	struct drive dr = { .req = "", .out = &out };
	struct device d;
	char what[64];
	int rc;

	log_msg(LOG_NOTICE, "domain %u is gone: releasing its %u PCI "
		"device%s", domid, n, n == 1 ? "" : "s");
	for (unsigned int i = 0; i < n; i++) {
		device_init(&d, &devs[i]);
		d.goal.kind = DG_DETACHED;
		d.goal.domid = domid;
		d.goal.guest_gone = true;
		rc = device_drive(&d, 1, &dr);
		if (!rc && released_behind(&devs[i], domid))
			rc = release_after_libxl(&d, &dr);
		if (rc)
			log_dev(LOG_ERR, &devs[i], "release from dead domain "
				"%u: %s", domid, out.msg);
		snprintf(what, sizeof(what), "released: domain %u is gone",
			 domid);
		policy_history_add(&devs[i], what, rc ? -rc : 0, out.msg);
	}
	rc = xb_destroy(cfg.domid, domid);
	if (rc)
		log_err("remove PCI backend of dead domain %u: %s", domid,
			strerror(-rc));
}
