/*
 * Guests that die holding devices.  @releaseDomain says that some
 * domain went away, not which (docs/misc/xenstore.txt), so every guest
 * that holds a device, by libxl's record (/libxl/pci/<K>/domid) or by
 * having a PCI backend here, is looked up in the hypervisor.  For each
 * one that is gone, a cleanup request revokes, deassigns and resets its
 * devices, keeps them assignable and removes its backend, which libxl
 * can leave behind (libxl__device_pci_remove_xenstore() gives up when
 * the backend is not Connected).  The same check runs at start-up: the
 * watch's first event.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "xenbus.h"

#define MAX_GUESTS	256

struct guest {
	unsigned int domid;
	struct bdf devs[REQ_MAX_DEVS];
	unsigned int ndevs;
};

static struct guest *guest_get(struct guest *g, unsigned int *n,
			       unsigned int domid)
{
	unsigned int i;

	for (i = 0; i < *n; i++)
		if (g[i].domid == domid)
			return &g[i];
	if (*n == MAX_GUESTS)
		return NULL;
	memset(&g[*n], 0, sizeof(g[*n]));
	g[*n].domid = domid;
	return &g[(*n)++];
}

static void guest_add_dev(struct guest *g, const struct bdf *b)
{
	unsigned int i;

	for (i = 0; i < g->ndevs; i++)
		if (bdf_eq(&g->devs[i], b))
			return;
	if (g->ndevs < REQ_MAX_DEVS)
		g->devs[g->ndevs++] = *b;
}

/* Devices by libxl's record: /libxl/pci/<K>/domid. */
static void from_libxl(struct guest *g, unsigned int *n)
{
	char **keys, p[128], *v, *end;
	unsigned int nk, i;
	struct bdf b;

	keys = xs_directory(xsh, XBT_NULL, "/libxl/pci", &nk);
	for (i = 0; keys && i < nk; i++) {
		struct guest *gu;
		unsigned long d;

		if (!bdf_from_key(keys[i], &b))
			continue;
		snprintf(p, sizeof(p), "/libxl/pci/%s/domid", keys[i]);
		v = xs_read_str(XBT_NULL, p);
		if (!v)
			continue;
		d = strtoul(v, &end, 10);
		if (end != v && !*end && (gu = guest_get(g, n, d)))
			guest_add_dev(gu, &b);
		free(v);
	}
	free(keys);
}

/* Devices by the backends in our domain, stale ones included. */
static void from_backends(struct guest *g, unsigned int *n)
{
	unsigned int *doms = NULL, nd = 0, i, j, ne;
	struct xb_entry *e;

	if (xb_backends(cfg.domid, &doms, &nd))
		return;
	for (i = 0; i < nd; i++) {
		struct guest *gu = guest_get(g, n, doms[i]);

		if (!gu || xb_list(cfg.domid, doms[i], &e, &ne))
			continue;
		for (j = 0; j < ne; j++)
			guest_add_dev(gu, &e[j].bdf);
		free(e);
	}
	free(doms);
}

void domains_changed(void)
{
	struct guest *g = calloc(MAX_GUESTS, sizeof(*g));
	unsigned int n = 0, i;
	int alive;

	if (!g) {
		log_err("check guests: out of memory");
		return;
	}
	from_libxl(g, &n);
	from_backends(g, &n);
	for (i = 0; i < n; i++) {
		if (g[i].domid == cfg.domid)
			continue;
		alive = hv_domain_alive(g[i].domid);
		if (alive < 0) {
			log_warn("domain %u: cannot tell whether it is alive: "
				 "%s", g[i].domid, strerror(-alive));
			continue;
		}
		if (!alive)
			request_cleanup_domain(g[i].domid, g[i].devs,
					       g[i].ndevs);
	}
	free(g);
	/*
	 * xl destroy cleans up its guest's devices itself (libxl removes
	 * the backend and /libxl/pci/<K>/domid), leaving no cleanup to
	 * do here: R/devices must still stop saying "attached".
	 */
	devices_publish();
}
