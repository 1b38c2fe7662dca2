/*
 * The xenstore side: one connection (libxenstore, xs_open(0), which
 * honours XENSTORED_PATH), one watch on R/requests, and the agent's
 * published nodes under R.
 *
 * libxenstore delivers watch events through a pipe (xs_fileno) that is
 * readable while events are queued.  It is watched level-triggered and
 * drained with xs_check_watch() until it reports EAGAIN, never with the
 * blocking xs_read_watch(), so the loop sleeps in the kernel when idle.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"

#define WATCH_TOKEN	"requests"
#define DOMAINS_TOKEN	"domains"

struct xs_handle *xsh;
char agent_root[64];
static char requests_path[96];
static ev_io watch_io;
static bool watching;

char *xs_read_str(xs_transaction_t t, const char *path)
{
	unsigned int len;

	return xs_read(xsh, t, path, &len);
}

bool xs_write_str(xs_transaction_t t, const char *path, const char *val)
{
	return xs_write(xsh, t, path, val, strlen(val));
}

bool xs_exists(xs_transaction_t t, const char *path)
{
	char *v = xs_read_str(t, path);

	free(v);
	return v != NULL;
}

bool xs_remove(xs_transaction_t t, const char *path)
{
	if (xs_rm(xsh, t, path))
		return true;
	return errno == ENOENT;
}

int xs_connect(void)
{
	snprintf(agent_root, sizeof(agent_root), XENPCI_ROOT_FMT, cfg.domid);
	snprintf(requests_path, sizeof(requests_path), "%s/" XENPCI_REQUESTS,
		 agent_root);
	xsh = xs_open(0);
	if (!xsh) {
		log_err("connect to xenstore (XENSTORED_PATH=%s): %s",
			getenv("XENSTORED_PATH") ?: "default",
			strerror(errno));
		return -1;
	}
	return 0;
}

void xs_disconnect(void)
{
	if (xsh)
		xs_close(xsh);
	xsh = NULL;
}

/*
 * R belongs to the agent's domain and nobody else may read it, except
 * the toolstack domain, which may read and write (it writes requests).
 * Nodes the agent or the toolstack create below inherit this.
 */
static bool set_root_perms(xs_transaction_t t, const char *path)
{
	struct xs_permissions perms[2] = {
		{ .id = cfg.domid, .perms = XS_PERM_NONE },
		{ .id = cfg.toolstack_domid,
		  .perms = XS_PERM_READ | XS_PERM_WRITE },
	};
	unsigned int n = cfg.toolstack_domid == cfg.domid ? 1 : 2;

	return xs_set_permissions(xsh, t, path, perms, n);
}

/* Run fn in a transaction, redone from the start on EAGAIN. */
static int xs_txn(const char *what, bool (*fn)(xs_transaction_t t))
{
	xs_transaction_t t;

	for (;;) {
		t = xs_transaction_start(xsh);
		if (t == XBT_NULL) {
			log_err("%s: %s: start transaction: %s", agent_root,
				what, strerror(errno));
			return -1;
		}
		if (!fn(t)) {
			int err = errno;

			xs_transaction_end(xsh, t, true);
			log_err("%s: %s: %s", agent_root, what, strerror(err));
			return -1;
		}
		if (xs_transaction_end(xsh, t, false))
			return 0;
		if (errno != EAGAIN) {
			log_err("%s: %s: commit: %s", agent_root, what,
				strerror(errno));
			return -1;
		}
	}
}

static bool prepare_root(xs_transaction_t t)
{
	static const char *const dirs[] = { "", "/" XENPCI_REQUESTS,
					    "/" XENPCI_DEVICES };
	char p[160];
	bool ok = true;

	for (size_t i = 0; ok && i < sizeof(dirs) / sizeof(*dirs); i++) {
		snprintf(p, sizeof(p), "%s%s", agent_root, dirs[i]);
		/* mkdir keeps requests written while we were down. */
		ok = xs_mkdir(xsh, t, p) && set_root_perms(t, p);
	}
	return ok;
}

/* R, R/requests and R/devices exist with their permissions. */
int xs_publish_start(void)
{
	return xs_txn("create", prepare_root);
}

static bool publish_running(xs_transaction_t t)
{
	char p[160], pid[16];
	bool ok = true;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(p, sizeof(p), "%s/" XENPCI_PROTOCOL, agent_root);
	ok = ok && xs_write_str(t, p, XENPCI_PROTOCOL_VERSION);
	snprintf(p, sizeof(p), "%s/" XENPCI_PID, agent_root);
	ok = ok && xs_write_str(t, p, pid);
	snprintf(p, sizeof(p), "%s/" XENPCI_FEATURES, agent_root);
	ok = ok && xs_write_str(t, p, AGENT_FEATURES);
	snprintf(p, sizeof(p), "%s/" XENPCI_STATE, agent_root);
	return ok && xs_write_str(t, p, XENPCI_STATE_RUNNING);
}

/*
 * Last, once R/devices is complete and the watch is set: protocol, pid,
 * features and state=running in one transaction.
 */
int xs_publish_running(void)
{
	return xs_txn("publish", publish_running);
}

void xs_publish_stopped(void)
{
	char p[160];

	snprintf(p, sizeof(p), "%s/" XENPCI_STATE, agent_root);
	if (!xs_write_str(XBT_NULL, p, XENPCI_STATE_STOPPED))
		log_err("%s: write %s: %s", agent_root, p, strerror(errno));
}

static void watch_cb(struct ev_loop *l, ev_io *w, int revents)
{
	char **ev;

	(void)l;
	(void)w;
	(void)revents;
	while ((ev = xs_check_watch(xsh))) {
		if (!strcmp(ev[XS_WATCH_TOKEN], WATCH_TOKEN))
			request_watch_event(ev[XS_WATCH_PATH]);
		else if (!strcmp(ev[XS_WATCH_TOKEN], DOMAINS_TOKEN))
			domains_changed();
		free(ev);
	}
	if (errno != EAGAIN) {
		/* The connection is gone: nothing more can be served. */
		log_err("xenstore watch: %s; stopping", strerror(errno));
		ev_io_stop(loop, &watch_io);
		watching = false;
		agent_stopping = true;
		agent_exit_code = 1;
		request_shutdown();
		agent_maybe_exit();
	}
}

int xs_watch_requests(void)
{
	/*
	 * The first event fires at once with path == R/requests: that is
	 * the start-up scan, serving requests written while we were down.
	 */
	if (!xs_watch(xsh, requests_path, WATCH_TOKEN)) {
		log_err("watch %s: %s", requests_path, strerror(errno));
		return -1;
	}
	/*
	 * @releaseDomain carries no domid; domains_changed() finds out
	 * which guests holding devices are gone.  Its first event, at
	 * once, is the start-up check for guests that died while we were
	 * down.
	 */
	if (!xs_watch(xsh, "@releaseDomain", DOMAINS_TOKEN)) {
		log_err("watch @releaseDomain: %s", strerror(errno));
		xs_unwatch(xsh, requests_path, WATCH_TOKEN);
		return -1;
	}
	ev_io_init(&watch_io, watch_cb, xs_fileno(xsh), EV_READ);
	ev_io_start(loop, &watch_io);
	watching = true;
	return 0;
}

void xs_stop_watching(void)
{
	if (!watching)
		return;
	ev_io_stop(loop, &watch_io);
	xs_unwatch(xsh, requests_path, WATCH_TOKEN);
	xs_unwatch(xsh, "@releaseDomain", DOMAINS_TOKEN);
	watching = false;
}
