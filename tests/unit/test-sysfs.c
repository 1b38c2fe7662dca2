/*
 * What sysfs.c reads for a guest's permissions (`resource`, `irq`) and
 * how it resets a device, on a plain directory tree as --sysfs-root.
 *
 * sysfs.c, bdf.c and config.c are compiled in here rather than named
 * in tests/unit/module.mk's UNIT_OBJS_test-sysfs, so that this test
 * needs no change outside its own file; log_dev() is a fake that keeps
 * the last line.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../agent/sysfs.h"
#include "../../agent/config.h"
#include "unit.h"

static char logged[512];

void log_dev(int prio, const struct bdf *b, const char *fmt, ...)
{
	char bs[BDF_STR_LEN];
	int n;
	va_list ap;

	(void)prio;
	n = snprintf(logged, sizeof(logged), "%s: ", bdf_str(b, bs));
	va_start(ap, fmt);
	vsnprintf(logged + n, sizeof(logged) - n, fmt, ap);
	va_end(ap);
}

static char root[64];

/* Writes root/rel with text, creating its directories. */
static void put(const char *rel, const char *text)
{
	char p[PATH_MAX], *s;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (s = strchr(p + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	f = fopen(p, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(p);
		exit(2);
	}
}

static void get(const char *rel, char *buf, size_t len)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	buf[0] = '\0';
	f = fopen(p, "r");
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
}

static void gone(const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (remove(p) && errno != ENOENT) {
		perror(p);
		exit(2);
	}
}

#define DEV	"bus/pci/devices/0000:08:00.0"
#define PCIBACK_DIR	"bus/pci/drivers/pciback"

/* A 32-bit BAR, a 64-bit prefetchable one, I/O ports, an enabled ROM. */
static const char resource[] =
	"0x00000000fb000000 0x00000000fb01ffff 0x0000000000040200\n"
	"0x00000000c0000000 0x00000000c00fffff 0x000000000014220c\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x000000000000e000 0x000000000000e01f 0x0000000000040101\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x00000000fc000000 0x00000000fc01ffff 0x0000000000046201\n"
	"0x00000000d0000000 0x00000000d0003fff 0x0000000000140204\n";

static void resources(const struct bdf *b)
{
	struct sysfs_bar bars[SYSFS_PCI_RESOURCES];
	unsigned int n = 99;

	IS_INT(sysfs_resources(b, bars, &n), -ENOENT, "no resource file");
	IS_INT(n, 0, "no resource file: no BARs");
	put(DEV "/resource", resource);
	IS_INT(sysfs_resources(b, bars, &n), 0, "resource read");
	if (!IS_INT(n, 4, "BARs 0, 1, 3 and the ROM; not the empty ones, "
		    "not the IOV line after the ROM"))
		return;
	CHECK(bars[0].start == 0xfb000000 && bars[0].size == 0x20000 &&
	      !bars[0].io, "BAR 0: memory fb000000/20000");
	CHECK(bars[1].start == 0xc0000000 && bars[1].size == 0x100000 &&
	      !bars[1].io, "BAR 1: 64-bit prefetchable memory");
	CHECK(bars[2].start == 0xe000 && bars[2].size == 0x20 && bars[2].io,
	      "BAR 3: I/O ports e000/20 (IORESOURCE_IO 0x100)");
	CHECK(bars[3].start == 0xfc000000 && !bars[3].io,
	      "enabled ROM (flags bit 0 IORESOURCE_ROM_ENABLE): memory");
}

static void irq(const struct bdf *b)
{
	IS_INT(sysfs_irq(b), -ENOENT, "no irq file: -ENOENT");
	put(DEV "/irq", "16\n");
	IS_INT(sysfs_irq(b), 16, "irq 16");
	put(DEV "/irq", "0\n");
	IS_INT(sysfs_irq(b), 0, "irq 0: none");
	put(DEV "/irq", "none\n");
	IS_INT(sysfs_irq(b), 0, "not a number: none, as libxl");
}

static void reset(const struct bdf *b)
{
	const char *how = NULL;
	char v[64];
	char p[PATH_MAX];

	put(PCIBACK_DIR "/do_flr", "");
	put(DEV "/reset", "");
	IS_INT(sysfs_reset(b, &how), 0, "do_flr: ok");
	IS(how, "do_flr", "pciback's do_flr first");
	get(PCIBACK_DIR "/do_flr", v, sizeof(v));
	IS(v, "0000:08:00.0", "do_flr got the BDF, no newline");
	get(DEV "/reset", v, sizeof(v));
	IS(v, "", "the device's reset untouched");

	gone(PCIBACK_DIR "/do_flr");
	IS_INT(sysfs_reset(b, &how), 0, "reset: ok");
	IS(how, "reset", "no do_flr: the device's reset file");
	get(DEV "/reset", v, sizeof(v));
	IS(v, "1", "reset got 1");

	gone(DEV "/reset");
	logged[0] = '\0';
	IS_INT(sysfs_reset(b, &how), 0, "neither: not a failure");
	IS(how, "unsupported", "neither: unsupported");
	CHECK(strstr(logged, "0000:08:00.0: the kernel doesn't support reset "
		     "from sysfs") != NULL, "neither: a warning about it");

	/* do_flr there but refusing: its error, no fallback (as before). */
	snprintf(p, sizeof(p), "%s/" PCIBACK_DIR "/do_flr", root);
	mkdir(p, 0755);
	IS_INT(sysfs_reset(b, &how), -EISDIR, "do_flr failing: its errno");
	IS(how, "do_flr", "do_flr failing: said so");
	rmdir(p);
}

int main(void)
{
	struct bdf b = { 0, 8, 0, 0 };
	char cmd[128];

	snprintf(root, sizeof(root), "/tmp/xpa-unit-sysfs.XXXXXX");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 2;
	}
	cfg.sysfs_root = root;
	sysfs_init();
	resources(&b);
	irq(&b);
	reset(&b);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", root);
	return unit_done();
}
