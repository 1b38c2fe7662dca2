/*
 * The agent's configuration, filled in by main.c from the command line
 * before anything else runs, and the event loop.  Defined in config.c,
 * at the bottom of the layers, so that every layer may read them.
 */
#ifndef XENPCI_CONFIG_H
#define XENPCI_CONFIG_H

#include <stdbool.h>

#include <ev.h>

#define AGENT_NAME	"xen-pci-agent"

struct agent_config {
	const char *sysfs_root;
	const char *state_dir;
	unsigned int domid;
	unsigned int toolstack_domid;
	bool foreground;
};
extern struct agent_config cfg;
extern struct ev_loop *loop;

#endif
