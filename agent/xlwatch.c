/*
 * What xl does in the agent's PCI backends: `xl pci-attach` and
 * `xl pci-detach` (or any toolstack writing libxl's backend) export
 * and remove devices without a request, and the site's hotplug script
 * must still see them, as xl devd runs the vif and vbd scripts for
 * backends it did not create.  The agent runs the `add` phase once xl's
 * device is exported (backend Connected, state-i Initialised, vdev-i
 * written: what the agent's own attach waits for) and `remove` once it
 * is gone from the backend, which libxl 4.17 does last, after the
 * device left the guest (libxl_pci.c pci_remove_done()).
 *
 * Never twice.  script.c's ledger says which (guest, device) pairs had
 * their add phase, by the agent's own attach or by this file, and not
 * yet their remove: only a difference between the backend and the
 * ledger runs a phase.  A guest that is gone is left to domains.c (its
 * cleanup phase, when the agent releases it), and what was exported
 * before the agent started is taken as it is, without a phase.
 * The devices a check found added or removed are published in
 * R/devices at its end, as a request's are: readers need not ask for a
 * list to see what xl did.
 *
 * Cost.  An event under a guest's backend while one of the agent's
 * requests is queued or runs on that guest is the agent's own doing
 * and is dropped without a read.  Otherwise an event naming a node with
 * which a toolstack begins a change (dev-i, state-i) marks the guest,
 * and once it is marked, one naming a node that ends a change (the
 * backend's state, num_devs, the backend itself) queues a check on the
 * guest, as the agent's own requests queue (request.c), so that it
 * never interleaves with one; one check waiting to start covers every
 * later event.  The check reads that one backend on a worker thread,
 * runs the phases there, and unmarks the guest once nothing is on its
 * way.  pciback's writes after one of the agent's own requests (a cold
 * plug's Connected) so cost nothing.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenstore.h>
#include <xen/io/xenbus.h>

#include "config.h"
#include "hypervisor.h"
#include "libxl_pci.h"
#include "log.h"
#include "publish.h"
#include "request.h"
#include "script.h"
#include "statedir.h"
#include "worker.h"
#include "xenbus.h"
#include "xlwatch.h"
#include "xs.h"

#define DOMID_LIMIT	0x7ff0	/* DOMID_FIRST_RESERVED */
#define UNRECORD_WAIT_MS	2000

/*
 * Per guest: checks queued, not yet started; a baseline is asked for;
 * the changes begun by another toolstack (dirty) and how many of them a
 * check found settled (clean): equal, nothing of theirs is in progress.
 */
static atomic_uint pending[DOMID_LIMIT];
static atomic_bool baseline[DOMID_LIMIT];
static atomic_uint dirty[DOMID_LIMIT], clean[DOMID_LIMIT];
static unsigned long seq;
static bool scanned, stopping;
static void (*idle_cb)(void);

static struct scan {
	struct job job;
	unsigned int *doms, n;
	bool base;
	bool running;
} scan;

/* ------------------------------------------------- on the worker */

static int backend_state(unsigned int domid)
{
	char p[160], *v;
	int st;

	snprintf(p, sizeof(p), XENPCI_BE_FMT "/" XENPCI_BEKEY_STATE,
		 cfg.domid, domid);
	v = xs_read_str(XBT_NULL, p);
	st = v ? atoi(v) : -1;
	free(v);
	return st;
}

static bool exported(const struct xb_entry *e, int be_state)
{
	return be_state == XenbusStateConnected &&
	       e->state == XenbusStateInitialised && e->vdev[0];
}

static int run_phase(enum script_phase ph, unsigned int domid,
		     const struct bdf *b, char *msg, size_t len)
{
	char drv[PATH_MAX];
	struct script_dev sd = { .bdf = b, .domid = domid, .orig_driver = drv,
				 .req = "" };

	if (libxl_pci_driver(XBT_NULL, b, drv, sizeof(drv)) &&
	    driver_recall(b, drv, sizeof(drv)))
		drv[0] = '\0';
	log_dev(LOG_INFO, b, "%s domain %u by another toolstack (xl): "
		"%s phase", ph == SP_ADD ? "attached to" : "detached from",
		domid, script_phase_name(ph));
	return script_run(ph, &sd, NULL, msg, len);
}

/* The devices a check found changed, for R/devices. */
struct changed {
	struct bdf b[REQ_MAX_DEVS];
	unsigned int n;
};

static void changed_add(struct changed *c, const struct bdf *b)
{
	if (c->n < REQ_MAX_DEVS)
		c->b[c->n++] = *b;
}

/* The add phases; false if a device is still on its way. */
static bool added(unsigned int domid, const struct xb_entry *e,
		  unsigned int n, bool base, struct changed *c)
{
	int be_state = backend_state(domid), rc, err = 0;
	char msg[768], first[768] = "";
	bool any = false, settled = !n || be_state == XenbusStateConnected;

	for (unsigned int i = 0; i < n; i++) {
		if (!exported(&e[i], be_state)) {
			settled = false;
			continue;
		}
		if (script_ledger_set(domid, &e[i].bdf, true))
			continue;
		if (base) {
			log_dev(LOG_INFO, &e[i].bdf, "in domain %u's backend "
				"already at start-up: no add phase", domid);
			continue;
		}
		any = true;
		changed_add(c, &e[i].bdf);
		rc = run_phase(SP_ADD, domid, &e[i].bdf, msg, sizeof(msg));
		if (rc && !err) {
			err = rc;
			snprintf(first, sizeof(first), "%s", msg);
		}
	}
	/* As after the agent's own add phase: what the script said. */
	if (any && script_active())
		script_hotplug_status(domid, err ? first : NULL);
	return settled;
}

static bool listed(const struct bdf *b, const struct xb_entry *e,
		   unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (bdf_eq(b, &e[i].bdf))
			return true;
	return false;
}

/*
 * libxl removes /libxl/pci/<K>/domid last, after the backend
 * (libxl_pci.c, pci_remove_done()'s out:): R/devices is written once
 * it is gone, so as not to say "attached" of a detached device.  Its
 * removal comes right after the backend's on a working toolstack; one
 * that keeps it longer is left to the next publication.
 */
static void wait_unrecorded(unsigned int domid, const struct bdf *b)
{
	for (int i = 0; i < UNRECORD_WAIT_MS / 20; i++) {
		if (libxl_pci_domid(XBT_NULL, b) != (long)domid)
			return;
		usleep(20000);
	}
	log_dev(LOG_WARNING, b, "still recorded for domain %u by libxl "
		"%d ms after its backend went: published as it is", domid,
		UNRECORD_WAIT_MS);
}

static void removed(unsigned int domid, const struct xb_entry *e,
		    unsigned int n, struct changed *c)
{
	struct bdf had[REQ_MAX_DEVS];
	unsigned int nh = script_ledger_of(domid, had, REQ_MAX_DEVS);
	char msg[768];
	int alive = -1;

	for (unsigned int i = 0; i < nh; i++) {
		if (listed(&had[i], e, n))
			continue;
		if (alive < 0)
			alive = hv_domain_alive(domid);
		script_ledger_set(domid, &had[i], false);
		changed_add(c, &had[i]);
		if (!alive) {
			/* Released with its guest: domains.c's cleanup. */
			log_dev(LOG_INFO, &had[i], "domain %u is gone: no "
				"remove phase", domid);
			continue;
		}
		run_phase(SP_REMOVE, domid, &had[i], msg, sizeof(msg));
		wait_unrecorded(domid, &had[i]);
	}
}

/* request.c's own request, holding the guest. */
static void check_run(const struct req_params *p)
{
	unsigned int domid = p->domid, gen = atomic_load(&dirty[domid]);
	bool base = atomic_exchange(&baseline[domid], false), settled;
	struct xb_entry *e = NULL;
	struct changed c = { .n = 0 };
	char msg[256];
	unsigned int n = 0;

	/* From now on an event may have come after the reads below. */
	atomic_fetch_sub(&pending[domid], 1);
	if (xb_list(cfg.domid, domid, &e, &n)) {
		log_warn("domain %u: read its PCI backend: %s", domid,
			 strerror(errno));
		return;
	}
	script_undo(false);
	script_select(NULL, msg, sizeof(msg));
	settled = added(domid, e, n, base, &c);
	if (!base)
		removed(domid, e, n, &c);
	free(e);
	/*
	 * What xl changed, in R/devices now rather than at the next
	 * request's publication: those devices only, in one transaction,
	 * as after a request of the agent's own (ops_publish()).
	 */
	if (c.n)
		publish_devices(c.b, c.n);
	/* Done with what began before the reads; later events say more. */
	if (settled)
		atomic_store(&clean[domid], gen);
}

/* ------------------------------------------------------ the loop */

static void check(unsigned int domid, bool base)
{
	struct req_params p = {
		.op = REQ_CLEANUP,
		.domid = domid,
		.timeout = 3600,
	};
	char id[48];
	int rc;

	if (domid >= DOMID_LIMIT || stopping)
		return;
	if (base)
		atomic_store(&baseline[domid], true);
	else if (atomic_load(&pending[domid]))
		return;	/* it reads after this event */
	atomic_fetch_add(&pending[domid], 1);
	snprintf(id, sizeof(id), "xl-backend-%u-%lu", domid, ++seq);
	snprintf(p.desc, sizeof(p.desc), "xl's changes to the PCI backend "
		 "of domain %u", domid);
	rc = request_submit(id, &p, check_run);
	if (rc) {
		atomic_fetch_sub(&pending[domid], 1);
		if (rc != -ECANCELED)
			log_err("domain %u: cannot queue a look at its PCI "
				"backend: %s", domid, strerror(-rc));
	}
}

static void scan_run(struct job *j)
{
	struct scan *s = j->data;

	free(s->doms);
	s->doms = NULL;
	s->n = 0;
	if (xb_backends(cfg.domid, &s->doms, &s->n))
		s->n = 0;
}

static void scan_done(struct job *j)
{
	struct scan *s = j->data;

	s->running = false;
	for (unsigned int i = 0; i < s->n; i++)
		check(s->doms[i], s->base);
	free(s->doms);
	s->doms = NULL;
	if (stopping && idle_cb)
		idle_cb();
}

/* Every backend, at the watch's first event: taken as they are. */
static void scan_start(bool base)
{
	int rc;

	if (scan.running || stopping)
		return;
	scan.job.run = scan_run;
	scan.job.done = scan_done;
	scan.job.data = &scan;
	scan.base = base;
	rc = worker_start(&scan.job);
	if (rc) {
		log_err("PCI backends: cannot start a worker thread: %s; xl's "
			"attaches run no hotplug script until the next change",
			strerror(-rc));
		return;
	}
	scan.running = true;
}

/*
 * What an event's node says (below the guest's directory, "/0/..."):
 * a toolstack begins a change by writing dev-i (a new device, in the
 * transaction that creates or reconfigures the backend) or state-i
 * (Closing, libxl's detach); pciback's and libxl's last writes of a
 * change are the backend's state and num_devs; the backend created or
 * removed is both.
 */
enum node_kind { NK_OTHER, NK_BEGINS, NK_ENDS, NK_BOTH };

static bool indexed(const char *node, const char *prefix)
{
	size_t l = strlen(prefix);

	return !strncmp(node, prefix, l) && node[l] &&
	       strspn(node + l, "0123456789") == strlen(node + l);
}

static enum node_kind node_kind(const char *node)
{
	if (!node[0] || !strcmp(node, "/0"))
		return NK_BOTH;
	if (!strcmp(node, "/0/" XENPCI_BEKEY_STATE) ||
	    !strcmp(node, "/0/" XENPCI_BEKEY_NUM_DEVS))
		return NK_ENDS;
	if (indexed(node, "/0/dev-") || indexed(node, "/0/state-"))
		return NK_BEGINS;
	return NK_OTHER;
}

void xlwatch_event(const char *path)
{
	const char *root = xs_backends_path(), *s;
	size_t l = strlen(root);
	enum node_kind kind;
	unsigned long domid;
	char *end;

	if (strncmp(path, root, l))
		return;
	/*
	 * The watch's first event: every backend, once.  The directory
	 * going later (the last backend removed) also removed <domid>/0,
	 * whose own event says so.
	 */
	if (!path[l]) {
		if (!scanned)
			scan_start(true);
		scanned = true;
		return;
	}
	if (path[l] != '/' || !scanned)
		return;
	s = path + l + 1;
	errno = 0;
	domid = strtoul(s, &end, 10);
	if (errno || end == s || domid >= DOMID_LIMIT || domid == cfg.domid)
		return;
	kind = node_kind(end);
	if (kind == NK_OTHER)
		return;
	if (request_guest_busy((unsigned int)domid, check_run))
		return;	/* the agent's own reconfiguration */
	if (kind != NK_ENDS)
		atomic_fetch_add(&dirty[domid], 1);
	/*
	 * Only another toolstack's change is looked at: pciback's last
	 * word on one of the agent's own (a cold plug's Connected comes
	 * after the request) costs nothing.
	 */
	if (kind == NK_BEGINS ||
	    atomic_load(&dirty[domid]) == atomic_load(&clean[domid]))
		return;
	log_debug("%s: changed by another toolstack: looking at domain %lu",
		  path, domid);
	check((unsigned int)domid, false);
}

void xlwatch_init(void (*idle)(void))
{
	idle_cb = idle;
}

void xlwatch_shutdown(void)
{
	stopping = true;
}

bool xlwatch_idle(void)
{
	return !scan.running;
}
