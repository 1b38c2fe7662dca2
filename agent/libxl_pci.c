/*
 * /libxl/pci/<K>/ as libxl 4.17 keeps it (libxl_pci.c:
 * libxl__device_pci_assignable_add() writes driver_path, pci_add_dm_done
 * ... /libxl/pci/<K>/domid through libxl__device_pci_add_xenstore's
 * callers).  See libxl_pci.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libxl_pci.h"
#include "log.h"
#include "xs.h"

static void node(char *buf, size_t len, const struct bdf *b,
		 const char *name)
{
	snprintf(buf, len, LIBXL_PCI_KEY_PATH_FMT "/%s", b->dom, b->bus,
		 b->dev, b->func, name);
}

static long parse_domid(const char *v)
{
	char *end;
	long d;

	if (!v || !*v)
		return -1;
	errno = 0;
	d = strtol(v, &end, 10);
	return errno || *end || d < 0 ? -1 : d;
}

long libxl_pci_domid(xs_transaction_t t, const struct bdf *b)
{
	char p[128], *v;
	long d;

	node(p, sizeof(p), b, LIBXL_PCI_DOMID);
	v = xs_read_str(t, p);
	d = parse_domid(v);
	free(v);
	return d;
}

static int put(const struct bdf *b, const char *name, const char *val)
{
	char p[128];

	node(p, sizeof(p), b, name);
	return xs_write_str(XBT_NULL, p, val) ? 0 : -errno;
}

static int drop(const struct bdf *b, const char *name)
{
	char p[128];

	node(p, sizeof(p), b, name);
	return xs_remove(XBT_NULL, p) ? 0 : -errno;
}

int libxl_pci_set_domid(const struct bdf *b, unsigned int domid)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", domid);
	return put(b, LIBXL_PCI_DOMID, v);
}

int libxl_pci_clear_domid(const struct bdf *b)
{
	return drop(b, LIBXL_PCI_DOMID);
}

/*
 * libxl stores the realpath of the device's driver directory,
 * /sys/bus/pci/drivers/<name> (libxl__device_pci_assignable_add()).
 * Anything else is not a driver: writing a BDF to its `bind` could be
 * writing anywhere, and would answer ok with the device on no driver.
 */
static bool driver_path_ok(const char *v)
{
	static const char dir[] = "/sys/bus/pci/drivers/";
	const char *name = v + sizeof(dir) - 1;

	if (strncmp(v, dir, sizeof(dir) - 1) || !*name)
		return false;
	if (!strcmp(name, ".") || !strcmp(name, "..") ||
	    !strcmp(name, "pciback"))
		return false;
	for (; *name; name++)
		if (*name == '/' || (unsigned char)*name < 0x21 ||
		    (unsigned char)*name > 0x7e)
			return false;
	return true;
}

int libxl_pci_driver(xs_transaction_t t, const struct bdf *b, char *buf,
		     size_t len)
{
	char p[128], *v;

	node(p, sizeof(p), b, LIBXL_PCI_DRIVER_PATH);
	v = xs_read_str(t, p);
	if (v && *v && !driver_path_ok(v)) {
		log_dev(LOG_WARNING, b, "ignoring %s = '%.200s': not a driver "
			"under /sys/bus/pci/drivers", p, v);
		free(v);
		v = NULL;
	}
	snprintf(buf, len, "%s", v ? v : "");
	free(v);
	return buf[0] ? 0 : -ENOENT;
}

int libxl_pci_set_driver(const struct bdf *b, const char *host_path)
{
	return put(b, LIBXL_PCI_DRIVER_PATH, host_path);
}

int libxl_pci_clear_driver(const struct bdf *b)
{
	return drop(b, LIBXL_PCI_DRIVER_PATH);
}

int libxl_pci_clear_name(const struct bdf *b)
{
	return drop(b, LIBXL_PCI_NAME);
}

int libxl_pci_set_name(const struct bdf *b, const char *name)
{
	return put(b, LIBXL_PCI_NAME, name);
}

int libxl_pci_find_name(const char *name, struct bdf *out)
{
	char **keys, p[160], *v;
	unsigned int n, i;
	int rc = -ENODEV;
	struct bdf b;

	keys = xs_list(LIBXL_PCI_DIR, &n);
	for (i = 0; keys && i < n && rc; i++) {
		if (!bdf_from_key(keys[i], &b))
			continue;
		node(p, sizeof(p), &b, LIBXL_PCI_NAME);
		v = xs_read_str(XBT_NULL, p);
		if (v && !strcmp(v, name)) {
			*out = b;
			rc = 0;
		}
		free(v);
	}
	free(keys);
	return rc;
}

int libxl_pci_attached(struct libxl_pci_att **out, unsigned int *n)
{
	struct libxl_pci_att *v = NULL;
	unsigned int nk = 0, i, cnt = 0;
	char **keys;
	struct bdf b;
	long d;

	*out = NULL;
	*n = 0;
	keys = xs_list(LIBXL_PCI_DIR, &nk);
	if (!keys)
		return errno == ENOENT ? 0 : -errno;
	if (nk)
		v = calloc(nk, sizeof(*v));
	for (i = 0; v && i < nk; i++) {
		if (!bdf_from_key(keys[i], &b))
			continue;
		d = libxl_pci_domid(XBT_NULL, &b);
		if (d < 0)
			continue;
		v[cnt].bdf = b;
		v[cnt++].domid = (unsigned int)d;
	}
	free(keys);
	if (nk && !v)
		return -ENOMEM;
	*out = v;
	*n = cnt;
	return 0;
}
