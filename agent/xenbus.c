/*
 * The PCI backend/frontend pair in xenstore and the xenbus handshake,
 * with libxl 4.17's keys, values, permissions and order
 * (tools/libs/light/libxl_pci.c libxl__create_pci_backend(),
 * libxl__device_pci_add_xenstore(), libxl__device_pci_remove_xenstore())
 * and three deliberate differences:
 *
 *  - Several devices are added in one transaction (all functions of a
 *    `*` spec, or a domain's whole list at cold-plug).  pciback's
 *    xen_pcibk_setup_backend() runs once, in InitWait, so devices written
 *    by a later transaction before the frontend connects would never be
 *    exported; and xen_pcibk_reconfigure() handles every state-i that is
 *    Initialising, so one Reconfiguring round covers them all.
 *  - Waiting for the backend is a watch with a deadline, not libxl's
 *    100 x 100 ms polling, and the attach waits until pciback has
 *    exported every new device (state-i Initialised and vdev-i written)
 *    instead of returning at commit: the request's status then says
 *    whether the guest got the device.
 *  - Every write and remove in a transaction is checked (libxl's
 *    removal ignores them): one that fails aborts the transaction, so a
 *    backend is never left half renumbered with num_devs saying otherwise.
 *
 * These run on a request's worker thread, each call on a connection of
 * its own (xenbus_conn.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "xs.h"
#include "xenbus.h"
#include "xenbus_conn.h"

/* After the point of no return, a refused transaction is tried again. */
#define XB_REMOVE_TRIES		3
#define XB_REMOVE_RETRY_MS	100

/*
 * Both ends Connected.  The backend alone is not enough: pciback
 * switches to Connected before pcifront has seen it, and pcifront
 * decides on the backend state it reads when its watch fires
 * (xenbus otherend_changed()); a Reconfiguring written in that window
 * is ignored by pcifront_detach_devices() (frontend not yet Connected)
 * and the guest never connects.  libxl 4.17 has that race.
 */
static int cond_connected(struct xbc *c, void *arg)
{
	int st = xbc_be_state(c);

	(void)arg;
	if (st == XenbusStateConnected)
		return xbc_fe_state(c) == XenbusStateConnected;
	if (st == XenbusStateClosing || st == XenbusStateClosed)
		return -EPIPE;
	if (st < 0)
		return -ENOENT;
	return 0;
}

/* How long a rollback lets a guest finish probing its frontend. */
#define ROLLBACK_PROBE_MS	2000

struct exported {
	unsigned int first, n;
	bool hot;		/* must be back at Connected */
	struct xb_dev *devs;
};

/* Every new device exported: state-i Initialised and vdev-i written. */
static int cond_exported(struct xbc *c, void *arg)
{
	struct exported *e = arg;
	int st = xbc_be_state(c);
	unsigned int i;

	if (st == XenbusStateClosing || st == XenbusStateClosed)
		return -EPIPE;
	if (st < 0)
		return -ENOENT;
	if (e->hot ? st != XenbusStateConnected :
	    st != XenbusStateInitialised && st != XenbusStateConnected)
		return 0;
	for (i = e->first; i < e->first + e->n; i++) {
		char *v;

		if (xbc_state_i(c, XBT_NULL, i) != XenbusStateInitialised)
			return 0;
		v = xbc_read(c, XBT_NULL, c->be, XENPCI_BEKEY_VDEV_FMT, i);
		if (!v)
			return 0;
		snprintf(e->devs[i - e->first].vdev,
			 sizeof(e->devs[0].vdev), "%s", v);
		free(v);
	}
	return 1;
}

/* path afresh, owned by owner and readable by reader. */
static int write_perms(struct xbc *c, xs_transaction_t t, const char *path,
		       unsigned int owner, unsigned int reader)
{
	struct xs_permissions p[2] = {
		{ .id = owner, .perms = XS_PERM_NONE },
		{ .id = reader, .perms = XS_PERM_READ },
	};

	if (!xs_rm(c->h, t, path) && errno != ENOENT)
		return xbc_failed(c, "remove", path);
	if (!xs_mkdir(c->h, t, path))
		return xbc_failed(c, "create", path);
	if (!xs_set_permissions(c->h, t, path, p, 2))
		return xbc_failed(c, "set the permissions of", path);
	return 0;
}

/* libxl__create_pci_backend(): the backend and frontend directories. */
static int create_backend(struct xbc *c, xs_transaction_t t)
{
	char path[XBC_PATH], v[16], *name;
	unsigned int len;
	int rc;

	snprintf(path, sizeof(path), XENPCI_DOMAIN_NAME_FMT, c->domid);
	name = xs_read_h(c->h, t, path, &len);
	snprintf(v, sizeof(v), "%u", c->domid);
	rc = write_perms(c, t, c->be, c->be_domid, c->domid);
	rc = rc ?: xbc_write(c, t, c->be, c->fe, XENPCI_BEKEY_FRONTEND);
	rc = rc ?: xbc_write(c, t, c->be, v, XENPCI_BEKEY_FRONTEND_ID);
	rc = rc ?: xbc_write(c, t, c->be, "1", XENPCI_BEKEY_ONLINE);
	rc = rc ?: xbc_state(c, t, c->be, XenbusStateInitialising,
			     XENPCI_BEKEY_STATE);
	rc = rc ?: xbc_write(c, t, c->be, name ? name : "",
			     XENPCI_BEKEY_DOMAIN);
	free(name);
	/* The guest owns its frontend; the backend domain may read it. */
	rc = rc ?: write_perms(c, t, c->fe, c->domid, c->be_domid);
	rc = rc ?: xbc_write(c, t, c->fe, c->be, XENPCI_FEKEY_BACKEND);
	snprintf(v, sizeof(v), "%u", c->be_domid);
	rc = rc ?: xbc_write(c, t, c->fe, v, XENPCI_FEKEY_BACKEND_ID);
	return rc ?: xbc_state(c, t, c->fe, XenbusStateInitialising,
			       XENPCI_FEKEY_STATE);
}

/* libxl_create_pci_backend_device(): one device's keys at index i. */
static int write_device(struct xbc *c, xs_transaction_t t, unsigned int i,
			const struct xb_dev *d)
{
	char bdf[BDF_STR_LEN], v[160];
	int rc;

	bdf_str(&d->bdf, bdf);
	rc = xbc_write(c, t, c->be, bdf, XENPCI_BEKEY_KEY_FMT, i);
	rc = rc ?: xbc_write(c, t, c->be, bdf, XENPCI_BEKEY_DEV_FMT, i);
	if (d->vdevfn) {
		snprintf(v, sizeof(v), "%x", d->vdevfn);
		rc = rc ?: xbc_write(c, t, c->be, v, XENPCI_BEKEY_VDEVFN_FMT,
				     i);
	}
	if (d->name)
		rc = rc ?: xbc_write(c, t, c->be, d->name,
				     XENPCI_BEKEY_NAME_FMT, i);
	snprintf(v, sizeof(v), "msitranslate=%d,power_mgmt=%d,permissive=%d,"
		 "rdm_policy=%s", d->msitranslate, d->power_mgmt,
		 d->permissive, d->rdm_relaxed ? "relaxed" : "strict");
	rc = rc ?: xbc_write(c, t, c->be, v, XENPCI_BEKEY_OPTS_FMT, i);
	return rc ?: xbc_state(c, t, c->be, XenbusStateInitialising,
			       XENPCI_BEKEY_STATE_FMT, i);
}

/* A device's keys at index i, in the order libxl removes and moves them. */
static const char *const dev_keys[] = {
	XENPCI_BEKEY_STATE_FMT, XENPCI_BEKEY_KEY_FMT, XENPCI_BEKEY_DEV_FMT,
	XENPCI_BEKEY_VDEV_FMT, XENPCI_BEKEY_OPTS_FMT, XENPCI_BEKEY_VDEVFN_FMT,
	XENPCI_BEKEY_NAME_FMT,
};
#define NUM_DEV_KEYS	(sizeof(dev_keys) / sizeof(*dev_keys))

static int rm_device(struct xbc *c, xs_transaction_t t, unsigned int i)
{
	unsigned int k;
	int rc = 0;

	for (k = 0; k < NUM_DEV_KEYS && !rc; k++)
		rc = xbc_rm(c, t, c->be, dev_keys[k], i);
	return rc;
}

/* The keys of index from become those of index to (renumbering). */
static int move_device(struct xbc *c, xs_transaction_t t, unsigned int from,
		       unsigned int to)
{
	unsigned int k;
	int rc = 0;

	for (k = 0; k < NUM_DEV_KEYS && !rc; k++) {
		char key[32], *val;

		snprintf(key, sizeof(key), dev_keys[k], from);
		val = xbc_read(c, t, c->be, "%s", key);
		if (!val && errno == ENOENT)
			continue;	/* vdevfn-, name-: optional */
		if (!val) {
			char path[XBC_PATH];

			snprintf(path, sizeof(path), "%s/%s", c->be, key);
			return xbc_failed(c, "read", path);
		}
		rc = xbc_write(c, t, c->be, val, dev_keys[k], to);
		rc = rc ?: xbc_rm(c, t, c->be, "%s", key);
		free(val);
	}
	return rc;
}

static int set_num_devs(struct xbc *c, xs_transaction_t t, unsigned int n)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", n);
	return xbc_write(c, t, c->be, v, XENPCI_BEKEY_NUM_DEVS);
}

/*
 * Remove leaf, then dir if nothing else is left in it, as
 * libxl__xs_path_cleanup() does.  The order matters: a guest's xenbus
 * watches "device" and ignores an event for "device/pci" (fewer than two
 * slashes, xenbus_dev_changed()), so removing device/pci in one go
 * leaves its pcifront registered and stale, and it never probes the
 * frontend of a later attach.
 */
static int rm_leaf_then_dir(struct xbc *c, xs_transaction_t t,
			    const char *leaf, const char *dir)
{
	unsigned int n = 0;
	char **l;

	if (!xs_rm(c->h, t, leaf) && errno != ENOENT)
		return xbc_failed(c, "remove", leaf);
	l = xs_directory_h(c->h, t, dir, &n);
	if (!l)
		return errno == ENOENT ? 0 : xbc_failed(c, "list", dir);
	free(l);
	if (n || xs_rm(c->h, t, dir) || errno == ENOENT)
		return 0;
	return xbc_failed(c, "remove", dir);
}

static int destroy_txn(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	struct xbc *c = arg;
	char dir[XBC_PATH], leaf[XBC_PATH], *slash;
	int rc;

	(void)h;
	snprintf(dir, sizeof(dir), XENPCI_FE_DIR_FMT, c->domid);
	rc = rm_leaf_then_dir(c, t, c->fe, dir);
	snprintf(dir, sizeof(dir), XENPCI_BE_DOM_FMT, c->be_domid, c->domid);
	rc = rc ?: rm_leaf_then_dir(c, t, c->be, dir);
	/* The error node's directory is the device's, as BE's. */
	snprintf(leaf, sizeof(leaf), "%s", c->err);
	slash = strrchr(leaf, '/');
	if (slash)
		*slash = '\0';
	snprintf(dir, sizeof(dir), XENPCI_BE_ERROR_DIR_FMT, c->be_domid,
		 c->domid);
	return rc ?: rm_leaf_then_dir(c, t, leaf, dir);
}

/* Removes BE, FE and the error node, pruning their parents. */
/*
 * Called once nothing can be rolled back (the last device's keys went,
 * or the guest is dead): a refused transaction is tried again.
 */
static int destroy(struct xbc *c)
{
	int rc;

	for (int tries = 1;; tries++) {
		rc = xs_txn_run(c->h, destroy_txn, c);
		if (!rc || tries == XB_REMOVE_TRIES)
			return rc;
		usleep(XB_REMOVE_RETRY_MS * 1000);
	}
}

struct add {
	struct xbc *c;
	const struct xb_dev *devs;
	unsigned int n;
	unsigned int first;	/* out: index of the first new device */
	bool hot;		/* out: the backend was there (hot-add) */
};

/*
 * The backend if there is none, the devices at num_devs.., num_devs,
 * and Reconfiguring when the backend was there.
 */
static int add_txn(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	struct add *a = arg;
	struct xbc *c = a->c;
	unsigned int i;
	int num, rc = 0;

	(void)h;
	/* Read num_devs inside: a concurrent change is a conflict. */
	num = xbc_num_devs(c, t, -1);
	a->hot = num >= 0;
	a->first = a->hot ? (unsigned int)num : 0;
	if (!a->hot) {
		if (!xs_rm(c->h, t, c->err) && errno != ENOENT)
			return xbc_failed(c, "remove", c->err);
		rc = create_backend(c, t);
	}
	for (i = 0; i < a->n && !rc; i++)
		rc = write_device(c, t, a->first + i, &a->devs[i]);
	rc = rc ?: set_num_devs(c, t, a->first + a->n);
	if (a->hot)
		rc = rc ?: xbc_state(c, t, c->be, XenbusStateReconfiguring,
				     XENPCI_BEKEY_STATE);
	return rc;
}

/* The guest is not in the middle of probing the frontend. */
static int cond_fe_probed(struct xbc *c, void *arg)
{
	(void)arg;
	return xbc_fe_state(c) != XenbusStateInitialising;
}

struct range {
	struct xbc *c;
	unsigned int first, n;
};

static int remove_added_txn(struct xs_handle *h, xs_transaction_t t,
			    void *arg)
{
	struct range *r = arg;
	unsigned int i;
	int rc = 0;

	(void)h;
	for (i = r->first; i < r->first + r->n && !rc; i++)
		rc = rm_device(r->c, t, i);
	return rc ?: set_num_devs(r->c, t, r->first);
}

/* Undo add_txn() after a failure.  0 or -errno. */
static int remove_added(struct xbc *c, const struct add *a)
{
	struct xb_wait probe = { .timeout_ms = ROLLBACK_PROBE_MS };
	struct range r = { .c = c, .first = a->first, .n = a->n };

	if (a->hot)
		return xs_txn_run(c->h, remove_added_txn, &r);
	/*
	 * A guest probing the new frontend writes into it without checking
	 * it is still there (pcifront_publish_info()), so it would bring
	 * back a frontend removed under it, and keep a stale pcifront that
	 * never probes the next attach.  Let such a probe end first, for a
	 * short while: a guest that is paused or has no pcifront writes
	 * nothing, and finds the frontend gone when it gets to it.
	 */
	xbc_wait(c, cond_fe_probed, NULL, &probe);
	return destroy(c);
}

/* The attach failed after add_txn(): take its devices out again. */
static void undo_add(struct xbc *c, const struct add *a)
{
	int rc = remove_added(c, a);

	if (!rc)
		return;
	xbc_log_failed(c, &a->devs[0].bdf, rc);
	log_dev(LOG_ERR, &a->devs[0].bdf, "undo: remove from the PCI backend "
		"of domain %u: %s", c->domid, strerror(-rc));
}

static int xb_fail(char *msg, size_t len, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int xb_fail(char *msg, size_t len, int rc, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(msg, len, "%s: %s", what, strerror(-rc));
	return rc;
}

/* libxl__wait_for_backend(): hot-add needs a connected guest. */
static int wait_hotplug_ready(struct xbc *c, const struct xb_wait *w,
			      char *msg, size_t len)
{
	int rc;

	if (xbc_num_devs(c, XBT_NULL, -1) < 0)
		return 0;	/* cold-plug: no backend yet */
	rc = xbc_wait(c, cond_connected, NULL, w);
	if (rc == -EPIPE)
		return xbc_backend_error(c, msg, len);
	if (rc)
		xb_fail(msg, len, rc, "PCI backend of domain %u is not ready "
			"for hot-plug (state %d; is pcifront loaded in the "
			"guest?)", c->domid, xbc_be_state(c));
	return rc;
}

int xb_attach(unsigned int be_domid, unsigned int domid,
	      struct xb_dev *devs, unsigned int n, const struct xb_wait *w,
	      char *msg, size_t len)
{
	struct add a = { .devs = devs, .n = n };
	struct exported e = { .n = n, .devs = devs };
	struct xbc c = { 0 };
	int rc;

	rc = xbc_open(&c, be_domid, domid);
	if (rc)
		return xb_fail(msg, len, rc, "connect to xenstore");
	a.c = &c;
	rc = wait_hotplug_ready(&c, w, msg, len);
	if (rc)
		goto out;
	rc = xs_txn_run(c.h, add_txn, &a);
	if (rc) {
		xbc_log_failed(&c, &devs[0].bdf, rc);
		xb_fail(msg, len, rc, "write PCI backend of domain %u", domid);
		goto out;
	}
	e.first = a.first;
	e.hot = a.hot;
	rc = xbc_wait(&c, cond_exported, &e, w);
	if (rc == -EPIPE)
		rc = xbc_backend_error(&c, msg, len);
	else if (rc)
		xb_fail(msg, len, rc, "wait for pciback to export the "
			"device%s to domain %u", n > 1 ? "s" : "", domid);
	if (rc)
		undo_add(&c, &a);
out:
	xbc_close(&c);
	return rc;
}

struct removal {
	struct xbc *c;
	const struct bdf *b;
	bool last;		/* out: it was the only device */
};

/* libxl__device_pci_remove_xenstore()'s second transaction. */
static int remove_txn(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	struct removal *r = arg;
	struct xbc *c = r->c;
	int num, i, j, rc;

	(void)h;
	num = xbc_num_devs(c, t, 0);
	i = xbc_find(c, t, r->b, num);
	if (i < 0)
		return i;
	r->last = num == 1;
	rc = rm_device(c, t, (unsigned int)i);
	rc = rc ?: set_num_devs(c, t, (unsigned int)num - 1);
	for (j = i + 1; j < num && !rc; j++)
		rc = move_device(c, t, (unsigned int)j, (unsigned int)j - 1);
	return rc;
}

/* Start the hot-remove: state-i Closing, backend Reconfiguring. */
static int start_remove_txn(struct xs_handle *h, xs_transaction_t t,
			    void *arg)
{
	struct removal *r = arg;
	struct xbc *c = r->c;
	int i, rc;

	(void)h;
	i = xbc_find(c, t, r->b, xbc_num_devs(c, t, 0));
	if (i < 0)
		return i;
	rc = xbc_state(c, t, c->be, XenbusStateClosing, XENPCI_BEKEY_STATE_FMT,
		       (unsigned int)i);
	return rc ?: xbc_state(c, t, c->be, XenbusStateReconfiguring,
			       XENPCI_BEKEY_STATE);
}

/* Waiting for the guest to let go of b failed with rc. */
static int not_released(struct xbc *c, const struct bdf *b, int rc,
			char *msg, size_t len)
{
	char bs[BDF_STR_LEN];

	if (rc == -EPIPE)
		return xbc_backend_error(c, msg, len);
	return xb_fail(msg, len, rc, "%s: the guest did not release it "
		       "(domain %u, backend state %d)", bdf_str(b, bs),
		       c->domid, xbc_be_state(c));
}

/*
 * state-i Closing in a connected backend: an earlier detach's handshake
 * went through and its key removal did not (it failed, or the agent
 * died in between).  pciback has let go already, and a second round
 * would find nothing to remove (xen_pcibk_remove_device() fails) and
 * leave the backend in Reconfiguring for good.
 */
static bool released_before(struct xbc *c, const struct bdf *b)
{
	int i = xbc_find(c, XBT_NULL, b, xbc_num_devs(c, XBT_NULL, 0));

	return i >= 0 && xbc_state_i(c, XBT_NULL, (unsigned int)i) ==
			 XenbusStateClosing;
}

/* The handshake: the guest lets go of b.  0, or -errno with msg set. */
static int release_handshake(struct xbc *c, struct removal *r,
			     const struct xb_wait *w, char *msg, size_t len)
{
	char bs[BDF_STR_LEN];
	int rc;

	rc = xbc_wait(c, cond_connected, NULL, w);
	if (rc)
		return not_released(c, r->b, rc, msg, len);
	if (released_before(c, r->b)) {
		log_dev(LOG_INFO, r->b, "domain %u let go of it already, in an "
			"earlier detach: removing its keys", c->domid);
		return 0;
	}
	rc = xs_txn_run(c->h, start_remove_txn, r);
	if (rc) {
		xbc_log_failed(c, r->b, rc);
		return xb_fail(msg, len, rc, "%s: start the removal from the "
			       "PCI backend of domain %u", bdf_str(r->b, bs),
			       c->domid);
	}
	rc = xbc_wait(c, cond_connected, NULL, w);
	return rc ? not_released(c, r->b, rc, msg, len) : 0;
}

/*
 * b's keys out of BE, the later ones renumbered; the last takes BE.
 * The guest has let go of b by now, so there is no going back: a
 * refusal is tried again (xenstored refuses dom0 only for a passing
 * reason), and if it stays the message says how to finish.
 */
static int remove_from_backend(struct xbc *c, struct removal *r, char *msg,
			       size_t len)
{
	const char *what = "remove from the PCI backend";
	char bs[BDF_STR_LEN];
	bool removed = false;
	int rc;

	for (int tries = 1;; tries++) {
		rc = removed ? 0 : xs_txn_run(c->h, remove_txn, r);
		removed = !rc;
		if (!rc && r->last) {
			what = "remove the PCI backend and frontend";
			rc = destroy(c);
		}
		if (!rc)
			return 0;
		xbc_log_failed(c, r->b, rc);
		if (tries == XB_REMOVE_TRIES)
			break;
		usleep(XB_REMOVE_RETRY_MS * 1000);
	}
	return xb_fail(msg, len, rc, "%s: %s of domain %u (the guest let go "
		       "of it already: a detach again finishes the removal)",
		       bdf_str(r->b, bs), what, c->domid);
}

/*
 * No devices left: the last one's keys went but its detach could not
 * remove the backend.  Nothing else leaves num_devs at 0, so finish.
 */
static void prune_empty(struct xbc *c)
{
	int rc = destroy(c);

	if (!rc)
		return;
	xbc_log_failed(c, NULL, rc);
	log_err("remove the empty PCI backend of domain %u: %s", c->domid,
		strerror(-rc));
}

int xb_detach(unsigned int be_domid, unsigned int domid,
	      const struct bdf *b, bool force, const struct xb_wait *w,
	      char *msg, size_t len)
{
	struct xbc c = { 0 };
	struct removal r = { .c = &c, .b = b };
	char bs[BDF_STR_LEN];
	int rc, num;

	bdf_str(b, bs);
	rc = xbc_open(&c, be_domid, domid);
	if (rc)
		return xb_fail(msg, len, rc, "connect to xenstore");
	num = xbc_num_devs(&c, XBT_NULL, -1);
	if (num < 0 || xbc_find(&c, XBT_NULL, b, num) < 0) {
		snprintf(msg, len, "%s is not attached to domain %u in "
			 "xenstore", bs, domid);
		rc = XB_NOT_THERE;
		if (!num)
			prune_empty(&c);
		goto out;
	}
	rc = release_handshake(&c, &r, w, msg, len);
	if (rc && !force)
		goto out;
	if (rc)
		log_dev(LOG_WARNING, b, "forced removal from domain %u: %s",
			domid, msg);
	rc = remove_from_backend(&c, &r, msg, len);
out:
	xbc_close(&c);
	return rc;
}

int xb_prune(unsigned int be_domid, unsigned int domid)
{
	struct xbc c = { 0 };
	int rc = xbc_open(&c, be_domid, domid);

	if (rc)
		return rc;
	if (!xbc_num_devs(&c, XBT_NULL, -1))
		prune_empty(&c);
	xbc_close(&c);
	return 0;
}

int xb_destroy(unsigned int be_domid, unsigned int domid)
{
	struct xbc c = { 0 };
	int rc;

	rc = xbc_open(&c, be_domid, domid);
	if (!rc)
		rc = destroy(&c);
	if (rc)
		xbc_log_failed(&c, NULL, rc);
	xbc_close(&c);
	/* Callers that log strerror(errno) get the right one. */
	errno = -rc;
	return rc;
}

/* ------------------------------------------------------- HVM records */

int xb_record(unsigned int be_domid, unsigned int domid,
	      const struct xb_dev *d, char *msg, size_t len)
{
	struct xbc c = { 0 };
	struct add a = { .c = &c, .devs = d, .n = 1 };
	char bs[BDF_STR_LEN];
	int rc;

	rc = xbc_open(&c, be_domid, domid);
	if (rc)
		return xb_fail(msg, len, rc, "connect to xenstore");
	if (xbc_find(&c, XBT_NULL, &d->bdf, xbc_num_devs(&c, XBT_NULL, 0)) < 0)
		rc = xs_txn_run(c.h, add_txn, &a);
	if (rc) {
		xbc_log_failed(&c, &d->bdf, rc);
		rc = xb_fail(msg, len, rc, "%s: record it in the PCI backend "
			     "of domain %u", bdf_str(&d->bdf, bs), domid);
	}
	xbc_close(&c);
	return rc;
}

int xb_unrecord(unsigned int be_domid, unsigned int domid,
		const struct bdf *b, char *msg, size_t len)
{
	struct xbc c = { 0 };
	struct removal r = { .c = &c, .b = b };
	int rc, num;

	rc = xbc_open(&c, be_domid, domid);
	if (rc)
		return xb_fail(msg, len, rc, "connect to xenstore");
	num = xbc_num_devs(&c, XBT_NULL, -1);
	if (num >= 0 && xbc_find(&c, XBT_NULL, b, num) >= 0)
		rc = remove_from_backend(&c, &r, msg, len);
	else if (!num)
		prune_empty(&c);
	xbc_close(&c);
	return rc;
}

int xb_recorded(unsigned int be_domid, unsigned int domid,
		const struct bdf *b)
{
	struct xbc c = { 0 };
	int rc = xbc_open(&c, be_domid, domid);

	if (rc)
		return rc;
	rc = xbc_find(&c, XBT_NULL, b, xbc_num_devs(&c, XBT_NULL, 0)) >= 0;
	xbc_close(&c);
	return rc;
}
