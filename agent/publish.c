/*
 * R/devices: what each device on pciback is, for requesters and for
 * `xen-pci list`.  An entry is written from one observation of the
 * device (device.c), so `state`, `stage`, `domid` and `vdev` agree.
 *
 * After a request, or a change of xl's seen by xlwatch.c, only the
 * devices it named are written, in one transaction, so the cost of a
 * request does not grow with the number of devices on the host; the
 * whole tree is rewritten at start-up and when a guest dies (xl destroy
 * cleans up behind the agent's back).
 * A mutex keeps two workers' read-then-write from interleaving.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "device.h"
#include "guest.h"
#include "hint.h"
#include "libxl_pci.h"
#include "log.h"
#include "policy.h"
#include "publish.h"
#include "statedir.h"
#include "sysfs.h"
#include "xenbus.h"
#include "xs.h"

#define PUBLISH_TRIES	3

static pthread_mutex_t publish_lock = PTHREAD_MUTEX_INITIALIZER;

struct entry {
	struct bdf bdf;
	bool present;		/* on pciback: published, else removed */
	long domid;
	char driver[64];	/* the original driver's name */
	bool permissive;
	char stage[16];
	char vdev[32];
	char reset[200];	/* policy.c's record, "" none */
	char hint[400];		/* hint.c's permissive hint, "" none */
	struct policy_history hist;
};

/* Clean since its last guest, or dirty (policy.c's record). */
static void observe_reset(struct entry *e)
{
	struct reset_rec r;

	policy_reset_get(&e->bdf, &r);
	policy_reset_str(&r, e->reset, sizeof(e->reset));
}

/*
 * The guest goal a device attached to domid is observed against: an
 * HVM guest's bus is its device model's (vdev is the address QEMU gave
 * it), a PV guest's its backend.
 */
static enum dev_goal_kind observe_goal(long domid)
{
	enum guest_kind kind;
	char msg[512];

	if (guest_kind((unsigned int)domid, &kind, msg, sizeof(msg)))
		return DG_DETACHED;
	return kind == GUEST_HVM ? DG_DETACHED_HVM : DG_DETACHED;
}

/*
 * The backends of the guests a publication's devices are attached to,
 * each listed once however many of its devices are published.
 */
struct listings {
	struct listing {
		long domid;
		struct xb_entry *e;
		unsigned int n;
		bool ok;
	} l[REQ_MAX_DEVS];
	unsigned int n;
};

static const struct listing *listing_of(struct listings *ls, long domid)
{
	struct listing *l;

	for (unsigned int i = 0; i < ls->n; i++)
		if (ls->l[i].domid == domid)
			return &ls->l[i];
	if (ls->n == REQ_MAX_DEVS)
		return NULL;
	l = &ls->l[ls->n++];
	l->domid = domid;
	l->ok = !xb_list(cfg.domid, (unsigned int)domid, &l->e, &l->n);
	return l;
}

static void listings_free(struct listings *ls)
{
	for (unsigned int i = 0; i < ls->n; i++)
		if (ls->l[i].ok)
			free(ls->l[i].e);
	ls->n = 0;
}

/* Everything an entry says, read before the transaction. */
static void observe(struct entry *e, struct listings *ls)
{
	const struct listing *l = NULL;
	char known[PATH_MAX];
	struct device d;

	e->present = sysfs_on_pciback(&e->bdf) == 1;
	if (!e->present) {
		hint_clear(&e->bdf);
		return;
	}
	hint_get(&e->bdf, e->hint, sizeof(e->hint));
	e->domid = libxl_pci_domid(XBT_NULL, &e->bdf);
	if (libxl_pci_driver(XBT_NULL, &e->bdf, known, sizeof(known)) &&
	    driver_recall(&e->bdf, known, sizeof(known)))
		known[0] = '\0';
	snprintf(e->driver, sizeof(e->driver), "%s",
		 known[0] ? driver_name(known) : "");
	e->permissive = sysfs_permissive(&e->bdf) == 1;
	observe_reset(e);
	policy_history_get(&e->bdf, &e->hist);
	device_init(&d, &e->bdf);
	d.goal.kind = e->domid >= 0 ? observe_goal(e->domid) : DG_ASSIGNABLE;
	d.goal.domid = e->domid;
	e->stage[0] = e->vdev[0] = '\0';
	if (ls && d.goal.kind == DG_DETACHED)
		l = listing_of(ls, e->domid);
	if (l && l->ok ? device_observe_listed(&d, l->e, l->n) :
	    device_observe(&d))
		return;
	snprintf(e->stage, sizeof(e->stage), "%s", dev_state_name(d.state));
	if (d.state == DS_EXPORTED)
		snprintf(e->vdev, sizeof(e->vdev), "%s", d.xb.vdev);
}

static bool put(xs_transaction_t t, const char *base, const char *node,
		const char *val)
{
	char p[200];

	snprintf(p, sizeof(p), "%s/%s", base, node);
	return xs_write_str(t, p, val);
}

/*
 * history/0.. (oldest first) and last-error, as policy.c keeps them,
 * into an entry just removed (write_entry()): nothing to drop first.
 */
static bool write_history(xs_transaction_t t, const char *base,
			  const struct entry *e)
{
	char node[16];
	bool ok = true;

	for (unsigned int i = 0; ok && i < e->hist.n; i++) {
		snprintf(node, sizeof(node), XENPCI_DEV_HISTORY "/%u", i & 0xff);
		ok = put(t, base, node, e->hist.line[i]);
	}
	if (!ok)
		return false;
	return !e->hist.last_error[0] ||
	       put(t, base, XENPCI_DEV_LAST_ERROR, e->hist.last_error);
}

static bool write_entry(xs_transaction_t t, const struct entry *e)
{
	char base[160], key[KEY_STR_LEN], bdf[BDF_STR_LEN], dom[24];

	snprintf(base, sizeof(base), "%s/" XENPCI_DEVICES "/%s", agent_root,
		 bdf_key(&e->bdf, key));
	/*
	 * Removed and written again in the transaction: readers never see
	 * it half done, and one RM clears domid and vdev of a device no
	 * longer attached without asking what was there (nor any other
	 * node it no longer has: reset, history, last-error, permissive-hint).
	 */
	if (!xs_remove(t, base))
		return false;
	if (!e->present)
		return true;
	if (!put(t, base, XENPCI_DEV_BDF, bdf_str(&e->bdf, bdf)) ||
	    !put(t, base, XENPCI_DEV_STATE, e->domid >= 0 ?
		 XENPCI_DEVSTATE_ATTACHED : XENPCI_DEVSTATE_ASSIGNABLE) ||
	    !put(t, base, XENPCI_DEV_DRIVER, e->driver) ||
	    !put(t, base, XENPCI_DEV_PERMISSIVE, e->permissive ? "1" : "0") ||
	    !put(t, base, XENPCI_DEV_STAGE, e->stage) ||
	    (e->reset[0] && !put(t, base, XENPCI_DEV_RESET, e->reset)) ||
	    (e->hint[0] &&
	     !put(t, base, XENPCI_DEV_PERMISSIVE_HINT, e->hint)) ||
	    !write_history(t, base, e))
		return false;
	if (e->domid < 0)
		return true;
	snprintf(dom, sizeof(dom), "%ld", e->domid);
	return put(t, base, XENPCI_DEV_DOMID, dom) &&
	       put(t, base, XENPCI_DEV_VDEV, e->vdev);
}

struct batch {
	struct entry *e;
	unsigned int n;
	bool prune;		/* remove entries of devices not in e */
	publish_then_fn then;	/* more writes in the same transaction */
	void *arg;
};

static bool listed(const struct batch *b, const struct bdf *x)
{
	for (unsigned int i = 0; i < b->n; i++)
		if (bdf_eq(&b->e[i].bdf, x))
			return true;
	return false;
}

static int prune_stale(xs_transaction_t t, const struct batch *b)
{
	char dir[160], p[200];
	unsigned int n = 0;
	struct bdf x;
	char **old;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/" XENPCI_DEVICES, agent_root);
	/*
	 * Listed outside t (xs_list: oxenstored cannot list more than
	 * 4096 bytes on our handle): R/devices is the agent's, written
	 * under publish_lock only, so the names cannot change meanwhile;
	 * one that is gone by the removal is no error (xs_remove).
	 */
	old = xs_list(dir, &n);
	for (unsigned int i = 0; old && i < n && !rc; i++) {
		if (bdf_from_key(old[i], &x) && listed(b, &x))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, old[i]);
		if (!xs_remove(t, p))
			rc = -errno;
	}
	free(old);
	return rc;
}

static int publish_txn(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	const struct batch *b = arg;
	int rc = b->prune ? prune_stale(t, b) : 0;

	(void)h;
	for (unsigned int i = 0; !rc && i < b->n; i++)
		if (!write_entry(t, &b->e[i]))
			rc = -errno;
	return rc || !b->then ? rc : b->then(h, t, b->arg);
}

static int publish(struct batch *b)
{
	struct listings *ls = b->n > 1 ? calloc(1, sizeof(*ls)) : NULL;
	int rc;

	for (unsigned int i = 0; i < b->n; i++)
		observe(&b->e[i], ls);
	if (ls)
		listings_free(ls);
	free(ls);
	/*
	 * A refused transaction changed nothing: it is tried again, since
	 * an answer written without R/devices would leave R/devices saying
	 * what the device was before the request (until the next publish).
	 */
	for (int tries = 0; tries < PUBLISH_TRIES; tries++) {
		rc = xs_txn_run(xsh, publish_txn, b);
		if (!rc)
			break;
		log_warn("publish %s/" XENPCI_DEVICES ": %s%s", agent_root,
			 strerror(-rc), tries + 1 < PUBLISH_TRIES ?
			 ", trying again" : "");
	}
	if (rc)
		log_err("publish %s/" XENPCI_DEVICES ": %s", agent_root,
			strerror(-rc));
	return rc;
}

void publish_devices(const struct bdf *devs, unsigned int n)
{
	publish_devices_then(devs, n, NULL, NULL);
}

int publish_devices_then(const struct bdf *devs, unsigned int n,
			 publish_then_fn then, void *arg)
{
	struct entry e[REQ_MAX_DEVS];
	struct batch b = { .e = e, .n = n < REQ_MAX_DEVS ? n : REQ_MAX_DEVS,
			   .then = then, .arg = arg };
	int rc;

	if (!b.n) {
		rc = then ? xs_txn_run(xsh, then, arg) : 0;
		if (rc)
			log_err("publish: %s", strerror(-rc));
		return rc;
	}
	memset(e, 0, sizeof(e));
	for (unsigned int i = 0; i < b.n; i++)
		e[i].bdf = devs[i];
	pthread_mutex_lock(&publish_lock);
	rc = publish(&b);
	pthread_mutex_unlock(&publish_lock);
	return rc;
}

void publish_all(void)
{
	struct batch b = { .prune = true };
	struct bdf *devs = NULL;
	unsigned int n = 0;
	int rc;

	pthread_mutex_lock(&publish_lock);
	rc = sysfs_pciback_devices(&devs, &n);
	if (rc && rc != -ENOENT)
		log_warn("publish devices: list pciback devices: %s",
			 strerror(-rc));
	b.e = calloc(n ? n : 1, sizeof(*b.e));
	if (!b.e) {
		log_err("publish devices: out of memory");
		goto out;
	}
	for (unsigned int i = 0; i < n; i++)
		b.e[i].bdf = devs[i];
	b.n = n;
	publish(&b);
out:
	free(b.e);
	free(devs);
	pthread_mutex_unlock(&publish_lock);
}
