/*
 * simqmp: qemu-xen 7.2's QMP monitor for one simulated HVM guest, as
 * libxl talks to it (-chardev socket,path=.../qmp-libxl-<domid>,
 * server=on,wait=off -mon chardev=libxl-cmd,mode=control) on an xenfv
 * machine, with the xen-pci-passthrough device.  Every behaviour names
 * the QEMU function it mirrors (QEMU 7.2, as Debian 12's 7.2.22).
 *
 *   main.c     command line, libev loop, the chardev socket server (one
 *              client at a time), the control socket, the transcript
 *   monitor.c  monitor/qmp.c and qapi/qmp-dispatch.c: greeting,
 *              framing, capabilities negotiation, dispatch, errors
 *   pcibus.c   the guest's PCI bus 0: the xenfv machine's devices,
 *              device_add/device_del of xen-pci-passthrough, query-pci,
 *              the guest's ACPI eject
 *   client.c   qmpc, the test client (not part of the peer)
 */
#ifndef SIMQMP_H
#define SIMQMP_H

#include <stdbool.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

struct ev_loop;

struct qmp_conf {
	struct ev_loop *loop;
	unsigned int domid;
	const char *sysfs_root;		/* plays /sys */
	const char *simxen_dir;		/* the simulated hypervisor */
	bool ahci;			/* the real-Xen tier's ich9-ahci */
	long release_ms;		/* guest's ACPI eject delay, -1: never */
	long probe_ms;			/* guest programs a new device, -1: never */
	char fail_cmd[16];		/* "fail": this command ... */
	long fail_nth;			/* ... its Nth next run fails */
};
extern struct qmp_conf conf;

/* main.c: output to the connected client; the transcript */
void qmp_send(yajl_gen g);		/* sends and frees g's buffer */
bool qmp_client_in_command_mode(void);
void transcript(const char *dir, const char *json, size_t len);
void plog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* monitor.c */
void monitor_open(void);		/* CHR_EVENT_OPENED */
void monitor_input(const char *buf, size_t len);
void monitor_closed(void);
void monitor_event(const char *event, yajl_gen data);	/* data: map */

/* A QMP command's outcome: either a return value or an error. */
struct qmp_err {
	const char *class;		/* QapiErrorClass */
	char desc[512];
};

void qerr_set(struct qmp_err *e, const char *class, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* pcibus.c */
void bus_init(void);
void bus_fini(void);
/* device_add: args is the "arguments" object (or NULL). */
int bus_device_add(yajl_val args, struct qmp_err *e);
int bus_device_del(yajl_val args, struct qmp_err *e);
void bus_query_pci(yajl_gen g);
void bus_status(char *buf, size_t len);
void bus_release_all_pending(void);
void bus_probe_all_pending(void);

/* yajl helpers */
void gen_str(yajl_gen g, const char *s);
void gen_int(yajl_gen g, long long v);
void gen_key(yajl_gen g, const char *k);
yajl_val json_get(yajl_val obj, const char *key);

#endif
