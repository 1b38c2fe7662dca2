/*
 * xstest: xenstore behaviours the shell tools cannot show, checked
 * against the running xenstored (XENSTORED_PATH).  Each subcommand
 * prints what happened; the test script decides what is right.
 *
 *   xstest txn-conflict PATH   a transaction that read PATH while
 *                              another client wrote it must fail EAGAIN
 *   xstest txn-watch PATH      a watch fires for a transaction's write
 *                              only at commit
 *   xstest watch-initial PATH  a new watch fires once at once, with
 *                              the watched path
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

static struct xs_handle *conn(void)
{
	struct xs_handle *h = xs_open(0);

	if (!h) {
		perror("xs_open");
		exit(2);
	}
	return h;
}

static int txn_conflict(const char *path)
{
	struct xs_handle *a = conn(), *b = conn();
	unsigned int len;
	xs_transaction_t t;
	char *v;
	bool ok;

	xs_write(a, XBT_NULL, path, "0", 1);
	t = xs_transaction_start(a);
	v = xs_read(a, t, path, &len);
	free(v);
	xs_write(b, XBT_NULL, path, "other", 5);
	xs_write(a, t, path, "mine", 4);
	ok = xs_transaction_end(a, t, false);
	printf("commit=%s errno=%s\n", ok ? "ok" : "failed",
	       ok ? "0" : (errno == EAGAIN ? "EAGAIN" : strerror(errno)));
	v = xs_read(a, XBT_NULL, path, &len);
	printf("value=%s\n", v ? v : "(none)");
	free(v);
	xs_close(a);
	xs_close(b);
	return 0;
}

/* Drains pending events; returns how many arrived within ms. */
static int events(struct xs_handle *h, int ms, char *last, size_t len)
{
	struct pollfd p = { .fd = xs_fileno(h), .events = POLLIN };
	char **ev;
	int n = 0;

	while (poll(&p, 1, ms) > 0) {
		while ((ev = xs_check_watch(h))) {
			snprintf(last, len, "%s", ev[XS_WATCH_PATH]);
			free(ev);
			n++;
		}
		ms = 100;
	}
	return n;
}

static int txn_watch(const char *path)
{
	struct xs_handle *a = conn(), *w = conn();
	char last[256] = "";
	xs_transaction_t t;
	int n;

	xs_watch(w, path, "tok");
	events(w, 1000, last, sizeof(last));
	t = xs_transaction_start(a);
	xs_write(a, t, path, "x", 1);
	n = events(w, 300, last, sizeof(last));
	printf("before-commit=%d\n", n);
	xs_transaction_end(a, t, false);
	n = events(w, 2000, last, sizeof(last));
	printf("after-commit=%d path=%s\n", n, last);
	xs_close(a);
	xs_close(w);
	return 0;
}

static int watch_initial(const char *path)
{
	struct xs_handle *w = conn();
	char last[256] = "";
	int n;

	xs_watch(w, path, "tok");
	n = events(w, 2000, last, sizeof(last));
	printf("initial=%d path=%s\n", n, last);
	xs_close(w);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "txn-conflict"))
		return txn_conflict(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "txn-watch"))
		return txn_watch(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "watch-initial"))
		return watch_initial(argv[2]);
	fprintf(stderr, "usage: xstest txn-conflict|txn-watch|"
			"watch-initial PATH\n");
	return 2;
}
