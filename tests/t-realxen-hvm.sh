#!/usr/bin/env bash
# Real Xen 4.17 in QEMU, HVM guests, boot 1 of 2 (tests/realxen/scen-hvm.sh):
# xl alone, the seed flow through the agent, permissive, xl interop, on
# one HVM guest (minutes to boot under nested emulation); then the same
# on the simulated host with its QMP peer, compared after every step.
#
# test-timeout: 1800
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/realxen/tier.sh"
REALXEN_BOOT_TIMEOUT=${REALXEN_BOOT_TIMEOUT:-1500}
realxen_scenario hvm
t_exit
