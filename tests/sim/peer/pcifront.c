/*
 * xen-pcifront in every simulated guest: drivers/pci/xen-pcifront.c on
 * top of the frontend bus (xenbus_probe.c, xenbus_probe_frontend.c).
 * The guest's PCI bus is what pcifront's scans find through pciback
 * (guest.c writes it out).  Which guests exist and when their kernel
 * can act is guest.c's business; every callback here asks it first.
 */
#include <errno.h>
#include <ev.h>
#include <stdlib.h>
#include <string.h>

#include "pcifront.h"

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
 * pcifront_rescan_root(): scan a known root bus again, or create it
 * (pcifront_scan_root()) and scan it.
 */
static int rescan_root(struct guest *g, unsigned int domain, unsigned int bus)
{
	struct pcifront_dev *fe = g->fe;
	struct fe_root *r;

	if (root_find(fe, domain, bus)) {
		plog("dom %u: Rescanning PCI Frontend Bus %04x:%02x", g->domid,
		     domain, bus);
		scan_bus(g, domain, bus);
		return 0;
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
void free_roots(struct guest *g)
{
	struct pcifront_dev *fe = g->fe;
	struct fe_root *r;

	while ((r = fe->roots)) {
		fe->roots = r->next;
		free(r);
	}
	view_clear(g);
}

/*
 * pcifront_connect(), shared by try_connect and attach_devices.  This
 * is mainline since the two copies were merged; older kernels created
 * the roots with pcifront_scan_root() on connect, which refused a root
 * bus that already existed.
 */
static int pcifront_connect(struct guest *g)
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
		err = rescan_root(g, 0, 0);
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
		err = rescan_root(g, domain, bus);
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
	if (pcifront_connect(g))
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
	if (pcifront_connect(g))
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

/* A dead guest's device: drop it without writing anything. */
void fe_forget(struct guest *g)
{
	struct pcifront_dev *fe = g->fe;

	if (fe->xdev.otherend_watch)
		xsu_unwatch(fe->xdev.otherend_watch);
	fe->xdev.otherend_watch = 0;
	free_roots(g);
	xb_fini(&fe->xdev);
	free(fe);
	g->fe = NULL;
}

/*
 * xenbus_cleanup_devices() with cleanup_dev(): unregister the device
 * whose nodename is REL or below it.  REL has at least two slashes, so
 * only an event for the device's own node, gone when it is handled,
 * removes it: removing "device/pci" in one xs_rm fires "device/pci"
 * alone for a watch on "device", and the device stays, stale.
 */
static void fe_cleanup_devices(struct guest *g, const char *rel)
{
	size_t len = strlen(rel);
	const char *name;

	if (!g->fe)
		return;
	name = g->fe->xdev.rel;
	if (strncmp(name, rel, len) || (name[len] && name[len] != '/'))
		return;
	fe_unregister(g, true);
}

/*
 * xenbus_dev_changed() on the guest's frontend bus (levels = 2), for
 * an event of the watch on the guest's "device" directory.  Only the
 * pci type is modelled; a device already registered for the root is
 * left alone, even a stale one whose node was written again.
 */
void fe_bus_changed(struct guest *g, const char *path)
{
	char *home = xasprintf("/local/domain/%u/", g->domid), *root = NULL;
	const char *rel;
	int rootlen;

	if (!home || strncmp(path, home, strlen(home)))
		goto out;
	rel = path + strlen(home);
	if (xsu_char_count(rel, '/') < 2)
		goto out;
	if (!xsu_exists(path, "")) {
		fe_cleanup_devices(g, rel);
		goto out;
	}
	rootlen = xsu_strsep_len(rel, '/', 2);
	if (rootlen < 0)
		goto out;
	root = strndup(rel, rootlen);
	if (!root || strncmp(root, "device/pci/", strlen("device/pci/")))
		goto out;
	if (!g->fe)
		fe_probe_node(g, root);
	else if (strcmp(g->fe->xdev.rel, root))
		plog("dom %u: %s: a second pcifront device is not modelled",
		     g->domid, root);
out:
	free(root);
	free(home);
}

/*
 * xenbus_probe_devices() of the frontend bus at boot, before its watch
 * counts: every device/pci/<id> there is, nothing removed.
 */
void fe_probe_devices(struct guest *g)
{
	char *dir = xasprintf("/local/domain/%u/device/pci", g->domid);
	char **ids = NULL, *rel;
	unsigned int i, n;

	ids = dir ? xsu_directory(dir, &n) : NULL;
	for (i = 0; ids && i < n; i++) {
		rel = xasprintf("device/pci/%s", ids[i]);
		if (rel && !g->fe)
			fe_probe_node(g, rel);
		else if (rel)
			plog("dom %u: %s: a second pcifront device is not "
			     "modelled", g->domid, rel);
		free(rel);
	}
	free(ids);
	free(dir);
}

/*
 * xenbus_dev_shutdown() of the frontend bus, run by a guest that shuts
 * down cleanly: a Connected frontend goes to Closing and waits (up to
 * 5 s) for the backend's Closing, answered by xenbus_frontend_closed()
 * (xenbus_otherend_changed() with ignore_on_shutdown).  The file says
 * "shutdown" only once the guest is down, so this runs a little late.
 * A crashed guest does none of it.
 */
void guest_shutdown(struct guest *g)
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

void fe_handle_backend(struct guest *g)
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
void be_state_cb(void *ctx, const char *path)
{
	struct guest *g = ctx;

	if (!guest_acts(g)) {
		shutdown_backend_changed(g, path);
		return;
	}
	if (guest_catch_up(g))
		return;
	if (!g->fe || !xb_otherend_event_ok(&g->fe->xdev, path))
		return;
	fe_handle_backend(g);
}

/*
 * frontend_changed() of the frontend bus: its one watch, on the
 * guest's "device" directory.  A guest that cannot act keeps the event
 * (xenwatch would run it later, reading the store as it is then);
 * the ones kept before run first.
 */
void fe_dir_cb(void *ctx, const char *path)
{
	struct guest *g = ctx;

	if (!guest_acts(g)) {
		guest_queue_event(g, path);
		return;
	}
	guest_catch_up(g);
	fe_bus_changed(g, path);
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
