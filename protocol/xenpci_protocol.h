/*
 * xen-pci-agent xenstore protocol, version 1: every path and value the
 * agent and its requesters share.  protocol/PROTOCOL.md is the prose
 * description; this header is the single source of the strings.
 * Extend it only additively: toolstacks built against an older header
 * must keep working.
 */
#ifndef XENPCI_PROTOCOL_H
#define XENPCI_PROTOCOL_H

#define XENPCI_PROTOCOL_VERSION	"1"

/* Agent root R: /local/domain/<agent domid>/pci-agent */
#define XENPCI_ROOT_FMT		"/local/domain/%u/pci-agent"

/* Published by the agent under R. */
#define XENPCI_STATE		"state"		/* running | stopped */
#define XENPCI_PROTOCOL		"protocol"	/* "1" */
#define XENPCI_PID		"pid"
#define XENPCI_FEATURES		"features"	/* space separated */
#define XENPCI_DEVICES		"devices"	/* R/devices/<K>/... */
#define XENPCI_REQUESTS		"requests"	/* R/requests/<ID>/... */
#define XENPCI_DOMAINS		"domains"	/* R/domains/<domid>/... */

#define XENPCI_STATE_RUNNING	"running"
#define XENPCI_STATE_STOPPED	"stopped"

/* R/devices/<K>/: K is a device key, see XENPCI_KEY_FMT. */
#define XENPCI_DEV_BDF		"bdf"		/* 0000:07:00.0 */
#define XENPCI_DEV_STATE	"state"		/* assignable | attached */
#define XENPCI_DEV_DRIVER	"driver"	/* original driver or "" */
#define XENPCI_DEV_DOMID	"domid"		/* when attached */
#define XENPCI_DEV_VDEV		"vdev"		/* when attached */
#define XENPCI_DEV_PERMISSIVE	"permissive"	/* 0 | 1 */
/* Addition: the observed stage, agent/device.c dev_state_name(). */
#define XENPCI_DEV_STAGE	"stage"
#define XENPCI_DEV_RESET	"reset"	/* "clean (flr)", "dirty: ..." */
#define XENPCI_DEV_HISTORY	"history"	/* history/0.. oldest first */
#define XENPCI_DEV_LAST_ERROR	"last-error"
/* pciback dropped a guest's read-only config write: one line, the fix */
#define XENPCI_DEV_PERMISSIVE_HINT	"permissive-hint"

#define XENPCI_DEVSTATE_ASSIGNABLE	"assignable"
#define XENPCI_DEVSTATE_ATTACHED	"attached"

/* R/domains/<domid>/permissive = 1: xl's pci_permissive=1. */
#define XENPCI_DOM_PERMISSIVE	"permissive"

/*
 * Xenstore names allow only [A-Za-z0-9_@/-], so a device key is the BDF
 * with '-' separators, lowercase hex, exactly as libxl's /libxl/pci/.
 */
#define XENPCI_KEY_FMT		"%04x-%02x-%02x-%01x"
#define XENPCI_BDF_FMT		"%04x:%02x:%02x.%01x"

/* R/requests/<ID>/: ID is 1..64 of [A-Za-z0-9_-]. */
#define XENPCI_REQ_ID_MAX	64
#define XENPCI_REQ_OP		"op"		/* written last */
#define XENPCI_REQ_SPEC		"spec"		/* xl PCI_SPEC_STRING */
#define XENPCI_REQ_SPEC_N_FMT	"spec-%u"	/* attach: several */
#define XENPCI_ATTACH_MAX_SPECS	16		/* spec-0 .. spec-15 */
#define XENPCI_REQ_DOMID	"domid"
#define XENPCI_REQ_REBIND	"rebind"	/* "1": remove -r */
#define XENPCI_REQ_FORCE	"force"		/* "1" */
#define XENPCI_REQ_RESET	"reset"		/* "strict", "best-effort" */
#define XENPCI_RES_WARNING	"warning"	/* result/warning */
#define XENPCI_REQ_TIMEOUT	"timeout"	/* seconds */
/* assignable-add: libxl's device name (xl pci-assignable-add -n). */
#define XENPCI_REQ_NAME		"name"
/* assignable-add/-remove "1": also in the configuration's assignable. */
#define XENPCI_REQ_PERSISTENT	"persistent"
#define XENPCI_REQ_TIMEOUT_DEFAULT	30

/* Written by the agent. */
#define XENPCI_REQ_STATUS	"status"
#define XENPCI_REQ_ERROR	"error"		/* for a person */
#define XENPCI_REQ_CODE		"code"		/* errno name */
#define XENPCI_REQ_RESULT	"result"	/* result/... */
#define XENPCI_RES_VDEV		"vdev"
#define XENPCI_RES_VDEV_N_FMT	"vdev-%u"

#define XENPCI_OP_ASSIGNABLE_ADD	"assignable-add"
#define XENPCI_OP_ASSIGNABLE_REMOVE	"assignable-remove"
#define XENPCI_OP_ASSIGNABLE_LIST	"assignable-list"
#define XENPCI_OP_ATTACH		"attach"
#define XENPCI_OP_DETACH		"detach"
#define XENPCI_OP_CHECK			"check"	/* protocol addition */

/* accepted -> running -> ok | error; a final status never changes. */
#define XENPCI_STATUS_ACCEPTED	"accepted"
#define XENPCI_STATUS_RUNNING	"running"
#define XENPCI_STATUS_OK	"ok"
#define XENPCI_STATUS_ERROR	"error"

/* Finished requests older than this are removed by the agent. */
#define XENPCI_REQ_REAP_SECONDS	3600

/* libxl 4.17 bookkeeping that the agent keeps compatible. */
#define LIBXL_PCI_KEY_PATH_FMT	"/libxl/pci/" XENPCI_KEY_FMT
#define LIBXL_PCI_DRIVER_PATH	"driver_path"

/* The PCI backend and frontend (libxl 4.17, devid 0). */
#define XENPCI_BE_FMT		"/local/domain/%u/backend/pci/%u/0"
#define XENPCI_FE_FMT		"/local/domain/%u/device/pci/0"
#define XENPCI_BE_ERROR_FMT	"/local/domain/%u/error/backend/pci/%u/0/error"

/*
 * Additions (protocol v1, additive; see protocol/PROTOCOL.md section 13).
 */

/* Tokens in R/features besides the op names (XENPCI_OP_*). */
#define XENPCI_FEATURE_REBIND		"rebind"	/* assignable-remove rebind=1 */
#define XENPCI_FEATURE_WILDCARD		"wildcard"	/* "*" specs */
#define XENPCI_FEATURE_LIBXL_DRIVER_PATH	"libxl-driver-path"
#define XENPCI_FEATURE_PERMISSIVE	"permissive"	/* attach permissive */
#define XENPCI_FEATURE_DOMAIN_CLEANUP	"domain-cleanup" /* dead guests */
#define XENPCI_FEATURE_NAME		"name"		/* assignable-add name= */
#define XENPCI_FEATURE_PERSISTENT	"persistent"	/* persistent=1 */
#define XENPCI_FEATURE_DOM0_GUARD	"dom0-guard"	/* force=1 overrides */
#define XENPCI_FEATURE_RESET_POLICY	"reset-policy"	/* reset=, R/devices/K/reset */

/* libxl 4.17's keys in a PCI backend (XENPCI_BE_FMT), as read by list. */
#define XENPCI_BE_DIR_FMT	"/local/domain/%u/backend/pci"
#define XENPCI_BEKEY_NUM_DEVS	"num_devs"
#define XENPCI_BEKEY_DEV_FMT	"dev-%u"	/* 0000:07:00.0 */
#define XENPCI_BEKEY_VDEV_FMT	"vdev-%u"	/* pciback: 0000:00:01.00 */
#define XENPCI_BEKEY_VDEVFN_FMT	"vdevfn-%u"	/* libxl: hex devfn */
#define XENPCI_BEKEY_OPTS_FMT	"opts-%u"

/* libxl 4.17's other /libxl/pci/<K>/ nodes the agent reads or removes. */
#define LIBXL_PCI_DIR		"/libxl/pci"
#define LIBXL_PCI_NAME		"name"		/* xl pci-assignable-add -n */
#define LIBXL_PCI_DOMID		"domid"		/* assigned to this guest */

/* Prefix of the attach fields XENPCI_REQ_SPEC_N_FMT ("spec-0", ...). */
#define XENPCI_REQ_SPEC_N_PREFIX	"spec-"

/*
 * The rest of the PCI backend and frontend as libxl 4.17 writes them
 * (libxl__create_pci_backend(), libxl_create_pci_backend_device(),
 * libxl__device_pci_remove_xenstore()), so that a toolstack reading or
 * cleaning up what the agent attached uses the same names.
 */
#define XENPCI_DOMAIN_NAME_FMT	"/local/domain/%u/name"	/* xl's name */
/*
 * The parents of XENPCI_BE_FMT, XENPCI_FE_FMT and the error node: the
 * last device's removal prunes them, as libxl__xs_path_cleanup() does.
 */
#define XENPCI_BE_DOM_FMT	"/local/domain/%u/backend/pci/%u"
#define XENPCI_FE_DIR_FMT	"/local/domain/%u/device/pci"
#define XENPCI_BE_ERROR_DIR_FMT	"/local/domain/%u/error/backend/pci/%u"

/* The backend's own nodes. */
#define XENPCI_BEKEY_STATE	"state"		/* xenbus state, decimal */
#define XENPCI_BEKEY_FRONTEND	"frontend"	/* XENPCI_FE_FMT */
#define XENPCI_BEKEY_FRONTEND_ID	"frontend-id"	/* the guest's domid */
#define XENPCI_BEKEY_ONLINE	"online"	/* "1" */
#define XENPCI_BEKEY_DOMAIN	"domain"	/* the guest's name */
/* A device's nodes at index i, besides dev-, vdev-, vdevfn-, opts-. */
#define XENPCI_BEKEY_KEY_FMT	"key-%u"	/* 0000:07:00.0 */
#define XENPCI_BEKEY_STATE_FMT	"state-%u"	/* xenbus state, decimal */
#define XENPCI_BEKEY_NAME_FMT	"name-%u"	/* xl pci-assignable-add -n */

/* The frontend's nodes. */
#define XENPCI_FEKEY_BACKEND	"backend"	/* XENPCI_BE_FMT */
#define XENPCI_FEKEY_BACKEND_ID	"backend-id"	/* the backend's domid */
#define XENPCI_FEKEY_STATE	"state"		/* xenbus state, decimal */

/* Hotplug scripts (PROTOCOL.md 8.6) -- protocol addition. */
#define XENPCI_REQ_SCRIPT	"script"	/* a file in the script dir */
#define XENPCI_REQ_SCRIPT_MAX	64
#define XENPCI_FEATURE_HOTPLUG_SCRIPTS	"hotplug-scripts"
/* In the guest's backend after the add phase, as vif/vbd scripts. */
#define XENPCI_BEKEY_HOTPLUG_STATUS	"hotplug-status" /* connected, error */
#define XENPCI_BEKEY_HOTPLUG_ERROR	"hotplug-error"	/* why, on error */

/*
 * What libxl 4.17 records about a guest, read to tell its kind
 * (libxl_dom.c libxl__domain_type(), libxl_internal.c
 * libxl__device_model_version_running(), libxl_dm.c
 * libxl_get_stubdom_id() and libxl__dm_active()).
 */
#define LIBXL_DOM_FMT		"/libxl/%u"
#define LIBXL_DOM_TYPE		"type"		/* pv | hvm | pvh */
#define LIBXL_DOM_DM_VERSION	"dm-version"	/* below */
#define LIBXL_DM_QEMU_XEN	"qemu_xen"
#define LIBXL_DM_QEMU_TRAD	"qemu_xen_traditional"
#define LIBXL_DOMTYPE_PVH	"pvh"
#define XENPCI_DM_DOMID_FMT	"/local/domain/%u/image/device-model-domid"
#define XENPCI_DM_PID_FMT	"/local/domain/%u/image/device-model-pid"
/* qemu-xen's QMP socket for libxl, in the run dir (libxl_qmp.c). */
#define XENPCI_QMP_SOCK_FMT	"qmp-libxl-%u"
#define XENPCI_RUN_DIR_DEFAULT	"/var/run/xen"
/* The qdev id libxl gives a passed-through device (PCI_PT_QDEV_ID). */
#define XENPCI_QDEV_ID_FMT	"pci-pt-%02x_%02x.%01x"

/*
 * Limits (PROTOCOL.md section 3.5).  A request with more nodes than
 * XENPCI_REQ_FIELDS_MAX is refused (EINVAL) without reading them; past
 * XENPCI_REQ_OUTSTANDING_MAX requests not yet answered a new one gets
 * EAGAIN; once the IDs of the answered requests left in R/requests
 * take more than XENPCI_REQ_ANSWERED_BYTES_MAX (each ID and its NUL, as
 * a directory listing counts them) the oldest answered is removed
 * before its hour: oxenstored 4.17 cannot list a directory of more than
 * 4096 bytes (it has no XS_DIRECTORY_PART; its oversized reply makes
 * libxenstore drop the connection).
 */
#define XENPCI_REQ_FIELDS_MAX		64
#define XENPCI_REQ_OUTSTANDING_MAX	256
#define XENPCI_REQ_ANSWERED_BYTES_MAX	2048

#endif
