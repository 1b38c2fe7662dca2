/*
 * Request I/O: everything request.c reads and writes in a request's
 * directory, R/requests/<ID>/, through the agent's own connection.
 *
 * The fields are read in one transaction, so that a request written in
 * one (as PROTOCOL.md section 3.2 asks) is seen whole.  Every status is
 * written in one transaction that first checks `op` is still there: a
 * request its requester removed gets no answer, and its directory is
 * not recreated.  The final one carries error and code, or the results,
 * with `status` last.
 *
 * The first status a request gets (accepted or running) is decided
 * while its fields are just read: reqio_read_begin() leaves the read's
 * transaction open, reqio_status() for that request writes into it, and
 * reqio_read_end() commits.  The read of `op` in the same transaction
 * is the check, so that status costs one write instead of a transaction
 * of its own (issue 10).  If the commit fails (the requester changed or
 * removed the request meanwhile), the status is written again the
 * checked way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libxl_pci.h"
#include "log.h"
#include "reqio.h"
#include "xs.h"

#define PATH_LEN	3400

/* ------------------------------------------------------------- read */

struct read_arg {
	const char *dir;
	struct req_fields *f;
};

void reqio_fields_free(struct req_fields *f)
{
	for (unsigned int i = 0; f->vals && i < f->n; i++)
		free(f->vals[i]);
	free(f->vals);
	free(f->names);
	memset(f, 0, sizeof(*f));
}

static char *read_value(struct xs_handle *h, xs_transaction_t t,
			const char *dir, const char *name)
{
	char p[PATH_LEN], *v;
	unsigned int len;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	v = xs_read_h(h, t, p, &len);
	/* An embedded NUL would hide the rest of a value. */
	if (v && strlen(v) != len) {
		free(v);
		v = strdup("<binary>");
	}
	return v;
}

static int read_fn(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	struct read_arg *a = arg;
	struct req_fields *f = a->f;
	unsigned int n;

	reqio_fields_free(f);	/* an earlier try's */
	f->names = xs_directory_h(h, t, a->dir, &n);
	if (!f->names)
		return -errno;
	f->n = n;
	f->vals = calloc(n ? n : 1, sizeof(*f->vals));
	if (!f->vals)
		return -ENOMEM;
	/*
	 * Too many to be a request (reqparse refuses it): read only what
	 * admission needs, so that its cost stays bounded.
	 */
	for (unsigned int i = 0; i < n; i++)
		if (n <= XENPCI_REQ_FIELDS_MAX ||
		    !strcmp(f->names[i], XENPCI_REQ_OP) ||
		    !strcmp(f->names[i], XENPCI_REQ_STATUS)) {
			errno = 0;
			f->vals[i] = read_value(h, t, a->dir, f->names[i]);
			/*
			 * Listed but unreadable is no missing field: a
			 * request read without its op would never be
			 * answered.
			 */
			if (!f->vals[i] && errno && errno != ENOENT)
				return -errno;
		}
	return 0;
}

/* The read's transaction, while reqio_read_begin() holds it open. */
static struct {
	xs_transaction_t t;
	char dir[PATH_LEN];
	const char *status;	/* written into it, or NULL */
} pend = { .t = XBT_NULL };

int reqio_read_begin(const char *dir, struct req_fields *f)
{
	struct read_arg a = { .dir = dir, .f = f };
	int rc;

	memset(f, 0, sizeof(*f));
	pend.t = xs_transaction_start(xsh);
	if (pend.t == XBT_NULL)
		return reqio_read(dir, f);
	rc = read_fn(xsh, pend.t, &a);
	if (rc) {
		xs_transaction_end(xsh, pend.t, true);
		pend.t = XBT_NULL;
		reqio_fields_free(f);
		return rc;
	}
	snprintf(pend.dir, sizeof(pend.dir), "%s", dir);
	pend.status = NULL;
	return 0;
}

void reqio_read_end(void)
{
	xs_transaction_t t = pend.t;
	int rc;

	if (t == XBT_NULL)
		return;
	pend.t = XBT_NULL;
	if (xs_transaction_end(xsh, t, !pend.status))
		return;
	if (!pend.status || errno != EAGAIN) {
		if (pend.status)
			log_err("%s: write status %s: %s", pend.dir,
				pend.status, strerror(errno));
		return;
	}
	rc = reqio_status(pend.dir, pend.status);
	if (rc && rc != -ENOENT)
		log_err("%s: write status %s: %s", pend.dir, pend.status,
			strerror(-rc));
}

static bool pending_for(const char *dir)
{
	return pend.t != XBT_NULL && !strcmp(pend.dir, dir);
}

int reqio_read(const char *dir, struct req_fields *f)
{
	struct read_arg a = { .dir = dir, .f = f };
	int rc;

	memset(f, 0, sizeof(*f));
	rc = xs_txn_run(xsh, read_fn, &a);
	if (rc)
		reqio_fields_free(f);
	return rc;
}

const char *reqio_field(const struct req_fields *f, const char *name)
{
	for (unsigned int i = 0; i < f->n; i++)
		if (!strcmp(f->names[i], name))
			return f->vals[i];
	return NULL;
}

int reqio_list(const char *dir, char ***ids, unsigned int *n)
{
	*ids = xs_list(dir, n);
	if (!*ids)
		*n = 0;
	return *ids ? 0 : -errno;
}

bool reqio_has_status(const char *dir)
{
	char p[PATH_LEN];

	snprintf(p, sizeof(p), "%s/" XENPCI_REQ_STATUS, dir);
	return xs_exists(XBT_NULL, p);
}

bool reqio_has_op(const char *dir)
{
	char p[PATH_LEN];

	snprintf(p, sizeof(p), "%s/" XENPCI_REQ_OP, dir);
	return xs_exists(XBT_NULL, p);
}

int reqio_resolve(struct req_params *p)
{
	struct spec *sp;
	struct bdf b;
	int rc = 0;

	while (!rc && (sp = reqparse_unresolved(p)))
		rc = reqparse_resolve(p, sp, libxl_pci_find_name(sp->name,
					&b) ? NULL : &b);
	return rc;
}

/* ------------------------------------------------------------ write */

struct write_arg {
	const char *dir;
	const struct req_params *p;
	const char *status;
	int err;
	const char *msg;
	const struct outcome *out;
};

static bool put(xs_transaction_t t, const char *dir, const char *node,
		const char *val)
{
	char p[PATH_LEN];

	snprintf(p, sizeof(p), "%s/%s", dir, node);
	return xs_write_str(t, p, val);
}

/* attach: result/vdev, or result/vdev-N for a request with spec-N. */
static bool put_vdevs(xs_transaction_t t, const struct write_arg *a)
{
	char node[64];
	bool ok = true;

	for (unsigned int i = 0; ok && i < a->out->nvdev; i++) {
		if (a->p->spec_n)
			snprintf(node, sizeof(node), XENPCI_REQ_RESULT "/"
				 XENPCI_RES_VDEV_N_FMT, i);
		else
			snprintf(node, sizeof(node), XENPCI_REQ_RESULT "/"
				 XENPCI_RES_VDEV);
		ok = put(t, a->dir, node, a->out->vdev[i]);
	}
	return ok;
}

/* check: result/<key> for each field. */
static bool put_kv(xs_transaction_t t, const struct write_arg *a)
{
	char node[80];
	bool ok = true;

	for (unsigned int i = 0; ok && i < a->out->nkv; i++) {
		snprintf(node, sizeof(node), XENPCI_REQ_RESULT "/%s",
			 a->out->kv[i].key);
		ok = put(t, a->dir, node, a->out->kv[i].val);
	}
	return ok;
}

/* assignable-list: result/K = the original driver, for each device. */
static bool put_list(struct xs_handle *h, xs_transaction_t t,
		     const struct write_arg *a)
{
	char p[PATH_LEN], key[KEY_STR_LEN];
	bool ok;

	snprintf(p, sizeof(p), "%s/" XENPCI_REQ_RESULT, a->dir);
	ok = xs_remove(t, p) && xs_mkdir(h, t, p);
	for (unsigned int i = 0; ok && i < a->out->nlist; i++) {
		snprintf(p, sizeof(p), "%s/" XENPCI_REQ_RESULT "/%s", a->dir,
			 bdf_key(&a->out->list[i], key));
		ok = xs_write_str(t, p, a->out->list_drv[i]);
	}
	return ok;
}

/* The answer's nodes, status last; the request's op is there. */
static int write_answer(struct xs_handle *h, xs_transaction_t t,
			const struct write_arg *a)
{
	bool ok = true;

	if (a->err) {
		ok = put(t, a->dir, XENPCI_REQ_ERROR, a->msg) &&
		     put(t, a->dir, XENPCI_REQ_CODE, errno_name(a->err));
	} else if (a->out && a->p->op == REQ_ATTACH) {
		ok = put_vdevs(t, a);
		if (ok && a->out->warning[0])
			ok = put(t, a->dir, XENPCI_REQ_RESULT "/"
				 XENPCI_RES_WARNING, a->out->warning);
	} else if (a->out && a->p->op == REQ_LIST) {
		ok = put_list(h, t, a);
	} else if (a->out && a->p->op == REQ_CHECK) {
		ok = put_kv(t, a);
	}
	ok = ok && put(t, a->dir, XENPCI_REQ_STATUS, a->status);
	return ok ? 0 : -(errno ? errno : EIO);
}

static int write_fn(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	const struct write_arg *a = arg;
	char p[PATH_LEN], *old;
	bool final;

	snprintf(p, sizeof(p), "%s/" XENPCI_REQ_OP, a->dir);
	if (!xs_exists(t, p))
		return -ENOENT;	/* removed by the requester */
	/*
	 * A worker answers its request itself (reqio_answer_in()), so a
	 * final status from the loop (a timeout) may come second: a final
	 * status never changes.
	 */
	if (reqparse_final(a->status)) {
		snprintf(p, sizeof(p), "%s/" XENPCI_REQ_STATUS, a->dir);
		old = xs_read_str(t, p);
		final = reqparse_final(old);
		free(old);
		if (final)
			return -EALREADY;
	}
	return write_answer(h, t, a);
}

int reqio_answer_in(struct xs_handle *h, xs_transaction_t t,
		    const char *dir, const struct req_params *p,
		    const struct outcome *out, bool *answered)
{
	char msg[sizeof(out->msg)], path[PATH_LEN];
	struct write_arg a = {
		.dir = dir, .p = p, .err = out->err, .msg = msg, .out = out,
		.status = out->err ? XENPCI_STATUS_ERROR : XENPCI_STATUS_OK,
	};

	*answered = false;
	snprintf(msg, sizeof(msg), "%s", out->msg[0] ? out->msg :
		 strerror(out->err));
	snprintf(path, sizeof(path), "%s/" XENPCI_REQ_OP, dir);
	if (!xs_exists(t, path))
		return 0;	/* removed by the requester: no answer */
	*answered = true;
	return write_answer(h, t, &a);
}

int reqio_status(const char *dir, const char *status)
{
	struct write_arg a = { .dir = dir, .status = status };

	if (pending_for(dir)) {
		/* `op` was read in this transaction: that is the check. */
		if (!put(pend.t, dir, XENPCI_REQ_STATUS, status))
			return -(errno ? errno : EIO);
		pend.status = status;
		return 0;
	}
	return xs_txn_run(xsh, write_fn, &a);
}

int reqio_final(const char *dir, const struct req_params *p, int err,
		const char *msg, const struct outcome *out)
{
	struct write_arg a = {
		.dir = dir, .p = p, .err = err, .msg = msg, .out = out,
		.status = err ? XENPCI_STATUS_ERROR : XENPCI_STATUS_OK,
	};

	/* Rare (a refused request): the read's transaction goes first. */
	if (pending_for(dir))
		reqio_read_end();
	return xs_txn_run(xsh, write_fn, &a);
}

int reqio_remove(const char *dir)
{
	return xs_remove(XBT_NULL, dir) ? 0 : -errno;
}
