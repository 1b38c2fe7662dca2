/*
 * libxl-json FILE [SPEC...]: the saved domain configuration FILE (a
 * libxl-json userdata file) as libxl would store it after `xl
 * pci-attach` of each SPEC in turn, on stdout with its NUL, as
 * libxl__set_domain_configuration() writes it.  With no SPEC: FILE
 * through libxl's parser and generator unchanged.
 *
 * The reference for tests/t-host-savedcfg.sh, built from xl's and
 * libxl's code rather than the agent's: each SPEC goes through xl's
 * parser (xlu_pci_parse_spec_string(), as main_pciattach()), then
 * libxl's add: libxl__device_pci_setdefault() (rdm_policy strict), the
 * vdevfn device_pci_add_stubdom_done() gives one function (the slot
 * asked for), and device_add_domain_config()'s replace-or-append by
 * COMPARE_PCI.  Needs a libxl context: run it under the simulated
 * hypervisor (LD_PRELOAD=$SIMXEN_PRELOAD).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxl.h>
#include <libxl_utils.h>
#include <libxlutil.h>

static void die(const char *what)
{
	fprintf(stderr, "libxl-json: %s\n", what);
	exit(1);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = calloc(1, 1 << 20);
	size_t n;

	if (!f || !buf)
		die("cannot read the file");
	n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void add(libxl_domain_config *dc, XLU_Config *xc, const char *spec)
{
	libxl_device_pci pci, *v, *item = NULL;

	libxl_device_pci_init(&pci);
	if (xlu_pci_parse_spec_string(xc, &pci, spec))
		die("bad spec");
	if (pci.rdm_policy == LIBXL_RDM_RESERVE_POLICY_INVALID)
		pci.rdm_policy = LIBXL_RDM_RESERVE_POLICY_STRICT;
	pci.vdevfn &= ~7U;
	for (int i = 0; i < dc->num_pcidevs; i++)
		if (dc->pcidevs[i].domain == pci.domain &&
		    dc->pcidevs[i].bus == pci.bus &&
		    dc->pcidevs[i].dev == pci.dev &&
		    dc->pcidevs[i].func == pci.func)
			item = &dc->pcidevs[i];
	if (item) {
		libxl_device_pci_dispose(item);
	} else {
		v = realloc(dc->pcidevs, sizeof(*v) * (dc->num_pcidevs + 1));
		if (!v)
			die("out of memory");
		dc->pcidevs = v;
		item = &v[dc->num_pcidevs++];
	}
	*item = pci;
}

int main(int argc, char **argv)
{
	xentoollog_logger_stdiostream *lg;
	libxl_domain_config dc;
	XLU_Config *xc;
	libxl_ctx *ctx;
	char *json, *out;

	if (argc < 2)
		die("usage: libxl-json FILE [SPEC...]");
	lg = xtl_createlogger_stdiostream(stderr, XTL_ERROR, 0);
	if (!lg || libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0,
				   (xentoollog_logger *)lg))
		die("no libxl context");
	xc = xlu_cfg_init(stderr, "command line");
	json = slurp(argv[1]);
	libxl_domain_config_init(&dc);
	if (libxl_domain_config_from_json(ctx, &dc, json))
		die("not a libxl domain configuration");
	for (int i = 2; i < argc; i++)
		add(&dc, xc, argv[i]);
	out = libxl_domain_config_to_json(ctx, &dc);
	if (!out)
		die("libxl's generator failed");
	fwrite(out, 1, strlen(out) + 1, stdout);
	free(out);
	free(json);
	libxl_domain_config_dispose(&dc);
	xlu_cfg_destroy(xc);
	libxl_ctx_free(ctx);
	xtl_logger_destroy((xentoollog_logger *)lg);
	return 0;
}
