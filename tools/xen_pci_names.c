/*
 * xl's names: domains by name where xl takes a domain, devices by the
 * name `xl pci-assignable-add -n` gave them (/libxl/pci/<K>/name), and
 * `xl pci-list DOMID`'s own table.  Reads only, on a connection of
 * their own ($XENSTORED_PATH honoured by libxenstore).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "xen_pci.h"

static struct xs_handle *xs;

void xp_names_close(void)
{
	if (xs)
		xs_close(xs);
	xs = NULL;
}

static struct xs_handle *names_xs(void)
{
	if (!xs)
		xs = xs_open(XS_OPEN_READONLY);
	if (!xs)
		xs = xs_open(0);
	return xs;
}

static char *readp(const char *path)
{
	struct xs_handle *xs = names_xs();
	unsigned int len;

	return xs ? xs_read(xs, XBT_NULL, path, &len) : NULL;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/*
 * xl's find_domain(): digits are a domid, anything else a name looked
 * up among the domains (libxl_name_to_domid(): /local/domain/N/name).
 */
int xp_resolve_domain(const char *cmd, const char *arg, unsigned int *domid)
{
	struct xs_handle *xs;
	char path[64], **doms, *name;
	unsigned int n, i, d;
	int rc = -ENOENT;

	if (all_digits(arg)) {
		if (xp_parse_domid(arg, domid))
			return xp_usage_error("%s: '%s' is not a domain id "
					      "(0..%u)", cmd, arg,
					      XP_DOMID_MAX);
		return 0;
	}
	xs = names_xs();
	doms = xs ? xs_directory(xs, XBT_NULL, "/local/domain", &n) : NULL;
	for (i = 0; doms && i < n && rc; i++) {
		if (xp_parse_domid(doms[i], &d))
			continue;
		snprintf(path, sizeof(path), XENPCI_DOMAIN_NAME_FMT, d);
		name = readp(path);
		if (name && !strcmp(name, arg)) {
			*domid = d;
			rc = 0;
		}
		free(name);
	}
	free(doms);
	if (rc)
		return xp_usage_error("%s: '%s' is not a domain id and no "
				      "domain is named so", cmd, arg);
	return 0;
}

char *xp_device_name(const char *key)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s/%s", LIBXL_PCI_DIR, key,
		 LIBXL_PCI_NAME);
	return readp(path);
}

/* libxl's name2bdf(): the device under /libxl/pci named `name`. */
int xp_name_to_bdf(const char *name, char bdf[XENPCI_BDF_LEN])
{
	struct xs_handle *xs = names_xs();
	struct xenpci_bdf b;
	unsigned int n, i;
	char **keys, *v;
	int rc = -ENODEV;

	keys = xs ? xs_directory(xs, XBT_NULL, LIBXL_PCI_DIR, &n) : NULL;
	for (i = 0; keys && i < n && rc; i++) {
		if (xenpci_key_parse(keys[i], &b))
			continue;
		v = xp_device_name(keys[i]);
		if (v && !strcmp(v, name)) {
			xenpci_bdf_str(&b, bdf);
			rc = 0;
		}
		free(v);
	}
	free(keys);
	return rc;
}

/*
 * xl pci-list DOMID, byte for byte: libxl_device_pci_list() reads the
 * backend's num_devs, dev-N and vdevfn-N (no backend, no output; a
 * missing entry reads as zeros), and xl's pcilist() prints them.
 */
int xp_xl_pci_list(const struct xp_opts *o, unsigned int domid)
{
	char be[128], path[192], *s;
	unsigned int num, i;
	struct xenpci_bdf b;
	unsigned long fn;

	if (!names_xs()) {
		fprintf(stderr, "%s: list: connect to xenstore: %s\n",
			xp_prog, strerror(errno));
		return XP_EXIT_XENSTORE;
	}
	snprintf(be, sizeof(be), XENPCI_BE_FMT, o->agent_domid, domid);
	snprintf(path, sizeof(path), "%s/" XENPCI_BEKEY_NUM_DEVS, be);
	s = readp(path);
	if (!s)
		return XP_EXIT_OK;
	num = strtoul(s, NULL, 10);	/* atoi(), as libxl */
	free(s);
	printf("Vdev Device\n");
	for (i = 0; i < num; i++) {
		memset(&b, 0, sizeof(b));
		snprintf(path, sizeof(path), "%s/" XENPCI_BEKEY_DEV_FMT, be, i);
		s = readp(path);
		if (s && sscanf(s, "%x:%x:%x.%x", &b.domain, &b.bus, &b.dev,
				&b.func) != 4)
			memset(&b, 0, sizeof(b));
		free(s);
		snprintf(path, sizeof(path), "%s/" XENPCI_BEKEY_VDEVFN_FMT,
			 be, i);
		s = readp(path);
		fn = s ? strtoul(s, NULL, 16) : 0;
		free(s);
		printf("%02lx.%01lx %04x:%02x:%02x.%01x\n", (fn >> 3) & 0x1f,
		       fn & 7, b.domain, b.bus, b.dev, b.func);
	}
	return XP_EXIT_OK;
}
