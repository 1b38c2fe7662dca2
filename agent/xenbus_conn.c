/*
 * One guest's PCI backend and frontend as xenbus.c sees them (see
 * xenbus_conn.h), and the read-only xb_list() and xb_backends().
 * Every call opens its own xenstore connection: they run on request
 * worker threads, and a watch on this connection gets only the events
 * of this backend, never the agent loop's.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xen/xen.h>

#include "config.h"
#include "log.h"
#include "xenbus.h"
#include "xs.h"
#include "xenbus_conn.h"

#define WATCH_TOKEN	"xb"

int xbc_open(struct xbc *c, unsigned int be_domid, unsigned int domid)
{
	c->h = xs_open(0);
	if (!c->h)
		return -errno;
	c->be_domid = be_domid;
	c->domid = domid;
	c->failed[0] = '\0';
	snprintf(c->be, sizeof(c->be), XENPCI_BE_FMT, be_domid, domid);
	snprintf(c->fe, sizeof(c->fe), XENPCI_FE_FMT, domid);
	snprintf(c->err, sizeof(c->err), XENPCI_BE_ERROR_FMT, be_domid,
		 domid);
	return 0;
}

void xbc_close(struct xbc *c)
{
	if (c->h)
		xs_close(c->h);
	c->h = NULL;
}

int xbc_failed(struct xbc *c, const char *what, const char *path)
{
	int err = errno ? errno : EIO;

	/* The first failure is the cause; later ones follow from it. */
	if (!c->failed[0])
		snprintf(c->failed, sizeof(c->failed), "%s %s", what, path);
	return -err;
}

void xbc_log_failed(struct xbc *c, const struct bdf *b, int rc)
{
	if (c->failed[0] && b)
		log_dev(LOG_ERR, b, "xenstore: %s: %s", c->failed,
			strerror(-rc));
	else if (c->failed[0])
		log_err("xenstore: %s: %s", c->failed, strerror(-rc));
	c->failed[0] = '\0';
}

static void vpath(char *path, const char *dir, const char *fmt, va_list ap)
{
	int n = snprintf(path, XBC_PATH, "%s/", dir);

	vsnprintf(path + n, XBC_PATH - n, fmt, ap);
}

char *xbc_read(struct xbc *c, xs_transaction_t t, const char *dir,
	       const char *fmt, ...)
{
	char path[XBC_PATH];
	unsigned int len;
	va_list ap;

	va_start(ap, fmt);
	vpath(path, dir, fmt, ap);
	va_end(ap);
	return xs_read_h(c->h, t, path, &len);
}

/*
 * Not a number, or out of int's range ("4294967297" must not become
 * num_devs 1): def.
 */
int xbc_parse_int(const char *v, int def)
{
	char *end;
	long n;

	if (!v)
		return def;
	errno = 0;
	n = strtol(v, &end, 10);
	if (end == v || *end || errno || n < INT_MIN || n > INT_MAX)
		return def;
	return (int)n;
}

int xbc_int(struct xbc *c, xs_transaction_t t, const char *dir, int def,
	    const char *fmt, ...)
{
	char path[XBC_PATH], *v;
	unsigned int len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	vpath(path, dir, fmt, ap);
	va_end(ap);
	v = xs_read_h(c->h, t, path, &len);
	n = xbc_parse_int(v, def);
	free(v);
	return n;
}

static int vwrite(struct xbc *c, xs_transaction_t t, const char *dir,
		  const char *val, const char *fmt, va_list ap)
{
	char path[XBC_PATH];

	vpath(path, dir, fmt, ap);
	if (xs_write(c->h, t, path, val, strlen(val)))
		return 0;
	return xbc_failed(c, "write", path);
}

int xbc_write(struct xbc *c, xs_transaction_t t, const char *dir,
	      const char *val, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vwrite(c, t, dir, val, fmt, ap);
	va_end(ap);
	return rc;
}

int xbc_state(struct xbc *c, xs_transaction_t t, const char *dir,
	      enum xenbus_state st, const char *fmt, ...)
{
	char v[12];
	va_list ap;
	int rc;

	snprintf(v, sizeof(v), "%d", (int)st);
	va_start(ap, fmt);
	rc = vwrite(c, t, dir, v, fmt, ap);
	va_end(ap);
	return rc;
}

int xbc_rm(struct xbc *c, xs_transaction_t t, const char *dir,
	   const char *fmt, ...)
{
	char path[XBC_PATH];
	va_list ap;

	va_start(ap, fmt);
	vpath(path, dir, fmt, ap);
	va_end(ap);
	if (xs_rm(c->h, t, path) || errno == ENOENT)
		return 0;
	return xbc_failed(c, "remove", path);
}

int xbc_be_state(struct xbc *c)
{
	return xbc_int(c, XBT_NULL, c->be, -1, XENPCI_BEKEY_STATE);
}

int xbc_fe_state(struct xbc *c)
{
	return xbc_int(c, XBT_NULL, c->fe, -1, XENPCI_FEKEY_STATE);
}

int xbc_state_i(struct xbc *c, xs_transaction_t t, unsigned int i)
{
	return xbc_int(c, t, c->be, -1, XENPCI_BEKEY_STATE_FMT, i);
}

int xbc_num_devs(struct xbc *c, xs_transaction_t t, int def)
{
	return xbc_int(c, t, c->be, def, XENPCI_BEKEY_NUM_DEVS);
}

/*
 * pciback failed: xenbus_dev_fatal() wrote "<errno> <message>" to the
 * error node and switched the backend to Closing.  Report it verbatim.
 * An errno is positive and small (sscanf's %d overflowed, undefined
 * behaviour, on "99999999999"); anything else is EIO.
 */
int xbc_parse_error(const char *e, unsigned int domid, char *msg, size_t len)
{
	const char *text;
	char *end;
	long err;

	errno = 0;
	err = e ? strtol(e, &end, 10) : 0;
	if (!e || end == e || errno || err <= 0 || err > 4095 ||
	    (*end && *end != ' ')) {
		snprintf(msg, len, "pciback closed the backend of domain %u "
			 "without an error message", domid);
		return -EIO;
	}
	text = strchr(e, ' ');
	snprintf(msg, len, "pciback: %s", text ? text + 1 : e);
	return -(int)err;
}

int xbc_backend_error(struct xbc *c, char *msg, size_t len)
{
	unsigned int l;
	char *e = xs_read_h(c->h, XBT_NULL, c->err, &l);
	int rc = xbc_parse_error(e, c->domid, msg, len);

	free(e);
	return rc;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int watch_both(struct xbc *c)
{
	int rc;

	if (!xs_watch(c->h, c->be, WATCH_TOKEN))
		return -errno;
	if (xs_watch(c->h, c->fe, WATCH_TOKEN))
		return 0;
	rc = -errno;
	xs_unwatch(c->h, c->be, WATCH_TOKEN);
	return rc;
}

/* key is "<prefix><decimal>" (vdev-0, state-12). */
static bool numbered(const char *key, const char *prefix)
{
	size_t n = strlen(prefix);

	return !strncmp(key, prefix, n) && key[n] >= '0' && key[n] <= '9' &&
	       key[n + strspn(key + n, "0123456789")] == '\0';
}

/*
 * Whether a watch event can change what a condition reads: every
 * condition reads only BE/state, FE/state, BE/state-i and BE/vdev-i.
 * The directories themselves fire when the watch is set and when they
 * are removed.  pciback and pcifront write a dozen other keys during a
 * handshake (root-0, root_num, pci-op-ref, magic...): re-reading the
 * states on each of them was most of an attach's xenstore requests
 * (issue 10).
 */
static bool relevant(const struct xbc *c, const char *path)
{
	size_t nb = strlen(c->be), nf = strlen(c->fe);
	const char *key;

	if (!strcmp(path, c->be) || !strcmp(path, c->fe))
		return true;
	if (!strncmp(path, c->fe, nf) && path[nf] == '/')
		return !strcmp(path + nf + 1, XENPCI_FEKEY_STATE);
	if (strncmp(path, c->be, nb) || path[nb] != '/')
		return true;	/* not ours: look again, to be safe */
	key = path + nb + 1;
	return !strcmp(key, XENPCI_BEKEY_STATE) || numbered(key, "state-") ||
	       numbered(key, "vdev-");
}

int xbc_wait(struct xbc *c, int (*cond)(struct xbc *c, void *arg),
	     void *arg, const struct xb_wait *w)
{
	long long deadline = now_ms() + w->timeout_ms, left;
	bool changed = true;
	struct pollfd p[2];
	char **ev;
	int rc = 0;

	rc = watch_both(c);
	if (rc)
		return rc;
	p[0].fd = xs_fileno(c->h);
	p[0].events = POLLIN;
	/* A request's timeout wakes us at once (poll ignores fd -1). */
	p[1].fd = cancel_fd(w->cancel);
	p[1].events = POLLIN;
	for (;;) {
		if (changed)
			rc = cond(c, arg);
		if (rc)
			break;
		changed = false;
		if (cancel_is_set(w->cancel)) {
			rc = -ECANCELED;
			break;
		}
		left = deadline - now_ms();
		if (left <= 0) {
			rc = -ETIMEDOUT;
			break;
		}
		poll(p, 2, left > INT32_MAX ? INT32_MAX : (int)left);
		while ((ev = xs_check_watch(c->h))) {
			changed = changed || relevant(c, ev[XS_WATCH_PATH]);
			free(ev);
		}
	}
	xs_unwatch(c->h, c->be, WATCH_TOKEN);
	xs_unwatch(c->h, c->fe, WATCH_TOKEN);
	return rc < 0 ? rc : 0;
}

/*
 * dev-N is %04x:%02x:%02x.%01x; vdev-N has a 2-digit function.  Each
 * part in its range, so that bdf_str() never prints more than a BDF
 * (and %x's overflow, undefined, is never reached: at most 8 digits).
 */
bool xbc_parse_bdf(const char *s, struct bdf *b)
{
	unsigned int d, bu, de, f;

	if (!s || sscanf(s, "%8x:%8x:%8x.%8x", &d, &bu, &de, &f) != 4 ||
	    d > 0xffff || bu > 0xff || de > 0x1f || f > 7)
		return false;
	*b = (struct bdf){ d, bu, de, f };
	return true;
}

int xbc_find(struct xbc *c, xs_transaction_t t, const struct bdf *b,
	     int num)
{
	struct bdf d;
	int i;

	for (i = 0; i < num; i++) {
		char *v = xbc_read(c, t, c->be, XENPCI_BEKEY_DEV_FMT,
				   (unsigned int)i);
		bool match = xbc_parse_bdf(v, &d) && bdf_eq(&d, b);

		free(v);
		if (match)
			return i;
	}
	return -ENOENT;
}

int xb_list(unsigned int be_domid, unsigned int domid,
	    struct xb_entry **out, unsigned int *n)
{
	struct xbc c = { 0 };
	int num, i, rc;

	*out = NULL;
	*n = 0;
	rc = xbc_open(&c, be_domid, domid);
	if (rc)
		return rc;
	num = xbc_num_devs(&c, XBT_NULL, 0);
	if (num > 0)
		*out = calloc((size_t)num, sizeof(**out));
	for (i = 0; i < num && *out; i++) {
		struct xb_entry *e = &(*out)[*n];
		unsigned int u = (unsigned int)i;
		char *v = xbc_read(&c, XBT_NULL, c.be, XENPCI_BEKEY_DEV_FMT, u);

		if (!xbc_parse_bdf(v, &e->bdf)) {
			free(v);
			continue;
		}
		free(v);
		v = xbc_read(&c, XBT_NULL, c.be, XENPCI_BEKEY_VDEV_FMT, u);
		snprintf(e->vdev, sizeof(e->vdev), "%s", v ? v : "");
		free(v);
		v = xbc_read(&c, XBT_NULL, c.be, XENPCI_BEKEY_OPTS_FMT, u);
		snprintf(e->opts, sizeof(e->opts), "%s", v ? v : "");
		free(v);
		e->state = xbc_state_i(&c, XBT_NULL, u);
		(*n)++;
	}
	xbc_close(&c);
	return num > 0 && !*out ? -ENOMEM : 0;
}

/*
 * A guest's domid as a directory name: decimal, below DOMID_FIRST_RESERVED
 * (strtoul's "4294967296" is not dom0, nor "-1" 4294967295).
 */
bool xbc_parse_domid(const char *s, unsigned int *domid)
{
	unsigned long d;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	d = strtoul(s, &end, 10);
	if (*end || errno || d >= DOMID_FIRST_RESERVED)
		return false;
	*domid = (unsigned int)d;
	return true;
}

int xb_backends(unsigned int be_domid, unsigned int **domids,
		unsigned int *n)
{
	struct xs_handle *h = xs_open(0);
	char path[64], **ents;
	unsigned int num = 0, i;

	*domids = NULL;
	*n = 0;
	if (!h)
		return -errno;
	snprintf(path, sizeof(path), XENPCI_BE_DIR_FMT, be_domid);
	ents = xs_directory_h(h, XBT_NULL, path, &num);
	if (ents && num)
		*domids = calloc(num, sizeof(**domids));
	for (i = 0; ents && *domids && i < num; i++)
		if (xbc_parse_domid(ents[i], &(*domids)[*n]))
			(*n)++;
	free(ents);
	xs_close(h);
	return 0;
}
