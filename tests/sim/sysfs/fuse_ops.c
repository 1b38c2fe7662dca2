// SPDX-License-Identifier: GPL-2.0
/*
 * The FUSE side: turn a path into a node (resolve()), list directories,
 * and route reads and writes to the attribute handlers the way kernfs
 * does (fs/kernfs/file.c: one store() call per write(), at most a page,
 * the buffer NUL-terminated; a read-only attribute cannot be opened for
 * writing and vice versa, even by root: -EACCES).
 *
 * The tree is rebuilt from the model on every lookup, so a bind or a
 * removal shows at once; the kernel caches nothing but names that
 * exist, for a second (simfs_init()), and every use of one still asks
 * here (attribute timeout 0, direct_io).  Requests are served by several threads under one lock,
 * which a delayed write drops while it sleeps.
 */
#define FUSE_USE_VERSION 31

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* The per-open read buffer: a seq_file, refilled on a read at 0. */
struct ofile {
	struct strbuf sb;
	bool filled;
	struct kmsg_reader *kmsg;	/* dev/kmsg: its reader */
};

static pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER;
static time_t start_time;

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
static int resolve(const char *path, struct node *out)
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

static void fill_stat(const struct node *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_atime = st->st_mtime = st->st_ctime = start_time;
	switch (n->kind) {
	case N_DIR:
		st->st_mode = S_IFDIR | n->mode;
		st->st_nlink = 2;
		break;
	case N_LINK:
		st->st_mode = S_IFLNK | 0777;
		st->st_nlink = 1;
		st->st_size = strlen(n->link);
		break;
	case N_FILE:
		st->st_mode = S_IFREG | n->mode;
		st->st_nlink = 1;
		/* sysfs reports a page; a bin attribute its real size. */
		st->st_size = n->attr->binary ? n->dev->cfg_size :
			      attr_is_kmsg(n->attr) ? kmsg_size() :
			      SIM_PAGE_SIZE;
		break;
	}
}

static int simfs_getattr(const char *path, struct stat *st,
			 struct fuse_file_info *fi)
{
	struct node n;
	int err;

	(void)fi;
	pthread_mutex_lock(&sim_lock);
	err = resolve(path, &n);
	if (!err)
		fill_stat(&n, st);
	pthread_mutex_unlock(&sim_lock);
	return err;
}

static int simfs_readlink(const char *path, char *buf, size_t size)
{
	struct node n;
	int err;

	pthread_mutex_lock(&sim_lock);
	err = resolve(path, &n);
	if (!err && n.kind != N_LINK)
		err = -EINVAL;
	if (!err)
		snprintf(buf, size, "%s", n.link);
	pthread_mutex_unlock(&sim_lock);
	return err;
}

static int simfs_readdir(const char *path, void *buf, fuse_fill_dir_t fill,
			 off_t off, struct fuse_file_info *fi,
			 enum fuse_readdir_flags flags)
{
	struct kids k = { 0 };
	struct stat st;
	struct node n;
	size_t i;
	int err;

	(void)off;
	(void)fi;
	(void)flags;
	pthread_mutex_lock(&sim_lock);
	err = resolve(path, &n);
	if (!err && n.kind != N_DIR)
		err = -ENOTDIR;
	if (!err) {
		list_children(&k, &n);
		fill(buf, ".", NULL, 0, 0);
		fill(buf, "..", NULL, 0, 0);
		for (i = 0; i < k.n; i++) {
			fill_stat(&k.v[i].n, &st);
			fill(buf, k.v[i].name, &st, 0, 0);
		}
		free(k.v);
	}
	pthread_mutex_unlock(&sim_lock);
	return err;
}

/* fs/kernfs/file.c kernfs_fop_open(): the mode and the ops must allow it */
static int check_access(const struct node *n, int flags)
{
	int acc = flags & O_ACCMODE;
	bool can_read = n->attr->show || n->attr->binary;
	bool can_write = n->attr->store || n->attr->binary;

	if (acc != O_RDONLY && (!(n->mode & 0222) || !can_write))
		return -EACCES;
	if (acc != O_WRONLY && (!(n->mode & 0444) || !can_read))
		return -EACCES;
	return 0;
}

static int simfs_open(const char *path, struct fuse_file_info *fi)
{
	struct ofile *of;
	struct node n;
	int err;

	pthread_mutex_lock(&sim_lock);
	err = resolve(path, &n);
	if (!err && n.kind == N_DIR)
		err = -EISDIR;
	if (!err)
		err = check_access(&n, fi->flags);
	pthread_mutex_unlock(&sim_lock);
	if (err)
		return err;
	of = xcalloc(1, sizeof(*of));
	sb_init(&of->sb);
	if (attr_is_kmsg(n.attr)) {
		pthread_mutex_lock(&sim_lock);
		of->kmsg = kmsg_open();
		pthread_mutex_unlock(&sim_lock);
	}
	fi->fh = (uintptr_t)of;
	fi->direct_io = 1;
	fi->keep_cache = 0;
	return 0;
}

static int simfs_release(const char *path, struct fuse_file_info *fi)
{
	struct ofile *of = (struct ofile *)(uintptr_t)fi->fh;

	(void)path;
	if (of) {
		if (of->kmsg) {
			pthread_mutex_lock(&sim_lock);
			kmsg_close(of->kmsg);
			pthread_mutex_unlock(&sim_lock);
		}
		sb_free(&of->sb);
		free(of);
	}
	return 0;
}

static int simfs_read(const char *path, char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	struct ofile *of = (struct ofile *)(uintptr_t)fi->fh;
	struct node n;
	int err;

	pthread_mutex_lock(&sim_lock);
	/* A vanished kernfs node gives -ENODEV (kernfs_get_active()). */
	err = resolve(path, &n) ? -ENODEV : 0;
	if (err)
		goto out;
	if (n.attr->binary) {
		err = config_read(n.dev, buf, size, off);
		goto out;
	}
	if (of->kmsg) {
		err = kmsg_read(of->kmsg, buf, size, off);
		goto out;
	}
	if (off == 0 || !of->filled) {
		of->sb.len = 0;
		if (of->sb.buf)
			of->sb.buf[0] = '\0';
		err = n.attr->show(&n, &of->sb);
		if (err)
			goto out;
		of->filled = true;
	}
	if ((size_t)off >= of->sb.len) {
		err = 0;
		goto out;
	}
	if (size > of->sb.len - off)
		size = of->sb.len - off;
	memcpy(buf, of->sb.buf + off, size);
	err = size;
out:
	pthread_mutex_unlock(&sim_lock);
	return err;
}

/* dev/kmsg is the only file that can make a reader wait. */
static int simfs_poll(const char *path, struct fuse_file_info *fi,
		      struct fuse_pollhandle *ph, unsigned int *reventsp)
{
	struct ofile *of = (struct ofile *)(uintptr_t)fi->fh;

	(void)path;
	if (!of || !of->kmsg) {
		if (ph)
			fuse_pollhandle_destroy(ph);
		*reventsp = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
		return 0;
	}
	pthread_mutex_lock(&sim_lock);
	kmsg_poll(of->kmsg, ph, reventsp);
	pthread_mutex_unlock(&sim_lock);
	return 0;
}

static void logpath_of(const char *path, char *out, size_t size)
{
	if (!strncmp(path, "/sys/", 5))
		path += 5;
	snprintf(out, size, "%s", path);
}

/* An injected fault: may sleep (lock dropped), then may fail. */
static int apply_fault(const char *path, struct node *n, const char *buf,
		       size_t size, unsigned int *delay)
{
	int ferr;

	sim_fault_check(n->logpath, &ferr, delay);
	if (*delay) {
		struct timespec ts = { *delay / 1000,
				       (*delay % 1000) * 1000000L };

		pthread_mutex_unlock(&sim_lock);
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		pthread_mutex_lock(&sim_lock);
		if (resolve(path, n)) {
			sim_log_write(n->logpath, buf, size, ENODEV, false,
				      *delay);
			return -ENODEV;
		}
	}
	if (ferr) {
		sim_log_write(n->logpath, buf, size, ferr, true, *delay);
		return -ferr;
	}
	return 0;
}

static int do_store(struct node *n, const char *buf, size_t size, off_t off)
{
	char *kbuf;
	int ret;

	if (n->attr->binary) {
		ret = config_write(n->dev, buf, size, off);
		return ret;
	}
	/* kernfs copies the data and NUL-terminates it for store(). */
	kbuf = xcalloc(1, size + 1);
	memcpy(kbuf, buf, size);
	ret = n->attr->store(n, kbuf, size);
	free(kbuf);
	return ret ? ret : (int)size;
}

static int simfs_write(const char *path, const char *buf, size_t size,
		       off_t off, struct fuse_file_info *fi)
{
	unsigned int delay = 0;
	struct node n;
	int ret;

	(void)fi;
	/* sysfs_kf_write(): nothing to do for 0 bytes; at most a page. */
	if (!size)
		return 0;
	if (size > SIM_PAGE_SIZE)
		size = SIM_PAGE_SIZE;
	pthread_mutex_lock(&sim_lock);
	if (resolve(path, &n)) {
		logpath_of(path, n.logpath, sizeof(n.logpath));
		sim_log_write(n.logpath, buf, size, ENODEV, false, 0);
		ret = -ENODEV;
		goto out;
	}
	if (n.in_sys) {
		ret = apply_fault(path, &n, buf, size, &delay);
		if (ret)
			goto out;
	}
	ret = do_store(&n, buf, size, off);
	if (n.in_sys)
		sim_log_write(n.logpath, buf, size, ret < 0 ? -ret : 0, false,
			      delay);
	else
		sim_log_flush();
out:
	pthread_mutex_unlock(&sim_lock);
	return ret;
}

/* "echo x > file" truncates first: sysfs ignores that. */
static int simfs_truncate(const char *path, off_t size,
			  struct fuse_file_info *fi)
{
	struct node n;
	int err;

	(void)size;
	(void)fi;
	pthread_mutex_lock(&sim_lock);
	err = resolve(path, &n);
	if (!err && n.kind == N_DIR)
		err = -EISDIR;
	pthread_mutex_unlock(&sim_lock);
	return err;
}

static void *simfs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	/*
	 * Everything is dynamic: the kernel must ask every time, for what
	 * a node holds (attributes, links, reads, writes: all go by path to
	 * resolve(), so a name cached here that is gone in the model still
	 * gets ENOENT) and for names not there (negative entries).  But a
	 * name that was there is kept a moment: kernfs revalidates its
	 * dentries in the kernel (kernfs_dop_revalidate()), where FUSE
	 * without an entry timeout sends a LOOKUP for every component of
	 * every path, the walk that made an add with 256 devices on
	 * pciback cost 3 times one with a single one (issue 10).
	 */
	cfg->entry_timeout = 1.0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	cfg->direct_io = 1;
	cfg->kernel_cache = 0;
	return NULL;
}

static const struct fuse_operations simfs_ops = {
	.init = simfs_init,
	.getattr = simfs_getattr,
	.readlink = simfs_readlink,
	.readdir = simfs_readdir,
	.open = simfs_open,
	.release = simfs_release,
	.read = simfs_read,
	.write = simfs_write,
	.truncate = simfs_truncate,
	.poll = simfs_poll,
};

/*
 * fuse_main() spelled out: mount first, daemonize after, so that the
 * command returns only once DIR is usable.
 */
int simfs_main(const char *mnt, bool foreground)
{
	char *argv[] = { "simsysfs", "-o", "fsname=simsysfs", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);
	struct fuse_session *se;
	struct fuse *f;
	int ret = 1;

	start_time = time(NULL);
	f = fuse_new(&args, &simfs_ops, sizeof(simfs_ops), NULL);
	if (!f)
		goto out_args;
	if (fuse_mount(f, mnt))
		goto out_destroy;
	if (fuse_daemonize(foreground))
		goto out_unmount;
	sim.pid = getpid();
	se = fuse_get_session(f);
	if (fuse_set_signal_handlers(se))
		goto out_unmount;
	ret = fuse_loop_mt(f, 0) ? 1 : 0;
	fuse_remove_signal_handlers(se);
out_unmount:
	fuse_unmount(f);
out_destroy:
	fuse_destroy(f);
out_args:
	fuse_opt_free_args(&args);
	return ret;
}
