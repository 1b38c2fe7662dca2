/*
 * libxsfault.so: LD_PRELOADed into the agent (after libsimxen.so), it
 * makes chosen libxenstore calls fail as if xenstored had refused them.
 * The real xenstored never refuses dom0 a write (quotas and permissions
 * apply to unprivileged domains only), so this is the one way a test
 * can see what the agent does when a change in a transaction fails.
 *
 * $XSFAULT_CTL names a file, read at every call, one rule per line:
 *
 *     OP PATTERN ERRNO COUNT [SKIP]
 *
 * OP is write, rm, mkdir, perms (xs_set_permissions), read, dir
 * (xs_directory), start (xs_transaction_start, path "-") or commit
 * (xs_transaction_end without abort, path "-"); PATTERN an fnmatch(3)
 * pattern for the whole path; ERRNO a name (EACCES) or a number; COUNT
 * how many calls fail (-1: all); SKIP how many matching calls to let
 * through first (default 0: the next one fails).  A used-up rule stays
 * in the file with COUNT 0.  Every failure made is logged to stderr as
 * "xsfault: OP PATH: ERRNO".  Without $XSFAULT_CTL nothing fails.
 *
 * $XSFAULT_TRACE names a file that gets one line "OP PATH" per call of
 * those kinds (appended, whether it failed or not): the fault matrix
 * (tests/t-robust-faultmatrix.sh) counts a clean run's calls with it,
 * then fails each of them in turn.  A failed commit aborts the
 * transaction for real, as xenstored has dropped it when it refuses a
 * commit.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#define MAX_RULES	16

struct rule {
	char op[16], pattern[256], err[32];
	long count, skip;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static const struct {
	const char *name;
	int err;
} errnos[] = {
	{ "EACCES", EACCES }, { "EPERM", EPERM }, { "EIO", EIO },
	{ "ENOSPC", ENOSPC }, { "ENOENT", ENOENT }, { "EINVAL", EINVAL },
	{ "E2BIG", E2BIG }, { "EAGAIN", EAGAIN }, { "ENOMEM", ENOMEM },
	{ "EBUSY", EBUSY }, { "EEXIST", EEXIST }, { "ENODEV", ENODEV },
};

static int errno_of(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(errnos) / sizeof(*errnos); i++)
		if (!strcmp(errnos[i].name, s))
			return errnos[i].err;
	return atoi(s) > 0 ? atoi(s) : EIO;
}

static unsigned int load(const char *ctl, struct rule *r)
{
	unsigned int n = 0;
	FILE *f = fopen(ctl, "re");
	char line[512];

	if (!f)
		return 0;
	while (n < MAX_RULES && fgets(line, sizeof(line), f)) {
		r[n].skip = 0;
		if (sscanf(line, "%15s %255s %31s %ld %ld", r[n].op,
			   r[n].pattern, r[n].err, &r[n].count,
			   &r[n].skip) >= 4)
			n++;
	}
	fclose(f);
	return n;
}

static void store(const char *ctl, const struct rule *r, unsigned int n)
{
	char tmp[4096];
	unsigned int i;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", ctl);
	f = fopen(tmp, "we");
	if (!f)
		return;
	for (i = 0; i < n; i++)
		fprintf(f, "%s %s %s %ld %ld\n", r[i].op, r[i].pattern,
			r[i].err, r[i].count, r[i].skip);
	if (fclose(f) == 0)
		rename(tmp, ctl);
}

static void trace(const char *op, const char *path)
{
	const char *t = getenv("XSFAULT_TRACE");
	FILE *f;

	if (!t || !(f = fopen(t, "ae")))
		return;
	fprintf(f, "%s %s\n", op, path);
	fclose(f);
}

/* 0: let the call through; else the errno it fails with. */
static int injected(const char *op, const char *path)
{
	const char *ctl = getenv("XSFAULT_CTL");
	struct rule r[MAX_RULES];
	unsigned int n, i;
	int err = 0;

	if (!path)
		return 0;
	pthread_mutex_lock(&lock);
	trace(op, path);
	n = ctl ? load(ctl, r) : 0;
	for (i = 0; i < n && !err; i++) {
		if (strcmp(r[i].op, op) || !r[i].count ||
		    fnmatch(r[i].pattern, path, 0))
			continue;
		if (r[i].skip > 0) {
			r[i].skip--;
			store(ctl, r, n);
			continue;
		}
		err = errno_of(r[i].err);
		if (r[i].count > 0) {
			r[i].count--;
			store(ctl, r, n);
		}
		fprintf(stderr, "xsfault: %s %s: %s\n", op, path, r[i].err);
	}
	pthread_mutex_unlock(&lock);
	return err;
}

#define REAL(fn) ({							\
	static __typeof__(fn) *real_;					\
	if (!real_)							\
		real_ = (__typeof__(fn) *)dlsym(RTLD_NEXT, #fn);	\
	real_; })

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path,
	      const void *data, unsigned int len)
{
	int err = injected("write", path);

	if (err) {
		errno = err;
		return false;
	}
	return REAL(xs_write)(h, t, path, data, len);
}

bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	int err = injected("rm", path);

	if (err) {
		errno = err;
		return false;
	}
	return REAL(xs_rm)(h, t, path);
}

bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	int err = injected("mkdir", path);

	if (err) {
		errno = err;
		return false;
	}
	return REAL(xs_mkdir)(h, t, path);
}

bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t,
			const char *path, struct xs_permissions *perms,
			unsigned int num_perms)
{
	int err = injected("perms", path);

	if (err) {
		errno = err;
		return false;
	}
	return REAL(xs_set_permissions)(h, t, path, perms, num_perms);
}

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path,
	      unsigned int *len)
{
	int err = injected("read", path);

	if (err) {
		errno = err;
		return NULL;
	}
	return REAL(xs_read)(h, t, path, len);
}

char **xs_directory(struct xs_handle *h, xs_transaction_t t,
		    const char *path, unsigned int *num)
{
	int err = injected("dir", path);

	if (err) {
		errno = err;
		return NULL;
	}
	return REAL(xs_directory)(h, t, path, num);
}

xs_transaction_t xs_transaction_start(struct xs_handle *h)
{
	int err = injected("start", "-");

	if (err) {
		errno = err;
		return XBT_NULL;
	}
	return REAL(xs_transaction_start)(h);
}

bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort)
{
	int err = abort ? 0 : injected("commit", "-");

	if (err) {
		REAL(xs_transaction_end)(h, t, true);
		errno = err;
		return false;
	}
	return REAL(xs_transaction_end)(h, t, abort);
}
