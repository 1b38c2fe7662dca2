#!/usr/bin/env bash
# simhost domain create --hvm / --pvh / --dm / --stubdom: the HVM flag
# in the simulated hypervisor (xc_domain_getinfolist and
# xc_domain_getinfo), the xenstore records libxl 4.17 writes for each
# kind (libxl_create.c libxl__domain_make, store_libxl_entry;
# libxl_dm.c libxl__spawn_local_dm, libxl__spawn_stub_dm), no pcifront
# for HVM guests, and a PV guest exactly as before.
. "$(dirname "$0")/lib.sh"

sim_up
xcinfo() { LD_PRELOAD=$SIMXEN_PRELOAD simxcinfo "$1"; }
dom_line() { grep -qxF "$2" "$SIMXEN_DIR/domains/$1"; }
gone() { ! xs_exists "$1"; }

# PV, unchanged: no HVM flag, no type or dm lines, nothing under /libxl.
check "create a PV guest" simhost domain create 3
like "PV: getinfolist without XEN_DOMINF_hvm_guest" "$(xcinfo 3)" \
	"getinfolist hvm_guest=0 hap=0 .*getinfo hvm=0 hap=0"
check "PV: no type line in the domain file" \
	sh -c "! grep -q '^type=' $SIMXEN_DIR/domains/3"
check "PV: pcifront=1" dom_line 3 pcifront=1
check "PV: no /libxl/3" gone /libxl/3
check "PV: no hvmloader" gone /local/domain/3/hvmloader
like "dom0 is not HVM" "$(xcinfo 0)" "hvm_guest=0"

# HVM with qemu-xen in dom0.
check "create --hvm" simhost domain create 7 --hvm --name hvm7
like "HVM: XEN_DOMINF_hvm_guest and hap" "$(xcinfo 7)" \
	"getinfolist hvm_guest=1 hap=1 .*getinfo hvm=1 hap=1"
check "HVM: type=hvm" dom_line 7 type=hvm
check "HVM: dm=qemu_xen in dom0" dom_line 7 dm=qemu_xen
check "HVM: dm_domid=0" dom_line 7 dm_domid=0
check "HVM: no pcifront" dom_line 7 pcifront=0
is "HVM: /libxl/7/type" "$(xs_read /libxl/7/type)" hvm
is "HVM: /libxl/7/dm-version" "$(xs_read /libxl/7/dm-version)" qemu_xen
is "HVM: hvmloader/bios" "$(xs_read /local/domain/7/hvmloader/bios)" seabios
is "HVM: allow-memory-relocate" \
	"$(xs_read /local/domain/7/hvmloader/allow-memory-relocate)" 0
is "HVM: device model state" \
	"$(xs_read /local/domain/0/device-model/7/state)" running
check "HVM: control/feature-s3" xs_exists /local/domain/7/control/feature-s3
check "HVM: no disable_pf (qemu-xen)" \
	gone /local/domain/0/device-model/7/disable_pf
check "HVM: no device-model-domid" \
	gone /local/domain/7/image/device-model-domid
is "HVM: name" "$(xs_read /local/domain/7/name)" hvm7
is "HVM: guest may read its hvmloader dir" \
	"$(simhost xs --domid 7 read /local/domain/7/hvmloader/bios)" seabios

# PVH: the HVM flag, no device model.
check "create --pvh" simhost domain create 8 --pvh
like "PVH: XEN_DOMINF_hvm_guest" "$(xcinfo 8)" "hvm_guest=1"
is "PVH: /libxl/8/type" "$(xs_read /libxl/8/type)" pvh
is "PVH: dm-version as libxl stores it" "$(xs_read /libxl/8/dm-version)" \
	qemu_xen
check "PVH: dm=qemu_xen line" dom_line 8 dm=qemu_xen
check "PVH: no device-model directory" gone /local/domain/0/device-model/8
check "PVH: no hvmloader" gone /local/domain/8/hvmloader
check "PVH: keeps pcifront" dom_line 8 pcifront=1
check "--pvh --hvm is refused" sh -c "! simhost domain create 9 --pvh --hvm 2>/dev/null"
check "... and creates nothing" test ! -e "$SIMXEN_DIR/domains/9"

# qemu-xen-traditional in dom0.
check "create --dm qemu-trad" simhost domain create 10 --dm qemu-trad
like "trad: HVM" "$(xcinfo 10)" "hvm_guest=1"
is "trad: dm-version" "$(xs_read /libxl/10/dm-version)" qemu_xen_traditional
is "trad: rombios" "$(xs_read /local/domain/10/hvmloader/bios)" rombios
is "trad: allow-memory-relocate" \
	"$(xs_read /local/domain/10/hvmloader/allow-memory-relocate)" 1
is "trad: disable_pf" "$(xs_read /local/domain/0/device-model/10/disable_pf)" 0
is "trad: state" "$(xs_read /local/domain/0/device-model/10/state)" running
check "bad --dm is refused" sh -c "! simhost domain create 9 --dm bochs 2>/dev/null"

# A stub domain (traditional by default, as libxl).
out=$(simhost domain create 12 --stubdom --name sg)
is "stubdom: create prints the stub domain" "$out" "stub domain 13"
like "stubdom: guest is HVM" "$(xcinfo 12)" "hvm_guest=1"
like "stubdom: the stub domain is PV" "$(xcinfo 13)" "hvm_guest=0"
check "stubdom: dm_domid=13" dom_line 12 dm_domid=13
check "stubdom: target=12" dom_line 13 target=12
is "stubdom: device-model-domid" \
	"$(xs_read /local/domain/12/image/device-model-domid)" 13
is "stubdom: target" "$(xs_read /local/domain/13/target)" 12
is "stubdom: name" "$(xs_read /local/domain/13/name)" sg-dm
is "stubdom: dm-version" "$(xs_read /libxl/12/dm-version)" qemu_xen_traditional
check "stubdom traditional: no hvmloader/bios" \
	gone /local/domain/12/hvmloader/bios
is "stubdom: state under the stub domain" \
	"$(xs_read /local/domain/13/device-model/12/state)" running
check "stubdom: nothing in dom0's device-model" \
	gone /local/domain/0/device-model/12
out=$(simhost domain create 20 --stubdom --dm qemu-xen)
is "stubdom qemu-xen: next free domid" "$out" "stub domain 21"
is "stubdom qemu-xen: seabios" "$(xs_read /local/domain/20/hvmloader/bios)" \
	seabios

# pause and domain set keep the kind.
simhost domain pause 7
simhost domain set 7 pcifront=hung
check "pause/set keep type=hvm" dom_line 7 type=hvm
check "... and dm" dom_line 7 dm=qemu_xen
like "paused HVM guest" "$(xcinfo 7)" "hvm_guest=1 hap=1 dying=0 paused=1"
simhost domain unpause 7

# destroy: libxl__destroy_domid, device model first.
check "destroy the HVM guest" simhost domain destroy 7
check "HVM destroyed: /libxl/7 gone" gone /libxl/7
check "HVM destroyed: device-model/7 gone" gone /local/domain/0/device-model/7
check "HVM destroyed: no domain" sh -c "! LD_PRELOAD=$SIMXEN_PRELOAD simxcinfo 7 2>/dev/null"
check "destroy the stubdom guest" simhost domain destroy 12
check "its stub domain went with it" test ! -e "$SIMXEN_DIR/domains/13"
check "stub domain's xenstore gone" gone /local/domain/13
check "destroy --keep-xenstore" simhost domain destroy 10 --keep-xenstore
check "... keeps device-model/10" xs_exists /local/domain/0/device-model/10
check "--help lists --hvm --pvh --dm --stubdom" sh -c \
	"simhost --help | grep -q -- '--hvm' && simhost --help | grep -q -- '--stubdom'"
t_done
