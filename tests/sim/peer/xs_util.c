/*
 * xenstore helpers for simpeer.
 *
 * The read/scanf/printf helpers mirror drivers/xen/xenbus/xenbus_xs.c,
 * the state and error helpers drivers/xen/xenbus/xenbus_client.c and
 * the other-end helpers drivers/xen/xenbus/xenbus_probe.c, so that the
 * error numbers and messages written to xenstore are the kernel's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"

struct watch {
	unsigned int id;
	char *path;
	char token[32];
	watch_fn fn;
	void *ctx;
	struct watch *next;
};

static struct watch *watches;
static unsigned int next_watch_id = 1;

unsigned int xsu_watch(const char *path, watch_fn fn, void *ctx)
{
	struct watch *w = calloc(1, sizeof(*w));

	if (!w)
		return 0;
	w->path = strdup(path);
	if (!w->path)
		goto fail;
	w->id = next_watch_id++;
	snprintf(w->token, sizeof(w->token), "simpeer-%u", w->id);
	w->fn = fn;
	w->ctx = ctx;
	if (!xs_watch(conf.xs, path, w->token)) {
		plog("xs_watch %s: %s", path, strerror(errno));
		goto fail;
	}
	w->next = watches;
	watches = w;
	return w->id;
fail:
	free(w->path);
	free(w);
	return 0;
}

static void watch_free(struct watch *w)
{
	if (!xs_unwatch(conf.xs, w->path, w->token))
		plog("xs_unwatch %s: %s", w->path, strerror(errno));
	free(w->path);
	free(w);
}

void xsu_unwatch(unsigned int id)
{
	struct watch **pp, *w;

	for (pp = &watches; (w = *pp); pp = &w->next) {
		if (w->id == id) {
			*pp = w->next;
			watch_free(w);
			return;
		}
	}
}

void xsu_free_watches(void)
{
	struct watch *w;

	while ((w = watches)) {
		watches = w->next;
		watch_free(w);
	}
}

static void dispatch(const char *path, const char *token)
{
	struct watch *w;

	/*
	 * Looked up per event: a callback may remove watches (and free
	 * their context); tokens are never reused, so an event that was
	 * queued before its xs_unwatch() finds nothing here.
	 */
	for (w = watches; w; w = w->next)
		if (!strcmp(w->token, token))
			break;
	if (!w)
		return;
	plog("watch %s", path);
	w->fn(w->ctx, path);
}

/* Level-triggered reader: drain until EAGAIN, never xs_read_watch. */
int xsu_drain(void)
{
	char **ev;

	for (;;) {
		ev = xs_check_watch(conf.xs);
		if (!ev)
			return errno == EAGAIN ? 0 : -errno;
		dispatch(ev[XS_WATCH_PATH], ev[XS_WATCH_TOKEN]);
		free(ev);
	}
}

static char *join(const char *dir, const char *node)
{
	if (!node || !*node)
		return strdup(dir);
	return xasprintf("%s/%s", dir, node);
}

/* xenbus_read(): NULL and errno on failure. */
char *xsu_read(xs_transaction_t t, const char *dir, const char *node)
{
	char *path = join(dir, node);
	unsigned int len;
	char *val;
	int e;

	if (!path)
		return NULL;
	val = xs_read(conf.xs, t, path, &len);
	e = errno;
	free(path);
	errno = e;
	return val;
}

/*
 * xenbus_scanf(): -errno, or the number of conversions; no conversion
 * at all is the "distinctive" -ERANGE.  glibc returns EOF on an empty
 * string where the kernel's vsscanf() returns 0: both mean -ERANGE.
 */
int xsu_scanf(xs_transaction_t t, const char *dir, const char *node,
	      const char *fmt, ...)
{
	va_list ap;
	char *val;
	int ret;

	val = xsu_read(t, dir, node);
	if (!val)
		return -errno;
	va_start(ap, fmt);
	ret = vsscanf(val, fmt, ap);
	va_end(ap);
	free(val);
	if (ret <= 0)
		return -ERANGE;
	return ret;
}

/* xenbus_printf(): 0 or -errno. */
int xsu_printf(xs_transaction_t t, const char *dir, const char *node,
	       const char *fmt, ...)
{
	char *path, *val = NULL;
	va_list ap;
	int ret = 0;

	path = join(dir, node);
	va_start(ap, fmt);
	if (vasprintf(&val, fmt, ap) < 0)
		val = NULL;
	va_end(ap);
	if (!path || !val) {
		ret = -ENOMEM;
		goto out;
	}
	if (!xs_write(conf.xs, t, path, val, strlen(val)))
		ret = -errno;
out:
	free(path);
	free(val);
	return ret;
}

/* xenbus_exists() */
bool xsu_exists(const char *dir, const char *node)
{
	char *val = xsu_read(XBT_NULL, dir, node);

	free(val);
	return val != NULL;
}

/* xenbus_read_unsigned() */
unsigned int xsu_read_unsigned(const char *dir, const char *node,
			       unsigned int def)
{
	unsigned int v;

	if (xsu_scanf(XBT_NULL, dir, node, "%u", &v) <= 0)
		return def;
	return v;
}

/* xenbus_read_driver_state(): XenbusStateUnknown if unreadable. */
enum xenbus_state xsu_read_driver_state(const char *path)
{
	char *val = xsu_read(XBT_NULL, path, "state");
	int st;

	if (!val)
		return XenbusStateUnknown;
	if (sscanf(val, "%d", &st) != 1)
		st = XenbusStateUnknown;
	free(val);
	return (enum xenbus_state)st;
}

char **xsu_directory(const char *path, unsigned int *num)
{
	return xs_directory(conf.xs, XBT_NULL, path, num);
}

/* xenbus_strstate() */
const char *xb_strstate(enum xenbus_state state)
{
	static const char *const name[] = {
		[XenbusStateUnknown] = "Unknown",
		[XenbusStateInitialising] = "Initialising",
		[XenbusStateInitWait] = "InitWait",
		[XenbusStateInitialised] = "Initialised",
		[XenbusStateConnected] = "Connected",
		[XenbusStateClosing] = "Closing",
		[XenbusStateClosed] = "Closed",
		[XenbusStateReconfiguring] = "Reconfiguring",
		[XenbusStateReconfigured] = "Reconfigured",
	};

	if ((unsigned int)state < sizeof(name) / sizeof(name[0]))
		return name[state];
	return "INVALID";
}

/*
 * A xenbus_device: rel is the kernel's dev->nodename (relative to the
 * home of the domain the driver runs in), used in messages and for
 * the error node "error/<nodename>" (xenbus_va_dev_error).
 */
int xb_init(struct xb_dev *dev, unsigned int self, const char *rel)
{
	memset(dev, 0, sizeof(*dev));
	dev->state = XenbusStateInitialising;	/* xenbus_probe_node() */
	dev->rel = strdup(rel);
	dev->nodename = xasprintf("/local/domain/%u/%s", self, rel);
	dev->errdir = xasprintf("/local/domain/%u/error/%s", self, rel);
	if (!dev->rel || !dev->nodename || !dev->errdir) {
		xb_fini(dev);
		return -ENOMEM;
	}
	return 0;
}

void xb_fini(struct xb_dev *dev)
{
	if (dev->otherend_watch)
		xsu_unwatch(dev->otherend_watch);
	free(dev->rel);
	free(dev->nodename);
	free(dev->errdir);
	free(dev->otherend);
	memset(dev, 0, sizeof(*dev));
}

/* xenbus_va_dev_error(): "<errno> <message>" to error/<nodename>/error */
static void xb_va_dev_error(struct xb_dev *dev, int err, const char *fmt,
			    va_list ap)
{
	char buf[4096];
	int len;

	len = snprintf(buf, sizeof(buf), "%i ", -err);
	vsnprintf(buf + len, sizeof(buf) - len, fmt, ap);
	plog("%s: error: %s", dev->rel, buf);
	if (xsu_printf(XBT_NULL, dev->errdir, "error", "%s", buf))
		plog("%s: cannot write the error node", dev->rel);
}

void xb_dev_error(struct xb_dev *dev, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xb_va_dev_error(dev, err, fmt, ap);
	va_end(ap);
}

static void __xb_switch_state(struct xb_dev *dev, enum xenbus_state state,
			      int depth);

/* xenbus_switch_fatal(): a fatal error without recursing. */
static void xb_switch_fatal(struct xb_dev *dev, int depth, int err,
			    const char *msg)
{
	xb_dev_error(dev, err, "%s", msg);
	if (!depth)
		__xb_switch_state(dev, XenbusStateClosing, 1);
}

/*
 * __xenbus_switch_state(): nothing if the cached state already is the
 * new one; otherwise a transaction that only writes "state" if it
 * still exists (so a removed directory is not resurrected), retried on
 * EAGAIN.  The cache is updated whenever the transaction ends well,
 * also when the node was missing (the kernel does the same).
 */
static void __xb_switch_state(struct xb_dev *dev, enum xenbus_state state,
			      int depth)
{
	xs_transaction_t t;
	bool abort;
	int cur, err;

	if (state == dev->state)
		return;
again:
	abort = true;
	t = xs_transaction_start(conf.xs);
	if (t == XBT_NULL) {
		xb_switch_fatal(dev, depth, -errno, "starting transaction");
		return;
	}
	if (xsu_scanf(t, dev->nodename, "state", "%d", &cur) != 1)
		goto end;
	err = xsu_printf(t, dev->nodename, "state", "%d", state);
	if (err) {
		xb_switch_fatal(dev, depth, err, "writing new state");
		goto end;
	}
	abort = false;
end:
	if (!xs_transaction_end(conf.xs, t, abort)) {
		if (errno == EAGAIN && !abort)
			goto again;
		xb_switch_fatal(dev, depth, -errno, "ending transaction");
		return;
	}
	if (!abort)
		plog("%s: state %s -> %s", dev->rel, xb_strstate(dev->state),
		     xb_strstate(state));
	dev->state = state;
}

void xb_switch_state(struct xb_dev *dev, enum xenbus_state state)
{
	__xb_switch_state(dev, state, 0);
}

/* xenbus_dev_fatal(): the error node, then Closing. */
void xb_dev_fatal(struct xb_dev *dev, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xb_va_dev_error(dev, err, fmt, ap);
	va_end(ap);
	xb_switch_state(dev, XenbusStateClosing);
}

/* xenbus_read_otherend_details() */
int xb_read_otherend_details(struct xb_dev *dev, const char *id_node,
			     const char *path_node)
{
	char *id, *path = NULL;
	int err = 0;

	/* xenbus_gather(): the first failing read wins */
	id = xsu_read(XBT_NULL, dev->nodename, id_node);
	if (!id)
		err = -errno;
	else if (sscanf(id, "%i", &dev->otherend_id) != 1)
		err = -EINVAL;
	if (!err) {
		path = xsu_read(XBT_NULL, dev->nodename, path_node);
		if (!path)
			err = -errno;
	}
	free(id);
	if (err) {
		xb_dev_fatal(dev, err, "reading other end details from %s",
			     dev->rel);
		return err;
	}
	if (!*path || !xsu_exists(path, "")) {
		xb_dev_fatal(dev, -ENOENT,
			     "unable to read other end from %s.  "
			     "missing or inaccessible.", dev->rel);
		free(path);
		return -ENOENT;
	}
	free(dev->otherend);
	dev->otherend = path;
	return 0;
}

/*
 * xenbus_otherend_changed(): ignore events that are not below the
 * current other end ("watches firing on old details").
 */
bool xb_otherend_event_ok(struct xb_dev *dev, const char *path)
{
	return dev->otherend &&
	       !strncmp(dev->otherend, path, strlen(dev->otherend));
}

/* char_count() of xenbus_probe.c */
unsigned int xsu_char_count(const char *str, char c)
{
	unsigned int n = 0;

	for (; *str; str++)
		n += *str == c;
	return n;
}

/* strsep_len() of xenbus_probe.c: length of the first len+1 components */
int xsu_strsep_len(const char *str, char c, unsigned int len)
{
	unsigned int i;

	for (i = 0; str[i]; i++) {
		if (str[i] == c) {
			if (len == 0)
				return i;
			len--;
		}
	}
	return len == 0 ? (int)i : -ERANGE;
}
