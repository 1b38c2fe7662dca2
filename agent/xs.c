/*
 * The xenstore side: one connection (libxenstore, xs_open(0), which
 * honours XENSTORED_PATH), one watch on R/requests, and the agent's
 * published nodes under R.
 *
 * libxenstore delivers watch events through a pipe (xs_fileno) that is
 * readable while events are queued.  main.c watches it level-triggered
 * and drains it with xs_next_watch() (xs_check_watch()) until EAGAIN,
 * never with the blocking xs_read_watch(), so the loop sleeps in the
 * kernel when idle; it dispatches each event by its token.
 *
 * The watches live on a connection of their own.  libxenstore starts a
 * reader thread on the first xs_watch() of a handle, and from then on
 * every reply on that handle travels through it (a wake-up of that
 * thread and one of the caller, for each request); the handle all the
 * reads and writes use has no watch, so a request is one write and one
 * read on its socket (issue 10: CPU per request).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#include "config.h"
#include "log.h"
#include "xs.h"

#define XS_PATH_LEN	160

struct xs_handle *xsh;
static struct xs_handle *xsw;	/* the watches' */
char agent_root[64];
static char requests_path[96];
static char backends_path[96];
static bool watching;

/*
 * xenstored refuses dom0 a read only for a passing reason (ENOMEM, a
 * quota of oxenstored's counted over all connections); the callers take
 * NULL for "absent", which would then be a wrong answer (a detach that
 * finds no libxl domid does nothing and says ok).  So a refusal other
 * than ENOENT is tried again, and logged if it stays.
 */
#define XS_READ_TRIES	3

void *xs_read_h(struct xs_handle *h, xs_transaction_t t, const char *path,
		unsigned int *len)
{
	void *v = NULL;
	int err;

	for (int i = 0; i < XS_READ_TRIES; i++) {
		v = xs_read(h, t, path, len);
		if (v || errno == ENOENT)
			return v;
	}
	err = errno;
	log_err("xenstore: read %s: %s (taken as absent)", path,
		strerror(err));
	errno = err;
	return NULL;
}

char **xs_directory_h(struct xs_handle *h, xs_transaction_t t,
		      const char *path, unsigned int *n)
{
	char **l = NULL;
	int err;

	for (int i = 0; i < XS_READ_TRIES; i++) {
		l = xs_directory(h, t, path, n);
		if (l || errno == ENOENT)
			return l;
	}
	err = errno;
	log_err("xenstore: list %s: %s (taken as absent)", path,
		strerror(err));
	errno = err;
	return NULL;
}

char *xs_read_str(xs_transaction_t t, const char *path)
{
	unsigned int len;

	return xs_read_h(xsh, t, path, &len);
}

/*
 * Writes and removals outside the transactions of a device's steps are
 * tried again too: one refused late in a detach (the libxl domid
 * record, after the guest let go) has nothing to roll back to.
 */
bool xs_write_str(xs_transaction_t t, const char *path, const char *val)
{
	int err;

	for (int i = 1;; i++) {
		if (xs_write(xsh, t, path, val, strlen(val)))
			return true;
		if (i == XS_READ_TRIES)
			break;
	}
	err = errno;	/* the callers' -errno */
	log_err("xenstore: write %s: %s", path, strerror(err));
	errno = err;
	return false;
}

bool xs_exists(xs_transaction_t t, const char *path)
{
	char *v = xs_read_str(t, path);

	free(v);
	return v != NULL;
}

bool xs_remove(xs_transaction_t t, const char *path)
{
	int err;

	for (int i = 1;; i++) {
		if (xs_rm(xsh, t, path) || errno == ENOENT)
			return true;
		if (i == XS_READ_TRIES)
			break;
	}
	err = errno;	/* the callers' -errno */
	log_err("xenstore: remove %s: %s", path, strerror(err));
	errno = err;
	return false;
}

int xs_txn_run(struct xs_handle *h,
	       int (*fn)(struct xs_handle *h, xs_transaction_t t, void *arg),
	       void *arg)
{
	xs_transaction_t t;
	int rc;

	for (int starts = 1;; starts++) {
		t = xs_transaction_start(h);
		/* Nothing was done yet: a refused start is tried again. */
		if (t == XBT_NULL && starts < XS_READ_TRIES)
			continue;
		if (t == XBT_NULL)
			return errno ? -errno : -EIO;
		rc = fn(h, t, arg);
		if (rc) {
			/* fn's error is the one to tell, not the abort's. */
			xs_transaction_end(h, t, true);
			return rc < 0 ? rc : -EIO;
		}
		if (xs_transaction_end(h, t, false))
			return 0;
		/* Another writer got in first: fn reads everything again. */
		if (errno != EAGAIN)
			return errno ? -errno : -EIO;
	}
}

int xs_connect(void)
{
	snprintf(agent_root, sizeof(agent_root), XENPCI_ROOT_FMT, cfg.domid);
	snprintf(requests_path, sizeof(requests_path), "%s/" XENPCI_REQUESTS,
		 agent_root);
	snprintf(backends_path, sizeof(backends_path), XENPCI_BE_DIR_FMT,
		 cfg.domid);
	xsh = xs_open(0);
	xsw = xsh ? xs_open(0) : NULL;
	if (!xsw) {
		log_err("connect to xenstore (XENSTORED_PATH=%s): %s",
			getenv("XENSTORED_PATH") ?: "default",
			strerror(errno));
		xs_disconnect();
		return -1;
	}
	return 0;
}

void xs_disconnect(void)
{
	if (xsw)
		xs_close(xsw);
	if (xsh)
		xs_close(xsh);
	xsh = xsw = NULL;
}

/*
 * R belongs to the agent's domain and nobody else may read it, except
 * the toolstack domain, which may read and write (it writes requests).
 * Nodes the agent or the toolstack create below inherit this.
 */
static bool set_root_perms(struct xs_handle *h, xs_transaction_t t,
			   const char *path)
{
	struct xs_permissions perms[2] = {
		{ .id = cfg.domid, .perms = XS_PERM_NONE },
		{ .id = cfg.toolstack_domid,
		  .perms = XS_PERM_READ | XS_PERM_WRITE },
	};
	unsigned int n = cfg.toolstack_domid == cfg.domid ? 1 : 2;

	return xs_set_permissions(h, t, path, perms, n);
}

/* arg: the path of the node that failed, for the message. */
static int prepare_root(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	static const char *const dirs[] = { "", "/" XENPCI_REQUESTS,
					    "/" XENPCI_DEVICES };
	char *p = arg;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		snprintf(p, XS_PATH_LEN, "%s%s", agent_root, dirs[i]);
		/* mkdir keeps requests written while we were down. */
		if (!xs_mkdir(h, t, p) || !set_root_perms(h, t, p))
			return errno ? -errno : -EIO;
	}
	p[0] = '\0';	/* a failed commit is about all of them */
	return 0;
}

/* R, R/requests and R/devices exist with their permissions. */
int xs_publish_start(void)
{
	char p[XS_PATH_LEN] = "";
	int rc = xs_txn_run(xsh, prepare_root, p);

	if (rc)
		log_err("%s: create%s%s: %s", agent_root, p[0] ? " " : "", p,
			strerror(-rc));
	return rc ? -1 : 0;
}

struct publish {
	char pid[16];
	char path[XS_PATH_LEN];	/* out: the node that failed */
};

static int publish_running(struct xs_handle *h, xs_transaction_t t,
			   void *arg)
{
	static const char *const keys[] = { XENPCI_PROTOCOL, XENPCI_PID,
					    XENPCI_FEATURES, XENPCI_STATE };
	struct publish *pub = arg;
	const char *vals[] = { XENPCI_PROTOCOL_VERSION, pub->pid,
			       AGENT_FEATURES, XENPCI_STATE_RUNNING };

	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		snprintf(pub->path, sizeof(pub->path), "%s/%s", agent_root,
			 keys[i]);
		if (!xs_write(h, t, pub->path, vals[i], strlen(vals[i])))
			return errno ? -errno : -EIO;
	}
	pub->path[0] = '\0';	/* a failed commit is about all of them */
	return 0;
}

/*
 * Last, once R/devices is complete and the watch is set: protocol, pid,
 * features and state=running in one transaction.
 */
int xs_publish_running(void)
{
	struct publish pub = { .path = "" };
	int rc;

	snprintf(pub.pid, sizeof(pub.pid), "%d", (int)getpid());
	rc = xs_txn_run(xsh, publish_running, &pub);
	if (rc)
		log_err("%s: publish%s%s: %s", agent_root,
			pub.path[0] ? ": write " : "", pub.path, strerror(-rc));
	return rc ? -1 : 0;
}

void xs_publish_stopped(void)
{
	char p[160];

	snprintf(p, sizeof(p), "%s/" XENPCI_STATE, agent_root);
	if (!xs_write_str(XBT_NULL, p, XENPCI_STATE_STOPPED))
		log_err("%s: write %s: %s", agent_root, p, strerror(errno));
}

const char *xs_requests_path(void)
{
	return requests_path;
}

const char *xs_backends_path(void)
{
	return backends_path;
}

int xs_watch_requests(void)
{
	/*
	 * The first event fires at once with path == R/requests: that is
	 * the start-up scan, serving requests written while we were down.
	 */
	if (!xs_watch(xsw, requests_path, XS_TOKEN_REQUESTS)) {
		log_err("watch %s: %s", requests_path, strerror(errno));
		return -1;
	}
	/*
	 * @releaseDomain carries no domid: main.c has the guests holding
	 * devices checked.  Its first event, at once, is the start-up check
	 * for guests that died while we were down.
	 */
	if (!xs_watch(xsw, "@releaseDomain", XS_TOKEN_DOMAINS)) {
		log_err("watch @releaseDomain: %s", strerror(errno));
		xs_unwatch(xsw, requests_path, XS_TOKEN_REQUESTS);
		return -1;
	}
	/*
	 * The PCI backends, for what xl pci-attach/-detach do there
	 * (xlwatch.c); its first event is the start-up scan.
	 */
	if (!xs_watch(xsw, backends_path, XS_TOKEN_BACKENDS)) {
		log_err("watch %s: %s", backends_path, strerror(errno));
		xs_unwatch(xsw, requests_path, XS_TOKEN_REQUESTS);
		xs_unwatch(xsw, "@releaseDomain", XS_TOKEN_DOMAINS);
		return -1;
	}
	watching = true;
	return 0;
}

int xs_watch_fd(void)
{
	return xs_fileno(xsw);
}

char **xs_next_watch(void)
{
	return xs_check_watch(xsw);
}

void xs_stop_watching(void)
{
	if (!watching)
		return;
	xs_unwatch(xsw, requests_path, XS_TOKEN_REQUESTS);
	xs_unwatch(xsw, "@releaseDomain", XS_TOKEN_DOMAINS);
	xs_unwatch(xsw, backends_path, XS_TOKEN_BACKENDS);
	watching = false;
}

/* ------------------------------------------------------------ listing */

/*
 * A directory of any size.  oxenstored 4.17 has no XS_DIRECTORY_PART:
 * it answers a listing longer than XENSTORE_PAYLOAD_MAX (4096 bytes)
 * in one oversized reply, which libxenstore refuses by closing the
 * handle (read_message: E2BIG; every later call on it EBADF).  A
 * listing that may be long (R/requests after a restart, /libxl/pci on
 * a host with hundreds of functions) is therefore read on a short-lived
 * socket connection of its own, whole, whatever its size.  cxenstored
 * answers E2BIG there (it has XS_DIRECTORY_PART, which libxenstore's
 * xs_directory() falls back to, on the agent's handle).  Without a
 * socket (xenstored in a stub domain, /dev/xen/xenbus) only
 * xs_directory() is left.
 */
#define XS_LIST_MAX	(1u << 20)	/* a bound on what we accept */
#define XS_LIST_TIMEOUT	10		/* s, xenstored is local */

static bool io_all(int fd, void *buf, size_t len, bool out)
{
	char *p = buf;
	ssize_t r;

	while (len) {
		r = out ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (!r)
				errno = ECONNRESET;
			return false;
		}
		p += r;
		len -= r;
	}
	return true;
}

static int wire_errno(const char *name)
{
	for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(*xsd_errors); i++)
		if (!strcmp(name, xsd_errors[i].errstring))
			return xsd_errors[i].errnum;
	return EIO;	/* e.g. oxenstored's "EQUOTA", no errno */
}

/* body (len bytes, NUL-terminated strings) as xs_directory's array. */
static char **split(char *body, uint32_t len, unsigned int *n)
{
	unsigned int cnt = 0, i = 0;
	char **v, *p;

	for (uint32_t k = 0; k < len; k++)
		cnt += !body[k];
	v = malloc(cnt * sizeof(*v) + len + 1);
	if (!v)
		return NULL;
	p = memcpy(v + cnt, body, len);
	p[len] = '\0';
	while (i < cnt) {
		v[i++] = p;
		p += strlen(p) + 1;
	}
	*n = cnt;
	return v;
}

/* The raw listing: the array, or NULL with errno. */
static char **list_on_socket(const char *sock, const char *path,
			     unsigned int *n)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tmo = { .tv_sec = XS_LIST_TIMEOUT };
	struct xsd_sockmsg hdr = { .type = XS_DIRECTORY,
				   .len = strlen(path) + 1 };
	char **v = NULL, *body = NULL;
	int fd, err;

	if (strlen(sock) >= sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(addr.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo)) ||
	    connect(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    !io_all(fd, &hdr, sizeof(hdr), true) ||
	    !io_all(fd, (char *)path, hdr.len, true) ||
	    !io_all(fd, &hdr, sizeof(hdr), false))
		goto out_errno;
	if (hdr.len > XS_LIST_MAX) {
		errno = E2BIG;
		goto out_errno;
	}
	body = malloc(hdr.len + 1);
	if (!body || !io_all(fd, body, hdr.len, false))
		goto out_errno;
	body[hdr.len] = '\0';
	if (hdr.type == XS_ERROR)
		errno = wire_errno(body);
	else if (hdr.type != XS_DIRECTORY)
		errno = EPROTO;
	else
		v = split(body, hdr.len, n);
out_errno:
	err = errno;
	free(body);
	close(fd);
	errno = err;
	return v;
}

char **xs_list(const char *path, unsigned int *n)
{
	const char *sock = xs_daemon_socket();
	char **v = NULL;

	*n = 0;
	if (sock && !access(sock, F_OK)) {
		/* A passing refusal is tried again, as xs_directory_h() does. */
		for (int i = 0; i < XS_READ_TRIES; i++) {
			v = list_on_socket(sock, path, n);
			if (v || errno == ENOENT)
				return v;
			if (errno == E2BIG)
				break;
		}
		if (errno != E2BIG) {
			int err = errno;

			log_err("xenstore: list %s: %s (taken as absent)",
				path, strerror(err));
			errno = err;
			return NULL;
		}
	}
	return xs_directory_h(xsh, XBT_NULL, path, n);
}
