#!/usr/bin/env bash
# Real Xen 4.17 in QEMU, HVM guests, boot 1 of 2 (tests/realxen/scen-hvm.sh):
# xl alone, the seed flow through the agent, permissive, xl interop, on
# one HVM guest (minutes to boot under nested emulation); then the same
# on the simulated host with its QMP peer, compared after every step.
#
# test-timeout: 1800
# opt-in: REALXEN_HVM
# Not yet in the default `make check` (`make realxen-hvm` runs both):
# in the first CI run on real Xen (session 9) the kill -9 scenario's
# first 22 real steps passed (QMP hot-plug, the guest's e1000 probing
# both devices, recovery), but in the other boot the HVM guest
# triple-faulted on the agent's hot-plug after an xl hot-unplug, not
# understood yet.  A tier that can fail for reasons not understood
# would make every CI run red.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/realxen/tier.sh"
REALXEN_BOOT_TIMEOUT=${REALXEN_BOOT_TIMEOUT:-1500}
realxen_scenario hvm
t_exit
