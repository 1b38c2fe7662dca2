#!/usr/bin/env bash
# Real Xen 4.17 in QEMU, HVM guests (tests/realxen/scen-hvm.sh): one
# boot, one HVM guest that takes minutes to boot under nested emulation.
#
# test-timeout: 1800
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/realxen/tier.sh"
REALXEN_BOOT_TIMEOUT=${REALXEN_BOOT_TIMEOUT:-1500}
realxen_scenario hvm realonly
t_exit
