#!/usr/bin/env bash
# The simulated host's xenstore is Debian's real xenstored, the C one
# or oxenstored (XENPCI_XENSTORED=oxenstored, Debian 12's default), and
# it behaves as docs/misc/xenstore.txt says: transactions, watches,
# permissions, @releaseDomain.
. "$(dirname "$0")/lib.sh"

case ${XENPCI_XENSTORED:-cxenstored} in
oxenstored) XSBIN=/usr/lib/xen-4.17/bin/oxenstored ;;
*) XSBIN=/usr/lib/xen-4.17/bin/xenstored ;;
esac
sim_up --no-sysfs --no-peer

pid=$(cat "$SIM/run/xenstored.pid")
is "xenstored is Debian's binary" "$(readlink /proc/$pid/exe)" "$XSBIN"
like "that binary comes from xen-utils-4.17" \
	"$(dpkg -S "$XSBIN")" '^xen-utils-4\.17'
like "it runs with the simulated hypervisor preloaded" \
	"$(tr '\0' '\n' < /proc/$pid/environ | grep ^LD_PRELOAD=)" \
	'libsimxen\.so$'
check "clients reach it on its unix socket" test -S "$XENSTORED_PATH"

xenstore-write /test/a 1
is "read back a write" "$(xs_read /test/a)" 1
check "the trace records the write" \
	bash -c "xs_trace | grep -q '^IN .* WRITE (/test/a'"
is "dom0 is set up as xen-init-dom0 does" \
	"$(xs_read /local/domain/0/name)" Domain-0

out=$(xstest txn-conflict /test/txn)
like "a transaction that read a node written meanwhile fails EAGAIN" \
	"$out" 'commit=failed errno=EAGAIN'
like "and its write is not applied" "$out" 'value=other'

out=$(xstest txn-watch /test/tw)
like "no watch event before commit" "$out" 'before-commit=0'
like "the watch fires at commit" "$out" 'after-commit=1 path=/test/tw'
like "a new watch fires once with its own path" \
	"$(xstest watch-initial /test/none/yet)" 'initial=1 path=/test/none/yet'

# Guests, through their own ring pages.
simhost domain create 7 --name g7
is "a created guest has its name" "$(xs_read /local/domain/7/name)" g7
like "the domain dir is dom0's, readable by the guest" \
	"$(xenstore-ls -p /local/domain | grep '^7 =')" '\(n0,r7\)'
xenstore-write /test/private secret
is "a guest cannot read dom0's nodes" \
	"$(simhost xs --domid 7 read /test/private)" EACCES
is "a guest can write its own data dir" \
	"$(simhost xs --domid 7 write /local/domain/7/data/x 1; \
	   xs_read /local/domain/7/data/x)" 1
is "a guest cannot write its name" \
	"$(simhost xs --domid 7 write /local/domain/7/name x)" EACCES
is "a guest's node is owned by the guest" \
	"$(simhost xs --domid 7 getperms /local/domain/7/data/x)" n7
xenstore-write /test/shared v
xenstore-chmod /test/shared n0 r7
is "read permission granted to one guest lets it read" \
	"$(simhost xs --domid 7 read /test/shared)" v
xenstore-write /test/shared/child c
is "a new child inherits its parent's permissions" \
	"$(simhost xs --domid 7 read /test/shared/child)" c
is "but write permission was not granted" \
	"$(simhost xs --domid 7 write /test/shared/child x)" EACCES

# @releaseDomain, fired by xenstored itself.
ev=$SIM/events
xenstore-watch @releaseDomain > "$ev" &
wpid=$!
wait_until 10 grep -q . "$ev"
# (a function: wait_until must re-read the file at every try)
released_ge() { [ "$(grep -c releaseDomain "$ev")" -ge "$1" ]; }
simhost domain create 8
simhost domain crash 8
check "@releaseDomain fires when a guest crashes" \
	wait_until 10 released_ge 2
simhost domain destroy 8
check "and again when it is destroyed" \
	wait_until 10 released_ge 3
check "the destroyed guest's xenstore dir is gone" \
	sh -c '! xenstore-exists /local/domain/8'
check "the hypervisor no longer knows it" test ! -e "$SIMXEN_DIR/domains/8"
simhost domain destroy 7 --keep-xenstore
check "a guest destroyed without toolstack cleanup fires it too" \
	wait_until 10 released_ge 4
kill $wpid

# Pause and unpause: the hypervisor's view changes, and simhost tells
# the simulated guests (simpeer) through /tool/simhost/domains.
simhost domain create 9
simhost domain pause 9
check "a paused guest is paused in the hypervisor" \
	grep -qx 'state=paused' "$SIMXEN_DIR/domains/9"
is "simhost announces the pause" "$(xs_read /tool/simhost/domains)" \
	"9 paused"
simhost domain unpause 9
check "an unpaused guest runs" grep -qx 'state=running' \
	"$SIMXEN_DIR/domains/9"
simhost domain pause 9
simhost domain set 9 pcifront=hung
check "domain set keeps a paused guest paused" \
	grep -qx 'state=paused' "$SIMXEN_DIR/domains/9"
out=$(simhost domain set 9 bogus=1 2>&1)
like "an unknown setting is refused" "$out" "unknown setting"

# A second guest with a domid used before is a fresh domain.
simhost domain create 8 --name again
is "a domid can be reused" "$(xs_read /local/domain/8/name)" again

out=$(simhost domain create 8 2>&1)
like "creating an existing domain is refused" "$out" 'domain 8 exists'
out=$(simhost domain destroy 99 2>&1)
like "destroying an unknown domain is refused" "$out" 'no domain 99'

# Both xenstoreds by name, whatever the default.
sim_down
for x in cxenstored oxenstored; do
	sim_up --no-sysfs --no-peer --xenstored $x
	pid=$(cat "$SIM/run/xenstored.pid")
	like "--xenstored $x runs $x" "$(readlink /proc/$pid/exe)" \
		"/usr/lib/xen-4.17/bin/${x#c}\$"
	xenstore-write /test/b 2
	is "--xenstored $x serves" "$(xs_read /test/b)" 2
	sim_down
done
d=$(mktemp -d /tmp/xpa-sim.XXXXXX)
out=$(simhost up --dir "$d" --xenstored bogus 2>&1)
rm -rf "$d"
like "an unknown --xenstored is refused" "$out" "not cxenstored, oxenstored"

t_done
