# Scenario ox (issues 12 and 15): Debian 12's default xenstored,
# oxenstored, in dom0 (xtest_xenstored=oxenstored on dom0's command
# line) and on the simulated host (XENPCI_XENSTORED=oxenstored); on it,
# in one boot: the agent started by its init script from the
# configuration with a persistent assignment (scen-initd.sh), then the
# seed article (scen-seed.sh), kill -9 (scen-kill9.sh), and requests
# whose IDs take more than 4096 bytes, found at start (scen-biglist.sh).
xt_is "xenstored is oxenstored ($XT_WORLD)" "$(xt_xenstored)" oxenstored
. ./scen-initd.sh
. ./scen-seed.sh
XT_GUEST=g2
. ./scen-kill9.sh
. ./scen-biglist.sh
