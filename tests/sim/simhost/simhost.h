/*
 * simhost: a Xen host in a box.  Starts Debian's real xenstored under
 * the simulated hypervisor (libsimxen.so), the FUSE PCI sysfs and the
 * xenbus peers, and creates and destroys guest domains.
 *
 * Everything of one host lives under its --dir:
 *   env        shell-sourceable settings for clients
 *   xen/       SIMXEN_DIR, the simulated hypervisor's state
 *   xenstored/ XENSTORED_RUNDIR: socket, trace, log; for oxenstored
 *              also its config and run/, its /run
 *   sysfs/     the FUSE mount: sys/ (SYSFS_ROOT) and sim/ (control)
 *   run/       pid files of the host's processes, daemon logs
 *   var-run-xen/ XEN_RUN_DIR, libxl's /var/run/xen: QMP sockets
 */
#ifndef SIMHOST_H
#define SIMHOST_H

#include <stdbool.h>
#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define CXENSTORED_BIN "/usr/lib/xen-4.17/bin/xenstored"
#define OXENSTORED_BIN "/usr/lib/xen-4.17/bin/oxenstored"

struct host {
	char dir[512];
	char bindir[512];	/* where simhost itself lives */
	char preload[PATH_MAX];
};

int host_init(struct host *h, const char *dir);
int host_path(const struct host *h, char *buf, size_t len,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void host_setenv(const struct host *h);

/* proc.c */
pid_t proc_spawn(const struct host *h, const char *name, char *const argv[]);
pid_t proc_spawn_prep(const struct host *h, const char *name,
		      char *const argv[], void (*prep)(const struct host *));
int proc_wait_ready(const struct host *h, const char *name, pid_t pid,
		    bool (*ready)(const struct host *, void *), void *arg);
int proc_stop(const struct host *h, const char *name);
int proc_write_pid(const struct host *h, const char *name, pid_t pid);
pid_t proc_read_pid(const struct host *h, const char *name);

/* up.c */
int cmd_up(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_xenstored(int argc, char **argv);
int host_down(const struct host *h, bool from_guard);

/* domain.c */
int cmd_domain(int argc, char **argv);
int cmd_fault(int argc, char **argv);
int cmd_guest(int argc, char **argv);
int poke_virq(const struct host *h);
int poke_domain(const struct host *h, unsigned int domid);

/* qmp.c: the QMP peers of HVM guests (qemu-xen in dom0) */
#define XEN_RUN_SUBDIR "var-run-xen"
/* libxl's XEN_LIB_DIR (/var/lib/xen): the guests' saved configurations */
#define XEN_LIB_SUBDIR "xen-lib"
int qmp_start(const struct host *h, unsigned int domid, bool ahci);
int qmp_stop(const struct host *h, unsigned int domid);
int qmp_stop_all(const struct host *h);
int cmd_qmp(int argc, char **argv);

/* guestxs.c */
int cmd_xs(int argc, char **argv);

void die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
					       noreturn));
void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* libxljson.c */
void libxl_json_create(const struct host *h, unsigned int domid,
		       const char *name, const char *uuid, const char *type,
		       bool passthrough);
void libxl_json_destroy(const struct host *h, unsigned int domid,
			const char *uuid);

#endif
