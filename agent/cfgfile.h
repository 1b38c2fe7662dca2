/*
 * The configuration file (/etc/xen/xen-pci-agent.cfg,
 * xen-pci-agent.cfg(5)): xl.cfg syntax, read with libxlutil's parser.
 * Pure: it reads the file and reports, main.c decides what to do.
 */
#ifndef XENPCI_CFGFILE_H
#define XENPCI_CFGFILE_H

#include <stdbool.h>
#include <stddef.h>

#define CFGFILE_DEFAULT		"/etc/xen/xen-pci-agent.cfg"

/* What the file says; a key it does not set keeps its "unset" value. */
struct cfgfile {
	long toolstack_domid;	/* -1: unset */
	char *state_dir;	/* NULL: unset */
	long request_timeout;	/* 0: unset */
	int log_level;		/* -1: unset */
	char *script_dir;	/* NULL: unset */
	long script_timeout;	/* 0: unset */
	char **assignable;	/* PCI_SPEC_STRINGs, as written */
	unsigned int n_assignable;
	bool has_assignable;
};

/*
 * 0, or -1 with err holding "FILE:LINE: KEY: why" (or the parser's own
 * "FILE:LINE: ..." for a syntax error).  On -1, c is left empty.
 */
int cfgfile_read(const char *path, struct cfgfile *c, char *err,
		 size_t errlen);
void cfgfile_free(struct cfgfile *c);

/*
 * persistent=1: adds spec to (add) or removes every entry naming the
 * same device(s) from (!add) the file's `assignable`, rewriting only
 * that setting, atomically (a new file renamed over the old one).  A
 * file that does not read well is left alone.  0, or -1 with err set.
 * Thread-safe: requests on different devices run at once.
 */
int cfgfile_edit_assignable(const char *path, const char *spec, bool add,
			    char *err, size_t errlen);

#endif
