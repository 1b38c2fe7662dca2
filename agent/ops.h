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
	/* attach: what went on anyway (reset=best-effort), or "" */
	char warning[512];
	/* check: result/<key> = val */
	struct outcome_kv {
		char key[48];
		char val[1024];
	} *kv;
	unsigned int nkv;
	/* its worker wrote the answer with R/devices (ops_finish()) */
	bool answered;
};
void outcome_free(struct outcome *o);

/* force: take a device dom0 uses anyway (the dom0 guard, policy.c). */
int assignable_add(const struct spec *sp, bool force, const char *req,
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
	       bool replay, bool force, int reset,
	       const struct cancel *cancel, struct outcome *out);
int pci_detach(unsigned int domid, const struct spec *sp, const char *req,
	       bool force, unsigned int timeout_s, bool replay,
	       const struct cancel *cancel, struct outcome *out);
/* At most this many requests share one drive (request.c's groups). */
#define REQ_GROUP_MAX	16

/* One request of a group of attaches to one guest (request.c). */
struct attach_req {
	const struct spec *specs;
	unsigned int nspecs;
	const char *req;
	const struct cancel *cancel;	/* this request's */
	struct outcome *out;
};
/*
 * Attach requests queued one behind the other on guest domid, served by
 * one drive: one reconfiguration of the guest's backend for all their
 * devices instead of one each (issue 10).  Each request gets its own
 * outcome: one whose checks fail fails alone, and when the drive fails
 * (it takes every device back) each request is served again on its own,
 * as if it had not been grouped.  any is set when any member's cancel
 * is.  None is a replay or seizes a device (ops_can_join()).
 */
void pci_attach_group(unsigned int domid, struct attach_req *a,
		      unsigned int n, unsigned int timeout_s, bool force,
		      int reset, const struct cancel *any);
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

/*
 * A group of attaches (request.c): members[0] heads the guest's queue,
 * the others queued right behind it.  ops_can_join(): p may join a
 * group led by lead whose members name ndevs devices so far (same
 * guest, same options, nothing to seize).  On the loop.
 */
bool ops_can_join(const struct req_params *lead, const struct req_params *p,
		  unsigned int ndevs);
struct op_member {
	const struct req_params *p;
	const char *id;
	const char *dir;
	const struct cancel *cancel;
	const atomic_bool *quiet;
	struct outcome *out;
};
/*
 * On the group's worker: every member's operation (pci_attach_group()),
 * then R/devices of all their devices and each member's answer, in one
 * transaction (ops_finish() for each, at once).
 */
void ops_run_group(struct op_member *m, unsigned int n,
		   const struct cancel *any);
void ops_finish_group(struct op_member *m, unsigned int n);

#endif
