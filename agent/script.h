/*
 * The hotplug script runner (script.c): the site's own steps at each
 * point of a device's life, run as xl devd runs vif and vbd scripts
 * (protocol/PROTOCOL.md section 8.6, hotplug-scripts/pci).
 */
#ifndef XENPCI_SCRIPT_H
#define XENPCI_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "bdf.h"
#include "cancel.h"

enum script_phase {
	SP_PREPARE,	/* before the device leaves its dom0 driver: a veto */
	SP_ADD,		/* exported to a guest (the backend connected) */
	SP_REMOVE,	/* the device left the guest (detach) */
	SP_REATTACH,	/* back on its dom0 driver (remove -r) */
	SP_CLEANUP,	/* released from a guest that died */
	SP_NPHASES
};

#define SCRIPT_DIR_DEFAULT	"/etc/xen/scripts"
#define SCRIPT_DEFAULT		"pci"
#define SCRIPT_TIMEOUT_DEFAULT	40	/* s: libxl's hotplug timeout */
#define SCRIPT_GRACE_DEFAULT	5	/* s between SIGTERM and SIGKILL */

const char *script_phase_name(enum script_phase ph);

/* main.c, from the command line, before anything runs.  0 or -EINVAL. */
int script_configure(const char *dir, unsigned int timeout_s,
		     unsigned int grace_s);
/*
 * Start-up, with the state dir locked: kills and reports what scripts
 * of an earlier agent of this state dir left running.
 */
void script_reap_orphans(void);
/* On the loop thread once the loop exists: scripts may run from now. */
int script_init(void);
/* After the loop: whatever still runs is killed. */
void script_stop_all(void);

/*
 * For the calling thread's request: the script `name` (NULL or "": the
 * default `pci`, if the directory holds one).  0, or -errno with msg
 * saying why (a name that is not a file in the script directory).
 */
int script_select(const char *name, char *msg, size_t len);
/* The calling thread undoes a failed drive: a script cannot veto. */
void script_undo(bool on);
bool script_undoing(void);
/* The calling thread's request has a script to run. */
bool script_active(void);

struct script_dev {
	const struct bdf *bdf;
	long domid;		/* the guest, -1 none */
	const char *orig_driver;	/* sysfs path or name, "" none */
	const char *req;	/* the request ID, "" none */
};

/*
 * Runs the thread's script for phase ph and waits for it (on a worker
 * thread; the loop runs it as a libev child).  0 when there is no
 * script or it exited 0; else -EPERM (non-zero exit, killed by a
 * signal), -ETIMEDOUT (past its timeout, or the request's cancel) or a
 * spawn errno, with msg saying why (a veto: the script's last line of
 * stderr).  Before script_init() (start-up recovery) the calling thread
 * waits for the script itself.
 */
int script_run(enum script_phase ph, const struct script_dev *sd,
	       const struct cancel *cancel, char *msg, size_t len);

/* hotplug-status and hotplug-error in domid's PCI backend. */
void script_hotplug_status(unsigned int domid, const char *err);

#endif
