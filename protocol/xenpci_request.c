/*
 * Requests: build, submit in one transaction, wait for the final
 * status on a watch, read the reply, remove.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xenpci_internal.h"

#define SUBMIT_ATTEMPTS		100	/* EAGAIN retries of one submit */
#define RESULT_DEPTH_MAX	8

struct req_field {
	char *key;
	char *value;
};

struct xenpci_request {
	char id[XENPCI_REQ_ID_LEN];
	bool id_generated;
	char *op;
	struct req_field *fields;
	unsigned int nfields;
};

/* ------------------------------------------------------------------ */
/* Building                                                           */

struct xenpci_request *xenpci_request_new(const char *op)
{
	struct xenpci_request *req;

	if (!op || !*op) {
		errno = EINVAL;
		return NULL;
	}
	req = calloc(1, sizeof(*req));
	if (!req)
		return NULL;
	req->op = strdup(op);
	if (!req->op || xenpci_request_id_generate("req", req->id)) {
		free(req->op);
		free(req);
		errno = ENOMEM;
		return NULL;
	}
	req->id_generated = true;
	return req;
}

void xenpci_request_free(struct xenpci_request *req)
{
	unsigned int i;

	if (!req)
		return;
	for (i = 0; i < req->nfields; i++) {
		free(req->fields[i].key);
		free(req->fields[i].value);
	}
	free(req->fields);
	free(req->op);
	free(req);
}

int xenpci_request_set_id(struct xenpci_request *req, const char *id)
{
	if (!xenpci_request_id_valid(id))
		return -EINVAL;
	strcpy(req->id, id);
	req->id_generated = false;
	return 0;
}

const char *xenpci_request_id(const struct xenpci_request *req)
{
	return req->id;
}

const char *xenpci_request_op(const struct xenpci_request *req)
{
	return req->op;
}

static bool field_key_valid(const char *key)
{
	static const char *const reserved[] = {
		XENPCI_REQ_OP, XENPCI_REQ_STATUS, XENPCI_REQ_ERROR,
		XENPCI_REQ_CODE, XENPCI_REQ_RESULT,
	};
	size_t n = key ? strlen(key) : 0;
	unsigned int i;

	if (n < 1 || n > 64)
		return false;
	if (strspn(key, "abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			"0123456789_@-") != n)
		return false;
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (strcmp(key, reserved[i]) == 0)
			return false;
	return true;
}

int xenpci_request_set(struct xenpci_request *req, const char *key,
		       const char *value)
{
	struct req_field *f;
	char *v, *k;
	unsigned int i;

	if (!field_key_valid(key) || !value)
		return -EINVAL;
	v = strdup(value);
	if (!v)
		return -ENOMEM;
	for (i = 0; i < req->nfields; i++) {
		if (strcmp(req->fields[i].key, key) == 0) {
			free(req->fields[i].value);
			req->fields[i].value = v;
			return 0;
		}
	}
	k = strdup(key);
	f = realloc(req->fields, (req->nfields + 1) * sizeof(*f));
	if (!k || !f) {
		free(k);
		free(v);
		if (f)
			req->fields = f;
		return -ENOMEM;
	}
	req->fields = f;
	f[req->nfields].key = k;
	f[req->nfields].value = v;
	req->nfields++;
	return 0;
}

int xenpci_request_setf(struct xenpci_request *req, const char *key,
			const char *fmt, ...)
{
	va_list ap;
	char *v;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -ENOMEM;
	rc = xenpci_request_set(req, key, v);
	free(v);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Submitting                                                         */

static int req_path(const struct xenpci_client *c,
		    const struct xenpci_request *req, char *buf, size_t len,
		    const char *leaf)
{
	if (leaf)
		return xenpci_path(c, buf, len, "%s/%s/%s", XENPCI_REQUESTS,
				   req->id, leaf);
	return xenpci_path(c, buf, len, "%s/%s", XENPCI_REQUESTS, req->id);
}

static int write_node(struct xenpci_client *c, xs_transaction_t t,
		      const char *path, const char *value)
{
	if (!xs_write(c->xs, t, path, value, strlen(value))) {
		int err = errno;

		xenpci_set_err(c, "write %s: %s", path, strerror(err));
		return -err;
	}
	return 0;
}

/* The body of the submit transaction; the caller commits or aborts. */
static int submit_in(struct xenpci_client *c, struct xenpci_request *req,
		     xs_transaction_t t)
{
	char path[XENPCI_PATH_MAX];
	unsigned int len, i;
	char *val;
	int rc;

	/* The agent must be serving, else nobody would answer. */
	if (xenpci_path(c, path, sizeof(path), XENPCI_STATE))
		return -ENAMETOOLONG;
	val = xs_read(c->xs, t, path, &len);
	if (!val) {
		if (errno != ENOENT) {
			rc = -errno;
			xenpci_set_err(c, "read %s: %s", path, strerror(-rc));
			return rc;
		}
		xenpci_set_err(c, "%s does not exist", path);
		return -EHOSTDOWN;
	}
	if (strcmp(val, XENPCI_STATE_RUNNING) != 0) {
		xenpci_set_err(c, "%s is \"%s\", not \"%s\"", path,
			       val, XENPCI_STATE_RUNNING);
		free(val);
		return -EHOSTDOWN;
	}
	free(val);

	/*
	 * A chosen ID must be new.  A generated one is new by construction
	 * (pid, nanosecond clock, a counter and 32 random bits): checking
	 * it would cost a xenstore round trip for every request.
	 */
	if (req_path(c, req, path, sizeof(path), NULL))
		return -ENAMETOOLONG;
	val = req->id_generated ? NULL : xs_read(c->xs, t, path, &len);
	if (val) {
		free(val);
		xenpci_set_err(c, "request %s already exists", path);
		return -EEXIST;
	}
	if (!req->id_generated && errno != ENOENT) {
		rc = -errno;
		xenpci_set_err(c, "read %s: %s", path, strerror(-rc));
		return rc;
	}

	for (i = 0; i < req->nfields; i++) {
		if (req_path(c, req, path, sizeof(path), req->fields[i].key))
			return -ENAMETOOLONG;
		rc = write_node(c, t, path, req->fields[i].value);
		if (rc)
			return rc;
	}
	/* op last: an agent that does not use the transaction still sees
	 * a complete request once op exists. */
	if (req_path(c, req, path, sizeof(path), XENPCI_REQ_OP))
		return -ENAMETOOLONG;
	return write_node(c, t, path, req->op);
}

int xenpci_request_submit(struct xenpci_client *c, struct xenpci_request *req)
{
	unsigned int attempt;
	xs_transaction_t t;
	int rc;

	for (attempt = 0; attempt < SUBMIT_ATTEMPTS; attempt++) {
		t = xs_transaction_start(c->xs);
		if (t == XBT_NULL) {
			rc = -errno;
			xenpci_set_err(c, "start xenstore transaction: %s",
				       strerror(-rc));
			return rc;
		}
		rc = submit_in(c, req, t);
		if (rc) {
			xs_transaction_end(c->xs, t, true);
			return rc;
		}
		if (xs_transaction_end(c->xs, t, false))
			return 0;
		if (errno != EAGAIN) {
			rc = -errno;
			xenpci_set_err(c, "commit request %s: %s", req->id,
				       strerror(-rc));
			return rc;
		}
	}
	xenpci_set_err(c, "commit request %s: still conflicting after %u attempts",
		       req->id, SUBMIT_ATTEMPTS);
	return -EAGAIN;
}

/* ------------------------------------------------------------------ */
/* Replies                                                            */

bool xenpci_status_final(const char *status)
{
	return status && (strcmp(status, XENPCI_STATUS_OK) == 0 ||
			  strcmp(status, XENPCI_STATUS_ERROR) == 0);
}

bool xenpci_reply_ok(const struct xenpci_reply *reply)
{
	return reply && reply->status &&
	       strcmp(reply->status, XENPCI_STATUS_OK) == 0;
}

const char *xenpci_reply_result(const struct xenpci_reply *reply,
				const char *key)
{
	unsigned int i;

	for (i = 0; reply && i < reply->nresults; i++)
		if (strcmp(reply->results[i].key, key) == 0)
			return reply->results[i].value;
	return NULL;
}

void xenpci_reply_free(struct xenpci_reply *reply)
{
	unsigned int i;

	if (!reply)
		return;
	for (i = 0; i < reply->nresults; i++) {
		free(reply->results[i].key);
		free(reply->results[i].value);
	}
	free(reply->results);
	free(reply->status);
	free(reply->error);
	free(reply->code);
	free(reply);
}

/* Read a node; NULL with *err = 0 when it does not exist. */
static char *read_opt(struct xenpci_client *c, const char *path, int *err)
{
	unsigned int len;
	char *val = xs_read(c->xs, XBT_NULL, path, &len);

	*err = 0;
	if (!val && errno != ENOENT) {
		*err = -errno;
		xenpci_set_err(c, "read %s: %s", path, strerror(errno));
	}
	return val;
}

char *xenpci_request_status(struct xenpci_client *c,
			    const struct xenpci_request *req)
{
	char path[XENPCI_PATH_MAX];
	int err;
	char *val;

	if (req_path(c, req, path, sizeof(path), XENPCI_REQ_STATUS)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	val = read_opt(c, path, &err);
	if (!val)
		errno = err ? -err : ENOENT;
	return val;
}

static int add_result(struct xenpci_reply *rep, const char *key, char *value)
{
	struct xenpci_result *r;
	char *k = strdup(key);

	r = realloc(rep->results, (rep->nresults + 1) * sizeof(*r));
	if (!k || !r) {
		free(k);
		if (r)
			rep->results = r;
		return -ENOMEM;
	}
	rep->results = r;
	r[rep->nresults].key = k;
	r[rep->nresults].value = value;
	rep->nresults++;
	return 0;
}

/* Collect every node below path as "rel/child" keys. */
static int read_results(struct xenpci_client *c, struct xenpci_reply *rep,
			const char *path, const char *rel, unsigned int depth)
{
	char child[XENPCI_PATH_MAX], crel[XENPCI_PATH_MAX];
	unsigned int n, i;
	char **names;
	int rc = 0;

	if (depth > RESULT_DEPTH_MAX)
		return 0;
	names = xs_directory(c->xs, XBT_NULL, path, &n);
	if (!names) {
		if (errno == ENOENT)
			return 0;
		rc = -errno;
		xenpci_set_err(c, "list %s: %s", path, strerror(-rc));
		return rc;
	}
	for (i = 0; i < n && rc == 0; i++) {
		size_t nc, nr;
		char *val;

		nc = snprintf(child, sizeof(child), "%s/%s", path, names[i]);
		nr = snprintf(crel, sizeof(crel), "%s%s%s", rel,
			      *rel ? "/" : "", names[i]);

		if (nc >= sizeof(child) || nr >= sizeof(crel)) {
			rc = -ENAMETOOLONG;
			break;
		}
		val = read_opt(c, child, &rc);
		if (rc)
			break;
		if (!val)
			continue;	/* removed meanwhile */
		rc = add_result(rep, crel, val);
		if (rc) {
			free(val);
			break;
		}
		/*
		 * A node with a value is a leaf in what agents write; only an
		 * empty one (a parent made implicitly) may hold nested keys.
		 * A listing of every leaf would cost a round trip each.
		 */
		if (!val[0])
			rc = read_results(c, rep, child, crel, depth + 1);
	}
	free(names);
	return rc;
}

static int cmp_result(const void *a, const void *b)
{
	const struct xenpci_result *x = a, *y = b;

	return strcmp(x->key, y->key);
}

/*
 * Ops whose answer carries no result/ in protocol v1 (PROTOCOL.md
 * section 4.3): their reply costs no listing of result/.
 */
static bool op_has_results(const char *op)
{
	static const char *const none[] = {
		XENPCI_OP_ASSIGNABLE_ADD, XENPCI_OP_ASSIGNABLE_REMOVE,
		XENPCI_OP_DETACH,
	};
	unsigned int i;

	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		if (strcmp(op, none[i]) == 0)
			return false;
	return true;
}

/*
 * error and code come only with status=error, result/ only with
 * status=ok (PROTOCOL.md section 4): read only what the status says is
 * there, all of it written before or with the status.
 */
static int read_reply(struct xenpci_client *c, struct xenpci_request *req,
		      char *status, struct xenpci_reply **reply)
{
	struct xenpci_reply *rep = calloc(1, sizeof(*rep));
	char path[XENPCI_PATH_MAX];
	int rc = 0;

	if (!rep) {
		free(status);
		return -ENOMEM;
	}
	rep->status = status;
	if (strcmp(status, XENPCI_STATUS_ERROR) == 0) {
		if (req_path(c, req, path, sizeof(path), XENPCI_REQ_ERROR))
			goto toolong;
		rep->error = read_opt(c, path, &rc);
		if (rc)
			goto fail;
		if (req_path(c, req, path, sizeof(path), XENPCI_REQ_CODE))
			goto toolong;
		rep->code = read_opt(c, path, &rc);
		if (rc)
			goto fail;
	} else if (op_has_results(req->op)) {
		if (req_path(c, req, path, sizeof(path), XENPCI_REQ_RESULT))
			goto toolong;
		rc = read_results(c, rep, path, "", 0);
		if (rc)
			goto fail;
	}
	if (rep->nresults > 1)
		qsort(rep->results, rep->nresults, sizeof(*rep->results),
		      cmp_result);
	*reply = rep;
	return 0;

toolong:
	rc = -ENAMETOOLONG;
fail:
	xenpci_reply_free(rep);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Waiting                                                            */

/*
 * Round trips are what a request costs (issue 10), so the wait reads
 * only what a watch event says changed:
 *  - the watch on R/state is set once per client and stays until
 *    xenpci_client_close() (closing the connection drops it);
 *  - the watch on the request's status is set per request; its removal
 *    is left to the next request or to the close, which drops it with
 *    the connection (a one-shot CLI never pays for it);
 *  - every watch fires once at once (xenstore's WATCH), before any
 *    event of a later change: those first events say nothing the
 *    caller does not know already, and are skipped.
 */
#define STATE_TOKEN	"xenpci-state"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The status watch of the previous request, if it is still set. */
static void unwatch_pending(struct xenpci_client *c)
{
	if (!c->unwatch_path[0])
		return;
	xs_unwatch(c->xw, c->unwatch_path, c->unwatch_token);
	c->unwatch_path[0] = c->unwatch_token[0] = '\0';
}

struct waiter {
	char spath[XENPCI_PATH_MAX], apath[XENPCI_PATH_MAX];
	char stok[XENPCI_PATH_MAX];
	bool status_fresh;	/* its first event not seen yet */
};

static int arm(struct xenpci_client *c, struct xenpci_request *req,
	       struct waiter *w)
{
	int rc;

	if (req_path(c, req, w->spath, sizeof(w->spath), XENPCI_REQ_STATUS) ||
	    xenpci_path(c, w->apath, sizeof(w->apath), XENPCI_STATE))
		return -ENAMETOOLONG;
	snprintf(w->stok, sizeof(w->stok), "xenpci-status-%s", req->id);
	if (!c->xw && !(c->xw = xs_open(0))) {
		rc = errno ? -errno : -ECONNREFUSED;
		xenpci_set_err(c, "connect to xenstore for the watches: %s",
			       strerror(-rc));
		return rc;
	}
	unwatch_pending(c);
	if (!c->state_watched) {
		if (!xs_watch(c->xw, w->apath, STATE_TOKEN))
			goto fail_a;
		c->state_watched = c->state_fresh = true;
	}
	if (!xs_watch(c->xw, w->spath, w->stok)) {
		rc = -errno;
		xenpci_set_err(c, "watch %s: %s", w->spath, strerror(-rc));
		return rc;
	}
	w->status_fresh = true;
	snprintf(c->unwatch_path, sizeof(c->unwatch_path), "%s", w->spath);
	snprintf(c->unwatch_token, sizeof(c->unwatch_token), "%s", w->stok);
	return 0;
fail_a:
	rc = -errno;
	xenpci_set_err(c, "watch %s: %s", w->apath, strerror(-rc));
	return rc;
}

/* Consume the queued events; say which of ours changed. */
static int drain_watches(struct xenpci_client *c, struct waiter *w,
			 bool *state, bool *status)
{
	char **ev;

	while ((ev = xs_check_watch(c->xw)) != NULL) {
		const char *tok = ev[XS_WATCH_TOKEN];

		if (strcmp(tok, STATE_TOKEN) == 0) {
			*state = *state || !c->state_fresh;
			c->state_fresh = false;
		} else if (strcmp(tok, w->stok) == 0) {
			*status = *status || !w->status_fresh;
			w->status_fresh = false;
		}
		free(ev);
	}
	if (errno != EAGAIN) {
		int err = errno;

		xenpci_set_err(c, "read xenstore watch events: %s",
			       strerror(err));
		return -err;
	}
	return 0;
}

/*
 * 1: final (*reply set), 0: not yet, else -errno.  With check_state,
 * R/state first: a final status written before "stopped" is then
 * always seen.
 */
static int look(struct xenpci_client *c, struct xenpci_request *req,
		struct waiter *w, bool check_state,
		struct xenpci_reply **reply)
{
	char *state = NULL, *status;
	int running = 1, rc;

	if (check_state) {
		running = xenpci_agent_running(c, &state);
		if (running < 0)
			return running;
	}
	status = read_opt(c, w->spath, &rc);
	if (rc) {
		free(state);
		return rc;
	}
	if (xenpci_status_final(status)) {
		free(state);
		rc = read_reply(c, req, status, reply);
		return rc ? rc : 1;
	}
	free(status);
	if (!running) {
		if (state)
			xenpci_set_err(c, "%s is \"%s\", not \"%s\"", w->apath,
				       state, XENPCI_STATE_RUNNING);
		else
			xenpci_set_err(c, "%s does not exist", w->apath);
		free(state);
		return -EHOSTDOWN;
	}
	free(state);
	return 0;
}

/* initial: look once before the first event (the caller knows nothing). */
static int wait_armed(struct xenpci_client *c, struct xenpci_request *req,
		      struct waiter *w, bool initial, unsigned int timeout_ms,
		      struct xenpci_reply **reply)
{
	long long deadline = now_ms() + timeout_ms;
	int fd = xs_fileno(c->xw), rc;

	if (fd < 0) {
		rc = -errno;
		xenpci_set_err(c, "get the xenstore watch fd: %s",
			       strerror(-rc));
		return rc;
	}
	rc = initial ? look(c, req, w, true, reply) : 0;
	while (rc == 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		bool state = false, status = false;
		long long left = deadline - now_ms();

		if (left <= 0) {
			xenpci_set_err(c, "no final status in %s after %u ms",
				       w->spath, timeout_ms);
			return -ETIMEDOUT;
		}
		rc = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (rc < 0 && errno != EINTR) {
			rc = -errno;
			xenpci_set_err(c, "poll xenstore watch fd: %s",
				       strerror(-rc));
			return rc;
		}
		rc = rc > 0 ? drain_watches(c, w, &state, &status) : 0;
		if (!rc && (state || status))
			rc = look(c, req, w, state, reply);
	}
	return rc < 0 ? rc : 0;
}

int xenpci_request_wait(struct xenpci_client *c, struct xenpci_request *req,
			unsigned int timeout_ms, struct xenpci_reply **reply)
{
	struct waiter w;
	int rc;

	*reply = NULL;
	rc = arm(c, req, &w);
	return rc ? rc : wait_armed(c, req, &w, true, timeout_ms, reply);
}

/* ------------------------------------------------------------------ */
/* Removing                                                           */

int xenpci_request_remove(struct xenpci_client *c,
			  const struct xenpci_request *req)
{
	char path[XENPCI_PATH_MAX];
	int rc;

	if (req_path(c, req, path, sizeof(path), NULL))
		return -ENAMETOOLONG;
	if (!xs_rm(c->xs, XBT_NULL, path) && errno != ENOENT) {
		rc = -errno;
		xenpci_set_err(c, "remove %s: %s", path, strerror(-rc));
		return rc;
	}
	return 0;
}

int xenpci_call(struct xenpci_client *c, struct xenpci_request *req,
		unsigned int timeout_ms, struct xenpci_reply **reply)
{
	char msg[sizeof(c->errmsg)];
	struct waiter w;
	int rc;

	*reply = NULL;
	/*
	 * Watches first: the submit then checks R/state after they are
	 * set and the status cannot be there before the request is, so
	 * nothing needs reading until an event says it changed.
	 */
	rc = arm(c, req, &w);
	if (rc)
		return rc;
	rc = xenpci_request_submit(c, req);
	if (rc)
		return rc;
	rc = wait_armed(c, req, &w, false, timeout_ms, reply);
	/* Keep the wait's message: it explains rc. */
	memcpy(msg, c->errmsg, sizeof(msg));
	xenpci_request_remove(c, req);
	memcpy(c->errmsg, msg, sizeof(msg));
	return rc;
}
