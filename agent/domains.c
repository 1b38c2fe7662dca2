/*
 * Guests that die holding devices.  @releaseDomain says that some
 * domain went away, not which (docs/misc/xenstore.txt), so every guest
 * that holds a device, by libxl's record (/libxl/pci/<K>/domid), by
 * having a PCI backend here, or by the agent's reset record (after `xl
 * destroy` nothing else is left), is looked up in the hypervisor.  For each
 * one that is gone, a cleanup request of the agent's own revokes,
 * deassigns and resets its devices, keeps them assignable and removes
 * its backend, which libxl can leave behind
 * (libxl__device_pci_remove_xenstore() gives up when the backend is not
 * Connected).  The same check runs at start-up: the watch's first event.
 *
 * The check reads every guest's backend and asks the hypervisor, so it
 * runs as a worker job, never on the loop; one at a time, and an event
 * that comes while one runs makes it run once more.  The cleanups are
 * queued on the loop when it is done, on the guest and its devices like
 * any request, so that one never interleaves with an attach or a detach
 * of the same guest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "publish.h"
#include "domains.h"
#include "hypervisor.h"
#include "libxl_pci.h"
#include "log.h"
#include "ops.h"
#include "policy.h"
#include "request.h"
#include "sysfs.h"
#include "worker.h"
#include "xenbus.h"

#define MAX_GUESTS	256

struct guest {
	unsigned int domid;
	struct bdf devs[REQ_MAX_DEVS];
	unsigned int ndevs;
	bool dead;
};

static struct check {
	struct job job;
	struct guest g[MAX_GUESTS];
	unsigned int n;
} check;
static bool checking, again, stopping;
static void (*idle_cb)(void);

static struct guest *guest_get(struct check *c, unsigned int domid)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		if (c->g[i].domid == domid)
			return &c->g[i];
	if (c->n == MAX_GUESTS)
		return NULL;
	memset(&c->g[c->n], 0, sizeof(c->g[c->n]));
	c->g[c->n].domid = domid;
	return &c->g[c->n++];
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
static void from_libxl(struct check *c)
{
	struct libxl_pci_att *att;
	struct guest *g;
	unsigned int n, i;
	int rc;

	rc = libxl_pci_attached(&att, &n);
	if (rc) {
		log_warn("check guests: libxl's records: %s", strerror(-rc));
		return;
	}
	for (i = 0; i < n; i++)
		if ((g = guest_get(c, att[i].domid)))
			guest_add_dev(g, &att[i].bdf);
	free(att);
}

/* Devices by the backends in our domain, stale ones included. */
static void from_backends(struct check *c)
{
	unsigned int *doms = NULL, nd = 0, i, j, ne;
	struct xb_entry *e;
	struct guest *g;

	if (xb_backends(cfg.domid, &doms, &nd))
		return;
	for (i = 0; i < nd; i++) {
		g = guest_get(c, doms[i]);
		if (!g || xb_list(cfg.domid, doms[i], &e, &ne))
			continue;
		for (j = 0; j < ne; j++)
			guest_add_dev(g, &e[j].bdf);
		free(e);
	}
	free(doms);
}

/*
 * Devices the agent gave a guest (the reset record says it has them)
 * that neither libxl's record nor a backend names any more: after `xl
 * destroy`, libxl lets go of them before the domain dies, and only the
 * record still says who had them.
 */
static void from_reset_records(struct check *c)
{
	struct bdf *devs = NULL;
	struct reset_rec r;
	unsigned int n = 0;
	struct guest *g;

	if (sysfs_pciback_devices(&devs, &n))
		return;
	for (unsigned int i = 0; i < n; i++) {
		policy_reset_get(&devs[i], &r);
		if (r.state != RESET_IN_USE || r.domid < 0 ||
		    r.domid == (long)cfg.domid ||
		    libxl_pci_domid(XBT_NULL, &devs[i]) >= 0)
			continue;
		if ((g = guest_get(c, (unsigned int)r.domid)))
			guest_add_dev(g, &devs[i]);
	}
	free(devs);
}

/* On the worker thread. */
static void check_run(struct job *j)
{
	struct check *c = j->data;
	int alive;

	c->n = 0;
	from_libxl(c);
	from_backends(c);
	from_reset_records(c);
	for (unsigned int i = 0; i < c->n; i++) {
		if (c->g[i].domid == cfg.domid)
			continue;
		alive = hv_domain_alive(c->g[i].domid);
		if (alive < 0)
			log_warn("domain %u: cannot tell whether it is alive: "
				 "%s", c->g[i].domid, strerror(-alive));
		c->g[i].dead = !alive;
	}
	/*
	 * xl destroy cleans up its guest's devices itself (libxl removes
	 * the backend and /libxl/pci/<K>/domid); what is left to do is
	 * from_reset_records()'s.  R/devices must stop saying "attached"
	 * at once.
	 */
	publish_all();
}

/* On the worker thread, holding the guest's queue and its devices'. */
static void cleanup_run(const struct req_params *p)
{
	/*
	 * Checked again now that nothing else works on the guest: one back
	 * under the same domid must keep what it was given.
	 */
	if (hv_domain_alive(p->domid) > 0) {
		log_info("domain %u is alive again: nothing to clean up",
			 p->domid);
		return;
	}
	attach_domain_gone(p->domid, p->devs, p->ndevs);
}

static void cleanup(const struct guest *g)
{
	struct req_params p = {
		.op = REQ_CLEANUP,
		.domid = g->domid,
		.timeout = XENPCI_REQ_TIMEOUT_DEFAULT,
		.ndevs = g->ndevs,
	};
	char id[32];
	int rc;

	snprintf(id, sizeof(id), "cleanup-%u", g->domid);
	snprintf(p.desc, sizeof(p.desc), "cleanup of dead domain %u",
		 g->domid);
	memcpy(p.devs, g->devs, g->ndevs * sizeof(*g->devs));
	rc = request_submit(id, &p, cleanup_run);
	if (rc == -ECANCELED)
		log_warn("domain %u is gone: its cleanup is left for the next "
			 "start", g->domid);
	else if (rc && rc != -EALREADY)
		log_err("domain %u is gone: cannot queue its cleanup: %s",
			g->domid, strerror(-rc));
}

static void check_start(void);

static void check_done(struct job *j)
{
	struct check *c = j->data;

	checking = false;
	for (unsigned int i = 0; i < c->n; i++)
		if (c->g[i].dead)
			cleanup(&c->g[i]);
	if (again && !stopping) {
		again = false;
		check_start();
	}
	if (stopping && idle_cb)
		idle_cb();
}

static void check_start(void)
{
	int rc;

	check.job.run = check_run;
	check.job.done = check_done;
	check.job.data = &check;
	rc = worker_start(&check.job);
	if (rc) {
		log_err("check guests: cannot start a worker thread: %s; a "
			"dead guest's devices stay until the next "
			"@releaseDomain", strerror(-rc));
		return;
	}
	checking = true;
}

void domains_init(void (*idle)(void))
{
	idle_cb = idle;
}

void domains_changed(void)
{
	if (stopping)
		return;
	if (checking)
		again = true;
	else
		check_start();
}

void domains_shutdown(void)
{
	stopping = true;
}

bool domains_idle(void)
{
	return !checking;
}
