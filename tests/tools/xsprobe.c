/*
 * xsprobe: asks the running xenstored (XENSTORED_PATH) the questions on
 * which cxenstored and oxenstored may differ, as dom0 over the socket,
 * and prints one "key=value" line per answer (t-robust-xenstored.sh).
 *
 *   xsprobe blind-write PATH  a transaction writes PATH, which another
 *                             connection wrote meanwhile, without
 *                             reading it: does the commit conflict?
 *   xsprobe txns N            N transactions open on one connection
 *   xsprobe watches N         N watches on one connection
 *   xsprobe value PATH SIZE   one write of SIZE bytes
 *   xsprobe nodes PATH N      N nodes under PATH, one write each
 *   xsprobe perms PATH        the permissions of PATH
 *   xsprobe list[-txn] PATH   its children, outside or in a transaction
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

static const char *ename(int e)
{
	switch (e) {
	case 0: return "0";
	case EAGAIN: return "EAGAIN";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case E2BIG: return "E2BIG";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EDQUOT: return "EDQUOT";
	case ENOMEM: return "ENOMEM";
	case EIO: return "EIO";
	default: return strerror(e);
	}
}

static struct xs_handle *open_xs(void)
{
	struct xs_handle *h = xs_open(0);

	if (!h) {
		perror("xs_open");
		exit(1);
	}
	return h;
}

static int blind_write(const char *path)
{
	struct xs_handle *a = open_xs(), *b = open_xs();
	xs_transaction_t t;
	bool ok;

	xs_write(a, XBT_NULL, path, "0", 1);
	t = xs_transaction_start(a);
	xs_write(b, XBT_NULL, path, "other", 5);
	xs_write(a, t, path, "mine", 4);
	ok = xs_transaction_end(a, t, false);
	printf("blind-write commit=%s errno=%s\n", ok ? "ok" : "failed",
	       ok ? "0" : ename(errno));
	return 0;
}

static int txns(int n)
{
	struct xs_handle *h = open_xs();
	int i;

	for (i = 0; i < n; i++)
		if (xs_transaction_start(h) == XBT_NULL)
			break;
	printf("txns opened=%d errno=%s\n", i, i < n ? ename(errno) : "0");
	return 0;
}

static int watches(int n)
{
	struct xs_handle *h = open_xs();
	char p[64];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "/probe/w%d", i);
		if (!xs_watch(h, p, p))
			break;
	}
	printf("watches set=%d errno=%s\n", i, i < n ? ename(errno) : "0");
	return 0;
}

static int value(const char *path, size_t size)
{
	struct xs_handle *h = open_xs();
	char *v = malloc(size + 1);
	bool ok;

	memset(v, 'x', size);
	ok = xs_write(h, XBT_NULL, path, v, size);
	printf("value size=%zu write=%s errno=%s\n", size, ok ? "ok" : "failed",
	       ok ? "0" : ename(errno));
	free(v);
	return 0;
}

static int nodes(const char *dir, int n)
{
	struct xs_handle *h = open_xs();
	char p[256];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/n%d", dir, i);
		if (!xs_write(h, XBT_NULL, p, "1", 1))
			break;
	}
	printf("nodes written=%d errno=%s\n", i, i < n ? ename(errno) : "0");
	return 0;
}

static int perms(const char *path)
{
	struct xs_handle *h = open_xs();
	struct xs_permissions *p;
	unsigned int n, i;

	p = xs_get_permissions(h, XBT_NULL, path, &n);
	if (!p) {
		printf("perms errno=%s\n", ename(errno));
		return 0;
	}
	printf("perms=");
	for (i = 0; i < n; i++) {
		printf("%s%c%u", i ? "," : "",
		       p[i].perms == XS_PERM_NONE ? 'n' :
		       p[i].perms == XS_PERM_READ ? 'r' :
		       p[i].perms == XS_PERM_WRITE ? 'w' : 'b', p[i].id);
	}
	printf("\n");
	free(p);
	return 0;
}

/* A directory larger than one reply (4096 bytes), in a transaction
 * or not: libxenstore falls back to XS_DIRECTORY_PART on E2BIG. */
static int list(const char *path, bool txn)
{
	struct xs_handle *h = open_xs();
	xs_transaction_t t = txn ? xs_transaction_start(h) : XBT_NULL;
	unsigned int n = 0;
	char **e = xs_directory(h, t, path, &n);
	int err = errno;

	printf("list%s entries=%u errno=%s\n", txn ? "-txn" : "",
	       e ? n : 0, e ? "0" : ename(err));
	free(e);
	if (txn)
		xs_transaction_end(h, t, true);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "list"))
		return list(argv[2], false);
	if (argc == 3 && !strcmp(argv[1], "list-txn"))
		return list(argv[2], true);
	if (argc == 3 && !strcmp(argv[1], "blind-write"))
		return blind_write(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "txns"))
		return txns(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "watches"))
		return watches(atoi(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "value"))
		return value(argv[2], strtoul(argv[3], NULL, 10));
	if (argc == 4 && !strcmp(argv[1], "nodes"))
		return nodes(argv[2], atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "perms"))
		return perms(argv[2]);
	fprintf(stderr, "usage: xsprobe blind-write PATH | txns N | "
		"watches N | value PATH SIZE | nodes PATH N | perms PATH\n");
	return 2;
}
