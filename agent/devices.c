/*
 * Devices: the published R/devices tree.  (The request queues that were
 * here are queue.c's.)
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "device.h"

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
