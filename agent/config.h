/*
 * The agent's configuration, filled in by main.c from the command line
 * before anything else runs, and the event loop.  Defined in config.c,
 * at the bottom of the layers, so that every layer may read them.
 */
#ifndef XENPCI_CONFIG_H
#define XENPCI_CONFIG_H

#include <stdbool.h>

#include <ev.h>

#include "xenpci_protocol.h"

#define AGENT_NAME	"xen-pci-agent"
/* R/features: what this agent serves (protocol/PROTOCOL.md). */
#define AGENT_FEATURES	XENPCI_OP_ASSIGNABLE_ADD " " \
			XENPCI_OP_ASSIGNABLE_REMOVE " " \
			XENPCI_OP_ASSIGNABLE_LIST " " \
			XENPCI_FEATURE_REBIND " " XENPCI_FEATURE_WILDCARD " " \
			XENPCI_FEATURE_LIBXL_DRIVER_PATH " " \
			XENPCI_OP_ATTACH " " XENPCI_OP_DETACH " " \
			XENPCI_FEATURE_PERMISSIVE " " \
			XENPCI_FEATURE_DOMAIN_CLEANUP " " \
			XENPCI_FEATURE_HOTPLUG_SCRIPTS " " \
			XENPCI_FEATURE_NAME " " XENPCI_FEATURE_PERSISTENT " " \
			XENPCI_FEATURE_DOM0_GUARD " " \
			XENPCI_FEATURE_RESET_POLICY " " XENPCI_OP_CHECK


struct agent_config {
	const char *sysfs_root;
	const char *proc_root;		/* the dom0 guard's /proc */
	const char *dev_root;		/* DIR/kmsg: the kernel log */
	bool reset_strict;		/* --reset-policy strict */
	const char *state_dir;
	const char *run_dir;	/* qemu-xen's QMP sockets */
	const char *xen_lib_dir;	/* libxl's XEN_LIB_DIR (savedcfg.c) */
	unsigned int domid;
	unsigned int toolstack_domid;
	bool foreground;
	const char *pidfile;	/* --pidfile, or NULL */
	/* The configuration file persistent=1 edits (absolute). */
	const char *config_file;
};
extern struct agent_config cfg;
extern struct ev_loop *loop;

#endif
