/*
 * Fakes for tests/unit/test-request.c: reqio.c on a tiny in-memory
 * xenstore, queue.c as one FIFO, the worker, the operations and
 * publishing.  Each writes what it is asked to do into `trace`.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../agent/cancel.h"
#include "../../agent/cfgfile.h"
#include "../../agent/libxl_pci.h"
#include "../../agent/log.h"
#include "../../agent/ops.h"
#include "../../agent/policy.h"
#include "../../agent/publish.h"
#include "../../agent/queue.h"
#include "../../agent/reqio.h"
#include "../../agent/worker.h"
#include "request-fakes.h"

/* ------------------------------------------------------------ trace */

char trace[2048], last_msg[1024], logged[4096];

void tr(const char *fmt, ...)
{
	size_t l = strlen(trace);
	va_list ap;

	if (l)
		trace[l++] = ' ';
	va_start(ap, fmt);
	vsnprintf(trace + l, sizeof(trace) - l, fmt, ap);
	va_end(ap);
}

void log_msg(int prio, const char *fmt, ...)
{
	char line[1024];
	size_t l = strlen(logged);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (prio == LOG_ERR && strstr(line, "impossible"))
		tr("BUG");
	snprintf(logged + l, sizeof(logged) - l, "%s\n", line);
}

/* ------------------------------------------- fake xenstore, reqio.c */

struct fdir {
	char path[128];
	char names[8][32], vals[8][64];
	unsigned int n;
};
static struct fdir store[16];

static struct fdir *dir_get(const char *path)
{
	for (unsigned int i = 0; i < 16; i++)
		if (!strcmp(store[i].path, path))
			return &store[i];
	return NULL;
}

void dir_set(const char *path, const char *name, const char *val)
{
	struct fdir *d = dir_get(path);
	unsigned int i;

	if (!d)
		d = dir_get("");
	if (!d)
		abort();	/* the fake store is full */
	snprintf(d->path, sizeof(d->path), "%s", path);
	for (i = 0; i < d->n && strcmp(d->names[i], name); i++)
		;
	if (i == d->n)
		d->n++;
	snprintf(d->names[i], sizeof(d->names[i]), "%s", name);
	snprintf(d->vals[i], sizeof(d->vals[i]), "%s", val);
}

void dir_rm(const char *path)
{
	struct fdir *d = dir_get(path);

	if (d)
		memset(d, 0, sizeof(*d));
}

static const char *dir_val(const char *path, const char *name)
{
	struct fdir *d = dir_get(path);

	for (unsigned int i = 0; d && i < d->n; i++)
		if (!strcmp(d->names[i], name))
			return d->vals[i];
	return NULL;
}

int reqio_read(const char *dir, struct req_fields *f)
{
	struct fdir *d = dir_get(dir);

	memset(f, 0, sizeof(*f));
	if (!d)
		return -ENOENT;
	f->names = calloc(d->n + 1, sizeof(*f->names));
	f->vals = calloc(d->n + 1, sizeof(*f->vals));
	for (f->n = 0; f->n < d->n; f->n++) {
		f->names[f->n] = strdup(d->names[f->n]);
		f->vals[f->n] = strdup(d->vals[f->n]);
	}
	return 0;
}

/* The fake store has no transactions: the read is the whole of it. */
int reqio_read_begin(const char *dir, struct req_fields *f)
{
	return reqio_read(dir, f);
}

void reqio_read_end(void)
{
}

const char *reqio_field(const struct req_fields *f, const char *name)
{
	for (unsigned int i = 0; i < f->n; i++)
		if (!strcmp(f->names[i], name))
			return f->vals[i];
	return NULL;
}

void reqio_fields_free(struct req_fields *f)
{
	for (unsigned int i = 0; i < f->n; i++) {
		free(f->names[i]);
		free(f->vals[i]);
	}
	free(f->names);
	free(f->vals);
	memset(f, 0, sizeof(*f));
}

int reqio_list(const char *dir, char ***ids, unsigned int *n)
{
	static char names[16][64];
	static char *v[16];
	size_t l = strlen(dir);

	tr("list(%s)", dir);
	*n = 0;
	for (unsigned int i = 0; i < 16; i++)
		if (!strncmp(store[i].path, dir, l) && store[i].path[l] == '/') {
			snprintf(names[*n], sizeof(names[*n]), "%s",
				 store[i].path + l + 1);
			v[*n] = names[*n];
			(*n)++;
		}
	/* The caller frees the block it gets, as xs_directory's. */
	*ids = malloc(sizeof(v));
	memcpy(*ids, v, sizeof(v));
	return 0;
}

bool reqio_has_status(const char *dir)
{
	return dir_val(dir, XENPCI_REQ_STATUS);
}

bool reqio_has_op(const char *dir)
{
	return dir_val(dir, XENPCI_REQ_OP);
}

int reqio_resolve(struct req_params *p)
{
	struct bdf nic0 = { 0, 7, 0, 1 };
	struct spec *sp;
	int rc = 0;

	while (!rc && (sp = reqparse_unresolved(p)))
		rc = reqparse_resolve(p, sp, strcmp(sp->name, "nic0") ?
				      NULL : &nic0);
	return rc;
}

int reqio_status(const char *dir, const char *status)
{
	if (!dir_get(dir))
		return -ENOENT;
	dir_set(dir, XENPCI_REQ_STATUS, status);
	tr("status(%s)", status);
	return 0;
}

int reqio_final(const char *dir, const struct req_params *p, int err,
		const char *msg, const struct outcome *out)
{
	(void)p;
	(void)out;
	if (!dir_get(dir))
		return -ENOENT;
	dir_set(dir, XENPCI_REQ_STATUS, err ? "error" : "ok");
	tr("final(%s)", err ? errno_name(err) : "ok");
	snprintf(last_msg, sizeof(last_msg), "%s", msg ? msg : "");
	return 0;
}

int reqio_remove(const char *dir)
{
	dir_rm(dir);
	tr("remove");
	return 0;
}

/* ------------------------------------------------- fake queue.c: FIFO */

/* One queue for everyone; its head is ready unless `hold`. */
static struct qwaiter *fifo[64], *ready[64];
static unsigned int nready;
bool hold, fail_queue;
unsigned int nfifo;

void queue_waiter_init(struct qwaiter *w, void *owner)
{
	memset(w, 0, sizeof(*w));
	w->owner = owner;
}

static void announce(void)
{
	if (!hold && nfifo && !fifo[0]->announced) {
		fifo[0]->announced = true;
		ready[nready++] = fifo[0];
	}
}

int queue_add(struct qwaiter *w, const struct qres *res, unsigned int n)
{
	if (fail_queue)
		return -ENOMEM;
	w->res = res;
	w->nres = n;
	w->queued = true;
	fifo[nfifo++] = w;
	tr("qadd");
	announce();
	return 0;
}

int queue_add_barrier(struct qwaiter *w)
{
	return queue_add(w, NULL, 0);
}

bool queue_ready(const struct qwaiter *w)
{
	return !hold && nfifo && fifo[0] == w;
}

struct qwaiter *queue_pop_ready(void)
{
	struct qwaiter *w;

	if (!nready)
		return NULL;
	w = ready[0];
	memmove(ready, ready + 1, --nready * sizeof(*ready));
	return w;
}

static void drop(struct qwaiter **v, unsigned int *n, struct qwaiter *w)
{
	for (unsigned int i = 0; i < *n; i++)
		if (v[i] == w) {
			memmove(v + i, v + i + 1, (--*n - i) * sizeof(*v));
			return;
		}
}

void queue_remove(struct qwaiter *w)
{
	if (!w->queued)
		return;
	w->queued = false;
	drop(fifo, &nfifo, w);
	drop(ready, &nready, w);
	tr("qrem");
	announce();
}

/* One FIFO: nobody is ever behind a head on the guest's queue alone. */
struct qwaiter *queue_at(const struct qres *r, unsigned int i)
{
	(void)r;
	return i < nfifo ? fifo[i] : NULL;
}

bool queue_heads_but(const struct qwaiter *w, const struct qres *r)
{
	(void)w;
	(void)r;
	return false;
}

struct qwaiter *queue_blocker(const struct qwaiter *w,
			      const struct qres **on)
{
	*on = NULL;
	if (!nfifo || fifo[0] == w)
		return NULL;
	for (unsigned int i = 0; i < w->nres; i++)
		if (w->res[i].kind == QRES_DOM || !*on)
			*on = &w->res[i];
	return fifo[0];
}

const char *qres_str(const struct qres *r, char *buf, size_t len)
{
	char b[BDF_STR_LEN];

	if (r->kind == QRES_DOM)
		snprintf(buf, len, "domain %u", r->domid);
	else
		snprintf(buf, len, "%s", bdf_str(&r->bdf, b));
	return buf;
}

/* ------------------------------------- fake worker, ops, publishing */

struct job *last_job;
int worker_rc;
bool saw_cancel;

int worker_start(struct job *j)
{
	if (worker_rc)
		return worker_rc;
	last_job = j;
	tr("worker");
	return 0;
}

void publish_all(void)
{
	tr("publish");
}

/* The loop answers (out->answered stays false), as test-request checks. */
int publish_devices_then(const struct bdf *devs, unsigned int n,
			 publish_then_fn then, void *arg)
{
	(void)devs;
	(void)n;
	(void)then;
	(void)arg;
	tr("publish");
	return 0;
}

int reqio_answer_in(struct xs_handle *h, xs_transaction_t t,
		    const char *dir, const struct req_params *p,
		    const struct outcome *out, bool *answered)
{
	(void)h;
	(void)t;
	(void)dir;
	(void)p;
	(void)out;
	*answered = false;
	return 0;
}

void publish_devices(const struct bdf *devs, unsigned int n)
{
	(void)devs;
	(void)n;
	tr("publish");
}

void pci_attach_group(unsigned int domid, struct attach_req *a,
		      unsigned int n, unsigned int timeout_s, bool force,
		      int reset, const struct cancel *any)
{
	(void)domid, (void)a, (void)n, (void)timeout_s, (void)force;
	(void)reset, (void)any;
	tr("attach-group");
}

/* No hotplug scripts in the request table's tests. */
int script_select(const char *name, char *msg, size_t len)
{
	(void)name;
	(void)msg;
	(void)len;
	return 0;
}

int assignable_add(const struct spec *sp, bool force, const char *req,
		   const struct cancel *cancel, struct outcome *out)
{
	(void)sp, (void)force;
	(void)out;
	tr("add(%s)", req);
	saw_cancel = cancel_is_set(cancel);
	return 0;
}

int assignable_remove(const struct spec *sp, const char *req, bool rebind,
		      bool force, const struct cancel *cancel,
		      struct outcome *out)
{
	(void)sp, (void)req, (void)rebind, (void)force, (void)cancel;
	(void)out;
	return 0;
}

int assignable_list(struct outcome *out)
{
	(void)out;
	tr("list");
	return 0;
}

int pci_attach(unsigned int domid, const struct spec *specs,
	       unsigned int nspecs, const char *req, unsigned int timeout_s,
	       bool replay, bool force, int reset,
	       const struct cancel *cancel, struct outcome *out)
{
	(void)force, (void)reset;
	(void)specs, (void)nspecs, (void)timeout_s, (void)cancel, (void)out;
	tr("attach(%s,%u%s)", req, domid, replay ? ",replay" : "");
	return 0;
}

int pci_detach(unsigned int domid, const struct spec *sp, const char *req,
	       bool force, unsigned int timeout_s, bool replay,
	       const struct cancel *cancel, struct outcome *out)
{
	(void)domid, (void)sp, (void)req, (void)force, (void)timeout_s;
	(void)replay, (void)cancel, (void)out;
	return 0;
}

void outcome_free(struct outcome *o)
{
	(void)o;
}

int sysfs_functions(const struct bdf *slot, struct bdf *out,
		    unsigned int max, unsigned int *n)
{
	(void)slot, (void)out, (void)max;
	*n = 0;
	return 0;
}

/* ops.c's name= and persistent=1 (no test request uses them). */
int libxl_pci_set_name(const struct bdf *b, const char *name)
{
	(void)b, (void)name;
	tr("set_name");
	return 0;
}

int libxl_pci_clear_name(const struct bdf *b)
{
	(void)b;
	return 0;
}

int cfgfile_edit_assignable(const char *path, const char *spec, bool add,
			    char *err, size_t errlen)
{
	(void)path, (void)spec, (void)add, (void)err, (void)errlen;
	tr("persist");
	return 0;
}

int pci_check(const struct spec *sp, struct outcome *out)
{
	(void)sp, (void)out;
	tr("check");
	return 0;
}

void policy_history_add(const struct bdf *b, const char *what, int err,
			const char *msg)
{
	(void)b, (void)what, (void)err, (void)msg;
}
