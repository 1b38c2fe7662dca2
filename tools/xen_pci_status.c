/*
 * xen-pci status: every PCI device of the host, grouped by what it is
 * doing (attached to a guest, assignable, in use by dom0, no driver),
 * like dpdk-devbind --status and driverctl list-devices.  Vendor and
 * device names come from libpci and its pci.ids, not from a table of
 * our own; the reset methods from sysfs (reset_method, Linux 5.15+);
 * "persistent" from the agent's configuration (--config), read with
 * libxlutil as the agent reads it.  Why dom0 needs a device it drives
 * comes from the dom0 guard itself (agent/policy.c), by a `check`
 * request to the agent for each such device (ask_critical); nothing
 * else is written, and the requests are removed.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxl.h>
#include <libxlutil.h>
#include <pci/pci.h>
#include <xenstore.h>

#include "xen_pci.h"

enum group { G_ATTACHED, G_ASSIGNABLE, G_DOM0, G_NONE, G_N };

static const char *const group_title[G_N] = {
	"Attached to a guest", "Assignable (on pciback, in no guest)",
	"In use by dom0", "No driver",
};
static const char *const group_json[G_N] = {
	"attached", "assignable", "dom0", "none",
};

struct pdev {
	char bdf[XENPCI_BDF_LEN];
	char key[XENPCI_KEY_LEN];
	struct xenpci_bdf b;
	unsigned int vendor, device;
	char vname[128], dname[256];
	char driver[64];	/* bound driver, "" none */
	char orig[64];		/* assignable: the driver to go back to */
	char reset[128];	/* reset_method, "" unknown */
	char *name;		/* /libxl/pci/K/name */
	char *hint;		/* R/devices/K/permissive-hint, or NULL */
	long domid;		/* attached: the guest, else -1 */
	bool persistent;
	enum group g;
	char *critical;		/* dom0: why the guard keeps it, NULL no */
	char *crit_err;		/* dom0: why that is not known, NULL known */
};

struct persist {
	struct xenpci_bdf b;
	bool all;
};

static void pci_quiet(char *msg, ...)
{
	(void)msg;
}

static char *read_line(const char *dir, const char *file, char *buf,
		       size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	buf[0] = 0;
	f = fopen(path, "r");
	if (!f)
		return NULL;
	if (!fgets(buf, len, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

static char *xs_get(struct xs_handle *xs, const char *fmt, const char *a,
		    const char *b)
{
	char path[256];
	unsigned int len;

	snprintf(path, sizeof(path), fmt, a, b);
	return xs ? xs_read(xs, XBT_NULL, path, &len) : NULL;
}

/* The configuration's assignable list; none if there is no file. */
static int read_persistent(const char *path, struct persist **out,
			   unsigned int *n)
{
	XLU_ConfigList *list;
	XLU_Config *x;
	FILE *null;
	int cnt, i;

	*out = NULL;
	*n = 0;
	if (access(path, R_OK))
		return 0;
	null = fopen("/dev/null", "w");
	x = xlu_cfg_init(null ? null : stderr, path);
	if (!x || xlu_cfg_readfile(x, path) ||
	    xlu_cfg_get_list(x, "assignable", &list, &cnt, 1) ||
	    !(*out = calloc(cnt + 1, sizeof(**out))))
		goto out;
	for (i = 0; i < cnt; i++) {
		const char *s = xlu_cfg_get_listitem(list, i);
		libxl_device_pci pci;

		libxl_device_pci_init(&pci);
		if (s && !xlu_pci_parse_spec_string(x, &pci, s)) {
			(*out)[*n].b = (struct xenpci_bdf){ pci.domain,
				pci.bus, pci.dev, pci.func };
			(*out)[*n].all = pci.vfunc_mask == LIBXL_PCI_FUNC_ALL;
			(*n)++;
		}
		libxl_device_pci_dispose(&pci);
	}
out:
	if (x)
		xlu_cfg_destroy(x);
	if (null)
		fclose(null);
	return 0;
}

static bool is_persistent(const struct xenpci_bdf *b,
			  const struct persist *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (p[i].b.domain == b->domain && p[i].b.bus == b->bus &&
		    p[i].b.dev == b->dev && (p[i].all || p[i].b.func == b->func))
			return true;
	return false;
}

static void classify(struct xs_handle *xs, const char *root, struct pdev *d)
{
	char *v;

	d->domid = -1;
	if (strcmp(d->driver, "pciback")) {
		d->g = d->driver[0] ? G_DOM0 : G_NONE;
		return;
	}
	d->g = G_ASSIGNABLE;
	/* The agent's view first, then libxl's record (xl attached it). */
	v = xs_get(xs, "%s/" XENPCI_DEVICES "/%s/" XENPCI_DEV_DOMID, root,
		   d->key);
	if (!v)
		v = xs_get(xs, "%s/%s/" LIBXL_PCI_DOMID, LIBXL_PCI_DIR, d->key);
	if (v) {
		d->domid = strtol(v, NULL, 10);
		d->g = G_ATTACHED;
		free(v);
	}
	d->hint = xs_get(xs, "%s/" XENPCI_DEVICES "/%s/"
			 XENPCI_DEV_PERMISSIVE_HINT, root, d->key);
	v = xs_get(xs, "%s/" XENPCI_DEVICES "/%s/" XENPCI_DEV_DRIVER, root,
		   d->key);
	if (!v)
		v = xs_get(xs, "%s/%s/" LIBXL_PCI_DRIVER_PATH, LIBXL_PCI_DIR,
			   d->key);
	if (v) {
		const char *base = strrchr(v, '/');

		snprintf(d->orig, sizeof(d->orig), "%.63s", base ? base + 1 : v);
		free(v);
	}
}

static int load(const char *sysfs, struct xs_handle *xs, const char *root,
		struct pci_access *pacc, const struct persist *per,
		unsigned int nper, struct pdev **out, unsigned int *n)
{
	char dir[PATH_MAX], buf[PATH_MAX], link[PATH_MAX];
	struct dirent **ents;
	struct pdev *v;
	int cnt, i;
	ssize_t l;

	snprintf(dir, sizeof(dir), "%s/bus/pci/devices", sysfs);
	cnt = scandir(dir, &ents, NULL, alphasort);
	if (cnt < 0)
		return -errno;
	v = calloc(cnt + 1, sizeof(*v));
	*n = 0;
	for (i = 0; i < cnt; i++) {
		struct pdev *d = &v[*n];
		char ddir[PATH_MAX + 300], lpath[PATH_MAX + 310];

		if (!v || xenpci_bdf_parse(ents[i]->d_name, &d->b)) {
			free(ents[i]);
			continue;
		}
		xenpci_bdf_str(&d->b, d->bdf);
		xenpci_bdf_key(&d->b, d->key);
		snprintf(ddir, sizeof(ddir), "%s/%s", dir, ents[i]->d_name);
		d->vendor = strtoul(read_line(ddir, "vendor", buf, 32) ?
				    buf : "0", NULL, 16);
		d->device = strtoul(read_line(ddir, "device", buf, 32) ?
				    buf : "0", NULL, 16);
		pci_lookup_name(pacc, d->vname, sizeof(d->vname),
				PCI_LOOKUP_VENDOR, d->vendor);
		pci_lookup_name(pacc, d->dname, sizeof(d->dname),
				PCI_LOOKUP_DEVICE, d->vendor, d->device);
		read_line(ddir, "reset_method", d->reset, sizeof(d->reset));
		snprintf(lpath, sizeof(lpath), "%s/driver", ddir);
		l = readlink(lpath, link, sizeof(link) - 1);
		if (l > 0) {
			link[l] = 0;
			snprintf(d->driver, sizeof(d->driver), "%.63s",
				 strrchr(link, '/') ? strrchr(link, '/') + 1 :
				 link);
		}
		classify(xs, root, d);
		d->name = xp_device_name(d->key);
		d->persistent = is_persistent(&d->b, per, nper);
		(*n)++;
		free(ents[i]);
	}
	free(ents);
	*out = v;
	return v ? 0 : -ENOMEM;
}

/* ------------------------------------------------------------ critical */

/*
 * The guard's answer for one device: check's result/<K>_dom0 ("" when
 * dom0 does not need it), or why there is none.
 */
static void critical_of(struct xenpci_client *c, struct xenpci_request *req,
			unsigned int timeout_ms, struct pdev *d)
{
	struct xenpci_reply *rep = NULL;
	char key[XENPCI_KEY_LEN + 8];
	const char *why;
	int rc = xenpci_request_wait(c, req, timeout_ms, &rep);

	if (rc)
		d->crit_err = strdup(rc == -EHOSTDOWN ? "no agent is serving" :
				     rc == -ETIMEDOUT ? "no answer from the agent" :
				     xenpci_client_errmsg(c));
	else if (!xenpci_reply_ok(rep))
		d->crit_err = strdup(rep->error ? rep->error : "check failed");
	else {
		snprintf(key, sizeof(key), "%s_dom0", d->key);
		why = xenpci_reply_result(rep, key);
		if (why && why[0])
			d->critical = strdup(why);
	}
	xenpci_reply_free(rep);
	xenpci_request_remove(c, req);
}

/*
 * Every device dom0 drives: one check request each, all written before
 * any is waited for, so that the agent takes them together.  Without an
 * agent the rest of the status stands and each says why it is unknown.
 */
static void ask_critical(const struct xp_opts *o, struct pdev *v,
			 unsigned int n)
{
	struct xenpci_request **reqs = calloc(n + 1, sizeof(*reqs));
	unsigned int timeout_ms = o->timeout * 1000U + XP_GRACE_MS;
	struct xenpci_client *c = xenpci_client_open(o->agent_domid);
	const char *down = NULL;
	unsigned int i;
	int rc;

	if (!c || !reqs)
		down = c ? strerror(ENOMEM) : "cannot connect to xenstore";
	for (i = 0; i < n && !down; i++) {
		if (v[i].g != G_DOM0)
			continue;
		reqs[i] = xenpci_request_new(XENPCI_OP_CHECK);
		rc = reqs[i] ? xenpci_request_set(reqs[i], XENPCI_REQ_SPEC,
						  v[i].bdf) : -errno;
		if (!rc)
			rc = xenpci_request_setf(reqs[i], XENPCI_REQ_TIMEOUT,
						 "%u", o->timeout);
		if (!rc)
			rc = xenpci_request_submit(c, reqs[i]);
		if (rc) {
			down = rc == -EHOSTDOWN ? "no agent is serving" :
			       xenpci_client_errmsg(c);
			xenpci_request_free(reqs[i]);
			reqs[i] = NULL;
		}
	}
	for (i = 0; i < n; i++) {
		if (reqs && reqs[i])
			critical_of(c, reqs[i], timeout_ms, &v[i]);
		else if (v[i].g == G_DOM0 && down)
			v[i].crit_err = strdup(down);
		if (reqs)
			xenpci_request_free(reqs[i]);
	}
	free(reqs);
	if (c)
		xenpci_client_close(c);
}

static void print_text(struct xs_handle *xs, const struct pdev *v,
		       unsigned int n)
{
	for (int g = 0; g < G_N; g++) {
		bool title = false;

		for (unsigned int i = 0; i < n; i++) {
			const struct pdev *d = &v[i];
			char dom[32], *dname = NULL;

			if (d->g != (enum group)g)
				continue;
			if (!title) {
				printf("%s%s\n", g ? "\n" : "", group_title[g]);
				title = true;
			}
			printf("  %s %s %s [%04x:%04x]", d->bdf, d->vname,
			       d->dname, d->vendor, d->device);
			if (d->g == G_ATTACHED) {
				snprintf(dom, sizeof(dom), "%ld", d->domid);
				dname = xs_get(xs, "/local/domain/%s/name%s",
					       dom, "");
				printf(" domain=%ld%s%s%s", d->domid,
				       dname ? " (" : "", dname ? dname : "",
				       dname ? ")" : "");
				free(dname);
			}
			if (d->g == G_DOM0)
				printf(" driver=%s", d->driver);
			if ((d->g == G_ATTACHED || d->g == G_ASSIGNABLE) &&
			    d->orig[0])
				printf(" original-driver=%s", d->orig);
			if (d->name)
				printf(" name=%s", d->name);
			if (d->reset[0])
				printf(" reset=%s", d->reset);
			if (d->persistent)
				printf(" persistent");
			putchar('\n');
			if (d->critical)
				printf("      critical: %s\n", d->critical);
			else if (d->crit_err)
				printf("      critical: unknown (%s)\n",
				       d->crit_err);
			if (d->hint)
				printf("      hint: %s\n", d->hint);
		}
	}
}

static void print_json(const struct pdev *v, unsigned int n)
{
	char num[32];

	fputs("{\"op\":\"status\",\"devices\":[", stdout);
	for (unsigned int i = 0; i < n; i++) {
		const struct pdev *d = &v[i];
		bool f = true;
		char *tok, *save, rm[sizeof(d->reset)];
		int k = 0;

		fputs(i ? ",{" : "{", stdout);
		xp_json_kv(stdout, &f, "bdf", d->bdf);
		xp_json_kv(stdout, &f, "group", group_json[d->g]);
		snprintf(num, sizeof(num), "%04x", d->vendor);
		xp_json_kv(stdout, &f, "vendor_id", num);
		snprintf(num, sizeof(num), "%04x", d->device);
		xp_json_kv(stdout, &f, "device_id", num);
		xp_json_kv(stdout, &f, "vendor", d->vname);
		xp_json_kv(stdout, &f, "device", d->dname);
		xp_json_kv(stdout, &f, "driver", d->driver[0] ? d->driver : NULL);
		xp_json_kv(stdout, &f, "original_driver",
			   d->orig[0] ? d->orig : NULL);
		xp_json_key(stdout, &f, "domid");
		if (d->domid >= 0)
			printf("%ld", d->domid);
		else
			fputs("null", stdout);
		xp_json_kv(stdout, &f, "name", d->name);
		xp_json_key(stdout, &f, "reset_methods");
		putchar('[');
		snprintf(rm, sizeof(rm), "%s", d->reset);
		for (tok = strtok_r(rm, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save)) {
			if (k++)
				putchar(',');
			xp_json_str(stdout, tok);
		}
		putchar(']');
		xp_json_key(stdout, &f, "persistent");
		fputs(d->persistent ? "true" : "false", stdout);
		xp_json_kv(stdout, &f, "critical", d->critical);
		xp_json_kv(stdout, &f, "critical_unknown", d->crit_err);
		xp_json_kv(stdout, &f, "permissive_hint", d->hint);
		putchar('}');
	}
	fputs("]}\n", stdout);
}

int xp_cmd_status(const struct xp_opts *o, int argc, char **argv)
{
	struct pci_access *pacc;
	struct persist *per;
	struct xs_handle *xs;
	struct pdev *v = NULL;
	unsigned int n = 0, nper;
	char root[64];
	int rc;

	(void)argv;
	if (argc)
		return xp_usage_error("status: takes no arguments");
	snprintf(root, sizeof(root), XENPCI_ROOT_FMT, o->agent_domid);
	/* Without xenstore the sysfs part still stands. */
	xs = xs_open(XS_OPEN_READONLY);
	read_persistent(o->config ? o->config : XP_CONFIG_DEFAULT, &per,
			&nper);
	pacc = pci_alloc();
	/*
	 * pci_init() is not called (the devices are read from sysfs here),
	 * so nothing set the message hooks, and libpci calls them when an
	 * ID is not in pci.ids and it asks udev's hwdb (1234:1111, QEMU's
	 * VGA): a NULL call, status died with SIGSEGV.
	 */
	if (pacc) {
		pacc->warning = pci_quiet;
		pacc->debug = pci_quiet;
	}
	rc = load(o->sysfs_root ? o->sysfs_root : "/sys", xs, root, pacc,
		  per, nper, &v, &n);
	if (rc) {
		fprintf(stderr, "%s: status: %s/bus/pci/devices: %s\n",
			xp_prog, o->sysfs_root ? o->sysfs_root : "/sys",
			strerror(-rc));
		rc = XP_EXIT_XENSTORE;
	} else {
		ask_critical(o, v, n);
		if (o->json)
			print_json(v, n);
		else
			print_text(xs, v, n);
		rc = XP_EXIT_OK;
	}
	for (unsigned int i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].hint);
		free(v[i].critical);
		free(v[i].crit_err);
	}
	free(v);
	free(per);
	pci_cleanup(pacc);
	if (xs)
		xs_close(xs);
	return rc;
}
