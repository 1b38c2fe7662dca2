/*
 * A request's fields, as read from its directory, checked and turned
 * into what the operation needs (reqparse.c).  No xenstore, no state:
 * a `name=` spec is left for the caller to resolve.
 */
#ifndef XENPCI_REQPARSE_H
#define XENPCI_REQPARSE_H

#include <stdbool.h>

#include "bdf.h"
#include "queue.h"
#include "spec.h"

enum req_op {
	REQ_ADD, REQ_REMOVE, REQ_LIST, REQ_ATTACH, REQ_DETACH,
	REQ_CLEANUP,		/* the agent's own: a guest died */
};

struct req_params {
	enum req_op op;
	char desc[160];		/* "assignable-add 07:00.0", for people */
	struct spec spec;	/* assignable-*, detach */
	struct spec specs[XENPCI_ATTACH_MAX_SPECS];	/* attach */
	unsigned int nspecs;
	bool spec_n;		/* attach named spec-N, not spec */
	unsigned int domid;
	bool has_domid;
	bool rebind, force;
	unsigned int timeout;	/* seconds */
	char script[XENPCI_REQ_SCRIPT_MAX + 1];	/* "": the default */
	/* Every device the request works on, each once. */
	struct bdf devs[REQ_MAX_DEVS];
	unsigned int ndevs;
	unsigned int unresolved;	/* name= specs left to look up */
	int err;		/* 0 or an errno */
	char msg[1024];		/* why, when err */
};

/*
 * Checks id and every field the agent knows (names[i] = vals[i], a NULL
 * value is skipped).  0, or an errno with p->msg saying why.  Unknown
 * fields are logged and ignored.  With p->unresolved, devs is filled
 * once reqparse_resolve() has been given every name= spec.
 */
int reqparse(const char *id, char *const *names, char *const *vals,
	     unsigned int n, struct req_params *p);
/* The next name= spec to look up, or NULL. */
struct spec *reqparse_unresolved(struct req_params *p);
/* b: the device named sp->name, NULL if none is.  0 or an errno. */
int reqparse_resolve(struct req_params *p, struct spec *sp,
		     const struct bdf *b);
/*
 * What the request queues on (res has room for REQ_MAX_DEVS + 1): its
 * devices, and the guest of an attach, a detach or a cleanup.  The
 * number of resources.
 */
unsigned int reqparse_resources(const struct req_params *p,
				struct qres *res);
/* ok or error: a final status never changes. */
bool reqparse_final(const char *status);
/* p->err = err, p->msg from fmt; returns err. */
int reqparse_fail(struct req_params *p, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void reqparse_free(struct req_params *p);

#endif
