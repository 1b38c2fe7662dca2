/*
 * xen-pciback's xenbus side in the backend domain D:
 * drivers/xen/xen-pciback/xenbus.c on top of the backend bus of
 * drivers/xen/xenbus/xenbus_probe.c and xenbus_probe_backend.c.
 *
 * As in the kernel, the writes of setup and reconfigure are single
 * writes outside any transaction (XBT_NIL): a watcher can see vdev-N
 * before state-N=3, as it can on a real host.  The transactions are
 * the kernel's: __xenbus_switch_state() (xs_util.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"

struct pcibk_dev {
	struct xb_dev xdev;
	bool bound;		/* driver probed: dev_get_drvdata() != NULL */
	bool attached;		/* ring mapped, event channel bound */
	unsigned int gref, port;
	unsigned int be_watch;
	struct vpci vpci;
	struct pcibk_dev *next;
};

static struct pcibk_dev *devices;
static char *home;		/* /local/domain/D */
static unsigned int bus_watch;

static void pcibk_frontend_changed(struct pcibk_dev *p,
				   enum xenbus_state fe_state);

static struct pcibk_dev *find_device(const char *rel)
{
	struct pcibk_dev *p;

	for (p = devices; p; p = p->next)
		if (!strcmp(p->xdev.rel, rel))
			return p;
	return NULL;
}

/* xen_pcibk_disconnect() */
static void pcibk_disconnect(struct pcibk_dev *p)
{
	if (!p->attached)
		return;
	pcifront_evtchn_unbind(p->xdev.otherend_id, p->port);
	p->attached = false;
	plog("%s: disconnected from the frontend", p->xdev.rel);
}

/*
 * device_unregister() -> xenbus_dev_remove(): drop the other-end
 * watch, xen_pcibk_xenbus_remove() (free_pdev(): release every
 * device), then Closed (pciback has no allow_rebind).  A device
 * without a driver is simply forgotten.
 */
static void device_unregister(struct pcibk_dev *p)
{
	struct pcibk_dev **pp;

	for (pp = &devices; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	plog("%s: unregister", p->xdev.rel);
	if (p->xdev.otherend_watch) {
		xsu_unwatch(p->xdev.otherend_watch);
		p->xdev.otherend_watch = 0;
	}
	if (p->bound) {
		if (p->be_watch)
			xsu_unwatch(p->be_watch);
		pcibk_disconnect(p);
		vpci_release_devices(&p->vpci);
		free(p->xdev.otherend);
		p->xdev.otherend = NULL;
		xb_switch_state(&p->xdev, XenbusStateClosed);
	}
	xb_fini(&p->xdev);
	free(p);
}

/* xenbus_cleanup_devices(): every device at or below rel */
static void cleanup_devices(const char *rel)
{
	size_t len = strlen(rel);
	struct pcibk_dev *p;

again:
	for (p = devices; p; p = p->next) {
		if (strncmp(p->xdev.rel, rel, len))
			continue;
		if (p->xdev.rel[len] && p->xdev.rel[len] != '/')
			continue;
		device_unregister(p);
		goto again;
	}
}

/* xen_pcibk_publish_pci_dev(): the PV protocol uses %02x for func */
static int publish_pci_dev(void *ctx, unsigned int domain, unsigned int bus,
			   unsigned int devfn, int devid)
{
	struct pcibk_dev *p = ctx;
	char node[64];

	snprintf(node, sizeof(node), "vdev-%d", devid);
	return xsu_printf(XBT_NULL, p->xdev.nodename, node,
			  "%04x:%02x:%02x.%02x", domain, bus, PCI_SLOT(devfn),
			  PCI_FUNC(devfn));
}

/* xen_pcibk_export_device() */
static int export_device(struct pcibk_dev *p, int domain, int bus, int slot,
			 int func, int devid)
{
	struct pcistub_dev *dev;

	dev = pcistub_get_pci_dev_by_slot(p->xdev.otherend_id, domain, bus,
					  slot, func);
	if (!dev) {
		xb_dev_fatal(&p->xdev, -EINVAL,
			     "Couldn't locate PCI device "
			     "(%04x:%02x:%02x.%d)! perhaps already in-use?",
			     domain, bus, slot, func);
		return -EINVAL;
	}
	return vpci_add_pci_dev(&p->vpci, &p->xdev, dev, devid,
				publish_pci_dev, p);
}

/* xen_pcibk_remove_device(): by virtual address; not found is only a
 * debug message in the kernel, and reconfiguration stops there. */
static int remove_device(struct pcibk_dev *p, int domain, int bus, int slot,
			 int func)
{
	struct pcistub_dev *dev;

	dev = vpci_get_pci_dev(&p->vpci, domain, bus, PCI_DEVFN(slot, func));
	if (!dev) {
		plog("%s: Couldn't locate PCI device (%04x:%02x:%02x.%d)! "
		     "not owned by this domain", p->xdev.rel, domain, bus,
		     slot, func);
		return -EINVAL;
	}
	vpci_release_pci_dev(&p->vpci, dev);
	return 0;
}

/* xen_pcibk_publish_pci_root() */
static int publish_pci_root(struct pcibk_dev *p, unsigned int domain,
			    unsigned int bus)
{
	const char *nn = p->xdev.nodename;
	unsigned int d, b;
	int i, root_num, err;
	char str[64];

	err = xsu_scanf(XBT_NULL, nn, "root_num", "%d", &root_num);
	if (err == 0 || err == -ENOENT)
		root_num = 0;
	else if (err < 0)
		return err;
	for (i = 0; i < root_num; i++) {
		snprintf(str, sizeof(str), "root-%d", i);
		err = xsu_scanf(XBT_NULL, nn, str, "%x:%x", &d, &b);
		if (err < 0)
			return err;
		if (err != 2)
			return -EINVAL;
		if (d == domain && b == bus)
			return 0;
	}
	snprintf(str, sizeof(str), "root-%d", root_num);
	err = xsu_printf(XBT_NULL, nn, str, "%04x:%02x", domain, bus);
	if (err)
		return err;
	return xsu_printf(XBT_NULL, nn, "root_num", "%d", root_num + 1);
}

/* __xen_pcibk_publish_pci_roots() of vpci.c: the one root 0000:00 */
static int publish_pci_roots(struct pcibk_dev *p)
{
	return publish_pci_root(p, 0, 0);
}

/* xenbus_map_ring_valloc() + bind_interdomain_evtchn_to_irqhandler_lateeoi
 * as Xen would judge them: the grant and the unbound port must be the
 * ones the guest's pcifront made.  xen_pcibk_do_attach() */
static int do_attach(struct pcibk_dev *p, unsigned int gref,
		     unsigned int port)
{
	int err;

	if (!pcifront_granted(p->xdev.otherend_id, gref)) {
		/* __xenbus_map_ring(): GNTST_bad_gntref, then -ENOENT */
		xb_dev_fatal(&p->xdev, -3,
			     "mapping in shared page %d from domain %d",
			     gref, p->xdev.otherend_id);
		xb_dev_fatal(&p->xdev, -ENOENT,
			     "Error mapping other domain page in ours.");
		return -ENOENT;
	}
	err = pcifront_evtchn_bind(p->xdev.otherend_id, port);
	if (err) {
		xb_dev_fatal(&p->xdev, err,
			     "Error binding event channel to IRQ");
		return err;
	}
	p->gref = gref;
	p->port = port;
	p->attached = true;
	return 0;
}

/* One unsigned field of xenbus_gather(): -errno, or -EINVAL if unparsable */
static int gather_uint(const char *dir, const char *node, unsigned int *v)
{
	char *val = xsu_read(XBT_NULL, dir, node);
	int err = 0;

	if (!val)
		return -errno;
	if (sscanf(val, "%u", v) <= 0)
		err = -EINVAL;
	free(val);
	return err;
}

/* xenbus_gather() of pci-op-ref, event-channel and magic */
static int gather_frontend(struct pcibk_dev *p, unsigned int *gref,
			   unsigned int *port, char **magic)
{
	const char *oe = p->xdev.otherend;
	int err;

	err = gather_uint(oe, "pci-op-ref", gref);
	if (!err)
		err = gather_uint(oe, "event-channel", port);
	if (err)
		return err;
	*magic = xsu_read(XBT_NULL, oe, "magic");
	return *magic ? 0 : -errno;
}

/* xen_pcibk_attach(): only once, when both ends are Initialised */
static int pcibk_attach(struct pcibk_dev *p)
{
	unsigned int gref, port;
	char *magic = NULL;
	int err = 0;

	if (xsu_read_driver_state(p->xdev.nodename) != XenbusStateInitialised)
		goto out;
	if (xsu_read_driver_state(p->xdev.otherend) != XenbusStateInitialised)
		goto out;
	err = gather_frontend(p, &gref, &port, &magic);
	if (err) {
		xb_dev_fatal(&p->xdev, err,
			     "Error reading configuration from frontend");
		goto out;
	}
	if (strcmp(magic, XEN_PCI_MAGIC)) {
		xb_dev_fatal(&p->xdev, -EFAULT,
			     "version mismatch (%s/%s) with pcifront - "
			     "halting xen-pciback", magic, XEN_PCI_MAGIC);
		err = -EFAULT;
		goto out;
	}
	err = do_attach(p, gref, port);
	if (err)
		goto out;
	xb_switch_state(&p->xdev, XenbusStateConnected);
out:
	free(magic);
	return err;
}

/* dev-N / vdev-N as "%x:%x:%x.%x", with the kernel's two messages */
static int read_dev_config(struct pcibk_dev *p, const char *node, int *domain,
			   int *bus, int *slot, int *func)
{
	int err;

	err = xsu_scanf(XBT_NULL, p->xdev.nodename, node, "%x:%x:%x.%x",
			domain, bus, slot, func);
	if (err < 0) {
		xb_dev_fatal(&p->xdev, err,
			     "Error reading device configuration");
		return err;
	}
	if (err != 4) {
		xb_dev_fatal(&p->xdev, -EINVAL,
			     "Error parsing pci device configuration");
		return -EINVAL;
	}
	return 0;
}

/* num_devs, fatal "Error reading number of devices" if unusable */
static int read_num_devs(struct pcibk_dev *p, int *num_devs)
{
	int err;

	err = xsu_scanf(XBT_NULL, p->xdev.nodename, "num_devs", "%d",
			num_devs);
	if (err != 1) {
		if (err >= 0)
			err = -EINVAL;
		xb_dev_fatal(&p->xdev, err, "Error reading number of devices");
		return err;
	}
	return 0;
}

/* xen_pcibk_reconfigure(), case XenbusStateInitialising: hot-add */
static int reconf_attach(struct pcibk_dev *p, int i)
{
	int domain, bus, slot, func, err;
	char node[64];

	snprintf(node, sizeof(node), "dev-%d", i);
	err = read_dev_config(p, node, &domain, &bus, &slot, &func);
	if (err)
		return err;
	err = export_device(p, domain, bus, slot, func, i);
	if (err)
		return err;
	err = publish_pci_roots(p);
	if (err) {
		xb_dev_fatal(&p->xdev, err,
			     "Error while publish PCI rootbuses for frontend");
		return err;
	}
	snprintf(node, sizeof(node), "state-%d", i);
	err = xsu_printf(XBT_NULL, p->xdev.nodename, node, "%d",
			 XenbusStateInitialised);
	if (err)
		xb_dev_fatal(&p->xdev, err,
			     "Error switching substate of dev-%d\n", i);
	return err;
}

/* xen_pcibk_reconfigure(), case XenbusStateClosing: hot-remove */
static int reconf_detach(struct pcibk_dev *p, int i)
{
	int domain, bus, slot, func, err;
	char node[64];

	snprintf(node, sizeof(node), "vdev-%d", i);
	err = read_dev_config(p, node, &domain, &bus, &slot, &func);
	if (err)
		return err;
	return remove_device(p, domain, bus, slot, func);
}

/* xen_pcibk_reconfigure(): only while our state reads Reconfiguring */
static void pcibk_reconfigure(struct pcibk_dev *p)
{
	int i, num_devs, err = 0;
	unsigned int substate;
	char node[64];

	if (xsu_read_driver_state(p->xdev.nodename) != XenbusStateReconfiguring)
		return;
	if (read_num_devs(p, &num_devs))
		return;
	for (i = 0; i < num_devs && !err; i++) {
		snprintf(node, sizeof(node), "state-%d", i);
		substate = xsu_read_unsigned(p->xdev.nodename, node,
					     XenbusStateUnknown);
		switch (substate) {
		case XenbusStateInitialising:
			err = reconf_attach(p, i);
			break;
		case XenbusStateClosing:
			err = reconf_detach(p, i);
			break;
		default:
			break;
		}
	}
	if (err)
		return;
	xb_switch_state(&p->xdev, XenbusStateReconfigured);
}

/*
 * xen_pcibk_frontend_changed(), the otherend_changed hook: every
 * XenbusState, spelled out.
 */
static void pcibk_frontend_changed(struct pcibk_dev *p,
				   enum xenbus_state fe_state)
{
	switch (fe_state) {
	case XenbusStateInitialised:
		pcibk_attach(p);
		break;
	case XenbusStateReconfiguring:
		pcibk_reconfigure(p);
		break;
	case XenbusStateConnected:
		/* pcifront went from Reconfiguring back to Connected */
		xb_switch_state(&p->xdev, XenbusStateConnected);
		break;
	case XenbusStateClosing:
		pcibk_disconnect(p);
		xb_switch_state(&p->xdev, XenbusStateClosing);
		break;
	case XenbusStateClosed:
		pcibk_disconnect(p);
		xb_switch_state(&p->xdev, XenbusStateClosed);
		if (xsu_read_unsigned(p->xdev.nodename, "online", 0))
			break;
		/* not online: the frontend is gone for good */
		__attribute__((fallthrough));
	case XenbusStateUnknown:
		plog("%s: frontend is gone! unregister device", p->xdev.rel);
		device_unregister(p);
		break;
	case XenbusStateInitialising:
	case XenbusStateInitWait:
	case XenbusStateReconfigured:
	default:
		break;
	}
}

/* xenbus_otherend_changed() via frontend_changed() of the backend bus */
static void otherend_cb(void *ctx, const char *path)
{
	struct pcibk_dev *p = ctx;
	enum xenbus_state state;

	if (!xb_otherend_event_ok(&p->xdev, path))
		return;
	state = xsu_read_driver_state(p->xdev.otherend);
	plog("%s: frontend state %s", p->xdev.rel, xb_strstate(state));
	pcibk_frontend_changed(p, state);
}

/* The cold-plug export loop of xen_pcibk_setup_backend() */
static int setup_devices(struct pcibk_dev *p, int num_devs)
{
	int i, domain, bus, slot, func, err;
	char node[64];

	for (i = 0; i < num_devs; i++) {
		snprintf(node, sizeof(node), "dev-%d", i);
		err = read_dev_config(p, node, &domain, &bus, &slot, &func);
		if (err)
			return err;
		err = export_device(p, domain, bus, slot, func, i);
		if (err)
			return err;
		snprintf(node, sizeof(node), "state-%d", i);
		err = xsu_printf(XBT_NULL, p->xdev.nodename, node, "%d",
				 XenbusStateInitialised);
		if (err) {
			xb_dev_fatal(&p->xdev, err, "Error switching "
				     "substate of dev-%d\n", i);
			return err;
		}
	}
	return 0;
}

/* xen_pcibk_setup_backend(): only from InitWait */
static void pcibk_setup_backend(struct pcibk_dev *p)
{
	int num_devs, err;

	if (xsu_read_driver_state(p->xdev.nodename) != XenbusStateInitWait)
		return;
	err = read_num_devs(p, &num_devs);
	if (!err)
		err = setup_devices(p, num_devs);
	if (!err) {
		err = publish_pci_roots(p);
		if (err)
			xb_dev_fatal(&p->xdev, err, "Error while publish PCI "
				     "root buses for frontend");
	}
	if (err)
		return;
	xb_switch_state(&p->xdev, XenbusStateInitialised);
	/* see if pcifront is already configured (if not, we'll wait) */
	pcibk_attach(p);
}

/* xen_pcibk_be_watch(): any change in our directory, acts in InitWait */
static void be_watch_cb(void *ctx, const char *path)
{
	struct pcibk_dev *p = ctx;

	(void)path;
	switch (xsu_read_driver_state(p->xdev.nodename)) {
	case XenbusStateInitWait:
		pcibk_setup_backend(p);
		break;
	default:
		break;
	}
}

/* xen_pcibk_xenbus_probe() */
static int pcibk_probe(struct pcibk_dev *p)
{
	memset(&p->vpci, 0, sizeof(p->vpci));	/* alloc_pdev() */
	/* wait for the toolstack to configure us */
	xb_switch_state(&p->xdev, XenbusStateInitWait);
	p->be_watch = xsu_watch(p->xdev.nodename, be_watch_cb, p);
	if (!p->be_watch) {
		xb_dev_fatal(&p->xdev, -ENOMEM, "adding watch on %s",
			     p->xdev.nodename);
		return -ENOMEM;
	}
	p->bound = true;
	/* in case the toolstack already configured us */
	be_watch_cb(p, p->xdev.nodename);
	return 0;
}

/* watch_otherend() */
static int watch_otherend(struct pcibk_dev *p)
{
	char *path = xasprintf("%s/state", p->xdev.otherend);

	if (path)
		p->xdev.otherend_watch = xsu_watch(path, otherend_cb, p);
	if (!p->xdev.otherend_watch) {
		xb_dev_fatal(&p->xdev, -ENOMEM, "adding watch on %s",
			     path ? path : "(null)");
		free(path);
		return -ENOMEM;
	}
	free(path);
	return 0;
}

/* xenbus_dev_probe(): talk_to_otherend(), probe, watch_otherend() */
static void xenbus_dev_probe(struct pcibk_dev *p)
{
	int err;

	err = xb_read_otherend_details(&p->xdev, "frontend-id", "frontend");
	if (err) {
		plog("%s: talk_to_otherend failed", p->xdev.rel);
		return;
	}
	err = pcibk_probe(p);
	if (err) {
		xb_dev_error(&p->xdev, err, "xenbus_dev_probe on %s",
			     p->xdev.rel);
		return;
	}
	watch_otherend(p);
}

/*
 * backend_bus_id(): a device is only registered once frontend-id and
 * frontend can be read and the frontend exists; otherwise nothing is
 * written and the next event under the directory tries again.
 */
static int backend_bus_id(const char *nodename)
{
	char *fe = NULL, *id;
	int domid, err = 0;

	id = xsu_read(XBT_NULL, nodename, "frontend-id");
	if (!id || sscanf(id, "%i", &domid) != 1)
		err = id ? -EINVAL : -errno;
	free(id);
	if (!err) {
		fe = xsu_read(XBT_NULL, nodename, "frontend");
		if (!fe)
			err = -errno;
	}
	if (!err && !*fe)
		err = -ERANGE;
	if (!err && !xsu_exists(fe, ""))
		err = -ENOENT;
	free(fe);
	return err;
}

/* xenbus_probe_node(): only a device whose state reads Initialising */
static void probe_node(const char *rel)
{
	struct pcibk_dev *p;
	char *nodename;
	int err;

	nodename = xasprintf("%s/%s", home, rel);
	if (!nodename)
		return;
	if (xsu_read_driver_state(nodename) != XenbusStateInitialising)
		goto out;
	err = backend_bus_id(nodename);
	if (err) {
		plog("%s: not registered yet: %s", rel, strerror(-err));
		goto out;
	}
	p = calloc(1, sizeof(*p));
	if (!p || xb_init(&p->xdev, conf.be_domid, rel)) {
		free(p);
		goto out;
	}
	p->next = devices;
	devices = p;
	plog("%s: new backend device", rel);
	xenbus_dev_probe(p);
out:
	free(nodename);
}

/* xenbus_dev_changed() for the backend bus (levels = 3) */
static void bus_changed(const char *rel)
{
	char *root;
	int rootlen;

	if (xsu_char_count(rel, '/') < 2)
		return;
	if (!xsu_exists(home, rel)) {
		cleanup_devices(rel);
		return;
	}
	rootlen = xsu_strsep_len(rel, '/', 3);
	if (rootlen < 0)
		return;
	root = strndup(rel, rootlen);
	if (root && !find_device(root))
		probe_node(root);
	free(root);
}

/* backend_changed(): our watch is on <home>/backend/pci */
static void bus_watch_cb(void *ctx, const char *path)
{
	size_t len = strlen(home);

	(void)ctx;
	if (strncmp(path, home, len) || path[len] != '/')
		return;
	bus_changed(path + len + 1);
}

/* xenbus_probe_devices() for type "pci": the start-up enumeration */
static void probe_existing(void)
{
	char **doms, **devs, *dir, *rel;
	unsigned int i, j, nd, nv;

	dir = xasprintf("%s/backend/pci", home);
	doms = dir ? xsu_directory(dir, &nd) : NULL;
	for (i = 0; doms && i < nd; i++) {
		char *d = xasprintf("%s/%s", dir, doms[i]);

		devs = d ? xsu_directory(d, &nv) : NULL;
		for (j = 0; devs && j < nv; j++) {
			rel = xasprintf("backend/pci/%s/%s", doms[i], devs[j]);
			if (rel)
				probe_node(rel);
			free(rel);
		}
		free(devs);
		free(d);
	}
	free(doms);
	free(dir);
}

int pciback_start(void)
{
	char *path;

	home = xasprintf("/local/domain/%u", conf.be_domid);
	path = home ? xasprintf("%s/backend/pci", home) : NULL;
	if (!path)
		return -1;
	bus_watch = xsu_watch(path, bus_watch_cb, NULL);
	free(path);
	if (!bus_watch)
		return -1;
	probe_existing();
	return 0;
}

/* At exit: forget everything; a real dom0 does not tidy up either. */
void pciback_stop(void)
{
	struct pcibk_dev *p;

	while ((p = devices)) {
		devices = p->next;
		vpci_forget(&p->vpci);
		xb_fini(&p->xdev);
		free(p);
	}
	free(home);
	home = NULL;
}

/*
 * What pcifront's configuration-space reads reach (xen_pcibk_do_op ->
 * xen_pcibk_get_pci_dev): the attached backend of that guest.
 */
struct pcistub_dev *pciback_conf_space_dev(int fe_domid, unsigned int domain,
					   unsigned int bus,
					   unsigned int devfn)
{
	struct pcibk_dev *p;

	for (p = devices; p; p = p->next)
		if (p->bound && p->attached && p->xdev.otherend_id == fe_domid)
			return vpci_get_pci_dev(&p->vpci, domain, bus, devfn);
	return NULL;
}
