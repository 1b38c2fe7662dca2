/*
 * The operations a request asks for, run on a worker thread: each one
 * drives its devices to a goal (device.c) and fills in an outcome.
 */
#ifndef XENPCI_OPS_H
#define XENPCI_OPS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "cancel.h"
#include "spec.h"

/* Outcome of one request's work, filled in by the worker. */
struct outcome {
	int err;		/* 0 or errno */
	char msg[1024];		/* for a person, when err != 0 */
	/* assignable-list: device -> original driver name */
	struct bdf *list;
	char (*list_drv)[64];
	unsigned int nlist;
	/* attach: the vdev of each spec, in order */
	char vdev[XENPCI_ATTACH_MAX_SPECS][32];
	unsigned int nvdev;
	/* its worker wrote the answer with R/devices (ops_finish()) */
	bool answered;
};
void outcome_free(struct outcome *o);

int assignable_add(const struct spec *sp, const char *req,
		   const struct cancel *cancel, struct outcome *out);
int assignable_remove(const struct spec *sp, const char *req, bool rebind,
		      bool force, const struct cancel *cancel,
		      struct outcome *out);
int assignable_list(struct outcome *out);
/* Start-up: undo every unfinished intent. */
void assignable_recover(void);
void assignable_restore_libxl(void);

/*
 * replay: the request was begun by an agent that died; what it asked
 * for may already be done, which is then success, not EEXIST/ENOENT.
 */
int pci_attach(unsigned int domid, const struct spec *specs,
	       unsigned int nspecs, const char *req, unsigned int timeout_s,
	       bool replay, const struct cancel *cancel, struct outcome *out);
int pci_detach(unsigned int domid, const struct spec *sp, const char *req,
	       bool force, unsigned int timeout_s, bool replay,
	       const struct cancel *cancel, struct outcome *out);
/* Release what a dead guest held and remove its backend. */
void attach_domain_gone(unsigned int domid, const struct bdf *devs,
			unsigned int n);

/*
 * ops.c, on a request's worker thread: the operation p asks for, then
 * R/devices for what it touched (before the loop answers, so that a
 * requester who sees the final status sees the devices it changed).
 */
struct req_params;
void ops_run(const struct req_params *p, const char *id, bool replay,
	     const struct cancel *cancel, struct outcome *out);
void ops_publish(const struct req_params *p);
/*
 * ops_publish(), and in the same transaction the request's answer in
 * dir (out->answered), unless quiet or cancel is set by then: the loop
 * answers those (timeout) or nobody does (removed by its requester).
 * dir NULL (the agent's own requests) or a list: ops_publish() alone.
 */
void ops_finish(const struct req_params *p, const char *dir,
		struct outcome *out, const atomic_bool *quiet,
		const struct cancel *cancel);

#endif
