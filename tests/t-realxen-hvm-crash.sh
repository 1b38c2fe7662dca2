#!/usr/bin/env bash
# Real Xen 4.17 in QEMU, HVM guests, boot 2 of 2
# (tests/realxen/scen-hvm-crash.sh): kill -9 of the agent with devices
# attached to an HVM guest, and the guest's death with a device attached;
# then the same on the simulated host, compared after every step.
#
# test-timeout: 1800
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/realxen/tier.sh"
REALXEN_BOOT_TIMEOUT=${REALXEN_BOOT_TIMEOUT:-1500}
realxen_scenario hvm-crash
t_exit
