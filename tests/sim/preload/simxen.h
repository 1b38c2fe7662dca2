/*
 * simxen: the simulated hypervisor behind an LD_PRELOAD library.
 *
 * Its whole state lives in files under $SIMXEN_DIR so that several
 * processes (xenstored, the agent, simhost) see one hypervisor:
 *   domains/<domid>   one per live guest: "state=running|paused|shutdown|
 *                     crashed|dying", "name=...", "passthrough=1|0",
 *                     "type=pv|hvm|pvh" (no line: pv), "dm=...",
 *                     "dm_domid=N" (dom0 is implicit)
 *   pci/<sbdf>        owner domid of an assigned PCI device (hex sbdf)
 *   faults            "<call> <ERRNO> [count]" lines: make the next
 *                     call(s) fail
 *   hypercalls.log    one line per privileged call and its result
 *   rmrr              the firmware's RMRRs, "BASE SBDF [SBDF...]" lines
 *                     (written by tests): a device sharing one is
 *                     refused EPERM under the strict RDM policy
 *   dmesg             Xen's console messages (`xl dmesg`)
 *   no-iommu          exists: physinfo has no "directio" (IOMMU off)
 *   virq              FIFO: each byte written raises VIRQ_DOM_EXC
 *   xsd_port, xsd_kva stand-ins for /proc/xen/xsd_port and xsd_kva
 */
#ifndef SIMXEN_H
#define SIMXEN_H

#include <stdbool.h>
#include <stdint.h>

enum sim_domstate {
	SIM_DOM_NONE,
	SIM_DOM_RUNNING,
	SIM_DOM_PAUSED,
	SIM_DOM_SHUTDOWN,
	SIM_DOM_CRASHED,
	SIM_DOM_DYING,
};

const char *sim_dir(void);
int sim_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum sim_domstate sim_domain_state(uint32_t domid);
/*
 * Whether the domain has an IOMMU context (Xen's is_iommu_enabled(d)):
 * false only for a guest whose file says passthrough=0.
 */
bool sim_domain_passthrough(uint32_t domid);
/*
 * Whether the domain was created with XEN_DOMCTL_CDF_hvm (libxl sets it
 * for every type but PV: libxl__domain_make()): "type=hvm" or
 * "type=pvh" in its file.
 */
bool sim_domain_hvm(uint32_t domid);
/*
 * Xen's handle of the domain (libxl's UUID): the "uuid=" line simhost
 * writes at create; all zeros (false) without one, as for dom0.
 */
bool sim_domain_uuid(uint32_t domid, uint8_t handle[16]);
/* Smallest live domid >= first, or -1. */
long sim_next_domain(uint32_t first);
/* 0, or the errno a pending fault for `call` asks for (consumes it). */
int sim_fault(const char *call);
void sim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int sim_errno_from_name(const char *name);
const char *sim_errno_name(int err);

#endif
