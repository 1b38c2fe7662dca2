/*
 * xen-pci-agent: the pieces of the daemon and how they talk to each
 * other.  One file per concern:
 *
 *   main.c       options, signals, start-up and shut-down, the loop
 *   bdf.c        PCI addresses, errno names
 *   config.c     the configuration and the loop
 *   cancel.c     telling a worker to give up
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

/*
 * Every module has its own header; this one includes them all for the
 * files that have not been narrowed to what they use.
 */
#include "bdf.h"
#include "log.h"
#include "config.h"
#include "cancel.h"
#include "xs.h"
#include "spec.h"
#include "sysfs.h"
#include "hypervisor.h"
#include "statedir.h"
#include "libxl_pci.h"
#include "ops.h"
#include "worker.h"
#include "publish.h"
#include "request.h"
#include "domains.h"
#include "main.h"

#define AGENT_FEATURES	XENPCI_OP_ASSIGNABLE_ADD " " \
			XENPCI_OP_ASSIGNABLE_REMOVE " " \
			XENPCI_OP_ASSIGNABLE_LIST " " \
			XENPCI_FEATURE_REBIND " " XENPCI_FEATURE_WILDCARD " " \
			XENPCI_FEATURE_LIBXL_DRIVER_PATH " " \
			XENPCI_OP_ATTACH " " XENPCI_OP_DETACH " " \
			XENPCI_FEATURE_PERMISSIVE " " \
			XENPCI_FEATURE_DOMAIN_CLEANUP

#endif
