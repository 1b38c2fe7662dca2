#!/usr/bin/env bash
# Real Xen 4.17 in QEMU on oxenstored, Debian 12's default (issue 12),
# in one boot to save CI minutes (tests/realxen/scen-ox.sh): the agent
# started at boot by its init script from xen-pci-agent.cfg with a
# persistent assignment, kept across `assignable-add --persistent` and a
# restart (issue 15); the seed article; kill -9.  Then the same on the
# simulated host running oxenstored, compared after every step.
#
# test-timeout: 1500
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/realxen/tier.sh"
REALXEN_BOOT_TIMEOUT=${REALXEN_BOOT_TIMEOUT:-900}
RX_XENSTORED=oxenstored realxen_scenario ox
t_exit
