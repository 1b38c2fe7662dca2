/*
 * xen-pcifront in every simulated guest: drivers/pci/xen-pcifront.c on
 * top of the frontend bus (xenbus_probe.c, xenbus_probe_frontend.c).
 *
 * Guests are the files SIMXEN_DIR/domains/<domid> ("state=...",
 * "pcifront=1|0|hung").  The guest kernel only acts while its domain
 * is running and pcifront=1; the file is read again at every event.
 * Events that arrive while it cannot act are not lost for a paused
 * guest: when it can act again, the bus and the backend state are
 * looked at once more, as the queued watch events would make a real
 * guest do.  What the guest's PCI bus holds is written to
 * SIMXEN_DIR/guests/<domid>/pci, one "<virtual BDF> <- <real BDF>" line
 * per device.
 */
#include <dirent.h>
#include <errno.h>
#include <ev.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "peer.h"

enum pf_mode { PF_ABSENT, PF_ON, PF_HUNG };

/* A device on the guest's PCI bus. */
struct fe_view {
	unsigned int domain, bus, devfn;
	char real[64];
	struct fe_view *next;
};

/* A root bus pcifront created (pdev->root_buses). */
struct fe_root {
	unsigned int domain, bus;
	struct fe_root *next;
};

struct pcifront_dev {
	struct xb_dev xdev;
	bool bound;		/* pcifront_xenbus_probe() succeeded */
	unsigned int gref, port;
	bool port_bound;	/* the backend bound our unbound port */
	struct fe_root *roots;
};

struct guest {
	unsigned int domid;
	enum pf_mode mode;
	bool running;
	bool shutdown;		/* state=shutdown: the guest shut down */
	bool acts;		/* mode == PF_ON && running, last seen */
	bool closing;		/* in xenbus_dev_shutdown(), waiting */
	ev_tstamp closing_until;	/* ... for at most 5 s */
	bool seen;
	unsigned int dev_watch;
	unsigned int next_gref, next_port;
	struct pcifront_dev *fe;
	struct fe_view *view;
	struct guest *next;
};

static struct guest *guests;
static unsigned int intro_watch, release_watch;
static ev_timer poll_timer;

static void fe_bus_changed(struct guest *g, const char *path);
static void be_state_cb(void *ctx, const char *path);

/* ---- the guest view file ---- */

static char *view_path(struct guest *g, const char *leaf)
{
	return xasprintf("%s/guests/%u%s%s", conf.simxen_dir, g->domid,
			 leaf ? "/" : "", leaf ? leaf : "");
}

static void view_write(struct guest *g)
{
	char *dir = xasprintf("%s/guests", conf.simxen_dir);
	char *gdir = view_path(g, NULL), *tmp = view_path(g, "pci.tmp");
	char *path = view_path(g, "pci");
	struct fe_view *v;
	FILE *f = NULL;

	if (!dir || !gdir || !tmp || !path)
		goto out;
	mkdir(dir, 0755);
	mkdir(gdir, 0755);
	f = fopen(tmp, "we");
	if (!f)
		goto out;
	for (v = g->view; v; v = v->next)
		fprintf(f, "%04x:%02x:%02x.%x <- %s\n", v->domain, v->bus,
			PCI_SLOT(v->devfn), PCI_FUNC(v->devfn), v->real);
	if (fclose(f) == 0 && rename(tmp, path) == 0)
		f = (FILE *)1;
	else
		f = NULL;
out:
	if (!f)
		plog("dom %u: cannot write the guest view: %s", g->domid,
		     strerror(errno));
	free(dir);
	free(gdir);
	free(tmp);
	free(path);
}

static void view_remove_file(struct guest *g)
{
	char *gdir = view_path(g, NULL), *path = view_path(g, "pci");

	if (path)
		unlink(path);
	if (gdir)
		rmdir(gdir);
	free(gdir);
	free(path);
}

static struct fe_view **view_find(struct guest *g, unsigned int domain,
				  unsigned int bus, unsigned int devfn)
{
	struct fe_view **pp;

	for (pp = &g->view; *pp; pp = &(*pp)->next)
		if ((*pp)->domain == domain && (*pp)->bus == bus &&
		    (*pp)->devfn == devfn)
			return pp;
	return NULL;
}

/* Sorted by address, so the file reads like lspci. */
static void view_add(struct guest *g, unsigned int domain, unsigned int bus,
		     unsigned int devfn, const char *real)
{
	unsigned long key = (unsigned long)domain << 16 | bus << 8 | devfn;
	struct fe_view **pp, *v = calloc(1, sizeof(*v));

	if (!v)
		return;
	v->domain = domain;
	v->bus = bus;
	v->devfn = devfn;
	snprintf(v->real, sizeof(v->real), "%s", real);
	for (pp = &g->view; *pp; pp = &(*pp)->next)
		if (((unsigned long)(*pp)->domain << 16 | (*pp)->bus << 8 |
		     (*pp)->devfn) > key)
			break;
	v->next = *pp;
	*pp = v;
}

static void view_clear(struct guest *g)
{
	struct fe_view *v;

	while ((v = g->view)) {
		g->view = v->next;
		free(v);
	}
}

/* ---- the guest's PCI bus ---- */

/*
 * pcifront_scan_bus(): every devfn that is not known yet is probed
 * through the backend (a config read via xen_pcibk_do_op); bridges
 * are not descended into.
 */
static void scan_bus(struct guest *g, unsigned int domain, unsigned int bus)
{
	struct pcistub_dev *dev;
	unsigned int devfn;

	for (devfn = 0; devfn < 0x100; devfn++) {
		if (view_find(g, domain, bus, devfn))
			continue;
		dev = pciback_conf_space_dev(g->domid, domain, bus, devfn);
		if (!dev)
			continue;
		view_add(g, domain, bus, devfn, pcistub_name(dev));
		plog("dom %u: New device on %04x:%02x:%02x.%d found (%s)",
		     g->domid, domain, bus, PCI_SLOT(devfn), PCI_FUNC(devfn),
		     pcistub_name(dev));
	}
}

static struct fe_root *root_find(struct pcifront_dev *fe, unsigned int domain,
				 unsigned int bus)
{
	struct fe_root *r;

	for (r = fe->roots; r; r = r->next)
		if (r->domain == domain && r->bus == bus)
			return r;
	return NULL;
}

/*
 * pcifront_scan_root() (rescan == false) and pcifront_rescan_root().
 * pci_scan_root_bus() refuses a bus that already exists.
 */
static int scan_root(struct guest *g, unsigned int domain, unsigned int bus,
		     bool rescan)
{
	struct pcifront_dev *fe = g->fe;
	struct fe_root *r;

	if (rescan && root_find(fe, domain, bus)) {
		scan_bus(g, domain, bus);
		return 0;
	}
	if (root_find(fe, domain, bus)) {
		plog("dom %u: Error creating PCI Frontend Bus!", g->domid);
		return -ENOMEM;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->domain = domain;
	r->bus = bus;
	r->next = fe->roots;
	fe->roots = r;
	plog("dom %u: Creating PCI Frontend Bus %04x:%02x", g->domid, domain,
	     bus);
	scan_bus(g, domain, bus);
	return 0;
}

/* pcifront_free_roots(): every device and root bus goes away */
static void free_roots(struct guest *g)
{
	struct pcifront_dev *fe = g->fe;
	struct fe_root *r;

	while ((r = fe->roots)) {
		fe->roots = r->next;
		free(r);
	}
	view_clear(g);
}

/* The root loop shared by pcifront_try_connect() and _attach_devices() */
static int scan_roots(struct guest *g, bool rescan)
{
	struct pcifront_dev *fe = g->fe;
	const char *oe = fe->xdev.otherend;
	int i, num_roots, err;
	unsigned int domain, bus;
	char str[64];

	err = xsu_scanf(XBT_NULL, oe, "root_num", "%d", &num_roots);
	if (err == -ENOENT) {
		xb_dev_error(&fe->xdev, err,
			     "No PCI Roots found, trying 0000:00");
		err = scan_root(g, 0, 0, rescan);
		if (err) {
			xb_dev_fatal(&fe->xdev, err,
				     "Error scanning PCI root 0000:00");
			return err;
		}
		num_roots = 0;
	} else if (err != 1) {
		if (err == 0)
			err = -EINVAL;
		xb_dev_fatal(&fe->xdev, err,
			     "Error reading number of PCI roots");
		return err;
	}
	for (i = 0; i < num_roots; i++) {
		snprintf(str, sizeof(str), "root-%d", i);
		err = xsu_scanf(XBT_NULL, oe, str, "%x:%x", &domain, &bus);
		if (err != 2) {
			if (err >= 0)
				err = -EINVAL;
			xb_dev_fatal(&fe->xdev, err,
				     "Error reading PCI root %d", i);
			return err;
		}
		err = scan_root(g, domain, bus, rescan);
		if (err) {
			xb_dev_fatal(&fe->xdev, err,
				     "Error scanning PCI root %04x:%02x",
				     domain, bus);
			return err;
		}
	}
	return 0;
}

/* ---- the xenbus driver ---- */

/* pcifront_try_connect(): only once, from Initialised */
static void try_connect(struct guest *g)
{
	struct pcifront_dev *fe = g->fe;

	if (xsu_read_driver_state(fe->xdev.nodename) != XenbusStateInitialised)
		return;
	if (scan_roots(g, false))
		return;
	xb_switch_state(&fe->xdev, XenbusStateConnected);
}

/* pcifront_try_disconnect() */
static void try_disconnect(struct guest *g)
{
	struct pcifront_dev *fe = g->fe;
	enum xenbus_state prev;

	prev = xsu_read_driver_state(fe->xdev.nodename);
	if (prev >= XenbusStateClosing)
		return;
	if (prev == XenbusStateConnected)
		free_roots(g);	/* and pcifront_disconnect() */
	xb_switch_state(&fe->xdev, XenbusStateClosed);
}

/* pcifront_attach_devices(): rescan, from Reconfiguring */
static void attach_devices(struct guest *g)
{
	struct pcifront_dev *fe = g->fe;

	if (xsu_read_driver_state(fe->xdev.nodename) !=
	    XenbusStateReconfiguring)
		return;
	if (scan_roots(g, true))
		return;
	xb_switch_state(&fe->xdev, XenbusStateConnected);
}

/* One device of pcifront_detach_devices(); 1 if it was not Closing */
static int detach_one(struct guest *g, int i)
{
	struct pcifront_dev *fe = g->fe;
	unsigned int domain, bus, slot, func;
	struct fe_view **pp, *v;
	char str[64];
	int err;

	snprintf(str, sizeof(str), "state-%d", i);
	if (xsu_read_unsigned(fe->xdev.otherend, str, XenbusStateUnknown) !=
	    XenbusStateClosing)
		return 1;
	snprintf(str, sizeof(str), "vdev-%d", i);
	err = xsu_scanf(XBT_NULL, fe->xdev.otherend, str, "%x:%x:%x.%x",
			&domain, &bus, &slot, &func);
	if (err != 4) {
		if (err >= 0)
			err = -EINVAL;
		xb_dev_fatal(&fe->xdev, err, "Error reading PCI device %d", i);
		return err;
	}
	/* pci_get_domain_bus_and_slot(), pci_stop_and_remove_bus_device() */
	pp = view_find(g, domain, bus, PCI_DEVFN(slot, func));
	if (!pp) {
		plog("dom %u: Cannot get PCI device %04x:%02x:%02x.%d",
		     g->domid, domain, bus, slot, func);
		return 0;
	}
	v = *pp;
	*pp = v->next;
	plog("dom %u: PCI device %04x:%02x:%02x.%d removed (%s)", g->domid,
	     domain, bus, slot, func, v->real);
	free(v);
	return 0;
}

/* pcifront_detach_devices(): from Connected, to Reconfiguring */
static void detach_devices(struct guest *g)
{
	struct pcifront_dev *fe = g->fe;
	int i, num_devs, err;

	if (xsu_read_driver_state(fe->xdev.nodename) != XenbusStateConnected)
		return;
	err = xsu_scanf(XBT_NULL, fe->xdev.otherend, "num_devs", "%d",
			&num_devs);
	if (err != 1) {
		if (err >= 0)
			err = -EINVAL;
		xb_dev_fatal(&fe->xdev, err,
			     "Error reading number of PCI devices");
		return;
	}
	for (i = 0; i < num_devs; i++)
		if (detach_one(g, i) < 0)
			return;
	xb_switch_state(&fe->xdev, XenbusStateReconfiguring);
}

/* pcifront_backend_changed(): every XenbusState of the backend */
static void pcifront_backend_changed(struct guest *g,
				     enum xenbus_state be_state)
{
	struct pcifront_dev *fe = g->fe;

	switch (be_state) {
	case XenbusStateUnknown:
	case XenbusStateInitialising:
	case XenbusStateInitWait:
	case XenbusStateInitialised:
		break;
	case XenbusStateConnected:
		try_connect(g);
		break;
	case XenbusStateClosed:
		if (fe->xdev.state == XenbusStateClosed)
			break;
		/* missed the backend's Closing state */
		__attribute__((fallthrough));
	case XenbusStateClosing:
		plog("dom %u: backend going away!", g->domid);
		try_disconnect(g);
		break;
	case XenbusStateReconfiguring:
		detach_devices(g);
		break;
	case XenbusStateReconfigured:
		attach_devices(g);
		break;
	default:
		break;
	}
}

/* The publishing transaction of pcifront_publish_info(), EAGAIN retried */
static int publish_txn(struct pcifront_dev *fe)
{
	xs_transaction_t t;
	int err;

again:
	t = xs_transaction_start(conf.xs);
	if (t == XBT_NULL) {
		err = -errno;
		xb_dev_fatal(&fe->xdev, err, "Error writing configuration for "
			     "backend (start transaction)");
		return err;
	}
	err = xsu_printf(t, fe->xdev.nodename, "pci-op-ref", "%u", fe->gref);
	if (!err)
		err = xsu_printf(t, fe->xdev.nodename, "event-channel", "%u",
				 fe->port);
	if (!err)
		err = xsu_printf(t, fe->xdev.nodename, "magic", XEN_PCI_MAGIC);
	if (err) {
		xs_transaction_end(conf.xs, t, true);
		xb_dev_fatal(&fe->xdev, err,
			     "Error writing configuration for backend");
		return err;
	}
	if (!xs_transaction_end(conf.xs, t, false)) {
		if (errno == EAGAIN)
			goto again;
		err = -errno;
		xb_dev_fatal(&fe->xdev, err,
			     "Error completing transaction for backend");
		return err;
	}
	return 0;
}

/*
 * pcifront_publish_info(): grant the shared page (xenbus_grant_ring)
 * and allocate an unbound event channel (xenbus_alloc_evtchn); neither
 * can fail here.  The numbers are arbitrary but unique per guest.
 */
static int publish_info(struct guest *g)
{
	struct pcifront_dev *fe = g->fe;
	int err;

	fe->gref = g->next_gref++;
	fe->port = g->next_port++;
	err = publish_txn(fe);
	if (err)
		return err;
	xb_switch_state(&fe->xdev, XenbusStateInitialised);
	return 0;
}

/* free_pdev(): roots, event channel and grant go away */
static void fe_free_pdev(struct guest *g)
{
	struct pcifront_dev *fe = g->fe;

	free_roots(g);
	fe->gref = 0;
	fe->port = 0;
	fe->port_bound = false;
	fe->bound = false;
}

/*
 * xenbus_dev_remove() for the frontend: the otherend watch goes,
 * pcifront_xenbus_remove(), then Closed.  A dead guest (alive ==
 * false) writes nothing.
 */
static void fe_unregister(struct guest *g, bool alive)
{
	struct pcifront_dev *fe = g->fe;

	plog("dom %u: %s: unregister", g->domid, fe->xdev.rel);
	if (fe->xdev.otherend_watch) {
		xsu_unwatch(fe->xdev.otherend_watch);
		fe->xdev.otherend_watch = 0;
	}
	if (fe->bound) {
		fe_free_pdev(g);
		free(fe->xdev.otherend);
		fe->xdev.otherend = NULL;
		if (alive)
			xb_switch_state(&fe->xdev, XenbusStateClosed);
	}
	xb_fini(&fe->xdev);
	free(fe);
	g->fe = NULL;
	view_write(g);
}

/* pcifront_xenbus_probe() + watch_otherend() of xenbus_dev_probe() */
static void fe_dev_probe(struct guest *g)
{
	struct pcifront_dev *fe = g->fe;
	char *path;
	int err;

	if (xb_read_otherend_details(&fe->xdev, "backend-id", "backend"))
		return;
	err = publish_info(g);
	if (err) {
		fe_free_pdev(g);
		xb_dev_error(&fe->xdev, err, "xenbus_dev_probe on %s",
			     fe->xdev.rel);
		return;
	}
	fe->bound = true;
	path = xasprintf("%s/state", fe->xdev.otherend);
	if (path)
		fe->xdev.otherend_watch = xsu_watch(path, be_state_cb, g);
	if (!fe->xdev.otherend_watch)
		xb_dev_fatal(&fe->xdev, -ENOMEM, "adding watch on %s",
			     path ? path : "(null)");
	free(path);
}

/* xenbus_probe_node() on the frontend bus: only from Initialising */
static void fe_probe_node(struct guest *g, const char *rel)
{
	char *nodename = xasprintf("/local/domain/%u/%s", g->domid, rel);
	struct pcifront_dev *fe;

	if (!nodename)
		return;
	if (xsu_read_driver_state(nodename) != XenbusStateInitialising)
		goto out;
	fe = calloc(1, sizeof(*fe));
	if (!fe || xb_init(&fe->xdev, g->domid, rel)) {
		free(fe);
		goto out;
	}
	g->fe = fe;
	plog("dom %u: %s: new frontend device", g->domid, rel);
	fe_dev_probe(g);
out:
	free(nodename);
}

/* xenbus_dev_changed() on the guest's frontend bus (levels = 2) */
static void fe_bus_changed(struct guest *g, const char *path)
{
	char *home = xasprintf("/local/domain/%u/", g->domid), *root;
	const char *rel;
	int rootlen;

	if (!home || strncmp(path, home, strlen(home)))
		goto out;
	rel = path + strlen(home);
	if (xsu_char_count(rel, '/') < 2)
		goto out;
	if (!xsu_exists(path, "")) {
		if (g->fe && !strncmp(g->fe->xdev.rel, rel, strlen(rel)))
			fe_unregister(g, true);
		goto out;
	}
	rootlen = xsu_strsep_len(rel, '/', 2);
	if (rootlen < 0)
		goto out;
	root = strndup(rel, rootlen);
	if (root && !g->fe)
		fe_probe_node(g, root);
	free(root);
out:
	free(home);
}

/* ---- simulated guests ---- */

/* SIMXEN_DIR/domains/<domid>; -1 if the domain does not exist */
static int read_domain(struct guest *g)
{
	char *path = xasprintf("%s/domains/%u", conf.simxen_dir, g->domid);
	char line[256];
	FILE *f;

	g->mode = PF_ON;
	g->running = false;
	g->shutdown = false;
	f = path ? fopen(path, "re") : NULL;
	free(path);
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "state=running"))
			g->running = true;
		else if (!strcmp(line, "state=shutdown"))
			g->shutdown = true;
		else if (!strcmp(line, "pcifront=0"))
			g->mode = PF_ABSENT;
		else if (!strcmp(line, "pcifront=hung"))
			g->mode = PF_HUNG;
		else if (!strcmp(line, "pcifront=1"))
			g->mode = PF_ON;
	}
	fclose(f);
	return 0;
}

/*
 * xenbus_dev_shutdown() of the frontend bus, run by a guest that shuts
 * down cleanly: a Connected frontend goes to Closing and waits (up to
 * 5 s) for the backend's Closing, answered by xenbus_frontend_closed()
 * (xenbus_otherend_changed() with ignore_on_shutdown).  The file says
 * "shutdown" only once the guest is down, so this runs a little late.
 * A crashed guest does none of it.
 */
static void guest_shutdown(struct guest *g)
{
	struct pcifront_dev *fe = g->fe;

	if (!fe || !fe->bound || fe->xdev.state != XenbusStateConnected) {
		plog("dom %u: shutdown: %s != Connected, skipping", g->domid,
		     fe ? xb_strstate(fe->xdev.state) : "no device");
		return;
	}
	g->closing = true;
	g->closing_until = ev_now(conf.loop) + 5.0;
	xb_switch_state(&fe->xdev, XenbusStateClosing);
}

/*
 * Whether the guest's pcifront can act now.  A guest that comes back
 * (unpaused, pcifront loaded or no longer hung) looks at its bus and
 * at the backend state once, as if its queued watch events ran.
 */
static bool guest_acts(struct guest *g)
{
	bool was = g->acts;

	if (read_domain(g))
		g->running = false;
	g->acts = g->running && g->mode == PF_ON;
	if (g->acts && !was)
		plog("dom %u: pcifront active", g->domid);
	if (!g->acts && was) {
		plog("dom %u: pcifront not reacting (%s)", g->domid,
		     g->mode == PF_HUNG ? "hung" :
		     g->mode == PF_ABSENT ? "no pcifront" :
		     g->shutdown ? "shut down" : "not running");
		if (g->shutdown && g->mode == PF_ON)
			guest_shutdown(g);
	}
	return g->acts;
}

static void fe_handle_backend(struct guest *g)
{
	struct pcifront_dev *fe = g->fe;
	enum xenbus_state state;

	if (!fe || !fe->bound)
		return;
	state = xsu_read_driver_state(fe->xdev.otherend);
	plog("dom %u: backend state %s", g->domid, xb_strstate(state));
	pcifront_backend_changed(g, state);
	view_write(g);
}

static void fe_dev_path(struct guest *g, char *buf, size_t len)
{
	snprintf(buf, len, "/local/domain/%u/device/pci/0", g->domid);
}

static void guest_kick(struct guest *g)
{
	char path[64];

	fe_dev_path(g, path, sizeof(path));
	fe_bus_changed(g, path);
	fe_handle_backend(g);
}

/* xenbus_otherend_changed() while shutting down: only Closing counts */
static void shutdown_backend_changed(struct guest *g, const char *path)
{
	struct pcifront_dev *fe = g->fe;

	if (!g->closing || !fe || !xb_otherend_event_ok(&fe->xdev, path))
		return;
	if (ev_now(conf.loop) > g->closing_until) {
		plog("dom %u: %s timeout closing device", g->domid,
		     fe->xdev.rel);
		g->closing = false;
		return;
	}
	if (xsu_read_driver_state(fe->xdev.otherend) != XenbusStateClosing)
		return;
	g->closing = false;
	xb_switch_state(&fe->xdev, XenbusStateClosed);	/* ..._closed() */
}

/* backend_changed() -> xenbus_otherend_changed() of the frontend bus */
static void be_state_cb(void *ctx, const char *path)
{
	struct guest *g = ctx;

	if (!guest_acts(g)) {
		shutdown_backend_changed(g, path);
		return;
	}
	if (!g->fe || !xb_otherend_event_ok(&g->fe->xdev, path))
		return;
	fe_handle_backend(g);
}

/* frontend_changed() of the frontend bus: our watch on device/pci/0 */
static void fe_dir_cb(void *ctx, const char *path)
{
	struct guest *g = ctx;

	if (!guest_acts(g))
		return;
	fe_bus_changed(g, path);
}

static struct guest *guest_find(unsigned int domid)
{
	struct guest *g;

	for (g = guests; g; g = g->next)
		if (g->domid == domid)
			return g;
	return NULL;
}

static struct guest *guest_new(unsigned int domid)
{
	struct guest *g = calloc(1, sizeof(*g));
	char path[64];

	if (!g)
		return NULL;
	g->domid = domid;
	g->next_gref = 8;	/* after GNTTAB_NR_RESERVED_ENTRIES */
	g->next_port = 4;
	g->next = guests;
	guests = g;
	plog("dom %u: new guest", domid);
	view_write(g);
	fe_dev_path(g, path, sizeof(path));
	g->dev_watch = xsu_watch(path, fe_dir_cb, g);
	return g;
}

/* The domain is gone: forget it without writing anything for it. */
static void guest_free(struct guest *g, bool remove_view)
{
	if (g->dev_watch)
		xsu_unwatch(g->dev_watch);
	if (g->fe) {
		if (g->fe->xdev.otherend_watch)
			xsu_unwatch(g->fe->xdev.otherend_watch);
		g->fe->xdev.otherend_watch = 0;
		free_roots(g);
		xb_fini(&g->fe->xdev);
		free(g->fe);
	}
	view_clear(g);
	if (remove_view)
		view_remove_file(g);
	free(g);
}

static void guest_destroyed(struct guest *g)
{
	struct guest **pp;

	for (pp = &guests; *pp; pp = &(*pp)->next) {
		if (*pp == g) {
			*pp = g->next;
			break;
		}
	}
	plog("dom %u: domain gone", g->domid);
	guest_free(g, true);
}

static void guest_refresh(struct guest *g)
{
	bool was = g->acts;

	if (guest_acts(g) && !was)
		guest_kick(g);
}

/* Parse a domains/ entry: a decimal domid other than ours */
static bool domid_name(const char *name, unsigned int *domid)
{
	char *end;
	unsigned long v;

	if (!*name || *name == '.')
		return false;
	v = strtoul(name, &end, 10);
	if (*end || v >= 0x7ff0 || v == conf.be_domid || v == 0)
		return false;
	*domid = v;
	return true;
}

/* Rescan SIMXEN_DIR/domains (@introduceDomain, @releaseDomain, timer) */
void pcifront_rescan_domains(void)
{
	char *dir = xasprintf("%s/domains", conf.simxen_dir);
	struct guest *g, *next;
	struct dirent *de;
	unsigned int domid;
	DIR *d;

	d = dir ? opendir(dir) : NULL;
	free(dir);
	if (!d)
		return;
	for (g = guests; g; g = g->next)
		g->seen = false;
	while ((de = readdir(d))) {
		if (!domid_name(de->d_name, &domid))
			continue;
		g = guest_find(domid);
		if (!g)
			g = guest_new(domid);
		if (g)
			g->seen = true;
	}
	closedir(d);
	for (g = guests; g; g = next) {
		next = g->next;
		if (!g->seen)
			guest_destroyed(g);
		else
			guest_refresh(g);
	}
}

static void domain_watch_cb(void *ctx, const char *path)
{
	(void)ctx;
	(void)path;
	pcifront_rescan_domains();
}

/*
 * Domain state and the pcifront= line change in files without any
 * xenstore event (unpause, "hung"): poll them.  Ten times a second
 * for a handful of files is cheaper than getting inotify right on a
 * FUSE-backed tree.
 */
static void poll_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
	pcifront_rescan_domains();
}

int pcifront_start(void)
{
	intro_watch = xsu_watch("@introduceDomain", domain_watch_cb, NULL);
	release_watch = xsu_watch("@releaseDomain", domain_watch_cb, NULL);
	if (!intro_watch || !release_watch)
		return -1;
	pcifront_rescan_domains();
	ev_timer_init(&poll_timer, poll_cb, 0.1, 0.1);
	ev_timer_start(conf.loop, &poll_timer);
	return 0;
}

/* At exit: the guests keep their state; only our memory goes. */
void pcifront_stop(void)
{
	struct guest *g;

	ev_timer_stop(conf.loop, &poll_timer);
	while ((g = guests)) {
		guests = g->next;
		guest_free(g, false);
	}
}

static struct pcifront_dev *bound_fe(int domid)
{
	struct guest *g = domid >= 0 ? guest_find(domid) : NULL;

	return g && g->fe && g->fe->bound ? g->fe : NULL;
}

/* Xen's grant check for xenbus_map_ring_valloc() in the backend */
bool pcifront_granted(int domid, unsigned int gref)
{
	struct pcifront_dev *fe = bound_fe(domid);

	return fe && fe->gref == gref;
}

/* EVTCHNOP_bind_interdomain: the remote port must be unbound, for us */
int pcifront_evtchn_bind(int domid, unsigned int port)
{
	struct pcifront_dev *fe = bound_fe(domid);

	if (!fe || fe->port != port || fe->port_bound)
		return -EINVAL;
	fe->port_bound = true;
	return 0;
}

/* EVTCHNOP_close by the backend leaves the guest's port unbound again */
void pcifront_evtchn_unbind(int domid, unsigned int port)
{
	struct pcifront_dev *fe = bound_fe(domid);

	if (fe && fe->port == port)
		fe->port_bound = false;
}
