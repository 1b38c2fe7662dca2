/*
 * xen-pci-agent: the pieces of the daemon and how they talk to each
 * other.  One file per concern:
 *
 *   main.c       options, signals, start-up and shut-down, the loop
 *   log.c        syslog or stderr, the device named in every line
 *   xs.c         the xenstore connection, the watch fd, publishing R
 *   request.c    a request's life: the explicit state table
 *   devices.c    per-device queues and the published R/devices tree
 *   worker.c     runs a request's sysfs steps off the loop thread
 *   assignable.c the assignable-add / -remove / -list step sequences
 *   sysfs.c      every sysfs access, relative to --sysfs-root
 *   hypervisor.c Xen's side: quarantine (dom_io), a guest's grants
 *   xenbus.c     the PCI backend/frontend and the xenbus handshake
 *   attach.c     attach / detach step sequences, dead guests
 *   domains.c    which guests holding devices died (@releaseDomain)
 *   statedir.c   remembered drivers and the intent journal on disk
 *   spec.c       PCI_SPEC_STRING parsing (libxlutil) and '*' expansion
 */
#ifndef XENPCI_AGENT_H
#define XENPCI_AGENT_H

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

#include <ev.h>
#include <xenstore.h>

#include "xenpci_protocol.h"

#define AGENT_NAME	"xen-pci-agent"
#define AGENT_FEATURES	XENPCI_OP_ASSIGNABLE_ADD " " \
			XENPCI_OP_ASSIGNABLE_REMOVE " " \
			XENPCI_OP_ASSIGNABLE_LIST " " \
			XENPCI_FEATURE_REBIND " " XENPCI_FEATURE_WILDCARD " " \
			XENPCI_FEATURE_LIBXL_DRIVER_PATH " " \
			XENPCI_OP_ATTACH " " XENPCI_OP_DETACH " " \
			XENPCI_FEATURE_PERMISSIVE " " \
			XENPCI_FEATURE_DOMAIN_CLEANUP

/* A PCI address; `valid` is false for an empty slot in a list. */
struct bdf {
	unsigned int dom, bus, dev, func;
};

#define BDF_STR_LEN	16	/* "0000:07:00.0" plus slack */
#define KEY_STR_LEN	16	/* "0000-07-00-0" plus slack */

/* Small helpers used everywhere (log.c). */
const char *bdf_str(const struct bdf *b, char buf[BDF_STR_LEN]);
const char *bdf_key(const struct bdf *b, char buf[KEY_STR_LEN]);
bool bdf_from_str(const char *s, struct bdf *b);	/* 0000:07:00.0 */
bool bdf_from_key(const char *s, struct bdf *b);	/* 0000-07-00-0 */
bool bdf_eq(const struct bdf *a, const struct bdf *b);
const char *errno_name(int err);

/* ------------------------------------------------------------ log.c */
void log_init(bool foreground, int level);
int log_level_from_str(const char *s);
void log_msg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "0000:07:00.0: <message>" */
void log_dev(int prio, const struct bdf *b, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

/* Global configuration, filled in by main.c. */
struct agent_config {
	const char *sysfs_root;
	const char *state_dir;
	unsigned int domid;
	unsigned int toolstack_domid;
	bool foreground;
};
extern struct agent_config cfg;
extern struct ev_loop *loop;

/* ------------------------------------------------------------- xs.c */
extern struct xs_handle *xsh;
extern char agent_root[64];	/* R */

int xs_connect(void);
void xs_disconnect(void);
int xs_publish_start(void);
int xs_publish_running(void);
void xs_publish_stopped(void);
/* Start watching R/requests; events go to request_watch_event(). */
int xs_watch_requests(void);
void xs_stop_watching(void);
/* NULL if absent; caller frees. */
char *xs_read_str(xs_transaction_t t, const char *path);
bool xs_write_str(xs_transaction_t t, const char *path, const char *val);
bool xs_exists(xs_transaction_t t, const char *path);
/* Remove; a node that is already gone is not an error. */
bool xs_remove(xs_transaction_t t, const char *path);

/* ------------------------------------------------------------ spec.c */
#define SPEC_MAX_DEVS	8	/* functions per slot */
/* Devices one request may name: every function of every attach spec. */
#define REQ_MAX_DEVS	(SPEC_MAX_DEVS * XENPCI_ATTACH_MAX_SPECS)
struct spec {
	struct bdf devs[SPEC_MAX_DEVS];
	unsigned int ndevs;
	bool wildcard;
	bool permissive;
	bool permissive_set;	/* the spec said permissive= */
	bool seize;
	bool msitranslate;
	bool power_mgmt;
	bool rdm_relaxed;	/* rdm_policy=relaxed */
	unsigned int vdevfn;	/* @VSLOT << 3, 0: pciback picks */
	char *name;		/* name=, or NULL; owned */
};
/* 0, or an errno with `err` set to a message for a person. */
int spec_parse(const char *str, struct spec *sp, char *err, size_t errlen);
void spec_free(struct spec *sp);

/* ----------------------------------------------------------- sysfs.c */
/* Each returns 0 or -errno. */
int sysfs_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int sysfs_dev_exists(const struct bdf *b);
int sysfs_pciback_loaded(void);
/* 1 bound to pciback, 0 not, or -errno. */
int sysfs_on_pciback(const struct bdf *b);
/* 1 listed in pciback/slots, 0 not, or -errno. */
int sysfs_has_slot(const struct bdf *b);
/*
 * The driver the device is bound to: `host_path` gets what libxl
 * would store (the realpath on a real host, i.e. under /sys), empty if
 * unbound.  Returns 0 or -errno.
 */
int sysfs_dev_driver(const struct bdf *b, char *host_path, size_t len);
/* Write the BDF to <host driver path>/<file> (mapped into the root). */
int sysfs_driver_write(const char *host_drv, const char *file,
		       const struct bdf *b);
int sysfs_pciback_write(const char *file, const struct bdf *b);
/* Functions present in sysfs for dom:bus:dev, sorted. */
int sysfs_functions(const struct bdf *slot, struct bdf *out,
		    unsigned int max, unsigned int *n);
/* Devices bound to pciback.  *out is malloc'd. */
int sysfs_pciback_devices(struct bdf **out, unsigned int *n);
/* 1 if the device is listed in pciback/permissive. */
int sysfs_permissive(const struct bdf *b);
const char *driver_name(const char *host_path);	/* basename */
void sysfs_init(void);

/* ------------------------------------------------------ hypervisor.c */
/* Opens the hypervisor interface; without one, says what will not work. */
void hv_open(void);
void hv_close(void);
/* Quarantine: assignable devices belong to DOMID_IO, as with libxl. */
bool quarantine_available(void);
int quarantine_assign(const struct bdf *b);
int quarantine_release(const struct bdf *b);
/* 1 if a guest owns the device, 0 if not, or -errno. */
int quarantine_guest_owned(const struct bdf *b);
/* BARs, IRQ and assignment, as libxl; all or nothing.  0 or -errno. */
int hv_grant(unsigned int domid, const struct bdf *b, char *msg,
	     size_t len);
/* Deassign and revoke; idempotent.  0 or -errno of the first failure. */
int hv_revoke(unsigned int domid, const struct bdf *b, char *msg,
	      size_t len);
/* 1 the domain exists and is not dying, 0 it does not, or -errno. */
int hv_domain_alive(unsigned int domid);

/* -------------------------------------------------------- statedir.c */
enum intent_op { INTENT_ADD, INTENT_REMOVE, INTENT_ATTACH, INTENT_DETACH };
struct intent {
	enum intent_op op;
	struct bdf bdf;
	unsigned int domid;	/* attach, detach: the guest */
	char request[XENPCI_REQ_ID_MAX + 1];
	char orig_driver[PATH_MAX];	/* host path or "" */
	bool orig_pciback;	/* bound to pciback before */
	bool orig_slot;		/* listed in pciback/slots before */
	bool rebind;
	bool wrote_xs_path;	/* add: we created /libxl/pci/K/driver_path */
	char boot_id[40];
};
int statedir_init(void);
int intent_write(const struct intent *in);
int intent_read(const struct bdf *b, struct intent *in);	/* -ENOENT */
int intent_clear(const struct bdf *b);
/* The BDFs with an intent record, malloc'd. */
int intent_list(struct bdf **out, unsigned int *n);
int driver_remember(const struct bdf *b, const char *host_path);
int driver_recall(const struct bdf *b, char *host_path, size_t len);
int driver_forget(const struct bdf *b);
const char *current_boot_id(void);

/* ------------------------------------------------------ assignable.c */
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
};
/* Shared by the step sequences (assignable.c, attach.c). */
void step(const struct bdf *b, const char *name);
int fail(struct outcome *out, int err, const struct bdf *b,
	 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int assignable_add(const struct spec *sp, const char *req,
		   volatile int *cancel, struct outcome *out);
int assignable_remove(const struct spec *sp, const char *req, bool rebind,
		      bool force, volatile int *cancel, struct outcome *out);
int assignable_list(struct outcome *out);
/* Start-up: undo every unfinished intent. */
void assignable_recover(void);
void assignable_restore_libxl(void);
int assignable_undo(const struct intent *in, char *how, size_t howlen);
void outcome_free(struct outcome *o);

/* ---------------------------------------------------------- attach.c */
/*
 * replay: the request was begun by an agent that died; what it asked
 * for may already be done, which is then success, not EEXIST/ENOENT.
 */
int pci_attach(unsigned int domid, const struct spec *specs,
	       unsigned int nspecs, const char *req, unsigned int timeout_s,
	       bool replay, volatile int *cancel, struct outcome *out);
int pci_detach(unsigned int domid, const struct spec *sp, const char *req,
	       bool force, unsigned int timeout_s, bool replay,
	       volatile int *cancel, struct outcome *out);
/* A crash left an attach or detach record: take the device back. */
int attach_undo(const struct intent *in);
/* Reset as libxl does; *how: "do_flr", "reset" or "unsupported". */
int attach_reset(const struct bdf *b, const char **how);
/* Release what a dead guest held and remove its backend. */
void attach_domain_gone(unsigned int domid, const struct bdf *devs,
			unsigned int n);

/* ---------------------------------------------------------- worker.c */
struct job;
typedef void (*job_fn)(struct job *j);
struct job {
	job_fn run;		/* on the worker thread */
	job_fn done;		/* back on the loop */
	void *data;
	struct job *next;	/* completion list */
};
int worker_init(void);
int worker_start(struct job *j);
int worker_busy(void);

/* ---------------------------------------------------------- devices.c */
struct request;
void devices_publish(void);
/* Queue the request on each of its devices; true if it can run now. */
bool devices_enqueue(struct request *rq, const struct bdf *b,
		     unsigned int n);
/* Remove from the queues; requests that can now run are started. */
void devices_release(struct request *rq, const struct bdf *b,
		     unsigned int n);
bool devices_at_head(struct request *rq, const struct bdf *b,
		     unsigned int n);

/* ---------------------------------------------------------- request.c */
void request_watch_event(const char *path);
void request_scan_all(void);
void request_runnable(struct request *rq);
void request_shutdown(void);
void request_cleanup_domain(unsigned int domid, const struct bdf *devs,
			    unsigned int n);

/* --------------------------------------------------------- domains.c */
/* @releaseDomain: clean up after the guests holding devices that died. */
void domains_changed(void);
bool request_all_final(void);
void request_free_all(void);

/* ------------------------------------------------------------- main.c */
void agent_maybe_exit(void);
extern bool agent_stopping;
extern int agent_exit_code;	/* 0, or 1 after losing xenstore */

#endif
