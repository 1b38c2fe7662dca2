/*
 * The PCI backend/frontend pair in xenstore and the xenbus handshake,
 * with libxl 4.17's keys, values, permissions and order
 * (tools/libs/light/libxl_pci.c libxl__create_pci_backend(),
 * libxl__device_pci_add_xenstore(), libxl__device_pci_remove_xenstore())
 * and two deliberate differences:
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
 *
 * These run on a request's worker thread; each call opens its own
 * connection so its watch events never mix with the agent's loop.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xen/io/xenbus.h>
#include <xenstore.h>

#include "agent.h"
#include "xenbus.h"

struct xbc {
	struct xs_handle *h;
	unsigned int be_domid, domid;
	char be[96], fe[96], err[128];
};

static int xbc_open(struct xbc *c, unsigned int be_domid,
		    unsigned int domid)
{
	c->h = xs_open(0);
	if (!c->h)
		return -errno;
	c->be_domid = be_domid;
	c->domid = domid;
	snprintf(c->be, sizeof(c->be), XENPCI_BE_FMT, be_domid, domid);
	snprintf(c->fe, sizeof(c->fe), XENPCI_FE_FMT, domid);
	snprintf(c->err, sizeof(c->err), XENPCI_BE_ERROR_FMT, be_domid,
		 domid);
	return 0;
}

static void xbc_close(struct xbc *c)
{
	if (c->h)
		xs_close(c->h);
	c->h = NULL;
}

/* BE/<key>, or NULL; caller frees. */
static char *be_read(struct xbc *c, xs_transaction_t t, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));

static char *be_read(struct xbc *c, xs_transaction_t t, const char *fmt,
		     ...)
{
	char path[160], key[64];
	unsigned int len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(key, sizeof(key), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", c->be, key);
	return xs_read(c->h, t, path, &len);
}

static bool be_write(struct xbc *c, xs_transaction_t t, const char *val,
		     const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool be_write(struct xbc *c, xs_transaction_t t, const char *val,
		     const char *fmt, ...)
{
	char path[160], key[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(key, sizeof(key), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", c->be, key);
	return xs_write(c->h, t, path, val, strlen(val));
}

static void be_rm(struct xbc *c, xs_transaction_t t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void be_rm(struct xbc *c, xs_transaction_t t, const char *fmt, ...)
{
	char path[160], key[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(key, sizeof(key), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", c->be, key);
	xs_rm(c->h, t, path);
}

/* An integer node of BE, or def when absent or not a number. */
static int be_int(struct xbc *c, xs_transaction_t t, int def,
		  const char *key)
{
	char *v = be_read(c, t, "%s", key), *end;
	long n;

	if (!v)
		return def;
	n = strtol(v, &end, 10);
	if (end == v || *end)
		n = def;
	free(v);
	return (int)n;
}

static int be_state_i(struct xbc *c, xs_transaction_t t, unsigned int i)
{
	char key[24];

	snprintf(key, sizeof(key), "state-%u", i);
	return be_int(c, t, -1, key);
}

static bool parse_bdf(const char *s, struct bdf *b)
{
	/* dev-N is %04x:%02x:%02x.%01x; vdev-N has a 2-digit function. */
	return s && sscanf(s, "%x:%x:%x.%x", &b->dom, &b->bus, &b->dev,
			   &b->func) == 4;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * pciback failed: xenbus_dev_fatal() wrote "<errno> <message>" to the
 * error node and switched the backend to Closing.  Report it verbatim.
 */
static int backend_error(struct xbc *c, char *msg, size_t len)
{
	unsigned int l;
	char *e = xs_read(c->h, XBT_NULL, c->err, &l);
	int err = EIO;

	if (e && sscanf(e, "%d", &err) == 1 && err > 0) {
		const char *text = strchr(e, ' ');

		snprintf(msg, len, "pciback: %s", text ? text + 1 : e);
	} else {
		snprintf(msg, len, "pciback closed the backend of domain %u "
			 "without an error message", c->domid);
		err = EIO;
	}
	free(e);
	return -err;
}

/*
 * cond returns 1 when done, 0 to keep waiting, -errno to fail.  The
 * watch wakes us on every change under BE and FE, the cancel fd when
 * the request times out.
 */
static int wait_for(struct xbc *c, int (*cond)(struct xbc *, void *),
		    void *arg, const struct xb_wait *w)
{
	long long deadline = now_ms() + w->timeout_ms;
	struct pollfd p[2];
	char **ev;
	int rc;

	if (!xs_watch(c->h, c->be, "xb"))
		return -errno;
	if (!xs_watch(c->h, c->fe, "xb")) {
		rc = -errno;
		xs_unwatch(c->h, c->be, "xb");
		return rc;
	}
	p[0].fd = xs_fileno(c->h);
	p[0].events = POLLIN;
	/* A request's timeout wakes us at once (poll ignores fd -1). */
	p[1].fd = cancel_fd(w->cancel);
	p[1].events = POLLIN;
	for (;;) {
		rc = cond(c, arg);
		if (rc)
			break;
		if (cancel_is_set(w->cancel)) {
			rc = -ECANCELED;
			break;
		}
		if (now_ms() >= deadline) {
			rc = -ETIMEDOUT;
			break;
		}
		long long left = deadline - now_ms();

		poll(p, 2, left > INT32_MAX ? INT32_MAX : (int)left);
		while ((ev = xs_check_watch(c->h)))
			free(ev);
	}
	xs_unwatch(c->h, c->be, "xb");
	xs_unwatch(c->h, c->fe, "xb");
	return rc < 0 ? rc : 0;
}

static int fe_state(struct xbc *c)
{
	char path[128], *v, *end;
	unsigned int len;
	long st = -1;

	snprintf(path, sizeof(path), "%s/state", c->fe);
	v = xs_read(c->h, XBT_NULL, path, &len);
	if (v) {
		st = strtol(v, &end, 10);
		if (end == v || *end)
			st = -1;
	}
	free(v);
	return (int)st;
}

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
	int st = be_int(c, XBT_NULL, -1, "state");

	(void)arg;
	if (st == XenbusStateConnected)
		return fe_state(c) == XenbusStateConnected;
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
	int st = be_int(c, XBT_NULL, -1, "state");
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

		if (be_state_i(c, XBT_NULL, i) != XenbusStateInitialised)
			return 0;
		v = be_read(c, XBT_NULL, "vdev-%u", i);
		if (!v)
			return 0;
		snprintf(e->devs[i - e->first].vdev,
			 sizeof(e->devs[0].vdev), "%s", v);
		free(v);
	}
	return 1;
}

static bool write_perms(struct xbc *c, xs_transaction_t t, const char *path,
			unsigned int owner, unsigned int reader)
{
	struct xs_permissions p[2] = {
		{ .id = owner, .perms = XS_PERM_NONE },
		{ .id = reader, .perms = XS_PERM_READ },
	};

	xs_rm(c->h, t, path);
	return xs_mkdir(c->h, t, path) &&
	       xs_set_permissions(c->h, t, path, p, 2);
}

/* libxl__create_pci_backend(): the backend and frontend directories. */
static bool create_backend(struct xbc *c, xs_transaction_t t)
{
	char path[160], v[16], *name;
	unsigned int len;
	bool ok;

	snprintf(path, sizeof(path), "/local/domain/%u/name", c->domid);
	name = xs_read(c->h, t, path, &len);
	snprintf(v, sizeof(v), "%u", c->domid);
	ok = write_perms(c, t, c->be, c->be_domid, c->domid) &&
	     be_write(c, t, c->fe, "frontend") &&
	     be_write(c, t, v, "frontend-id") &&
	     be_write(c, t, "1", "online") &&
	     be_write(c, t, "1", "state") &&
	     be_write(c, t, name ? name : "", "domain");
	free(name);
	if (!ok)
		return false;
	/* The guest owns its frontend; the backend domain may read it. */
	if (!write_perms(c, t, c->fe, c->domid, c->be_domid))
		return false;
	snprintf(path, sizeof(path), "%s/backend", c->fe);
	if (!xs_write(c->h, t, path, c->be, strlen(c->be)))
		return false;
	snprintf(path, sizeof(path), "%s/backend-id", c->fe);
	snprintf(v, sizeof(v), "%u", c->be_domid);
	if (!xs_write(c->h, t, path, v, strlen(v)))
		return false;
	snprintf(path, sizeof(path), "%s/state", c->fe);
	return xs_write(c->h, t, path, "1", 1);
}

/* libxl_create_pci_backend_device(): one device's keys at index i. */
static bool write_device(struct xbc *c, xs_transaction_t t, unsigned int i,
			 const struct xb_dev *d)
{
	char bdf[BDF_STR_LEN], v[160];

	bdf_str(&d->bdf, bdf);
	if (!be_write(c, t, bdf, "key-%u", i) ||
	    !be_write(c, t, bdf, "dev-%u", i))
		return false;
	if (d->vdevfn) {
		snprintf(v, sizeof(v), "%x", d->vdevfn);
		if (!be_write(c, t, v, "vdevfn-%u", i))
			return false;
	}
	if (d->name && !be_write(c, t, d->name, "name-%u", i))
		return false;
	snprintf(v, sizeof(v), "msitranslate=%d,power_mgmt=%d,permissive=%d,"
		 "rdm_policy=%s", d->msitranslate, d->power_mgmt,
		 d->permissive, d->rdm_relaxed ? "relaxed" : "strict");
	return be_write(c, t, v, "opts-%u", i) &&
	       be_write(c, t, "1", "state-%u", i);
}

static const char *const dev_keys[] = {
	"state", "key", "dev", "vdev", "opts", "vdevfn", "name",
};

/*
 * One transaction: the backend if there is none, the devices at
 * num_devs.., num_devs, and Reconfiguring when the backend was there.
 * *first gets the index of the first new device, *hot whether it was a
 * hot-add.
 */
static int add_devices(struct xbc *c, const struct xb_dev *devs,
		       unsigned int n, unsigned int *first, bool *hot)
{
	xs_transaction_t t;
	unsigned int i;
	char v[16];
	int num;

	for (;;) {
		t = xs_transaction_start(c->h);
		if (!t)
			return -errno;
		/* Read num_devs inside: a concurrent change is a conflict. */
		num = be_int(c, t, -1, "num_devs");
		*hot = num >= 0;
		*first = num >= 0 ? (unsigned int)num : 0;
		if (!*hot) {
			xs_rm(c->h, t, c->err);
			if (!create_backend(c, t))
				goto fail;
		}
		for (i = 0; i < n; i++)
			if (!write_device(c, t, *first + i, &devs[i]))
				goto fail;
		snprintf(v, sizeof(v), "%u", *first + n);
		if (!be_write(c, t, v, "num_devs"))
			goto fail;
		if (*hot && !be_write(c, t, "7", "state"))
			goto fail;
		if (xs_transaction_end(c->h, t, false))
			return 0;
		if (errno != EAGAIN)
			return -errno;
	}
fail:
	i = errno;
	xs_transaction_end(c->h, t, true);
	return -(int)i;
}

/* The guest is not in the middle of probing the frontend. */
static int cond_fe_probed(struct xbc *c, void *arg)
{
	(void)arg;
	return fe_state(c) != XenbusStateInitialising;
}

/* Undo add_devices() after a failure. */
static void remove_added(struct xbc *c, unsigned int first, unsigned int n,
			 bool hot)
{
	struct xb_wait probe = { .timeout_ms = ROLLBACK_PROBE_MS };
	xs_transaction_t t;
	unsigned int i, k;
	char v[16];

	if (!hot) {
		/*
		 * A guest probing the new frontend writes into it without
		 * checking it is still there (pcifront_publish_info()), so
		 * it would bring back a frontend removed under it, and keep
		 * a stale pcifront that never probes the next attach.  Let
		 * such a probe end first, for a short while: a guest that
		 * is paused or has no pcifront writes nothing, and finds
		 * the frontend gone when it gets to it.
		 */
		wait_for(c, cond_fe_probed, NULL, &probe);
		xb_destroy(c->be_domid, c->domid);
		return;
	}
	do {
		t = xs_transaction_start(c->h);
		if (!t)
			return;
		for (i = first; i < first + n; i++)
			for (k = 0; k < sizeof(dev_keys) / sizeof(*dev_keys);
			     k++)
				be_rm(c, t, "%s-%u", dev_keys[k], i);
		snprintf(v, sizeof(v), "%u", first);
		be_write(c, t, v, "num_devs");
	} while (!xs_transaction_end(c->h, t, false) && errno == EAGAIN);
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

int xb_attach(unsigned int be_domid, unsigned int domid,
	      struct xb_dev *devs, unsigned int n, const struct xb_wait *w,
	      char *msg, size_t len)
{
	struct exported e = { .n = n, .devs = devs };
	struct xbc c = { 0 };
	int rc;

	rc = xbc_open(&c, be_domid, domid);
	if (rc)
		return xb_fail(msg, len, rc, "connect to xenstore");
	/* libxl__wait_for_backend(): hot-add needs a connected guest. */
	if (be_int(&c, XBT_NULL, -1, "num_devs") >= 0) {
		rc = wait_for(&c, cond_connected, NULL, w);
		if (rc == -EPIPE) {
			rc = backend_error(&c, msg, len);
			goto out;
		}
		if (rc) {
			xb_fail(msg, len, rc, "PCI backend of domain %u is "
				"not ready for hot-plug (state %d; is pcifront "
				"loaded in the guest?)", domid,
				be_int(&c, XBT_NULL, -1, "state"));
			goto out;
		}
	}
	rc = add_devices(&c, devs, n, &e.first, &e.hot);
	if (rc) {
		xb_fail(msg, len, rc, "write PCI backend of domain %u", domid);
		goto out;
	}
	rc = wait_for(&c, cond_exported, &e, w);
	if (rc == -EPIPE)
		rc = backend_error(&c, msg, len);
	else if (rc)
		xb_fail(msg, len, rc, "wait for pciback to export the "
			"device%s to domain %u", n > 1 ? "s" : "", domid);
	if (rc)
		remove_added(&c, e.first, n, e.hot);
out:
	xbc_close(&c);
	return rc;
}

/* The index of b in BE, or -ENOENT. */
static int find_device(struct xbc *c, xs_transaction_t t,
		       const struct bdf *b, int num)
{
	struct bdf d;
	int i;

	for (i = 0; i < num; i++) {
		char *v = be_read(c, t, "dev-%d", i);
		bool match = parse_bdf(v, &d) && bdf_eq(&d, b);

		free(v);
		if (match)
			return i;
	}
	return -ENOENT;
}

/* libxl__device_pci_remove_xenstore()'s second transaction. */
static int remove_keys(struct xbc *c, const struct bdf *b, bool *last)
{
	xs_transaction_t t;
	int num, i, j;
	size_t k;
	char v[16];

	for (;;) {
		t = xs_transaction_start(c->h);
		if (!t)
			return -errno;
		num = be_int(c, t, 0, "num_devs");
		i = find_device(c, t, b, num);
		if (i < 0) {
			xs_transaction_end(c->h, t, true);
			return i;
		}
		*last = num == 1;
		for (k = 0; k < sizeof(dev_keys) / sizeof(*dev_keys); k++)
			be_rm(c, t, "%s-%d", dev_keys[k], i);
		snprintf(v, sizeof(v), "%d", num - 1);
		be_write(c, t, v, "num_devs");
		for (j = i + 1; j < num; j++)
			for (k = 0; k < sizeof(dev_keys) / sizeof(*dev_keys);
			     k++) {
				char *val = be_read(c, t, "%s-%d",
						    dev_keys[k], j);

				if (!val)
					continue;
				be_write(c, t, val, "%s-%d", dev_keys[k],
					 j - 1);
				be_rm(c, t, "%s-%d", dev_keys[k], j);
				free(val);
			}
		if (xs_transaction_end(c->h, t, false))
			return 0;
		if (errno != EAGAIN)
			return -errno;
	}
}

/* Start the hot-remove: state-i Closing, backend Reconfiguring. */
static int start_remove(struct xbc *c, const struct bdf *b)
{
	xs_transaction_t t;
	int i;

	for (;;) {
		t = xs_transaction_start(c->h);
		if (!t)
			return -errno;
		i = find_device(c, t, b, be_int(c, t, 0, "num_devs"));
		if (i < 0) {
			xs_transaction_end(c->h, t, true);
			return i;
		}
		be_write(c, t, "5", "state-%d", i);
		be_write(c, t, "7", "state");
		if (xs_transaction_end(c->h, t, false))
			return 0;
		if (errno != EAGAIN)
			return -errno;
	}
}

int xb_detach(unsigned int be_domid, unsigned int domid,
	      const struct bdf *b, bool force, const struct xb_wait *w,
	      char *msg, size_t len)
{
	struct xbc c = { 0 };
	char bs[BDF_STR_LEN];
	bool last = false;
	int rc, num;

	bdf_str(b, bs);
	rc = xbc_open(&c, be_domid, domid);
	if (rc)
		return xb_fail(msg, len, rc, "connect to xenstore");
	num = be_int(&c, XBT_NULL, -1, "num_devs");
	if (num < 0 || find_device(&c, XBT_NULL, b, num) < 0) {
		snprintf(msg, len, "%s is not attached to domain %u in "
			 "xenstore", bs, domid);
		rc = -ENOENT;
		goto out;
	}
	rc = wait_for(&c, cond_connected, NULL, w);
	if (!rc)
		rc = start_remove(&c, b);
	if (!rc)
		rc = wait_for(&c, cond_connected, NULL, w);
	if (rc == -EPIPE)
		rc = backend_error(&c, msg, len);
	else if (rc)
		xb_fail(msg, len, rc, "%s: the guest did not release it "
			"(domain %u, backend state %d)", bs, domid,
			be_int(&c, XBT_NULL, -1, "state"));
	if (rc && !force)
		goto out;
	if (rc)
		log_dev(LOG_WARNING, b, "forced removal from domain %u: %s",
			domid, msg);
	rc = remove_keys(&c, b, &last);
	if (rc)
		xb_fail(msg, len, rc, "%s: remove from the PCI backend of "
			"domain %u", bs, domid);
	else if (last)
		rc = xb_destroy(be_domid, domid);
out:
	xbc_close(&c);
	return rc;
}

/*
 * Remove DIR/0, then DIR if nothing else is left in it, as
 * libxl__xs_path_cleanup() does.  The order matters: a guest's xenbus
 * watches "device" and ignores an event for "device/pci" (fewer than two
 * slashes, xenbus_dev_changed()), so removing device/pci in one go
 * leaves its pcifront registered and stale, and it never probes the
 * frontend of a later attach.
 */
static void rm_leaf_then_dir(struct xs_handle *h, xs_transaction_t t,
			     const char *dir)
{
	char leaf[112];
	unsigned int n = 0;
	char **l;

	snprintf(leaf, sizeof(leaf), "%s/0", dir);
	xs_rm(h, t, leaf);
	l = xs_directory(h, t, dir, &n);
	free(l);
	if (l && !n)
		xs_rm(h, t, dir);
}

int xb_destroy(unsigned int be_domid, unsigned int domid)
{
	char be[96], fe[96], err[128];
	struct xs_handle *h = xs_open(0);
	xs_transaction_t t;
	int rc = 0;

	if (!h)
		return -errno;
	snprintf(be, sizeof(be), "/local/domain/%u/backend/pci/%u", be_domid,
		 domid);
	snprintf(fe, sizeof(fe), "/local/domain/%u/device/pci", domid);
	snprintf(err, sizeof(err), "/local/domain/%u/error/backend/pci/%u",
		 be_domid, domid);
	for (;;) {
		t = xs_transaction_start(h);
		if (!t) {
			rc = -errno;
			break;
		}
		rm_leaf_then_dir(h, t, fe);
		rm_leaf_then_dir(h, t, be);
		rm_leaf_then_dir(h, t, err);
		if (xs_transaction_end(h, t, false))
			break;
		if (errno != EAGAIN) {
			rc = -errno;
			break;
		}
	}
	xs_close(h);
	return rc;
}

int xb_list(unsigned int be_domid, unsigned int domid,
	    struct xb_entry **out, unsigned int *n)
{
	struct xbc c = { 0 };
	int num, i, rc;

	*out = NULL;
	*n = 0;
	rc = xbc_open(&c, be_domid, domid);
	if (rc)
		return rc;
	num = be_int(&c, XBT_NULL, 0, "num_devs");
	if (num > 0)
		*out = calloc((size_t)num, sizeof(**out));
	for (i = 0; i < num && *out; i++) {
		struct xb_entry *e = &(*out)[*n];
		char *v = be_read(&c, XBT_NULL, "dev-%d", i);

		if (!parse_bdf(v, &e->bdf)) {
			free(v);
			continue;
		}
		free(v);
		v = be_read(&c, XBT_NULL, "vdev-%d", i);
		snprintf(e->vdev, sizeof(e->vdev), "%s", v ? v : "");
		free(v);
		v = be_read(&c, XBT_NULL, "opts-%d", i);
		snprintf(e->opts, sizeof(e->opts), "%s", v ? v : "");
		free(v);
		e->state = be_state_i(&c, XBT_NULL, (unsigned int)i);
		(*n)++;
	}
	xbc_close(&c);
	return num > 0 && !*out ? -ENOMEM : 0;
}

int xb_backends(unsigned int be_domid, unsigned int **domids,
		unsigned int *n)
{
	struct xs_handle *h = xs_open(0);
	char path[64], **ents;
	unsigned int num = 0, i;

	*domids = NULL;
	*n = 0;
	if (!h)
		return -errno;
	snprintf(path, sizeof(path), "/local/domain/%u/backend/pci",
		 be_domid);
	ents = xs_directory(h, XBT_NULL, path, &num);
	if (ents && num)
		*domids = calloc(num, sizeof(**domids));
	for (i = 0; ents && *domids && i < num; i++) {
		char *end;
		unsigned long d = strtoul(ents[i], &end, 10);

		if (!*end && end != ents[i])
			(*domids)[(*n)++] = (unsigned int)d;
	}
	free(ents);
	xs_close(h);
	return 0;
}
