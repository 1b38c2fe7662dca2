/*
 * The requests are written, not run directly, because a request is the
 * one way a device changes hands: it waits for the device's queue,
 * writes its intent record and is recovered after a crash like one from
 * a toolstack.  Their IDs, persistent-<pid>-<round>-<i>, never collide
 * with an earlier start's (left for the reaper) nor an earlier SIGHUP's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "persist.h"
#include "xs.h"

struct persist_req {
	char path[160];
	const char *spec;
};

static int write_req(struct xs_handle *h, xs_transaction_t t, void *arg)
{
	struct persist_req *p = arg;
	char node[200];

	snprintf(node, sizeof(node), "%s/" XENPCI_REQ_SPEC, p->path);
	if (!xs_write(h, t, node, p->spec, strlen(p->spec)))
		return -errno;
	snprintf(node, sizeof(node), "%s/" XENPCI_REQ_OP, p->path);
	if (!xs_write(h, t, node, XENPCI_OP_ASSIGNABLE_ADD,
		      strlen(XENPCI_OP_ASSIGNABLE_ADD)))
		return -errno;
	return 0;
}

unsigned int persist_apply(char *const *specs, unsigned int n)
{
	static unsigned int round;
	unsigned int done = 0;

	round++;
	for (unsigned int i = 0; i < n; i++) {
		struct persist_req p = { .spec = specs[i] };
		int rc;

		snprintf(p.path, sizeof(p.path), "%s/persistent-%ld-%u-%u",
			 xs_requests_path(), (long)getpid(), round, i);
		rc = xs_txn_run(xsh, write_req, &p);
		if (rc) {
			log_err("persistent assignment %s: write request %s: "
				"%s", specs[i], p.path, strerror(-rc));
			continue;
		}
		log_info("persistent assignment %s: request %s", specs[i],
			 strrchr(p.path, '/') + 1);
		done++;
	}
	return done;
}
