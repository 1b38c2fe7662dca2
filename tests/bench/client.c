/*
 * bench-client: the benchmark's long-lived requester (tests/bench/).
 * It holds one xenstore connection, as a toolstack daemon would, and
 * reads commands from stdin, one per line, answering one line each on
 * stdout.  Times are CLOCK_MONOTONIC microseconds.
 *
 *   mark LABEL            READ /bench/mark/LABEL on each of its two
 *                         connections (its own, libxenpci's): markers in
 *                         xenstored's trace ("ok")
 *   raw OP [K=V...]       a raw request: watch its status, then one
 *                         transaction with the fields and op last (what
 *                         one `xenstore-write` of several pairs does),
 *                         status read on its watch's events only;
 *                         time from the write to the final status seen
 *                         through the watch ("ok STATUS US"); the
 *                         request is removed afterwards, untimed
 *   lib OP [K=V...]       xenpci_call() of libxenpci: submit + wait +
 *                         remove ("ok STATUS US")
 *   batch OP N SPEC...    N requests (SPEC i, more K=V after the specs)
 *                         in ONE transaction; time until every one has
 *                         a final status ("ok NOK US"); removed after
 *   wait PATH VALUE MS    watch PATH until it reads VALUE ("ok US")
 *   exists PATH MS        watch PATH until it exists ("ok US")
 *   gone PATH MS          watch PATH until it does not exist ("ok US")
 *
 * A failure answers "fail MESSAGE".
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "xenpci_client.h"

#define TIMEOUT_MS 60000
#define BATCH_TIMEOUT_MS (3600 * 1000LL)
#define MAXARGS 600

static struct xs_handle *xs;
static struct xenpci_client *cli;
static char root[64];
static unsigned long seq;

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void reply(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Drain pending watch events; false on a xenstore failure. */
static bool drain(void)
{
	char **ev;

	while ((ev = xs_check_watch(xs)))
		free(ev);
	return errno == EAGAIN;
}

/* Wait up to ms for the next watch event. */
static bool wait_event(long long deadline)
{
	struct pollfd p = { .fd = xs_fileno(xs), .events = POLLIN };
	long long left = (deadline - now_us()) / 1000;

	if (left <= 0)
		return false;
	if (poll(&p, 1, (int)left) <= 0)
		return false;
	return drain();
}

static char *read_node(const char *path)
{
	unsigned int len;

	return xs_read(xs, XBT_NULL, path, &len);
}

static bool is_final(const char *s)
{
	return s && (!strcmp(s, "ok") || !strcmp(s, "error"));
}

/* watch path and swallow the event every new watch fires at once */
static bool watch(const char *path, const char *token)
{
	char **ev;
	unsigned int n;

	if (!xs_watch(xs, path, token))
		return false;
	ev = xs_read_watch(xs, &n);
	free(ev);
	return ev != NULL;
}

static bool write_fields(xs_transaction_t t, const char *dir, char **kv,
			 int nkv, const char *op)
{
	char path[256];
	int i;

	for (i = 0; i < nkv; i++) {
		char *eq = strchr(kv[i], '=');

		if (!eq)
			return false;
		snprintf(path, sizeof(path), "%s/%.*s", dir,
			 (int)(eq - kv[i]), kv[i]);
		if (!xs_write(xs, t, path, eq + 1, strlen(eq + 1)))
			return false;
	}
	snprintf(path, sizeof(path), "%s/op", dir);
	return xs_write(xs, t, path, op, strlen(op));
}

static void cmd_raw(const char *op, char **kv, int nkv)
{
	char dir[200], st[220], *s = NULL;
	long long t0, t1, deadline;
	xs_transaction_t t;

	snprintf(dir, sizeof(dir), "%s/requests/bench-raw-%d-%lu", root,
		 (int)getpid(), ++seq);
	snprintf(st, sizeof(st), "%s/status", dir);
	if (!watch(st, "raw"))
		return reply("fail watch %s: %s", st, strerror(errno));
	t0 = now_us();
	for (;;) {
		t = xs_transaction_start(xs);
		if (t == XBT_NULL || !write_fields(t, dir, kv, nkv, op)) {
			reply("fail write %s: %s", dir, strerror(errno));
			goto out;
		}
		if (xs_transaction_end(xs, t, false))
			break;
		if (errno != EAGAIN) {
			reply("fail commit %s: %s", dir, strerror(errno));
			goto out;
		}
	}
	/*
	 * The watch was set before the request existed: nothing to read
	 * until an event says status changed (PROTOCOL.md section 5).
	 */
	deadline = t0 + TIMEOUT_MS * 1000LL;
	do {
		free(s);
		s = NULL;
		if (!wait_event(deadline)) {
			reply("fail no final status for %s", dir);
			goto out;
		}
	} while (!is_final(s = read_node(st)));
	t1 = now_us();
	reply("ok %s %lld", s, t1 - t0);
out:
	free(s);
	xs_unwatch(xs, st, "raw");
	xs_rm(xs, XBT_NULL, dir);
}

static void cmd_lib(const char *op, char **kv, int nkv)
{
	struct xenpci_request *req = xenpci_request_new(op);
	struct xenpci_reply *rep = NULL;
	long long t0, t1;
	int i, rc;

	if (!req)
		return reply("fail xenpci_request_new: %s", strerror(errno));
	for (i = 0; i < nkv; i++) {
		char *eq = strchr(kv[i], '=');

		*eq = '\0';
		xenpci_request_set(req, kv[i], eq + 1);
	}
	t0 = now_us();
	rc = xenpci_call(cli, req, TIMEOUT_MS, &rep);
	t1 = now_us();
	if (rc < 0)
		reply("fail xenpci_call: %s", xenpci_client_errmsg(cli));
	else
		reply("ok %s %lld", rep->status, t1 - t0);
	xenpci_reply_free(rep);
	xenpci_request_free(req);
}

static char reqs[100];

static void check_one(unsigned long b, int i, bool *done, int *left,
		      int *nok)
{
	char path[256], *s;

	if (done[i])
		return;
	snprintf(path, sizeof(path), "%s/bench-b%lu-%d/status", reqs, b, i);
	s = read_node(path);
	if (is_final(s)) {
		done[i] = true;
		(*left)--;
		*nok += !strcmp(s, "ok");
	}
	free(s);
}

static void cmd_batch(const char *op, int n, char **specs, char **kv,
		      int nkv)
{
	char dir[200], path[256];
	bool *done = calloc(n, sizeof(bool)), scan;
	long long t0, t1, deadline;
	xs_transaction_t t;
	int i, left = n, nok = 0;
	unsigned long b = ++seq;

	snprintf(reqs, sizeof(reqs), "%s/requests", root);
	if (!done || !watch(reqs, "batch"))
		return reply("fail watch %s: %s", reqs, strerror(errno));
	t0 = now_us();
	for (;;) {
		t = xs_transaction_start(xs);
		for (i = 0; t != XBT_NULL && i < n; i++) {
			snprintf(dir, sizeof(dir), "%s/bench-b%lu-%d", reqs, b,
				 i);
			snprintf(path, sizeof(path), "%s/spec", dir);
			if (!xs_write(xs, t, path, specs[i], strlen(specs[i])) ||
			    !write_fields(t, dir, kv, nkv, op))
				break;
		}
		if (t == XBT_NULL || i < n) {
			reply("fail write batch: %s", strerror(errno));
			goto out;
		}
		if (xs_transaction_end(xs, t, false))
			break;
		if (errno != EAGAIN) {
			reply("fail commit batch: %s", strerror(errno));
			goto out;
		}
	}
	/* Each status event names its request; a full scan only when the
	 * events go quiet for a second (nothing is lost that way). */
	deadline = t0 + BATCH_TIMEOUT_MS * 1000LL;
	scan = true;
	while (left) {
		struct pollfd p = { .fd = xs_fileno(xs), .events = POLLIN };
		char **ev;

		for (i = 0; scan && i < n; i++)
			check_one(b, i, done, &left, &nok);
		scan = false;
		if (!left)
			break;
		if (now_us() > deadline) {
			reply("fail %d of %d without a final status", left, n);
			goto out;
		}
		if (poll(&p, 1, 1000) <= 0) {
			scan = true;
			continue;
		}
		while ((ev = xs_check_watch(xs))) {
			const char *q = ev[XS_WATCH_PATH];
			unsigned long eb;
			int ei, len = 0;

			if (sscanf(q + strlen(reqs), "/bench-b%lu-%d/status%n",
				   &eb, &ei, &len) == 2 && !q[strlen(reqs) + len] &&
			    eb == b && ei >= 0 && ei < n)
				check_one(b, ei, done, &left, &nok);
			free(ev);
		}
		if (errno != EAGAIN) {
			reply("fail watch: %s", strerror(errno));
			goto out;
		}
	}
	t1 = now_us();
	reply("ok %d %lld", nok, t1 - t0);
out:
	xs_unwatch(xs, reqs, "batch");
	for (i = 0; i < n; i++) {
		snprintf(dir, sizeof(dir), "%s/bench-b%lu-%d", reqs, b, i);
		xs_rm(xs, XBT_NULL, dir);
	}
	free(done);
}

enum until { READS, EXISTS, GONE };

/* until path reads value, exists or is gone */
static void cmd_wait(const char *path, enum until u, const char *value,
		     long ms)
{
	long long t0 = now_us(), deadline = t0 + ms * 1000LL;
	char *s;
	bool hit;

	if (!watch(path, "wait"))
		return reply("fail watch %s: %s", path, strerror(errno));
	for (;;) {
		s = read_node(path);
		hit = u == READS ? s && !strcmp(s, value) :
		      u == EXISTS ? s != NULL : !s;
		free(s);
		if (hit)
			break;
		if (!wait_event(deadline)) {
			reply("fail %s: not %s after %ld ms", path,
			      u == READS ? value : u == EXISTS ? "there" :
			      "gone", ms);
			goto out;
		}
	}
	reply("ok %lld", now_us() - t0);
out:
	xs_unwatch(xs, path, "wait");
}

int main(void)
{
	char line[65536], *argv[MAXARGS], *save;
	int argc;

	xs = xs_open(0);
	cli = xenpci_client_open(0);
	if (!xs || !cli) {
		fprintf(stderr, "bench-client: connect to xenstore: %s\n",
			strerror(errno));
		return 1;
	}
	snprintf(root, sizeof(root), XENPCI_ROOT_FMT, 0u);
	reply("ready");
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		argc = 0;
		for (char *tok = strtok_r(line, " ", &save);
		     tok && argc < MAXARGS; tok = strtok_r(NULL, " ", &save))
			argv[argc++] = tok;
		if (argc == 0)
			continue;
		if (!strcmp(argv[0], "mark") && argc == 2) {
			char p[200], *v;
			unsigned int len;

			/* on both connections, so that the trace names them */
			snprintf(p, sizeof(p), "/bench/mark/%s", argv[1]);
			v = read_node(p);
			free(v);
			v = xs_read(xenpci_client_xs(cli), XBT_NULL, p, &len);
			free(v);
			reply("ok");
		} else if (!strcmp(argv[0], "raw") && argc >= 2) {
			cmd_raw(argv[1], argv + 2, argc - 2);
		} else if (!strcmp(argv[0], "lib") && argc >= 2) {
			cmd_lib(argv[1], argv + 2, argc - 2);
		} else if (!strcmp(argv[0], "batch") && argc >= 3 &&
			   atoi(argv[2]) > 0 && atoi(argv[2]) <= argc - 3) {
			int n = atoi(argv[2]);

			cmd_batch(argv[1], n, argv + 3, argv + 3 + n,
				  argc - 3 - n);
		} else if (!strcmp(argv[0], "wait") && argc == 4) {
			cmd_wait(argv[1], READS, argv[2], atol(argv[3]));
		} else if (!strcmp(argv[0], "exists") && argc == 3) {
			cmd_wait(argv[1], EXISTS, NULL, atol(argv[2]));
		} else if (!strcmp(argv[0], "gone") && argc == 3) {
			cmd_wait(argv[1], GONE, NULL, atol(argv[2]));
		} else if (!strcmp(argv[0], "quit")) {
			break;
		} else {
			reply("fail unknown command %s", argv[0]);
		}
	}
	xenpci_client_close(cli);
	xs_close(xs);
	return 0;
}
