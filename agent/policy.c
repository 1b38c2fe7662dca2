/*
 * The dom0 guard.  xl leaves it to the admin not to make dom0's own
 * disk controller, uplink or console assignable ("Care should
 * therefore be taken not to do this on a device critical to domain
 * 0's operation", xl's manual); the agent refuses, and says what is in
 * use, unless the request says force=1.
 *
 * A device is in use by dom0 when it, another function of its slot
 * (functions are reset and assigned together often enough: a slot is
 * what `*` names), a device behind it (a bridge), or a device sharing
 * its requester ID (behind a PCIe-to-PCI bridge, where the IOMMU sees
 * only the bridge's ID, Linux's pci_for_each_dma_alias()):
 *
 *  - has a block device, or a dm/md device holding one, that is
 *    mounted (/proc/self/mountinfo), active swap (/proc/swaps) or held
 *    (holders/: LVM, dm-crypt, md);
 *  - has a network interface that is up (IFF_UP in net/<if>/flags)
 *    with an IPv6 address that is not link-local (/proc/net/if_inet6)
 *    or carries an IPv4 route (/proc/net/route: an IPv4 address brings
 *    its prefix route, fib_add_ifaddr());
 *  - is the boot VGA (boot_vga: dom0's console), or drives the active
 *    console: fbcon is bound (class/vtconsole) and draws on its frame
 *    buffer (class/graphics/fb0/device);
 *  - is listed with --protect.
 *
 * and a device that is a host bridge or a PCI bridge is never taken.
 * Everything is read from --sysfs-root and --proc-root, so the
 * simulated host (tests/sim/sysfs/host.c) serves the same files.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "policy.h"
#include "sysfs.h"

#define MAX_PROTECT	64
#define MAX_IFS		16

/* include/uapi/linux/pci_regs.h */
#define PCI_STATUS		0x06
#define PCI_STATUS_CAP_LIST	0x10
#define PCI_CLASS_DEVICE	0x0a
#define PCI_HEADER_TYPE		0x0e
#define PCI_SECONDARY_BUS	0x19
#define PCI_SUBORDINATE_BUS	0x1a
#define PCI_CAPABILITY_LIST	0x34
#define PCI_CAP_ID_EXP		0x10
#define PCI_CAP_ID_MSIX		0x11
#define PCI_EXP_TYPE_PCI_BRIDGE	0x7
#define PCI_CLASS_BRIDGE_HOST	0x0600
#define PCI_CLASS_BRIDGE_PCI	0x0604
#define IFF_UP			0x1

struct protected {
	struct bdf b;
	bool all_funcs;
	char spec[32];
};
static struct protected protect[MAX_PROTECT];
static unsigned int nprotect;

int policy_protect(const char *spec)
{
	struct protected p = { .b.dom = 0 };

	if (nprotect == MAX_PROTECT)
		return -ENOSPC;
	if (!bdf_from_slot_spec(spec, &p.b, &p.all_funcs))
		return -EINVAL;
	snprintf(p.spec, sizeof(p.spec), "%s", spec);
	protect[nprotect++] = p;
	return 0;
}

/* ------------------------------------------------------- the reasons */

struct why {
	char *buf;
	size_t len, used;
	const char *who;	/* "" for the device itself */
	unsigned int n;
};

static void reason(struct why *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void reason(struct why *w, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (w->used >= w->len)
		return;
	k = snprintf(w->buf + w->used, w->len - w->used, "%s%s", w->n ?
		     "; " : "", w->who);
	if (k > 0)
		w->used += (size_t)k;
	va_start(ap, fmt);
	if (w->used < w->len) {
		k = vsnprintf(w->buf + w->used, w->len - w->used, fmt, ap);
		if (k > 0)
			w->used += (size_t)k;
	}
	va_end(ap);
	if (w->used >= w->len)
		w->used = w->len - 1;
	w->n++;
}

static FILE *proc_open(const char *rel, int *err)
{
	char p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", cfg.proc_root, rel);
	f = fopen(p, "re");
	*err = f ? 0 : -errno;
	return f;
}

/* The proc file cannot be read: the guard cannot answer. */
static int proc_fail(struct why *w, const char *rel, int err)
{
	snprintf(w->buf, w->len, "cannot tell whether dom0 uses it: read "
		 "%s/%s: %s", cfg.proc_root, rel, strerror(-err));
	return err;
}

/* --------------------------------------------------- block devices */

static const char *blk_label(const struct sysfs_blk *k, char *buf,
			     size_t len)
{
	if (k->dmname[0])
		snprintf(buf, len, "%s (%s)", k->name, k->dmname);
	else
		snprintf(buf, len, "%s", k->name);
	return buf;
}

static int check_mounts(struct why *w, const struct sysfs_blk *k,
			const char *label)
{
	char *line = NULL, mnt[4096];
	unsigned int maj, min;
	size_t cap = 0;
	int err;
	FILE *f = proc_open("self/mountinfo", &err);

	if (!f)
		return proc_fail(w, "self/mountinfo", err);
	/* show_mountinfo(): id parent maj:min root mount-point ... */
	while (getline(&line, &cap, f) > 0)
		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &maj, &min,
			   mnt) == 3 && maj == k->major && min == k->minor)
			reason(w, "%s is mounted on %s", label, mnt);
	free(line);
	fclose(f);
	return 0;
}

static int check_swaps(struct why *w, const struct sysfs_blk *k,
		       const char *label)
{
	char *line = NULL, path[4096], dm[160];
	const char *base;
	size_t cap = 0;
	int err;
	FILE *f = proc_open("swaps", &err);

	if (!f)
		return proc_fail(w, "swaps", err);
	snprintf(dm, sizeof(dm), "/dev/mapper/%s", k->dmname);
	while (getline(&line, &cap, f) > 0) {
		if (sscanf(line, "%4095s %*s", path) != 1 ||
		    !strcmp(path, "Filename"))
			continue;
		base = strrchr(path, '/');
		base = base ? base + 1 : path;
		if (!strcmp(base, k->name) ||
		    (k->dmname[0] && !strcmp(path, dm)))
			reason(w, "%s is active swap", label);
	}
	free(line);
	fclose(f);
	return 0;
}

static int check_blocks(struct why *w, const struct bdf *b)
{
	struct sysfs_blk *v = NULL;
	char label[200], held[200];
	unsigned int n = 0, i, j;
	int rc = sysfs_dev_blocks(b, &v, &n);

	if (rc == -ENOENT)
		return 0;
	if (rc) {
		snprintf(w->buf, w->len, "cannot tell whether dom0 uses it: "
			 "its block devices in sysfs: %s", strerror(-rc));
		return rc;
	}
	for (i = 0; !rc && i < n; i++) {
		blk_label(&v[i], label, sizeof(label));
		if (v[i].holds[0]) {
			for (j = 0; j < i && strcmp(v[j].name, v[i].holds);
			     j++)
				;
			reason(w, "%s is held by %s", j < i ?
			       blk_label(&v[j], held, sizeof(held)) :
			       v[i].holds, label);
		}
		rc = check_mounts(w, &v[i], label);
		if (!rc)
			rc = check_swaps(w, &v[i], label);
	}
	free(v);
	return rc;
}

/* ---------------------------------------------------------- network */

static bool netif_up(const struct bdf *b, const char *ifname)
{
	char rel[64], buf[32];
	unsigned long flags;

	snprintf(rel, sizeof(rel), "net/%s/flags", ifname);
	if (sysfs_dev_read(b, rel, buf, sizeof(buf)))
		return false;
	flags = strtoul(buf, NULL, 16);
	return flags & IFF_UP;
}

/* fib_route_seq_show(): __be32 fields printed with %08X. */
static int check_routes(struct why *w, const char *ifname)
{
	char *line = NULL, dev[32], dst[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];
	unsigned int d, g, m, flags;
	struct in_addr a;
	size_t cap = 0;
	int err;
	FILE *f = proc_open("net/route", &err);

	if (!f)
		return proc_fail(w, "net/route", err);
	while (getline(&line, &cap, f) > 0) {
		if (sscanf(line, "%31s %x %x %x %*d %*u %*d %x", dev, &d, &g,
			   &flags, &m) != 5 || strcmp(dev, ifname))
			continue;
		a.s_addr = d;
		inet_ntop(AF_INET, &a, dst, sizeof(dst));
		a.s_addr = g;
		inet_ntop(AF_INET, &a, gw, sizeof(gw));
		if (g)
			reason(w, "%s is up with route %s/%d via %s", ifname,
			       dst, __builtin_popcount(m), gw);
		else
			reason(w, "%s is up with route %s/%d", ifname, dst,
			       __builtin_popcount(m));
	}
	free(line);
	fclose(f);
	return 0;
}

/* if6_seq_show(): addr ifindex plen scope flags name; scope 0 global. */
static int check_inet6(struct why *w, const char *ifname)
{
	char *line = NULL, hex[33], dev[32], text[INET6_ADDRSTRLEN];
	unsigned int idx, plen, scope, flags, byte;
	unsigned char addr[16];
	size_t cap = 0;
	int err;
	FILE *f = proc_open("net/if_inet6", &err);

	if (!f)
		return proc_fail(w, "net/if_inet6", err);
	while (getline(&line, &cap, f) > 0) {
		if (sscanf(line, "%32s %x %x %x %x %31s", hex, &idx, &plen,
			   &scope, &flags, dev) != 6 || strcmp(dev, ifname) ||
		    strlen(hex) != 32 || scope != 0)
			continue;
		for (int i = 0; i < 16; i++) {
			sscanf(hex + 2 * i, "%2x", &byte);
			addr[i] = (unsigned char)byte;
		}
		inet_ntop(AF_INET6, addr, text, sizeof(text));
		reason(w, "%s is up with address %s/%u", ifname, text, plen);
	}
	free(line);
	fclose(f);
	return 0;
}

static int check_net(struct why *w, const struct bdf *b)
{
	char ifs[MAX_IFS][SYSFS_IFNAME_LEN];
	unsigned int n, i;
	int rc = sysfs_dev_netifs(b, ifs, MAX_IFS, &n);

	if (rc) {
		snprintf(w->buf, w->len, "cannot tell whether dom0 uses it: "
			 "its network interfaces: %s", strerror(-rc));
		return rc;
	}
	for (i = 0; !rc && i < n; i++) {
		if (!netif_up(b, ifs[i]))
			continue;
		rc = check_routes(w, ifs[i]);
		if (!rc)
			rc = check_inet6(w, ifs[i]);
	}
	return rc;
}

/* ------------------------------------------------------------- one */

static void check_protected(struct why *w, const struct bdf *b)
{
	for (unsigned int i = 0; i < nprotect; i++) {
		const struct bdf *p = &protect[i].b;

		if (p->dom == b->dom && p->bus == b->bus && p->dev == b->dev &&
		    (protect[i].all_funcs || p->func == b->func))
			reason(w, "is protected (--protect %s)",
			       protect[i].spec);
	}
}

static bool read_sys(const char *rel, char *buf, size_t len)
{
	char p[PATH_MAX];
	FILE *f;
	bool ok;

	if (sysfs_path(p, sizeof(p), "%s", rel))
		return false;
	f = fopen(p, "re");
	if (!f)
		return false;
	ok = fgets(buf, len, f) != NULL;
	buf[ok ? strcspn(buf, "\n") : 0] = '\0';
	fclose(f);
	return ok;
}

/* vt.c's vtconsole class: a "frame buffer device" console that is bound. */
static bool fbcon_bound(void)
{
	char rel[64], name[64], bind[8];

	for (int i = 0; i < 8; i++) {
		snprintf(rel, sizeof(rel), "/class/vtconsole/vtcon%d/name", i);
		if (!read_sys(rel, name, sizeof(name)))
			continue;
		snprintf(rel, sizeof(rel), "/class/vtconsole/vtcon%d/bind", i);
		if (strstr(name, "frame buffer") &&
		    read_sys(rel, bind, sizeof(bind)) && !strcmp(bind, "1"))
			return true;
	}
	return false;
}

/*
 * fbcon draws every console on the first frame buffer (fbcon.c's
 * con2fb_map, unless fbcon=map: says otherwise), fb0; its parent is
 * the device (fbmem.c).  vgacon draws on the boot VGA, said already.
 */
static void check_console(struct why *w, const struct bdf *b)
{
	char p[PATH_MAX], link[PATH_MAX], *base;
	struct bdf x;
	ssize_t n;

	if (!fbcon_bound() ||
	    sysfs_path(p, sizeof(p), "/class/graphics/fb0/device"))
		return;
	n = readlink(p, link, sizeof(link) - 1);
	if (n <= 0)
		return;
	link[n] = '\0';
	base = strrchr(link, '/');
	if (bdf_from_str(base ? base + 1 : link, &x) && bdf_eq(&x, b))
		reason(w, "drives the active console (fbcon on fb0)");
}

static int check_one(struct why *w, const struct bdf *b)
{
	char buf[8];
	int rc;

	if (!sysfs_dev_read(b, "boot_vga", buf, sizeof(buf)) &&
	    !strcmp(buf, "1"))
		reason(w, "is the boot VGA (dom0's console)");
	check_console(w, b);
	check_protected(w, b);
	rc = check_blocks(w, b);
	return rc ? rc : check_net(w, b);
}

/* ------------------------------------------------------- topology */

struct pcidev {
	struct bdf b;
	uint8_t cfg[256];
	bool bridge;		/* header type 1: a bus range */
	unsigned int sec, sub;
	int pcie_type;		/* -1: not PCI Express */
};

static int pcie_type(const uint8_t *c)
{
	unsigned int pos = c[PCI_CAPABILITY_LIST] & ~3u;

	if (!(c[PCI_STATUS] & PCI_STATUS_CAP_LIST))
		return -1;
	/* At most 48 capabilities fit: a loop in the list ends too. */
	for (int ttl = 48; ttl-- && pos >= 0x40 && pos < 0xff;
	     pos = c[pos + 1] & ~3u)
		if (c[pos] == PCI_CAP_ID_EXP)
			return (c[pos + 2] >> 4) & 0xf;
	return -1;
}

/* PCI_CAP_ID_MSIX: Table Size + 1 vectors; 0 without the capability. */
static unsigned int msix_vectors(const uint8_t *c)
{
	unsigned int pos = c[PCI_CAPABILITY_LIST] & ~3u;

	if (!(c[PCI_STATUS] & PCI_STATUS_CAP_LIST))
		return 0;
	for (int ttl = 48; ttl-- && pos >= 0x40 && pos < 0xfd;
	     pos = c[pos + 1] & ~3u)
		if (c[pos] == PCI_CAP_ID_MSIX)
			return ((c[pos + 2] | c[pos + 3] << 8) & 0x7ff) + 1;
	return 0;
}

static void load_pcidev(struct pcidev *d, const struct bdf *b)
{
	d->b = *b;
	sysfs_dev_config(b, d->cfg, sizeof(d->cfg));
	d->bridge = (d->cfg[PCI_HEADER_TYPE] & 0x7f) == 1;
	d->sec = d->cfg[PCI_SECONDARY_BUS];
	d->sub = d->cfg[PCI_SUBORDINATE_BUS];
	if (d->sub < d->sec)
		d->sub = d->sec;
	d->pcie_type = pcie_type(d->cfg);
}

static bool behind(const struct pcidev *br, const struct bdf *b)
{
	return br->bridge && br->sec && br->b.dom == b->dom &&
	       b->bus >= br->sec && b->bus <= br->sub;
}

static unsigned int class_of(const struct pcidev *d)
{
	return d->cfg[PCI_CLASS_DEVICE] | d->cfg[PCI_CLASS_DEVICE + 1] << 8;
}

static int check_member(struct why *w, const struct pcidev *m,
			const char *what)
{
	char who[160], bdf[BDF_STR_LEN];

	snprintf(who, sizeof(who), "%s (%s): ", bdf_str(&m->b, bdf), what);
	w->who = who;
	return check_one(w, &m->b);
}

/*
 * How m goes with self: another function of its slot, behind it, or
 * sharing its requester ID behind a PCIe-to-PCI bridge.  false: not.
 */
static bool member_of(const struct pcidev *self, const struct pcidev *m,
		      const struct pcidev *devs, unsigned int n, char *what,
		      size_t len)
{
	char rbdf[BDF_STR_LEN];

	if (m == self)
		return false;
	if (m->b.dom == self->b.dom && m->b.bus == self->b.bus &&
	    m->b.dev == self->b.dev) {
		snprintf(what, len, "another function of its slot");
		return true;
	}
	if (behind(self, &m->b)) {
		snprintf(what, len, "behind it");
		return true;
	}
	/* The IOMMU sees the PCIe-to-PCI bridge's requester ID. */
	for (unsigned int j = 0; j < n; j++) {
		const struct pcidev *br = &devs[j];

		if (br->pcie_type != PCI_EXP_TYPE_PCI_BRIDGE ||
		    !behind(br, &self->b) || !behind(br, &m->b))
			continue;
		snprintf(what, len, "shares its requester ID behind "
			 "PCIe-to-PCI bridge %s", bdf_str(&br->b, rbdf));
		return true;
	}
	return false;
}

/*
 * The config spaces of the last device list: what the guard reads of
 * them (class, header, bus range, capabilities) does not change while
 * a device stays, and reading every one for each device of a request
 * cost 256 adds of VFs a quarter of a million sysfs reads.  A device
 * that comes or goes changes the list, which reloads it.
 */
static struct {
	pthread_mutex_t lock;
	struct bdf *list;
	struct pcidev *devs;
	unsigned int n;
} topo = { .lock = PTHREAD_MUTEX_INITIALIZER };

static bool same_list(const struct bdf *all, unsigned int n)
{
	if (!topo.list || n != topo.n)
		return false;
	for (unsigned int i = 0; i < n; i++)
		if (!bdf_eq(&all[i], &topo.list[i]))
			return false;
	return true;
}

/* Every PCI device with its config space (a copy); *self: b's, or NULL. */
static int load_all(const struct bdf *b, struct pcidev **out,
		    unsigned int *n, struct pcidev **self, char *why,
		    size_t len)
{
	struct bdf *all = NULL;
	struct pcidev *devs;
	int rc = sysfs_pci_devices(&all, n);

	*self = NULL;
	if (rc) {
		snprintf(why, len, "cannot tell whether dom0 uses it: list "
			 "PCI devices: %s", strerror(-rc));
		return rc;
	}
	devs = calloc(*n ? *n : 1, sizeof(*devs));
	if (!devs) {
		free(all);
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_lock(&topo.lock);
	if (same_list(all, *n)) {
		memcpy(devs, topo.devs, *n * sizeof(*devs));
	} else {
		for (unsigned int i = 0; i < *n; i++)
			load_pcidev(&devs[i], &all[i]);
		free(topo.list);
		free(topo.devs);
		topo.devs = malloc((*n ? *n : 1) * sizeof(*devs));
		topo.list = topo.devs ? all : NULL;
		topo.n = topo.devs ? *n : 0;
		if (topo.devs)
			memcpy(topo.devs, devs, *n * sizeof(*devs));
		else
			free(all);
		all = NULL;
	}
	pthread_mutex_unlock(&topo.lock);
	free(all);
	for (unsigned int i = 0; i < *n; i++)
		if (bdf_eq(&devs[i].b, b))
			*self = &devs[i];
	*out = devs;
	return 0;
}

int policy_dom0_uses(const struct bdf *b, char *why, size_t len)
{
	struct why w = { .buf = why, .len = len, .who = "" };
	struct pcidev *devs = NULL, *self;
	char what[80];
	unsigned int n = 0, i;
	int rc;

	why[0] = '\0';
	rc = load_all(b, &devs, &n, &self, why, len);
	if (rc)
		return rc;
	if (!self)
		goto out;	/* gone: the operation says ENODEV */
	if (class_of(self) == PCI_CLASS_BRIDGE_HOST)
		reason(&w, "is a host bridge");
	else if (self->bridge || class_of(self) == PCI_CLASS_BRIDGE_PCI)
		reason(&w, "is a PCI bridge");
	rc = check_one(&w, b);
	for (i = 0; !rc && i < n; i++)
		if (member_of(self, &devs[i], devs, n, what, sizeof(what)))
			rc = check_member(&w, &devs[i], what);
out:
	free(devs);
	if (rc)
		return rc;
	return w.n ? 1 : 0;
}

int policy_group(const struct bdf *b, struct policy_topo *t)
{
	struct pcidev *devs = NULL, *self;
	char what[80], bdf[BDF_STR_LEN], why[160];
	unsigned int n = 0, i;
	size_t l = 0;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = load_all(b, &devs, &n, &self, why, sizeof(why));
	if (rc || !self) {
		free(devs);
		return rc ? rc : -ENODEV;
	}
	t->bridge = self->bridge || class_of(self) == PCI_CLASS_BRIDGE_PCI ||
		    class_of(self) == PCI_CLASS_BRIDGE_HOST;
	for (i = 0; i < n && l < sizeof(t->group) - 1; i++) {
		if (!member_of(self, &devs[i], devs, n, what, sizeof(what)))
			continue;
		l += snprintf(t->group + l, sizeof(t->group) - l, "%s%s (%s)",
			      l ? ", " : "", bdf_str(&devs[i].b, bdf), what);
	}
	/* The nearest bridge above it: the narrowest range holding it. */
	for (i = 0; i < n; i++) {
		const struct pcidev *br = &devs[i];

		if (!behind(br, b) || (t->above[0] &&
		    br->sub - br->sec > t->above_span))
			continue;
		t->above_span = br->sub - br->sec;
		snprintf(t->above, sizeof(t->above), "%s%s",
			 bdf_str(&br->b, bdf),
			 br->pcie_type == PCI_EXP_TYPE_PCI_BRIDGE ?
			 " (PCIe-to-PCI: the devices behind it share its "
			 "requester ID)" : "");
	}
	t->msix = msix_vectors(self->cfg);
	free(devs);
	return 0;
}
