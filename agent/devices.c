/*
 * Devices: the per-device request queues that serialise the requests
 * for one device in arrival order, and the published R/devices tree.
 *
 * A request may name several devices (a `*` spec).  It is queued on each
 * of them and runs only when it is at the head of all its queues.
 * Because every request is appended to all its queues at once, in
 * arrival order, two requests always appear in the same relative order
 * on every queue they share, so they cannot wait for each other in a
 * cycle.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "device.h"

struct devq {
	struct bdf bdf;
	struct request **q;
	unsigned int n, cap;
	struct devq *next;
};

static struct devq *queues;

static struct devq *devq_get(const struct bdf *b, bool create)
{
	struct devq *d;

	for (d = queues; d; d = d->next)
		if (bdf_eq(&d->bdf, b))
			return d;
	if (!create)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->bdf = *b;
	d->next = queues;
	queues = d;
	return d;
}

static void devq_drop_if_empty(struct devq *d)
{
	struct devq **pp;

	if (d->n)
		return;
	for (pp = &queues; *pp; pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			free(d->q);
			free(d);
			return;
		}
	}
}

bool devices_at_head(struct request *rq, const struct bdf *b, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct devq *d = devq_get(&b[i], false);

		if (!d || !d->n || d->q[0] != rq)
			return false;
	}
	return true;
}

bool devices_enqueue(struct request *rq, const struct bdf *b, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct devq *d = devq_get(&b[i], true);

		if (!d)
			goto oom;
		if (d->n == d->cap) {
			unsigned int cap = d->cap ? d->cap * 2 : 4;
			struct request **q = realloc(d->q, cap * sizeof(*q));

			if (!q)
				goto oom;
			d->q = q;
			d->cap = cap;
		}
		d->q[d->n++] = rq;
	}
	return devices_at_head(rq, b, n);
oom:
	/* Out of memory: take back what was queued; caller fails it. */
	devices_release(rq, b, n);
	return false;
}

void devices_release(struct request *rq, const struct bdf *b, unsigned int n)
{
	struct request *next[REQ_MAX_DEVS];
	unsigned int nnext = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct devq *d = devq_get(&b[i], false);
		unsigned int j;

		if (!d)
			continue;
		for (j = 0; j < d->n && d->q[j] != rq; j++)
			;
		if (j == d->n)
			continue;
		memmove(&d->q[j], &d->q[j + 1], (d->n - j - 1) * sizeof(*d->q));
		d->n--;
		if (j == 0 && d->n && nnext < REQ_MAX_DEVS)
			next[nnext++] = d->q[0];
		devq_drop_if_empty(d);
	}
	/* The new heads may be able to run now (request.c checks). */
	for (unsigned int i = 0; i < nnext; i++)
		request_runnable(next[i]);
}

/* ------------------------------------------------ published R/devices */

/* The guest-visible address pciback gave b in domid's backend, or "". */
static void backend_vdev(xs_transaction_t t, const char *domid,
			 const struct bdf *b, char *buf, size_t len)
{
	char be[96], p[160], *v;
	unsigned int num = 0, i;
	struct bdf d;

	buf[0] = '\0';
	snprintf(be, sizeof(be), "/local/domain/%u/backend/pci/%s/0",
		 cfg.domid, domid);
	snprintf(p, sizeof(p), "%s/num_devs", be);
	v = xs_read_str(t, p);
	if (v)
		num = (unsigned int)strtoul(v, NULL, 10);
	free(v);
	for (i = 0; i < num && i < REQ_MAX_DEVS; i++) {
		bool match;

		snprintf(p, sizeof(p), "%s/dev-%u", be, i);
		v = xs_read_str(t, p);
		/* dev-N has a 1-digit function, vdev-N 2: parse, don't cmp */
		match = v && sscanf(v, "%x:%x:%x.%x", &d.dom, &d.bus, &d.dev,
				    &d.func) == 4 && bdf_eq(&d, b);
		free(v);
		if (!match)
			continue;
		snprintf(p, sizeof(p), "%s/vdev-%u", be, i);
		v = xs_read_str(t, p);
		snprintf(buf, len, "%s", v ? v : "");
		free(v);
		return;
	}
}

/* The device table's state, as seen from here (protocol: stage). */
static const char *stage_of(const struct bdf *b, const char *domid)
{
	struct device d;

	device_init(&d, b);
	d.goal.kind = domid ? DG_DETACHED : DG_ASSIGNABLE;
	d.goal.domid = domid ? strtol(domid, NULL, 10) : -1;
	if (device_observe(&d))
		return "";
	return dev_state_name(d.state);
}

static bool publish_one(xs_transaction_t t, const struct bdf *b)
{
	char base[160], p[200], key[KEY_STR_LEN], bdf[BDF_STR_LEN];
	char known[PATH_MAX], *drv_xs, *domid;
	int perm;
	bool ok = true;

	bdf_key(b, key);
	snprintf(base, sizeof(base), "%s/" XENPCI_DEVICES "/%s", agent_root,
		 key);
	snprintf(p, sizeof(p), LIBXL_PCI_KEY_PATH_FMT "/" LIBXL_PCI_DOMID,
		 b->dom, b->bus, b->dev, b->func);
	domid = xs_read_str(t, p);
	snprintf(p, sizeof(p), LIBXL_PCI_KEY_PATH_FMT "/" LIBXL_PCI_DRIVER_PATH,
		 b->dom, b->bus, b->dev, b->func);
	drv_xs = xs_read_str(t, p);
	if (drv_xs && drv_xs[0])
		snprintf(known, sizeof(known), "%s", drv_xs);
	else if (driver_recall(b, known, sizeof(known)))
		known[0] = '\0';
	free(drv_xs);
	perm = sysfs_permissive(b);

#define PUT(node, val)							\
	do {								\
		snprintf(p, sizeof(p), "%s/%s", base, node);		\
		ok = ok && xs_write_str(t, p, val);			\
	} while (0)
	PUT(XENPCI_DEV_BDF, bdf_str(b, bdf));
	PUT(XENPCI_DEV_STATE, domid ? XENPCI_DEVSTATE_ATTACHED :
				      XENPCI_DEVSTATE_ASSIGNABLE);
	PUT(XENPCI_DEV_DRIVER, known[0] ? driver_name(known) : "");
	PUT(XENPCI_DEV_PERMISSIVE, perm == 1 ? "1" : "0");
	PUT(XENPCI_DEV_STAGE, stage_of(b, domid));
	if (domid) {
		char vdev[32];

		PUT(XENPCI_DEV_DOMID, domid);
		backend_vdev(t, domid, b, vdev, sizeof(vdev));
		PUT(XENPCI_DEV_VDEV, vdev);
	} else {
		snprintf(p, sizeof(p), "%s/" XENPCI_DEV_DOMID, base);
		ok = ok && xs_remove(t, p);
		snprintf(p, sizeof(p), "%s/" XENPCI_DEV_VDEV, base);
		ok = ok && xs_remove(t, p);
	}
#undef PUT
	free(domid);
	return ok;
}

/*
 * Rewrite R/devices from sysfs (what is on pciback) and the remembered
 * drivers.  Called at start-up and after every operation, so that it
 * also picks up changes made by xl or by hand in the meantime.
 */
void devices_publish(void)
{
	char dir[160], p[200];
	struct bdf *devs = NULL, b;
	unsigned int n = 0, nold = 0, i, j;
	char **old;
	xs_transaction_t t;
	int rc;

	rc = sysfs_pciback_devices(&devs, &n);
	if (rc && rc != -ENOENT)
		log_warn("publish devices: list pciback devices: %s",
			 strerror(-rc));
	snprintf(dir, sizeof(dir), "%s/" XENPCI_DEVICES, agent_root);
	for (;;) {
		bool ok = true;

		t = xs_transaction_start(xsh);
		if (t == XBT_NULL) {
			log_err("publish devices: start transaction: %s",
				strerror(errno));
			break;
		}
		old = xs_directory(xsh, t, dir, &nold);
		for (i = 0; old && i < nold; i++) {
			bool keep = false;

			if (bdf_from_key(old[i], &b))
				for (j = 0; j < n && !keep; j++)
					keep = bdf_eq(&b, &devs[j]);
			if (!keep) {
				snprintf(p, sizeof(p), "%s/%s", dir, old[i]);
				ok = ok && xs_remove(t, p);
			}
		}
		free(old);
		for (i = 0; ok && i < n; i++)
			ok = publish_one(t, &devs[i]);
		if (!ok) {
			log_err("publish devices: %s", strerror(errno));
			xs_transaction_end(xsh, t, true);
			break;
		}
		if (xs_transaction_end(xsh, t, false))
			break;
		if (errno != EAGAIN) {
			log_err("publish devices: commit: %s", strerror(errno));
			break;
		}
	}
	free(devs);
}
