/*
 * xen-pci: drive xen-pci-agent through its xenstore protocol, with the
 * commands of xl: assignable-add/-list/-remove, attach, detach, list.
 * Option parsing, help and dispatch; the commands live in
 * xen_pci_ops.c and xen_pci_list.c.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xen_pci.h"

const char *xp_prog = "xen-pci";

static const char usage_text[] =
"Usage: xen-pci [OPTIONS] COMMAND [ARGS]\n"
"\n"
"Ask xen-pci-agent (through xenstore) to do what xl's pci-* commands do.\n"
"\n"
"Commands:\n"
"  assignable-add [-f] [-n NAME] [--persistent] SPEC\n"
"                              unbind the device from its driver, remember\n"
"                              the driver, bind it to pciback; refused for\n"
"                              a device dom0 uses unless -f (--force); -n\n"
"                              names it as xl does (/libxl/pci/K/name);\n"
"                              --persistent also adds it to the agent's\n"
"                              configuration (assignable = [...]), applied\n"
"                              at every start\n"
"  assignable-list [-n]        the devices bound to pciback and not\n"
"                              attached, as xl pci-assignable-list prints\n"
"                              them (\"BDF NAME\" with -n)\n"
"  assignable-remove [-r] [--persistent] SPEC|NAME\n"
"                              unbind the device from pciback; -r rebinds\n"
"                              it to its original driver; --persistent also\n"
"                              removes it from the configuration\n"
"  attach [-f] DOMAIN SPEC...  give the device(s) to domain DOMAIN (id or\n"
"                              name), all or nothing; prints the vdev of\n"
"                              each; -f seizes (seize=1) a device dom0 uses\n"
"  detach [-f] DOMAIN SPEC     take the device back from DOMAIN; -f forces\n"
"                              removal when the guest does not answer\n"
"  check SPEC                  what stands between the device and a guest\n"
"                              (IOMMU, reset, dom0's use, what goes with\n"
"                              it), each problem with its fix; changes\n"
"                              nothing\n"
"  list DOMAIN                 the devices attached to DOMAIN, exactly as\n"
"                              xl pci-list prints them (from its PCI\n"
"                              backend)\n"
"  list [--long] [DOMAIN]      Vdev, Device and Options of DOMAIN, or of\n"
"                              every domain; reads the agent's published\n"
"                              devices (or the PCI backends when no agent\n"
"                              runs).  list writes no request\n"
"  status [--sysfs-root DIR] [--config FILE]\n"
"                              every PCI device of the host, grouped:\n"
"                              attached to a guest, assignable, in use by\n"
"                              dom0 (its driver), no driver; with names\n"
"                              from pci.ids (libpci), reset methods and\n"
"                              whether the agent's configuration (default\n"
"                              " XP_CONFIG_DEFAULT ") makes it\n"
"                              assignable at every start; writes no\n"
"                              request\n"
"\n"
"SPEC is an xl PCI_SPEC_STRING (07:00.0, 0000:07:00.*, 07:00.0,permissive=1,\n"
"seize=1, see xl-pci-configuration(5)); it is passed verbatim to the agent,\n"
"which parses it.\n"
"\n"
"Options (before or after COMMAND):\n"
"  --agent-domid N   the agent runs in domain N (default 0): it serves\n"
"                    /local/domain/N/pci-agent\n"
"  --timeout S       the operation timeout in seconds, written into the\n"
"                    request (default 30); xen-pci waits S+5 seconds for\n"
"                    the agent's final answer\n"
"  --script NAME     attach, detach, assignable-add/-remove: the agent\n"
"                    runs hotplug script NAME, a file in its script\n"
"                    directory, instead of its default `pci`\n"
"  --json            print one JSON object on stdout instead of text\n"
"  -h, --help        this help\n"
"\n"
"How it works: xen-pci writes the request under\n"
"/local/domain/N/pci-agent/requests/<ID>/ in one xenstore transaction,\n"
"waits on a xenstore watch for the status \"ok\" or \"error\", prints the\n"
"answer, removes the request and exits.  xenstore is reached through\n"
"$XENSTORED_PATH when set.\n"
"\n"
"Output: nothing on success, except assignable-list (BDFs), attach (one\n"
"\"SPEC: vdev VDEV\" line per spec) and list (a table).  Errors go to\n"
"stderr.  With --json, stdout carries exactly one JSON object:\n"
"  {\"id\":ID,\"op\":OP,\"status\":\"ok\"|\"error\"|\"no-agent\"|\"timeout\"|\n"
"   \"xenstore-error\",\"error\":MSG|null,\"code\":ERRNO|null,\n"
"   \"result\":{KEY:VALUE,...}, ...}\n"
"\n"
"Exit status:\n"
"  0  the agent answered \"ok\" (list: the devices were read)\n"
"  1  the agent answered \"error\": its message and code (an errno name\n"
"     such as ENODEV, EBUSY) are printed on stderr\n"
"  2  usage error: bad or missing arguments; nothing was written\n"
"  3  no agent answered: /local/domain/N/pci-agent/state is missing or\n"
"     not \"running\" (nothing written), the agent stopped while the\n"
"     request was pending, or no final status came within S+5 seconds;\n"
"     the request is removed.  After a timeout the operation may still\n"
"     complete: check with assignable-list or list\n"
"  4  xenstore failure: cannot connect to xenstored, or it refused a\n"
"     read or write (permissions); the message says which\n"
"\n"
"The protocol and these codes: protocol/PROTOCOL.md (section 12).\n";

static void usage(FILE *f)
{
	fputs(usage_text, f);
}

int xp_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", xp_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", xp_prog);
	return XP_EXIT_USAGE;
}

static int parse_uint(const char *s, unsigned long max, unsigned int *out)
{
	unsigned long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int xp_parse_domid(const char *s, unsigned int *domid)
{
	return parse_uint(s, XP_DOMID_MAX, domid);
}

bool xp_spec_ok(const char *spec, const char **why)
{
	const unsigned char *p;
	bool blank = true;

	if (strlen(spec) > XP_SPEC_MAX) {
		*why = "longer than 1024 characters";
		return false;
	}
	for (p = (const unsigned char *)spec; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			*why = "contains control characters";
			return false;
		}
		if (!isspace(*p))
			blank = false;
	}
	if (blank) {
		*why = "is empty";
		return false;
	}
	return true;
}

struct command {
	const char *name;
	int (*fn)(const struct xp_opts *o, int argc, char **argv);
	const char *shortopts;	/* the command's own flags */
};

static const struct command commands[] = {
	{ "assignable-add", xp_cmd_assignable_add, "fn:" },
	{ "assignable-list", xp_cmd_assignable_list, "n" },
	{ "assignable-remove", xp_cmd_assignable_remove, "r" },
	{ "attach", xp_cmd_attach, "f" },
	{ "check", xp_cmd_check, "" },
	{ "detach", xp_cmd_detach, "f" },
	{ "list", xp_cmd_list, "" },
	{ "status", xp_cmd_status, "" },
};

enum { OPT_AGENT_DOMID = 256, OPT_TIMEOUT, OPT_JSON, OPT_PERSISTENT,
       OPT_LONG, OPT_SYSFS_ROOT, OPT_CONFIG, OPT_SCRIPT };

static const struct option long_opts[] = {
	{ "agent-domid", required_argument, NULL, OPT_AGENT_DOMID },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "script", required_argument, NULL, OPT_SCRIPT },
	{ "persistent", no_argument, NULL, OPT_PERSISTENT },
	{ "long", no_argument, NULL, OPT_LONG },
	{ "sysfs-root", required_argument, NULL, OPT_SYSFS_ROOT },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "force", no_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/*
 * Parse argv from optind: global options and the command's flags
 * (optstring).  Returns -1 to go on, else an exit code.
 */
static int parse_opts(int argc, char **argv, const char *optstring,
		      struct xp_opts *o)
{
	int ch;

	for (;;) {
		ch = getopt_long(argc, argv, optstring, long_opts, NULL);
		if (ch == -1)
			break;
		switch (ch) {
		case OPT_AGENT_DOMID:
			if (xp_parse_domid(optarg, &o->agent_domid))
				return xp_usage_error("--agent-domid: '%s' is not a domain id (0..%u)",
						      optarg, XP_DOMID_MAX);
			break;
		case OPT_TIMEOUT:
			if (parse_uint(optarg, XP_TIMEOUT_MAX, &o->timeout) ||
			    o->timeout == 0)
				return xp_usage_error("--timeout: '%s' is not a number of seconds (1..%u)",
						      optarg, XP_TIMEOUT_MAX);
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_SCRIPT:
			/* A name, never a path: the agent refuses one too. */
			if (!optarg[0] || strchr(optarg, '/') ||
			    optarg[0] == '.' ||
			    strlen(optarg) > XENPCI_REQ_SCRIPT_MAX)
				return xp_usage_error("--script: '%s' is not the name of a file in the agent's script directory (no '/', 1..%u characters)",
						      optarg,
						      XENPCI_REQ_SCRIPT_MAX);
			o->script = optarg;
			break;
		case OPT_PERSISTENT:
			o->persistent = true;
			break;
		case OPT_LONG:
			o->long_list = true;
			break;
		case OPT_SYSFS_ROOT:
			o->sysfs_root = optarg;
			break;
		case OPT_CONFIG:
			o->config = optarg;
			break;
		case 'n':
			if (optarg)
				o->name = optarg;
			else
				o->show_names = true;
			break;
		case 'r':
			o->rebind = true;
			break;
		case 'f':
			/* --force reaches every command: only -f's take it. */
			if (!strchr(optstring, 'f') || optstring[0] == '+')
				return xp_usage_error("unknown option '%s'",
						      argv[optind - 1]);
			o->force = true;
			break;
		case 'h':
			usage(stdout);
			return fflush(stdout) ? XP_EXIT_XENSTORE : XP_EXIT_OK;
		case ':':
			return xp_usage_error("option '%s' needs an argument",
					      argv[optind - 1]);
		default:
			if (optopt && optopt < 256)
				return xp_usage_error("unknown option '-%c'",
						      optopt);
			return xp_usage_error("unknown option '%s'",
					      argv[optind - 1]);
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct xp_opts o = { .timeout = XP_TIMEOUT_DEFAULT };
	const struct command *cmd = NULL;
	char optstring[16];
	unsigned int i;
	int rc;

	/* Global options up to the command. */
	opterr = 0;	/* parse_opts says what is wrong */
	rc = parse_opts(argc, argv, "+:h", &o);
	if (rc >= 0)
		return rc;
	if (optind >= argc)
		return xp_usage_error("no command given");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			cmd = &commands[i];
	if (!cmd)
		return xp_usage_error("unknown command '%s'", argv[optind]);

	/* The command's flags and global options, anywhere after it;
	 * "--" ends them. */
	argc -= optind;
	argv += optind;
	snprintf(optstring, sizeof(optstring), ":h%s", cmd->shortopts);
	optind = 0;	/* glibc: re-initialise, with permutation this time */
	rc = parse_opts(argc, argv, optstring, &o);
	if (rc >= 0)
		return rc;

	if (o.persistent && cmd->fn != xp_cmd_assignable_add &&
	    cmd->fn != xp_cmd_assignable_remove)
		return xp_usage_error("%s: --persistent is for assignable-add "
				      "and assignable-remove", cmd->name);
	if (o.long_list && cmd->fn != xp_cmd_list)
		return xp_usage_error("%s: --long is for list", cmd->name);
	if ((o.sysfs_root || o.config) && cmd->fn != xp_cmd_status)
		return xp_usage_error("%s: --sysfs-root and --config are for "
				      "status", cmd->name);
	rc = cmd->fn(&o, argc - optind, argv + optind);
	xp_names_close();
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: write to stdout: %s\n", xp_prog,
			strerror(errno));
		if (rc == XP_EXIT_OK)
			rc = XP_EXIT_XENSTORE;
	}
	return rc;
}
