// SPDX-License-Identifier: GPL-2.0
/*
 * The tree: what a directory holds, rebuilt from the model on every
 * lookup (list_children()), and a path walked to its node (resolve()).
 * fuse_ops.c serves the FUSE operations on top; callers hold the
 * global lock.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simsysfs.h"

enum dirtype {
	D_ROOT, D_SIM, D_SYS, D_SYS_BUS, D_BUS_PCI, D_BUS_DEVICES,
	D_BUS_DRIVERS, D_DRIVER, D_DEVICES, D_DEVROOT, D_DEV, D_DEV_NET,
	D_NETIF, D_MODULE, D_MODPCIBACK, D_PARAMS,
	D_PROC, D_PROC_SELF, D_PROC_NET, D_DEV_BLOCK, D_BLK, D_BLK_HOLDERS,
	D_VIRT, D_VIRT_BLOCK, D_DM, D_DEVFS, D_CLASS, D_VTCONSOLE, D_VTCON,
	D_GRAPHICS, D_FB,
};

struct child {
	char name[SIM_NAME_MAX];
	struct node n;
};

/*
 * want: resolve() needs one name of a directory, and rebuilding every
 * node of bus/pci/devices for each path component made every lookup
 * cost O(devices) in copies (a quarter of an hour of CPU for make bench
 * SCALE=1 with 256 VFs): other names go to scratch, and are not kept.
 */
struct kids {
	struct child *v;
	size_t n, cap;
	const char *want;
	struct child scratch;
};

/* The per-device loops skip their formatting for a name not wanted. */
static bool unwanted(const struct kids *k, const char *name)
{
	return k->want && strcmp(name, k->want);
}

static struct node *kid(struct kids *k, const struct node *parent,
			const char *name, enum node_kind kind)
{
	struct child *c;

	if (unwanted(k, name))
		return &k->scratch.n;	/* the caller may still fill it */
	if (k->n == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 16;
		k->v = realloc(k->v, k->cap * sizeof(*k->v));
		if (!k->v)
			abort();
	}
	c = &k->v[k->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->n.kind = kind;
	c->n.in_sys = parent->in_sys;
	c->n.dev = parent->dev;
	c->n.drv = parent->drv;
	c->n.blk = parent->blk;
	if (snprintf(c->n.logpath, sizeof(c->n.logpath), "%s%s%s",
		     parent->logpath, parent->logpath[0] ? "/" : "",
		     name) >= (int)sizeof(c->n.logpath))
		c->n.logpath[0] = '\0';	/* deeper than the tree goes */
	c->n.mode = kind == N_DIR ? 0755 : 0777;
	return &c->n;
}

static struct node *kid_dir(struct kids *k, const struct node *parent,
			    const char *name, enum dirtype type)
{
	struct node *n = kid(k, parent, name, N_DIR);

	n->dirtype = type;
	return n;
}

static void kid_link(struct kids *k, const struct node *parent,
		     const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void kid_link(struct kids *k, const struct node *parent,
		     const char *name, const char *fmt, ...)
{
	struct node *n = kid(k, parent, name, N_LINK);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(n->link, sizeof(n->link), fmt, ap);
	va_end(ap);
}

static void kid_attrs(struct kids *k, struct node *parent,
		      const struct attr *table)
{
	for (; table->name; table++) {
		struct node *n;

		if (table->visible && !table->visible(parent))
			continue;
		n = kid(k, parent, table->name, N_FILE);
		n->attr = table;
		n->mode = table->mode;
	}
}

static void dev_rootdir(char *buf, size_t size, const struct sim_dev *d)
{
	snprintf(buf, size, "pci%04x:%02x", d->domain, d->bus);
}

/* physfn/virtfnN: siblings share "../", other roots go up one more. */
static void kid_devlink(struct kids *k, struct node *parent,
			const char *name, const struct sim_dev *to)
{
	const struct sim_dev *from = parent->dev;
	char root[32];

	if (from->domain == to->domain && from->bus == to->bus) {
		kid_link(k, parent, name, "../%s", to->name);
		return;
	}
	dev_rootdir(root, sizeof(root), to);
	kid_link(k, parent, name, "../../%s/%s", root, to->name);
}

static void list_bus_devices(struct kids *k, struct node *dir)
{
	char root[32];
	size_t i;

	for (i = 0; i < sim.ndevs; i++) {
		struct sim_dev *d = sim.devs[i];

		if (!d->present || unwanted(k, d->name))
			continue;
		dev_rootdir(root, sizeof(root), d);
		kid_link(k, dir, d->name, "../../../devices/%s/%s", root,
			 d->name);
	}
}

static void list_drivers(struct kids *k, struct node *dir)
{
	size_t i;

	for (i = 0; i < sim.ndrvs; i++) {
		struct node *n;

		if (sim.drvs[i]->is_pciback && !sim.pciback_loaded)
			continue;
		n = kid_dir(k, dir, sim.drvs[i]->name, D_DRIVER);
		n->drv = sim.drvs[i];
	}
}

/* drivers/base/bus.c + dd.c driver_sysfs_add(): one link per device */
static void list_driver(struct kids *k, struct node *dir)
{
	char root[32];
	size_t i;

	kid_attrs(k, dir, drv_attrs);
	if (dir->drv->is_pciback) {
		kid_attrs(k, dir, pciback_attrs);
		kid_link(k, dir, "module", "../../../../module/xen_pciback");
	}
	for (i = 0; i < sim.ndevs; i++) {
		struct sim_dev *d = sim.devs[i];

		if (!d->present || d->driver != dir->drv ||
		    unwanted(k, d->name))
			continue;
		dev_rootdir(root, sizeof(root), d);
		kid_link(k, dir, d->name, "../../../../devices/%s/%s", root,
			 d->name);
	}
}

static bool root_listed(struct kids *k, const struct sim_dev *d)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (k->v[i].n.domain == d->domain && k->v[i].n.bus == d->bus)
			return true;
	return false;
}

static void list_devices(struct kids *k, struct node *dir)
{
	char root[32];
	size_t i;

	for (i = 0; i < sim.ndevs; i++) {
		struct sim_dev *d = sim.devs[i];
		struct node *n;

		if (!d->present || root_listed(k, d))
			continue;
		dev_rootdir(root, sizeof(root), d);
		n = kid_dir(k, dir, root, D_DEVROOT);
		n->domain = d->domain;
		n->bus = d->bus;
	}
}

static void list_devroot(struct kids *k, struct node *dir)
{
	size_t i;

	for (i = 0; i < sim.ndevs; i++) {
		struct sim_dev *d = sim.devs[i];
		struct node *n;

		if (!d->present || d->domain != dir->domain ||
		    d->bus != dir->bus || unwanted(k, d->name))
			continue;
		n = kid_dir(k, dir, d->name, D_DEV);
		n->dev = d;
		/* The log names device files the way tools address them. */
		snprintf(n->logpath, sizeof(n->logpath), "bus/pci/devices/%s",
			 d->name);
	}
}

static void list_dev(struct kids *k, struct node *dir)
{
	struct sim_dev *d = dir->dev;
	char name[32];
	size_t i;

	kid_attrs(k, dir, dev_attrs);
	if (d->driver)
		kid_link(k, dir, "driver", "../../../bus/pci/drivers/%s",
			 d->driver->name);
	/* drivers/base/bus.c bus_add_device(): the "subsystem" link */
	kid_link(k, dir, "subsystem", "../../../bus/pci");
	if (d->physfn)
		kid_devlink(k, dir, "physfn", d->physfn);
	for (i = 0; d->totalvfs && i < sim.ndevs; i++) {
		struct sim_dev *vf = sim.devs[i];

		if (vf->physfn != d || !vf->present)
			continue;
		snprintf(name, sizeof(name), "virtfn%d", vf->vf_index);
		kid_devlink(k, dir, name, vf);
	}
	/* The netdev exists while its driver is bound (register_netdev()). */
	if (d->ifname[0] && d->driver && !d->driver->is_pciback)
		kid_dir(k, dir, "net", D_DEV_NET);
	if (host_dev_has_blocks(d))
		kid_dir(k, dir, "block", D_DEV_BLOCK);
}

static void list_dev_block(struct kids *k, struct node *dir)
{
	for (size_t i = 0; i < host.nblks; i++) {
		struct sim_blk *b = &host.blks[i];

		if (b->dev == dir->dev && b->disk < 0) {
			struct node *n = kid_dir(k, dir, b->name, D_BLK);

			n->blk = b;
		}
	}
}

/*
 * A block device: dev, partition, subsystem, holders/, its partitions
 * (a disk), dm/ (a dm device).  holders/ links climb to devices/:
 * from devices/pciD:B/BDF/block/DISK[/PART]/holders, or from
 * devices/virtual/block/NAME/holders.
 */
static void list_blk(struct kids *k, struct node *dir)
{
	struct sim_blk *b = dir->blk;
	int self = (int)(b - host.blks);

	kid_attrs(k, dir, blk_attrs);
	kid_link(k, dir, "subsystem", "%s../../../../class/block",
		 !b->dev ? "" : b->disk >= 0 ? "../../" : "../");
	kid_dir(k, dir, "holders", D_BLK_HOLDERS)->blk = b;
	if (b->dmname[0])
		kid_dir(k, dir, "dm", D_DM)->blk = b;
	for (size_t i = 0; b->dev && b->disk < 0 && i < host.nblks; i++)
		if (host.blks[i].disk == self)
			kid_dir(k, dir, host.blks[i].name, D_BLK)->blk =
				&host.blks[i];
}

static void list_blk_holders(struct kids *k, struct node *dir)
{
	const struct sim_blk *b = dir->blk;
	const char *up = !b->dev ? "../../" : b->disk >= 0 ?
			 "../../../../../../" : "../../../../../";

	for (size_t i = 0; i < host.nblks; i++) {
		const struct sim_blk *h = &host.blks[i];

		for (unsigned int j = 0; !h->dev && j < h->nholds; j++)
			if (!strcmp(h->holds[j], b->name))
				kid_link(k, dir, h->name, "%s%s%s", up,
					 b->dev ? "virtual/block/" : "",
					 h->name);
	}
}

static void list_virt_block(struct kids *k, struct node *dir)
{
	for (size_t i = 0; i < host.nblks; i++)
		if (!host.blks[i].dev)
			kid_dir(k, dir, host.blks[i].name, D_BLK)->blk =
				&host.blks[i];
}

/* vt.c: vtcon0 is vgacon (or the dummy once fbcon took over), vtcon1 fbcon */
static void list_vtconsole(struct kids *k, struct node *dir)
{
	kid_dir(k, dir, "vtcon0", D_VTCON);
	if (sim.fbcon)
		kid_dir(k, dir, "vtcon1", D_VTCON);
}

/* fbmem.c: fbN while the device's driver is bound (flat, no links) */
static void list_graphics(struct kids *k, struct node *dir)
{
	char name[16];
	struct node *n;

	for (int fb = 0; fb < 32; fb++) {
		struct sim_dev *d = console_fb_dev(fb);

		if (!d)
			continue;
		snprintf(name, sizeof(name), "fb%d", fb);
		n = kid_dir(k, dir, name, D_FB);
		n->dev = d;
	}
}

static void list_children(struct kids *k, struct node *dir)
{
	switch (dir->dirtype) {
	case D_ROOT: {
		struct node *n = kid_dir(k, dir, "sys", D_SYS);

		n->in_sys = true;
		n->logpath[0] = '\0';
		kid_dir(k, dir, "sim", D_SIM);
		kid_dir(k, dir, "proc", D_PROC);
		kid_dir(k, dir, "dev", D_DEVFS);
		break;
	}
	case D_DEVFS:
		kid_attrs(k, dir, devdir_attrs);
		break;
	case D_CLASS:
		kid_dir(k, dir, "vtconsole", D_VTCONSOLE);
		kid_dir(k, dir, "graphics", D_GRAPHICS);
		break;
	case D_VTCONSOLE:
		list_vtconsole(k, dir);
		break;
	case D_VTCON:
		kid_attrs(k, dir, vtcon_attrs);
		break;
	case D_GRAPHICS:
		list_graphics(k, dir);
		break;
	case D_FB:
		kid_link(k, dir, "device", "../../../devices/pci%04x:%02x/%s",
			 dir->dev->domain, dir->dev->bus, dir->dev->name);
		break;
	case D_PROC:
		kid_attrs(k, dir, proc_attrs);
		kid_dir(k, dir, "self", D_PROC_SELF);
		kid_dir(k, dir, "net", D_PROC_NET);
		break;
	case D_PROC_SELF:
		kid_attrs(k, dir, proc_self_attrs);
		break;
	case D_PROC_NET:
		kid_attrs(k, dir, proc_net_attrs);
		break;
	case D_DEV_BLOCK:
		list_dev_block(k, dir);
		break;
	case D_BLK:
		list_blk(k, dir);
		break;
	case D_BLK_HOLDERS:
		list_blk_holders(k, dir);
		break;
	case D_VIRT:
		kid_dir(k, dir, "block", D_VIRT_BLOCK);
		break;
	case D_VIRT_BLOCK:
		list_virt_block(k, dir);
		break;
	case D_DM:
		kid_attrs(k, dir, dm_attrs);
		break;
	case D_SIM:
		kid_attrs(k, dir, simctl_attrs);
		break;
	case D_SYS:
		kid_dir(k, dir, "bus", D_SYS_BUS);
		kid_dir(k, dir, "devices", D_DEVICES);
		kid_dir(k, dir, "class", D_CLASS);
		if (sim.pciback_loaded)
			kid_dir(k, dir, "module", D_MODULE);
		break;
	case D_SYS_BUS:
		kid_dir(k, dir, "pci", D_BUS_PCI);
		break;
	case D_BUS_PCI:
		kid_dir(k, dir, "devices", D_BUS_DEVICES);
		kid_dir(k, dir, "drivers", D_BUS_DRIVERS);
		kid_attrs(k, dir, bus_attrs);
		break;
	case D_BUS_DEVICES:
		list_bus_devices(k, dir);
		break;
	case D_BUS_DRIVERS:
		list_drivers(k, dir);
		break;
	case D_DRIVER:
		list_driver(k, dir);
		break;
	case D_DEVICES:
		list_devices(k, dir);
		if (host_has_virtual())
			kid_dir(k, dir, "virtual", D_VIRT);
		break;
	case D_DEVROOT:
		list_devroot(k, dir);
		break;
	case D_DEV:
		list_dev(k, dir);
		break;
	case D_DEV_NET:
		kid_dir(k, dir, dir->dev->ifname, D_NETIF);
		break;
	case D_NETIF:
		kid_attrs(k, dir, net_attrs);
		break;
	case D_MODULE:
		kid_dir(k, dir, "xen_pciback", D_MODPCIBACK);
		break;
	case D_MODPCIBACK:
		kid_dir(k, dir, "parameters", D_PARAMS);
		break;
	case D_PARAMS:
		kid_attrs(k, dir, param_attrs);
		break;
	}
}

/* Walk the path one component at a time from the root. */
int tree_resolve(const char *path, struct node *out)
{
	char *copy = xstrdup(path);
	char *save = NULL;
	char *name;
	struct node cur;
	int err = 0;

	memset(&cur, 0, sizeof(cur));
	cur.kind = N_DIR;
	cur.mode = 0755;
	cur.dirtype = D_ROOT;
	for (name = strtok_r(copy, "/", &save); name;
	     name = strtok_r(NULL, "/", &save)) {
		struct kids k = { .want = name };
		size_t i;

		if (cur.kind != N_DIR) {
			err = -ENOTDIR;
			break;
		}
		list_children(&k, &cur);
		for (i = 0; i < k.n; i++)
			if (!strcmp(k.v[i].name, name))
				break;
		if (i < k.n)
			cur = k.v[i].n;
		else
			err = -ENOENT;
		free(k.v);
		if (err)
			break;
	}
	free(copy);
	if (!err)
		*out = cur;
	return err;
}

/* Each entry of a directory node, in listing order. */
void tree_list(struct node *dir, tree_list_fn fn, void *arg)
{
	struct kids k = { 0 };

	list_children(&k, dir);
	for (size_t i = 0; i < k.n; i++)
		fn(arg, k.v[i].name, &k.v[i].n);
	free(k.v);
}
