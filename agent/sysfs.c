/*
 * Every sysfs access of the agent.  Paths are built relative to
 * --sysfs-root so that the agent runs unchanged against the simulated
 * host; the driver paths that leave this file (and end up in xenstore
 * and on disk) are the ones libxl would see on a real host, i.e. under
 * /sys, whatever the root.  sysfs_map() maps them back.
 *
 * All functions return 0 (or a count/flag) on success and -errno on
 * failure, keeping the kernel's errno intact for the request's `code`.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "sysfs.h"

#define PCI_DEVICES	"/bus/pci/devices"
#define PCI_DRIVERS	"/bus/pci/drivers"
#define PCIBACK		PCI_DRIVERS "/pciback"
#define HOST_SYSFS	"/sys"

/*
 * The third column of `resource` is the kernel's struct resource flags
 * (include/linux/ioport.h), where I/O ports are IORESOURCE_IO.  libxl
 * tests 0x01 instead (its PCI_BAR_IO, the BAR register's I/O space bit):
 * that holds for BARs only because the kernel's decode_bar() keeps the
 * register's low bits in the flags, and it is wrong for an enabled
 * expansion ROM, whose bit 0 is IORESOURCE_ROM_ENABLE.
 */
#define IORESOURCE_IO	0x00000100

/* realpath of --sysfs-root, to turn resolved links into /sys paths. */
static char root_real[PATH_MAX];

void sysfs_init(void)
{
	if (!realpath(cfg.sysfs_root, root_real))
		snprintf(root_real, sizeof(root_real), "%s", cfg.sysfs_root);
}

int sysfs_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n, m;

	n = snprintf(buf, len, "%s", cfg.sysfs_root);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	m = vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)m >= len - n)
		return -ENAMETOOLONG;
	return 0;
}

/* A host path (/sys/...) as seen through --sysfs-root. */
static int sysfs_map(char *buf, size_t len, const char *host_path)
{
	size_t hl = strlen(HOST_SYSFS);

	if (!strncmp(host_path, HOST_SYSFS, hl) &&
	    (host_path[hl] == '/' || !host_path[hl]))
		return sysfs_path(buf, len, "%s", host_path + hl);
	/* Not under /sys: a path some other tool stored; use it as is. */
	if ((size_t)snprintf(buf, len, "%s", host_path) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int lstat_errno(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? -errno : 0;
}

int sysfs_dev_exists(const struct bdf *b)
{
	char p[PATH_MAX];

	sysfs_path(p, sizeof(p), PCI_DEVICES "/" XENPCI_BDF_FMT, b->dom,
		   b->bus, b->dev, b->func);
	return lstat_errno(p);
}

int sysfs_pciback_loaded(void)
{
	char p[PATH_MAX];

	sysfs_path(p, sizeof(p), PCIBACK);
	return access(p, F_OK) ? -errno : 0;
}

int sysfs_on_pciback(const struct bdf *b)
{
	char p[PATH_MAX];
	int rc;

	sysfs_path(p, sizeof(p), PCIBACK "/" XENPCI_BDF_FMT, b->dom, b->bus,
		   b->dev, b->func);
	rc = lstat_errno(p);
	if (rc == -ENOENT)
		return 0;
	return rc ? rc : 1;
}

/*
 * pciback's slots and permissive files: one "DDDD:BB:SS.F" per line.
 * 1 if b is listed, 0 if not, or -errno.
 */
static int pciback_lists(const char *file, const struct bdf *b)
{
	char p[PATH_MAX];
	unsigned int d, bu, de, f;
	FILE *fp;
	int found = 0;

	sysfs_path(p, sizeof(p), PCIBACK "/%s", file);
	fp = fopen(p, "r");
	if (!fp)
		return -errno;
	while (!found && fscanf(fp, "%x:%x:%x.%x\n", &d, &bu, &de, &f) == 4)
		found = d == b->dom && bu == b->bus && de == b->dev &&
			f == b->func;
	fclose(fp);
	return found;
}

/* libxl checks slots before new_slot: older kernels add duplicates. */
int sysfs_has_slot(const struct bdf *b)
{
	return pciback_lists("slots", b);
}

/*
 * A PCI device's driver link is "../../../bus/pci/drivers/<name>" (the
 * driver core's sysfs_create_link() to the driver's kobject), and that
 * directory is no link: its realpath is the bus's drivers/<name>.  One
 * readlink instead of realpath()'s one per path component, each a
 * lookup in sysfs (issue 10: most of the agent's CPU per request).
 * -EAGAIN: some other shape, let realpath() decide.
 */
static int driver_link(const char *p, char *host_path, size_t len)
{
	static const char drv[] = PCI_DRIVERS "/";
	char t[PATH_MAX];
	const char *name;
	ssize_t n;
	int rc;

	n = readlink(p, t, sizeof(t) - 1);
	if (n < 0)
		return errno == ENOENT ? 0 : -EAGAIN;
	t[n] = '\0';
	name = strstr(t, drv);
	if (!name || strncmp(t, "../", 3))
		return -EAGAIN;
	name += sizeof(drv) - 1;
	if (!name[0] || strchr(name, '/') || !strcmp(name, "..") ||
	    !strcmp(name, "."))
		return -EAGAIN;
	rc = snprintf(host_path, len, HOST_SYSFS PCI_DRIVERS "/%s", name);
	return (size_t)rc >= len ? -ENAMETOOLONG : 0;
}

int sysfs_dev_driver(const struct bdf *b, char *host_path, size_t len)
{
	char p[PATH_MAX], real[PATH_MAX];
	size_t rl = strlen(root_real);
	int rc;

	host_path[0] = '\0';
	sysfs_path(p, sizeof(p), PCI_DEVICES "/" XENPCI_BDF_FMT "/driver",
		   b->dom, b->bus, b->dev, b->func);
	rc = driver_link(p, host_path, len);
	if (rc != -EAGAIN)
		return rc;
	rc = lstat_errno(p);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	if (!realpath(p, real))
		return -errno;
	/* What libxl would have stored on a real host: the path under /sys. */
	if (!strncmp(real, root_real, rl) && real[rl] == '/')
		rc = snprintf(host_path, len, HOST_SYSFS "%s", real + rl);
	else
		rc = snprintf(host_path, len, "%s", real);
	return (size_t)rc >= len ? -ENAMETOOLONG : 0;
}

int sysfs_dev_probe(const struct bdf *b, char *host_path, size_t len)
{
	int rc = sysfs_dev_driver(b, host_path, len);

	if (rc)
		return rc;
	if (!host_path[0])
		return sysfs_dev_exists(b) ?: SYSFS_NO_DRIVER;
	if (!strcmp(host_path, HOST_SYSFS PCIBACK)) {
		host_path[0] = '\0';
		return SYSFS_ON_PCIBACK;
	}
	return SYSFS_ON_DRIVER;
}

static int write_str(const char *path, const char *val)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* An interrupted write did nothing: say it again (bounded). */
	for (int tries = 0; tries < 3; tries++) {
		n = write(fd, val, strlen(val));
		if (n >= 0 || errno != EINTR)
			break;
	}
	if (n < 0)
		err = -errno;
	else if ((size_t)n != strlen(val))
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

static int write_bdf(const char *path, const struct bdf *b)
{
	char buf[BDF_STR_LEN];

	/* The BDF without a newline, exactly as libxl writes it. */
	return write_str(path, bdf_str(b, buf));
}

int sysfs_driver_write(const char *host_drv, const char *file,
		       const struct bdf *b)
{
	char drv[PATH_MAX], p[PATH_MAX];
	int rc;

	rc = sysfs_map(drv, sizeof(drv), host_drv);
	if (rc)
		return rc;
	if ((size_t)snprintf(p, sizeof(p), "%s/%s", drv, file) >= sizeof(p))
		return -ENAMETOOLONG;
	return write_bdf(p, b);
}

int sysfs_pciback_write(const char *file, const struct bdf *b)
{
	char p[PATH_MAX];

	sysfs_path(p, sizeof(p), PCIBACK "/%s", file);
	return write_bdf(p, b);
}

static int cmp_bdf(const void *a, const void *b)
{
	return bdf_cmp(a, b);
}

static int scan_dir(const char *dir, const struct bdf *slot, struct bdf **out,
		    unsigned int *n)
{
	struct bdf *v = NULL, b, *nv;
	unsigned int cnt = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!bdf_from_str(de->d_name, &b))
			continue;
		if (slot && (b.dom != slot->dom || b.bus != slot->bus ||
			     b.dev != slot->dev))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 8;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		v[cnt++] = b;
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_bdf);
	*out = v;
	*n = cnt;
	return 0;
}

int sysfs_functions(const struct bdf *slot, struct bdf *out, unsigned int max,
		    unsigned int *n)
{
	char p[PATH_MAX];
	struct bdf *v;
	unsigned int cnt;
	int rc;

	sysfs_path(p, sizeof(p), PCI_DEVICES);
	rc = scan_dir(p, slot, &v, &cnt);
	if (rc)
		return rc;
	if (cnt > max)
		cnt = max;
	if (cnt)
		memcpy(out, v, cnt * sizeof(*v));
	free(v);
	*n = cnt;
	return 0;
}

int sysfs_pciback_devices(struct bdf **out, unsigned int *n)
{
	char p[PATH_MAX];

	sysfs_path(p, sizeof(p), PCIBACK);
	return scan_dir(p, NULL, out, n);
}

int sysfs_permissive(const struct bdf *b)
{
	return pciback_lists("permissive", b);
}

const char *driver_name(const char *host_path)
{
	const char *s = strrchr(host_path, '/');

	return s ? s + 1 : host_path;
}

int sysfs_resources(const struct bdf *b,
		    struct sysfs_bar bars[SYSFS_PCI_RESOURCES],
		    unsigned int *n)
{
	char p[PATH_MAX];
	uint64_t start, end, flags;
	unsigned int i;
	FILE *f;

	*n = 0;
	sysfs_path(p, sizeof(p), PCI_DEVICES "/" XENPCI_BDF_FMT "/resource",
		   b->dom, b->bus, b->dev, b->func);
	f = fopen(p, "re");
	if (!f)
		return -errno;
	for (i = 0; i < SYSFS_PCI_RESOURCES; i++) {
		if (fscanf(f, "0x%" SCNx64 " 0x%" SCNx64 " 0x%" SCNx64 "\n",
			   &start, &end, &flags) != 3)
			continue;
		if (!start)
			continue;
		bars[*n].start = start;
		bars[*n].size = end - start + 1;
		bars[*n].io = flags & IORESOURCE_IO;
		(*n)++;
	}
	fclose(f);
	return 0;
}

int sysfs_irq(const struct bdf *b)
{
	char p[PATH_MAX];
	unsigned int irq;
	FILE *f;
	int rc = 0;

	sysfs_path(p, sizeof(p), PCI_DEVICES "/" XENPCI_BDF_FMT "/irq", b->dom,
		   b->bus, b->dev, b->func);
	f = fopen(p, "re");
	if (!f)
		return -errno;
	/* libxl takes a file that does not hold a number as no IRQ. */
	if (fscanf(f, "%u", &irq) == 1 && irq <= INT_MAX)
		rc = (int)irq;
	fclose(f);
	return rc;
}

static int read_hex(const struct bdf *b, const char *attr, unsigned int *v)
{
	char p[PATH_MAX];
	FILE *f;
	int rc = 0;

	sysfs_path(p, sizeof(p), PCI_DEVICES "/" XENPCI_BDF_FMT "/%s", b->dom,
		   b->bus, b->dev, b->func, attr);
	f = fopen(p, "re");
	if (!f)
		return -errno;
	if (fscanf(f, "%x", v) != 1)
		rc = -EINVAL;
	fclose(f);
	return rc;
}

int sysfs_ids(const struct bdf *b, unsigned int *vendor,
	      unsigned int *device)
{
	return read_hex(b, "vendor", vendor) ?: read_hex(b, "device", device);
}

int sysfs_reset(const struct bdf *b, const char **how)
{
	char p[PATH_MAX];
	int rc;

	rc = sysfs_pciback_write("do_flr", b);
	if (rc != -ENOENT) {
		*how = "do_flr";
		return rc;
	}
	sysfs_path(p, sizeof(p), PCI_DEVICES "/" XENPCI_BDF_FMT "/reset",
		   b->dom, b->bus, b->dev, b->func);
	rc = write_str(p, "1");
	if (rc == -ENOENT) {
		*how = "unsupported";
		log_dev(LOG_WARNING, b, "the kernel doesn't support reset from "
			"sysfs for this device (no pciback/do_flr, no reset)");
		return 0;
	}
	*how = "reset";
	return rc;
}

/* ------------------------------------------ what the dom0 guard reads */

/* dir/name; false when it does not fit. */
static bool join(char *buf, size_t len, const char *dir, const char *name)
{
	return (size_t)snprintf(buf, len, "%s/%s", dir, name) < len;
}

int sysfs_pci_devices(struct bdf **out, unsigned int *n)
{
	char p[PATH_MAX];

	sysfs_path(p, sizeof(p), PCI_DEVICES);
	return scan_dir(p, NULL, out, n);
}

static int read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;
	int err = 0;

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	if (ferror(f))
		err = -EIO;
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return err;
}

int sysfs_dev_read(const struct bdf *b, const char *rel, char *buf,
		   size_t len)
{
	char p[PATH_MAX];
	int rc = sysfs_path(p, sizeof(p), PCI_DEVICES "/" XENPCI_BDF_FMT
			    "/%s", b->dom, b->bus, b->dev, b->func, rel);

	buf[0] = '\0';
	return rc ? rc : read_text(p, buf, len);
}

int sysfs_dev_config(const struct bdf *b, uint8_t *buf, size_t len)
{
	char p[PATH_MAX];
	ssize_t n;
	int fd;

	memset(buf, 0, len);
	sysfs_path(p, sizeof(p), PCI_DEVICES "/" XENPCI_BDF_FMT "/config",
		   b->dom, b->bus, b->dev, b->func);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, 0);
	close(fd);
	return n < 0 ? -errno : (int)n;
}

int sysfs_dev_netifs(const struct bdf *b, char (*names)[SYSFS_IFNAME_LEN],
		     unsigned int max, unsigned int *n)
{
	char p[PATH_MAX];
	struct dirent *e;
	DIR *d;

	*n = 0;
	sysfs_path(p, sizeof(p), PCI_DEVICES "/" XENPCI_BDF_FMT "/net",
		   b->dom, b->bus, b->dev, b->func);
	d = opendir(p);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)) && *n < max) {
		if (e->d_name[0] == '.' ||
		    strlen(e->d_name) >= SYSFS_IFNAME_LEN)
			continue;
		snprintf(names[(*n)++], SYSFS_IFNAME_LEN, "%s", e->d_name);
	}
	closedir(d);
	return 0;
}

struct blk_list {
	struct sysfs_blk *v;
	unsigned int n, cap;
};

static int blk_add(struct blk_list *l, const char *dir, const char *name,
		   const char *held)
{
	char p[PATH_MAX], buf[64];
	struct sysfs_blk *e;

	if (l->n == l->cap) {
		void *v = realloc(l->v, (l->cap ? 2 * l->cap : 8) *
				  sizeof(*l->v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = l->cap ? 2 * l->cap : 8;
	}
	e = &l->v[l->n];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(e->holds, sizeof(e->holds), "%s", held);
	if (!join(p, sizeof(p), dir, "dev") || read_text(p, buf, sizeof(buf)) ||
	    sscanf(buf, "%u:%u", &e->major, &e->minor) != 2)
		return 0;	/* gone meanwhile: nothing to guard */
	if (join(p, sizeof(p), dir, "dm/name"))
		read_text(p, e->dmname, sizeof(e->dmname));
	l->n++;
	return 0;
}

/* What holds dir's block device (dm, md), and what holds those. */
static int blk_holders(struct blk_list *l, const char *dir,
		       const char *name, unsigned int depth)
{
	char p[PATH_MAX], h[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int rc = 0;

	if (depth > 8)
		return 0;	/* dm stacks are shallow; a loop is a bug */
	if (!join(p, sizeof(p), dir, "holders"))
		return 0;
	d = opendir(p);
	if (!d)
		return 0;
	while (!rc && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (!join(h, sizeof(h), p, e->d_name))
			continue;
		rc = blk_add(l, h, e->d_name, name);
		if (!rc)
			rc = blk_holders(l, h, e->d_name, depth + 1);
	}
	closedir(d);
	return rc;
}

/* A directory whose subsystem link ends in "block" is a block device. */
static bool is_block_dir(const char *dir)
{
	char p[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	if (!join(p, sizeof(p), dir, "subsystem"))
		return false;
	n = readlink(p, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	return !strcmp(driver_name(link), "block");
}

/*
 * Every block device below dir, at any depth (ata*, host*, target*,
 * nvme/nvme*), without following links: sysfs links point up.
 */
static int blk_walk(struct blk_list *l, const char *dir, unsigned int depth)
{
	char p[PATH_MAX];
	struct dirent *e;
	struct stat st;
	struct bdf child;
	DIR *d;
	int rc = 0;

	if (depth > 12)
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while (!rc && (e = readdir(d))) {
		/*
		 * sysfs says each entry's type: a stat of every attribute
		 * of every function a guard looks at was most of its cost.
		 */
		if (e->d_name[0] == '.' ||
		    (e->d_type != DT_UNKNOWN && e->d_type != DT_DIR) ||
		    !join(p, sizeof(p), dir, e->d_name) ||
		    (e->d_type == DT_UNKNOWN &&
		     (lstat(p, &st) || !S_ISDIR(st.st_mode))) ||
		    /* A device behind a bridge answers for itself. */
		    bdf_from_str(e->d_name, &child))
			continue;
		if (is_block_dir(p)) {
			rc = blk_add(l, p, e->d_name, "");
			if (!rc)
				rc = blk_holders(l, p, e->d_name, 0);
		}
		if (!rc)
			rc = blk_walk(l, p, depth + 1);
	}
	closedir(d);
	return rc;
}

int sysfs_dev_blocks(const struct bdf *b, struct sysfs_blk **out,
		     unsigned int *n)
{
	struct blk_list l = { 0 };
	char p[PATH_MAX], real[PATH_MAX];
	int rc;

	sysfs_path(p, sizeof(p), PCI_DEVICES "/" XENPCI_BDF_FMT, b->dom,
		   b->bus, b->dev, b->func);
	if (!realpath(p, real))
		return -errno;
	rc = blk_walk(&l, real, 0);
	if (rc) {
		free(l.v);
		return rc;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

int sysfs_reset_methods(const struct bdf *b, char *buf, size_t len)
{
	int rc = sysfs_dev_read(b, "reset_method", buf, len);

	return rc == -ENOENT ? 0 : rc;
}

bool sysfs_pciback_has(const char *file)
{
	char p[PATH_MAX];

	sysfs_path(p, sizeof(p), PCIBACK "/%s", file);
	return !access(p, F_OK);
}
