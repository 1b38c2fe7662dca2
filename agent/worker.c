/*
 * Runs blocking work on a thread of its own, so that a slow or stuck
 * sysfs write (a driver probe can take seconds), a guest that does not
 * answer or a hypervisor call never stalls the loop: other requests,
 * new requests, timeouts and signals are still handled meanwhile.  A
 * thread per job is cheap here (a handful at a time, one per device at
 * most) and keeps each operation's steps readable as straight-line code.
 * The jobs: a request's operation followed by publishing R/devices
 * (request.c), and the liveness check of the guests holding devices
 * after @releaseDomain (domains.c).
 *
 * A thread touches only its job, sysfs, the state dir, the hypervisor
 * and xenstore through the thread-safe libxenstore handle.  When it is
 * done it puts the job on a completion list and wakes the loop with
 * ev_async; the `done` callback then runs on the loop thread.
 *
 * What the loop itself still blocks on, and why that is bounded:
 *  - xenstore, on the agent's own connection to the local xenstored,
 *    and only about requests: reading a request's directory (one
 *    transaction), writing its accepted/running/final status (one
 *    transaction each), removing a reaped directory, listing
 *    R/requests and checking each known request's status at the watch's
 *    first event, and looking up a `name=` spec in /libxl/pci while
 *    validating.  These wait for xenstored only, never for a guest or a
 *    device.
 *  - sysfs only to expand a `*` spec while validating: a listing of
 *    /sys/bus/pci/devices, which no driver probe holds up; the queues
 *    need the functions before anything runs.
 *  - pthread_create() here.
 *  - Before the loop runs and after it stops, main.c's start-up
 *    (recovery in sysfs, the first R/devices) and the final
 *    state=stopped.
 * Nothing per guest (backends, frontends, liveness), no other sysfs
 * access and no hypervisor call runs on the loop.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "config.h"
#include "worker.h"

static ev_async wake;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct job *completed;
static int running;

static void wake_cb(struct ev_loop *l, ev_async *w, int revents)
{
	struct job *list, *j, *rev = NULL;

	(void)l;
	(void)w;
	(void)revents;
	pthread_mutex_lock(&lock);
	list = completed;
	completed = NULL;
	pthread_mutex_unlock(&lock);
	/* The list is LIFO; finish jobs in completion order. */
	while (list) {
		j = list;
		list = j->next;
		j->next = rev;
		rev = j;
	}
	while (rev) {
		j = rev;
		rev = j->next;
		running--;
		j->done(j);
	}
}

int worker_init(void)
{
	ev_async_init(&wake, wake_cb);
	ev_async_start(loop, &wake);
	/* The async watcher alone must not keep the loop alive. */
	ev_unref(loop);
	return 0;
}

static void *thread_main(void *arg)
{
	struct job *j = arg;

	j->run(j);
	pthread_mutex_lock(&lock);
	j->next = completed;
	completed = j;
	pthread_mutex_unlock(&lock);
	ev_async_send(loop, &wake);
	return NULL;
}

int worker_start(struct job *j)
{
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t t;
	int rc;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* Signals are the loop's business (ev_signal): block them here. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t, &attr, thread_main, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc)
		return -rc;
	running++;
	return 0;
}

int worker_busy(void)
{
	return running;
}
