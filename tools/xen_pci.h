/*
 * xen-pci: the command-line client of xen-pci-agent.  Shared by the
 * files of tools/.
 */
#ifndef XEN_PCI_H
#define XEN_PCI_H

#include <stdbool.h>
#include <stdio.h>

#include "xenpci_client.h"

/* Exit codes, documented in `xen-pci --help` and protocol/PROTOCOL.md. */
#define XP_EXIT_OK		0	/* final status ok */
#define XP_EXIT_AGENT_ERROR	1	/* final status error */
#define XP_EXIT_USAGE		2	/* bad arguments, nothing written */
#define XP_EXIT_NO_AGENT	3	/* agent not running / no answer */
#define XP_EXIT_XENSTORE	4	/* xenstore failed us */

#define XP_TIMEOUT_DEFAULT	XENPCI_REQ_TIMEOUT_DEFAULT
#define XP_TIMEOUT_MAX		86400
#define XP_GRACE_MS		5000	/* wait = timeout + grace */
#define XP_SPEC_MAX		1024
#define XP_DOMID_MAX		0x7fef	/* DOMID_FIRST_RESERVED - 1 */

struct xp_opts {
	unsigned int agent_domid;
	unsigned int timeout;	/* seconds */
	bool json;
	bool rebind;	/* assignable-remove -r */
	bool force;	/* detach -f; assignable-add, attach -f (--force) */
	bool persistent;	/* assignable-add/-remove --persistent */
	const char *name;	/* assignable-add -n NAME */
	bool show_names;	/* assignable-list -n */
	bool long_list;		/* list --long */
	const char *sysfs_root;	/* status --sysfs-root */
	const char *config;	/* status --config */
	const char *script;	/* --script NAME: the request's script= */
};
#define XP_CONFIG_DEFAULT	"/etc/xen/xen-pci-agent.cfg"

/* xen_pci_status.c */
int xp_cmd_status(const struct xp_opts *o, int argc, char **argv);

/* xen-pci.c */
extern const char *xp_prog;
int xp_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int xp_parse_domid(const char *s, unsigned int *domid);
bool xp_spec_ok(const char *spec, const char **why);

/* xen_pci_ops.c: the request commands */
int xp_cmd_assignable_add(const struct xp_opts *o, int argc, char **argv);
int xp_cmd_assignable_list(const struct xp_opts *o, int argc, char **argv);
int xp_cmd_assignable_remove(const struct xp_opts *o, int argc, char **argv);
int xp_cmd_attach(const struct xp_opts *o, int argc, char **argv);
int xp_cmd_detach(const struct xp_opts *o, int argc, char **argv);
int xp_cmd_check(const struct xp_opts *o, int argc, char **argv);

/* xen_pci_list.c */
int xp_cmd_list(const struct xp_opts *o, int argc, char **argv);

/* xen_pci_names.c: xl's names and xl pci-list's table */
int xp_resolve_domain(const char *cmd, const char *arg, unsigned int *domid);
char *xp_device_name(const char *key);		/* malloc'd or NULL */
int xp_name_to_bdf(const char *name, char bdf[XENPCI_BDF_LEN]);
int xp_xl_pci_list(const struct xp_opts *o, unsigned int domid);
void xp_names_close(void);

/* xen_pci_json.c: minimal JSON writer */
void xp_json_str(FILE *f, const char *s);	/* "..." or null */
void xp_json_kv(FILE *f, bool *first, const char *key, const char *val);
void xp_json_key(FILE *f, bool *first, const char *key);

/* xen_pci_list.c: a vdev as xl prints it ("SS.F") when it parses,
 * else verbatim; returns buf or vdev. */
const char *xp_vdev_str(const char *vdev, char *buf, size_t len);

#endif
