/*
 * The configuration's defaults; main.c overrides them from the command
 * line.
 */
#include "config.h"

struct agent_config cfg = {
	.sysfs_root = "/sys",
	.proc_root = "/proc",
	.dev_root = "/dev",
	.state_dir = "/var/lib/xen-pci-agent",
	.run_dir = XENPCI_RUN_DIR_DEFAULT,
	.xen_lib_dir = "/var/lib/xen",
	.domid = 0,
	.toolstack_domid = 0,
};
struct ev_loop *loop;
