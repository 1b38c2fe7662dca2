/*
 * xen-pci list [DOMID]: the attached devices, like xl pci-list.  Read
 * from the agent's R/devices while it runs, else from the PCI backends
 * (/local/domain/<agent>/backend/pci/<domid>/0), which libxl and the
 * agent both keep.  Reads only: no request is written.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "xen_pci.h"

struct dev {
	unsigned int domid;
	char key[XENPCI_KEY_LEN];
	char bdf[XENPCI_BDF_LEN];
	char *vdev;		/* raw, may be NULL */
	char *options;		/* may be NULL */
};

struct devlist {
	struct dev *v;
	unsigned int n;
	const char *source;	/* "agent" | "backend" */
};

struct lister {
	struct xs_handle *xs;
	const char *errpath;	/* the node that failed */
	int err;
};

const char *xp_vdev_str(const char *vdev, char *buf, size_t len)
{
	unsigned int a, b, s, f;
	char end;

	if (!vdev)
		return "-";
	/* pciback's "0000:00:01.00", "00:01.0", or xl's "01.0" */
	if (sscanf(vdev, "%x:%x:%x.%x%c", &a, &b, &s, &f, &end) == 4 ||
	    sscanf(vdev, "%x:%x.%x%c", &b, &s, &f, &end) == 3 ||
	    sscanf(vdev, "%x.%x%c", &s, &f, &end) == 2) {
		if (s <= 0x1f && f <= 7) {
			snprintf(buf, len, "%02x.%01x", s, f);
			return buf;
		}
	}
	return vdev;
}

/* Read path (printf-style); NULL if missing, NULL + l->err on failure. */
static char *readf(struct lister *l, char *path, size_t len,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static char *readf(struct lister *l, char *path, size_t len,
		   const char *fmt, ...)
{
	unsigned int n;
	va_list ap;
	char *v;

	va_start(ap, fmt);
	vsnprintf(path, len, fmt, ap);
	va_end(ap);
	v = xs_read(l->xs, XBT_NULL, path, &n);
	if (!v && errno != ENOENT && !l->err) {
		l->err = errno;
		l->errpath = strdup(path);
	}
	return v;
}

static char **dirf(struct lister *l, unsigned int *num, char *path,
		   size_t len, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static char **dirf(struct lister *l, unsigned int *num, char *path,
		   size_t len, const char *fmt, ...)
{
	va_list ap;
	char **v;

	va_start(ap, fmt);
	vsnprintf(path, len, fmt, ap);
	va_end(ap);
	*num = 0;
	v = xs_directory(l->xs, XBT_NULL, path, num);
	if (!v && errno != ENOENT && !l->err) {
		l->err = errno;
		l->errpath = strdup(path);
	}
	return v;
}

static int add_dev(struct devlist *dl, unsigned int domid,
		   const struct xenpci_bdf *b, char *vdev, char *options)
{
	struct dev *v = realloc(dl->v, (dl->n + 1) * sizeof(*v));

	if (!v) {
		free(vdev);
		free(options);
		return -ENOMEM;
	}
	dl->v = v;
	v += dl->n++;
	v->domid = domid;
	xenpci_bdf_key(b, v->key);
	xenpci_bdf_str(b, v->bdf);
	v->vdev = vdev;
	v->options = options;
	return 0;
}

static bool parse_uint(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > XP_DOMID_MAX)
		return false;
	*out = v;
	return true;
}

/* R/devices/<K>/ with state "attached". */
static int from_agent(struct lister *l, const char *root, bool one,
		      unsigned int want, struct devlist *dl)
{
	char path[512];
	unsigned int n, i;
	char **keys;
	int rc = 0;

	dl->source = "agent";
	keys = dirf(l, &n, path, sizeof(path), "%s/%s", root, XENPCI_DEVICES);
	for (i = 0; keys && i < n && rc == 0; i++) {
		char *state, *domid, *vdev, *perm;
		struct xenpci_bdf b;
		unsigned int d;
		bool match;

		if (xenpci_key_parse(keys[i], &b))
			continue;
		state = readf(l, path, sizeof(path), "%s/%s/%s/%s", root,
			      XENPCI_DEVICES, keys[i], XENPCI_DEV_STATE);
		domid = readf(l, path, sizeof(path), "%s/%s/%s/%s", root,
			      XENPCI_DEVICES, keys[i], XENPCI_DEV_DOMID);
		match = state && strcmp(state, XENPCI_DEVSTATE_ATTACHED) == 0 &&
			parse_uint(domid, &d) && (!one || d == want);
		free(state);
		free(domid);
		if (!match)
			continue;
		vdev = readf(l, path, sizeof(path), "%s/%s/%s/%s", root,
			     XENPCI_DEVICES, keys[i], XENPCI_DEV_VDEV);
		perm = readf(l, path, sizeof(path), "%s/%s/%s/%s", root,
			     XENPCI_DEVICES, keys[i], XENPCI_DEV_PERMISSIVE);
		{
			char *opts = NULL;

			if (perm && asprintf(&opts, "permissive=%s", perm) < 0)
				opts = NULL;
			free(perm);
			rc = add_dev(dl, d, &b, vdev, opts);
		}
	}
	free(keys);
	return rc;
}

/* One backend /local/domain/<agent>/backend/pci/<domid>/0. */
static int from_backend_dom(struct lister *l, unsigned int agent,
			    unsigned int domid, struct devlist *dl)
{
	char be[128], path[256];
	unsigned int num, i;
	char *s;
	int rc = 0;

	snprintf(be, sizeof(be), XENPCI_BE_FMT, agent, domid);
	s = readf(l, path, sizeof(path), "%s/" XENPCI_BEKEY_NUM_DEVS, be);
	if (!s || !parse_uint(s, &num)) {
		free(s);
		return 0;
	}
	free(s);
	for (i = 0; i < num && rc == 0; i++) {
		char *dev, *vdev, *opts;
		struct xenpci_bdf b;
		int ok;

		dev = readf(l, path, sizeof(path), "%s/" XENPCI_BEKEY_DEV_FMT,
			    be, i);
		ok = dev && xenpci_bdf_parse(dev, &b) == 0;
		free(dev);
		if (!ok)
			continue;
		/* libxl's vdevfn-N (hex devfn) is what xl prints; else
		 * pciback's vdev-N. */
		s = readf(l, path, sizeof(path),
			  "%s/" XENPCI_BEKEY_VDEVFN_FMT, be, i);
		vdev = NULL;
		if (s) {
			unsigned long fn = strtoul(s, NULL, 16);

			if (asprintf(&vdev, "%02lx.%01lx", (fn >> 3) & 0x1f,
				     fn & 7) < 0)
				vdev = NULL;
			free(s);
		} else {
			vdev = readf(l, path, sizeof(path),
				     "%s/" XENPCI_BEKEY_VDEV_FMT, be, i);
		}
		opts = readf(l, path, sizeof(path), "%s/" XENPCI_BEKEY_OPTS_FMT,
			     be, i);
		rc = add_dev(dl, domid, &b, vdev, opts);
	}
	return rc;
}

static int from_backend(struct lister *l, unsigned int agent, bool one,
			unsigned int want, struct devlist *dl)
{
	char path[128];
	unsigned int n, i, d;
	char **doms;
	int rc = 0;

	dl->source = "backend";
	if (one)
		return from_backend_dom(l, agent, want, dl);
	doms = dirf(l, &n, path, sizeof(path), XENPCI_BE_DIR_FMT,
		    agent);
	for (i = 0; doms && i < n && rc == 0; i++)
		if (parse_uint(doms[i], &d))
			rc = from_backend_dom(l, agent, d, dl);
	free(doms);
	return rc;
}

static int cmp_dev(const void *a, const void *b)
{
	const struct dev *x = a, *y = b;

	if (x->domid != y->domid)
		return x->domid < y->domid ? -1 : 1;
	return strcmp(x->key, y->key);
}

static void print_list(const struct xp_opts *o, bool one,
		       const struct devlist *dl)
{
	char buf[32], dom[16];
	unsigned int i;
	bool first = true;

	if (o->json) {
		fputc('{', stdout);
		xp_json_kv(stdout, &first, "op", "list");
		xp_json_kv(stdout, &first, "status", XENPCI_STATUS_OK);
		xp_json_kv(stdout, &first, "source", dl->source);
		xp_json_key(stdout, &first, "devices");
		fputc('[', stdout);
		for (i = 0; i < dl->n; i++) {
			const struct dev *d = &dl->v[i];
			bool f = true;

			fputs(i ? ",{" : "{", stdout);
			snprintf(dom, sizeof(dom), "%u", d->domid);
			xp_json_key(stdout, &f, "domid");
			fputs(dom, stdout);
			xp_json_kv(stdout, &f, "bdf", d->bdf);
			xp_json_kv(stdout, &f, "key", d->key);
			xp_json_kv(stdout, &f, "vdev", d->vdev);
			xp_json_kv(stdout, &f, "options", d->options);
			fputc('}', stdout);
		}
		fputs("]}\n", stdout);
		return;
	}
	if (one)
		printf("Vdev Device       Options\n");
	else
		printf("Domid Vdev Device       Options\n");
	for (i = 0; i < dl->n; i++) {
		const struct dev *d = &dl->v[i];

		if (!one)
			printf("%-5u ", d->domid);
		printf("%-4s %s %s\n", xp_vdev_str(d->vdev, buf, sizeof(buf)),
		       d->bdf, d->options ? d->options : "-");
	}
}

/* stderr, and with --json the failure object; exit 4. */
static int list_fail(const struct xp_opts *o, const char *step,
		     const char *msg)
{
	bool first = true;

	fprintf(stderr, "%s: list: %s%s%s\n", xp_prog, step,
		*step ? ": " : "", msg);
	if (o->json) {
		fputc('{', stdout);
		xp_json_kv(stdout, &first, "op", "list");
		xp_json_kv(stdout, &first, "status", "xenstore-error");
		xp_json_kv(stdout, &first, "error", msg);
		fputs("}\n", stdout);
	}
	return XP_EXIT_XENSTORE;
}

int xp_cmd_list(const struct xp_opts *o, int argc, char **argv)
{
	struct devlist dl = { 0 };
	struct lister l = { 0 };
	struct xenpci_client *c;
	unsigned int want = 0, i;
	bool one = argc == 1;
	int running, rc;

	if (argc > 1)
		return xp_usage_error("list: expected at most one DOMAIN");
	if (one) {
		rc = xp_resolve_domain("list", argv[0], &want);
		if (rc)
			return rc;
		if (!o->long_list && !o->json)
			return xp_xl_pci_list(o, want);
	}
	c = xenpci_client_open(o->agent_domid);
	if (!c) {
		return list_fail(o, "connect to xenstore", strerror(errno));
	}
	l.xs = xenpci_client_xs(c);
	running = xenpci_agent_running(c, NULL);
	if (running < 0) {
		rc = list_fail(o, "", xenpci_client_errmsg(c));
		xenpci_client_close(c);
		return rc;
	}
	if (running) {
		rc = from_agent(&l, xenpci_client_root(c), one, want, &dl);
	} else {
		fprintf(stderr, "%s: list: warning: no agent is serving in domain %u; reading the PCI backends instead\n",
			xp_prog, o->agent_domid);
		rc = from_backend(&l, o->agent_domid, one, want, &dl);
	}
	if (rc == 0 && l.err)
		rc = -l.err;
	if (rc) {
		char step[600];

		snprintf(step, sizeof(step), "read %s",
			 l.errpath ? l.errpath : "xenstore");
		rc = list_fail(o, step, strerror(-rc));
	} else {
		if (dl.n > 1)
			qsort(dl.v, dl.n, sizeof(*dl.v), cmp_dev);
		print_list(o, one, &dl);
		rc = XP_EXIT_OK;
	}
	for (i = 0; i < dl.n; i++) {
		free(dl.v[i].vdev);
		free(dl.v[i].options);
	}
	free(dl.v);
	free((char *)l.errpath);
	xenpci_client_close(c);
	return rc;
}
