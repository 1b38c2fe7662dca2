/*
 * The one serialisation mechanism: a FIFO queue per resource, on the
 * loop thread.  Resources are devices and guests: an attach, a detach
 * and the cleanup of a dead guest queue on the guest as well as on each
 * device, since pciback handles one reconfiguration of a backend at a
 * time, and a cleanup must not release a device under an attach to the
 * same guest.
 *
 * A waiter may name several resources (a `*` spec, an attach).  It is
 * appended to all its queues at once, in arrival order, and is ready
 * only when it heads all of them.  So two waiters appear in the same
 * relative order on every queue they share, and none can wait for
 * another in a cycle.
 *
 * A barrier (assignable-list) names no resource: it waits for every
 * waiter that arrived before it, so that it shows their effect, and
 * nobody waits for it, so the order stays acyclic.
 *
 * Costs do not grow with the number of waiters in flight: a queue is
 * found by hash, a removal looks only at the new heads and at the
 * barriers the removed waiter held back, and a barrier's test is the
 * seq of the oldest waiter.  A waiter is ready for good once it is
 * (later arrivals queue behind it), so each goes on the ready list
 * once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"

#define NBUCKETS	256

struct rqueue {
	struct qres res;
	struct qwaiter **q;
	unsigned int n, cap;
	struct rqueue *next;	/* hash chain */
};

static struct rqueue *buckets[NBUCKETS];
/* Non-barrier waiters, oldest first; the barriers not yet ready. */
static TAILQ_HEAD(, qwaiter) arrivals = TAILQ_HEAD_INITIALIZER(arrivals);
static TAILQ_HEAD(, qwaiter) barriers = TAILQ_HEAD_INITIALIZER(barriers);
static TAILQ_HEAD(, qwaiter) ready = TAILQ_HEAD_INITIALIZER(ready);
static unsigned long seqno;
static void *(*qrealloc)(void *p, size_t n) = realloc;

void queue_set_realloc(void *(*fn)(void *p, size_t n))
{
	qrealloc = fn ? fn : realloc;
}

static bool qres_eq(const struct qres *a, const struct qres *b)
{
	if (a->kind != b->kind)
		return false;
	return a->kind == QRES_DOM ? a->domid == b->domid :
				     bdf_eq(&a->bdf, &b->bdf);
}

static unsigned int qres_hash(const struct qres *r)
{
	unsigned int h;

	if (r->kind == QRES_DOM)
		h = 0x9e3779b9u ^ r->domid;
	else
		h = r->bdf.dom << 16 ^ r->bdf.bus << 8 ^ r->bdf.dev << 3 ^
		    r->bdf.func;
	h ^= h >> 7;
	return (h * 2654435761u >> 8) % NBUCKETS;
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

static struct rqueue *rq_find(const struct qres *r)
{
	struct rqueue *q;

	for (q = buckets[qres_hash(r)]; q; q = q->next)
		if (qres_eq(&q->res, r))
			return q;
	return NULL;
}

static struct rqueue *rq_get(const struct qres *r)
{
	struct rqueue *q = rq_find(r);
	unsigned int h;

	if (q)
		return q;
	q = qrealloc(NULL, sizeof(*q));
	if (!q)
		return NULL;
	memset(q, 0, sizeof(*q));
	q->res = *r;
	h = qres_hash(r);
	q->next = buckets[h];
	buckets[h] = q;
	return q;
}

static void rq_drop_if_empty(struct rqueue *q)
{
	struct rqueue **pp;

	if (q->n)
		return;
	for (pp = &buckets[qres_hash(&q->res)]; *pp != q; pp = &(*pp)->next)
		;
	*pp = q->next;
	free(q->q);
	free(q);
}

static int rq_append(struct rqueue *q, struct qwaiter *w)
{
	if (q->n == q->cap) {
		unsigned int cap = q->cap ? q->cap * 2 : 4;
		struct qwaiter **v = qrealloc(q->q, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		q->q = v;
		q->cap = cap;
	}
	q->q[q->n++] = w;
	return 0;
}

/* Takes w out of q; true if it was the head and another one is now. */
static bool rq_take(struct rqueue *q, const struct qwaiter *w)
{
	unsigned int j;

	for (j = 0; j < q->n && q->q[j] != w; j++)
		;
	if (j == q->n)
		return false;
	memmove(&q->q[j], &q->q[j + 1], (q->n - j - 1) * sizeof(*q->q));
	q->n--;
	return j == 0 && q->n;
}

void queue_waiter_init(struct qwaiter *w, void *owner)
{
	memset(w, 0, sizeof(*w));
	w->owner = owner;
}

static void unqueue(struct qwaiter *w, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct rqueue *q = rq_find(&w->res[i]);

		if (q) {
			rq_take(q, w);
			rq_drop_if_empty(q);
		}
	}
}

static bool barrier_ready(const struct qwaiter *w)
{
	const struct qwaiter *oldest = TAILQ_FIRST(&arrivals);

	return !oldest || oldest->seq > w->seq;
}

bool queue_ready(const struct qwaiter *w)
{
	if (!w->queued)
		return false;
	if (w->barrier)
		return barrier_ready(w);
	for (unsigned int i = 0; i < w->nres; i++) {
		const struct rqueue *q = rq_find(&w->res[i]);

		if (!q || !q->n || q->q[0] != w)
			return false;
	}
	return true;
}

static void announce_if_ready(struct qwaiter *w)
{
	if (w->announced || !queue_ready(w))
		return;
	w->announced = w->on_ready = true;
	TAILQ_INSERT_TAIL(&ready, w, rlink);
}

int queue_add(struct qwaiter *w, const struct qres *res, unsigned int n)
{
	unsigned int i;

	w->res = res;
	w->nres = n;
	for (i = 0; i < n; i++) {
		struct rqueue *q = rq_get(&res[i]);

		if (!q || rq_append(q, w)) {
			if (q)
				rq_drop_if_empty(q);
			/* Appended at the tails only: no head changed. */
			unqueue(w, i);
			return -ENOMEM;
		}
	}
	w->seq = ++seqno;
	w->queued = true;
	w->barrier = false;
	w->announced = false;
	TAILQ_INSERT_TAIL(&arrivals, w, link);
	announce_if_ready(w);
	return 0;
}

int queue_add_barrier(struct qwaiter *w)
{
	w->res = NULL;
	w->nres = 0;
	w->seq = ++seqno;
	w->queued = true;
	w->barrier = true;
	/* Ready now stays ready: later arrivals have a higher seq. */
	w->announced = false;
	w->held = !barrier_ready(w);
	if (w->held)
		TAILQ_INSERT_TAIL(&barriers, w, link);
	else
		announce_if_ready(w);
	return 0;
}

struct qwaiter *queue_pop_ready(void)
{
	struct qwaiter *w = TAILQ_FIRST(&ready);

	if (w) {
		TAILQ_REMOVE(&ready, w, rlink);
		w->on_ready = false;
	}
	return w;
}

/* The barriers that the oldest waiter's departure let through. */
static void release_barriers(void)
{
	struct qwaiter *b;

	while ((b = TAILQ_FIRST(&barriers)) && barrier_ready(b)) {
		TAILQ_REMOVE(&barriers, b, link);
		b->held = false;
		announce_if_ready(b);
	}
}

void queue_remove(struct qwaiter *w)
{
	bool oldest;

	if (!w->queued)
		return;
	w->queued = false;
	if (w->on_ready)
		TAILQ_REMOVE(&ready, w, rlink);
	w->on_ready = false;
	if (w->barrier) {
		if (w->held)
			TAILQ_REMOVE(&barriers, w, link);
		w->held = false;
		return;
	}
	for (unsigned int i = 0; i < w->nres; i++) {
		struct rqueue *q = rq_find(&w->res[i]);

		if (!q)
			continue;
		if (rq_take(q, w))
			announce_if_ready(q->q[0]);
		rq_drop_if_empty(q);
	}
	oldest = TAILQ_FIRST(&arrivals) == w;
	TAILQ_REMOVE(&arrivals, w, link);
	if (oldest)
		release_barriers();
}

struct qwaiter *queue_at(const struct qres *r, unsigned int i)
{
	const struct rqueue *q = rq_find(r);

	return q && i < q->n ? q->q[i] : NULL;
}

bool queue_heads_but(const struct qwaiter *w, const struct qres *r)
{
	if (!w->queued || w->barrier)
		return false;
	for (unsigned int i = 0; i < w->nres; i++) {
		const struct rqueue *q;

		if (qres_eq(&w->res[i], r))
			continue;
		q = rq_find(&w->res[i]);
		if (!q || !q->n || q->q[0] != w)
			return false;
	}
	return true;
}

struct qwaiter *queue_blocker(const struct qwaiter *w,
			      const struct qres **on)
{
	*on = NULL;
	if (!w->queued)
		return NULL;
	if (w->barrier)
		return barrier_ready(w) ? NULL : TAILQ_FIRST(&arrivals);
	for (unsigned int i = 0; i < w->nres; i++) {
		const struct rqueue *q = rq_find(&w->res[i]);

		if (q && q->n && q->q[0] != w) {
			*on = &w->res[i];
			return q->q[0];
		}
	}
	return NULL;
}
