/*
 * The request queues (agent/queue.c): FIFO per device and per guest,
 * all queues appended at once, barriers, the ready list, and a failing
 * allocator.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../agent/queue.h"
#include "unit.h"

#define DEV(f)	((struct qres){ .kind = QRES_DEV, .bdf = { 0, 7, 0, f } })
#define DOM(d)	((struct qres){ .kind = QRES_DOM, .domid = d })

struct waiter {
	const char *name;
	struct qwaiter w;
	struct qres res[4];
	unsigned int n;
};

static void init(struct waiter *x, const char *name)
{
	memset(x, 0, sizeof(*x));
	x->name = name;
	queue_waiter_init(&x->w, x);
}

/* The names of every waiter on the ready list, in order, emptying it. */
static const char *popped(void)
{
	static char buf[256];
	struct qwaiter *w;

	buf[0] = '\0';
	while ((w = queue_pop_ready())) {
		strcat(buf, ((struct waiter *)w->owner)->name);
		strcat(buf, " ");
	}
	return buf;
}

static int add_res(struct waiter *x, const char *name,
		   const struct qres *res, unsigned int n)
{
	init(x, name);
	memcpy(x->res, res, n * sizeof(*res));
	x->n = n;
	return queue_add(&x->w, x->res, n);
}

static const char *blocker(struct waiter *x, char *on, size_t len)
{
	const struct qres *r;
	struct qwaiter *b = queue_blocker(&x->w, &r);

	on[0] = '\0';
	if (r)
		qres_str(r, on, len);
	return b ? ((struct waiter *)b->owner)->name : "none";
}

static void one_device(void)
{
	struct waiter a, b, c;
	struct qres r = DEV(0);
	char on[32];

	add_res(&a, "a", &r, 1);
	add_res(&b, "b", &r, 1);
	add_res(&c, "c", &r, 1);
	IS(popped(), "a ", "one device: the first is ready at once");
	CHECK(queue_ready(&a.w) && !queue_ready(&b.w) && !queue_ready(&c.w),
	      "one device: only the head is ready");
	IS(blocker(&c, on, sizeof(on)), "a", "c waits for a");
	IS(on, "0000:07:00.0", "on 0000:07:00.0");
	queue_remove(&b.w);
	IS(popped(), "", "removing a waiter behind the head readies nobody");
	queue_remove(&a.w);
	IS(popped(), "c ", "removing the head readies the next");
	queue_remove(&c.w);
	queue_remove(&c.w);
	CHECK(!queue_ready(&c.w), "a removed waiter is not ready (twice is "
	      "fine)");
}

static void several(void)
{
	struct waiter a, b, c, d;
	struct qres ra = DEV(0), rb = DEV(1), both[2] = { DEV(0), DEV(1) };
	struct qres rev[2] = { DEV(1), DEV(0) };

	add_res(&a, "a", &ra, 1);
	add_res(&b, "b", &rb, 1);
	add_res(&c, "c", both, 2);
	add_res(&d, "d", rev, 2);
	IS(popped(), "a b ", "different devices run concurrently");
	queue_remove(&a.w);
	IS(popped(), "", "c still waits for b");
	queue_remove(&b.w);
	IS(popped(), "c ", "c heads both its queues: ready");
	CHECK(!queue_ready(&d.w), "d, arrived later, waits behind c on both "
	      "(no cycle, whatever the order it names them in)");
	queue_remove(&c.w);
	IS(popped(), "d ", "then d");
	queue_remove(&d.w);
}

static void guests(void)
{
	struct waiter a, b, c;
	struct qres ra[2] = { DEV(0), DOM(5) }, rb[2] = { DEV(1), DOM(5) };
	struct qres rc[2] = { DEV(2), DOM(6) };
	char on[32];

	add_res(&a, "a", ra, 2);
	add_res(&b, "b", rb, 2);
	add_res(&c, "c", rc, 2);
	IS(popped(), "a c ", "another guest's request runs");
	IS(blocker(&b, on, sizeof(on)), "a", "b, another device of the same "
	   "guest, waits for a");
	IS(on, "domain 5", "on domain 5");
	queue_remove(&a.w);
	IS(popped(), "b ", "then b");
	queue_remove(&b.w);
	queue_remove(&c.w);
}

static void barriers(void)
{
	struct waiter a, b, l1, l2, l3;
	struct qres ra = DEV(0), rb = DEV(1);
	char on[32];

	init(&l1, "l1");
	queue_add_barrier(&l1.w);
	IS(popped(), "l1 ", "a barrier with nothing before it is ready");
	add_res(&a, "a", &ra, 1);
	init(&l2, "l2");
	queue_add_barrier(&l2.w);
	add_res(&b, "b", &rb, 1);
	IS(popped(), "a b ", "nobody waits for a barrier");
	CHECK(!queue_ready(&l2.w), "l2 waits for a, which came before it");
	IS(blocker(&l2, on, sizeof(on)), "a", "l2's blocker is a");
	IS(on, "", "on no resource");
	init(&l3, "l3");
	queue_add_barrier(&l3.w);
	queue_remove(&b.w);
	IS(popped(), "", "b leaving does not release l2 (a is older)");
	queue_remove(&a.w);
	IS(popped(), "l2 l3 ", "a leaving releases both barriers, in order");
	queue_remove(&l1.w);
	queue_remove(&l2.w);
	queue_remove(&l3.w);
}

static void ready_once(void)
{
	struct waiter a, b;
	struct qres r = DEV(3);

	add_res(&a, "a", &r, 1);
	add_res(&b, "b", &r, 1);
	queue_remove(&a.w);
	queue_remove(&b.w);
	IS(popped(), "", "a waiter removed before it is popped leaves the "
	   "ready list");
}

static int allocs, fail_at;

static void *failing_realloc(void *p, size_t n)
{
	if (++allocs == fail_at)
		return NULL;
	return realloc(p, n);
}

static void out_of_memory(void)
{
	struct waiter a, b;
	struct qres r3[3] = { DEV(4), DEV(5), DEV(6) }, r = DEV(5);
	int rc;

	queue_set_realloc(failing_realloc);
	for (fail_at = 1; fail_at <= 6; fail_at++) {
		allocs = 0;
		rc = add_res(&a, "a", r3, 3);
		if (!rc) {
			queue_remove(&a.w);
			continue;
		}
		IS_INT(rc, -ENOMEM, "allocation %d fails: -ENOMEM", fail_at);
		CHECK(!queue_ready(&a.w), "and a is on no queue");
		add_res(&b, "b", &r, 1);
		IS(popped(), "b ", "nothing of a is left in the way (failing "
		   "allocation %d)", fail_at);
		queue_remove(&b.w);
	}
	queue_set_realloc(NULL);
}

static void many(void)
{
	static struct waiter w[300];
	struct qres r = DEV(7);
	char name[300][8];
	unsigned int i, ok = 0;

	for (i = 0; i < 300; i++) {
		snprintf(name[i], sizeof(name[i]), "w%u", i);
		add_res(&w[i], name[i], &r, 1);
	}
	popped();
	for (i = 0; i < 299; i++) {
		struct qwaiter *x;

		queue_remove(&w[i].w);
		x = queue_pop_ready();
		ok += x == &w[i + 1].w && !queue_pop_ready();
	}
	IS_INT(ok, 299, "300 on one device: each removal readies exactly "
	       "the next");
	queue_remove(&w[299].w);
}

/* A guest's queue seen from its head: who may join the head's run. */
static void joiners(void)
{
	struct waiter a, b, c, d;
	struct qres g = DOM(9);
	struct qres ra[2] = { DOM(9), DEV(0) }, rb[2] = { DOM(9), DEV(1) };
	struct qres rc[2] = { DOM(9), DEV(0) }, rd[2] = { DOM(9), DEV(2) };

	add_res(&a, "a", ra, 2);
	add_res(&b, "b", rb, 2);
	add_res(&c, "c", rc, 2);
	add_res(&d, "d", rd, 2);
	popped();
	CHECK(queue_at(&g, 0) == &a.w && queue_at(&g, 1) == &b.w &&
	      queue_at(&g, 3) == &d.w && !queue_at(&g, 4),
	      "queue_at: the guest's waiters in arrival order");
	CHECK(!queue_at(&DEV(5), 0), "queue_at: a resource nobody waits on");
	CHECK(queue_heads_but(&b.w, &g), "b heads its device's queue");
	CHECK(!queue_heads_but(&c.w, &g), "c waits behind a on 07:00.0");
	CHECK(queue_heads_but(&a.w, &g) && queue_ready(&a.w),
	      "the head itself");
	queue_remove(&a.w);
	queue_remove(&b.w);
	queue_remove(&c.w);
	queue_remove(&d.w);
	popped();
	CHECK(!queue_heads_but(&a.w, &g), "a waiter on no queue heads none");
}

int main(void)
{
	joiners();
	one_device();
	several();
	guests();
	barriers();
	ready_once();
	out_of_memory();
	many();
	return unit_done();
}
