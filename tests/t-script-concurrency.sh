#!/usr/bin/env bash
# Many hotplug scripts at once: five assignable-adds whose prepare
# scripts all wait for one file run side by side (the loop waits on
# none of them), and meanwhile an attach and a detach of another
# device, with their own scripts, are served.
. "$(dirname "$0")/attach-lib.sh"
. "$TOP/tests/script-lib.sh"

host_up --inventory "$ATTACH_INV"
scripts_up
script_agent_up
guest 5
make_assignable $F
calls_mark

all="$A $B $C $D $E"
ctl prepare waitfor "$SIM/go"
i=0
for x in $all; do
	i=$((i + 1))
	req "w$i" assignable-add spec="$x" script=rec
done
all_running() {
	local x
	for x in $all; do [ -e "$SIM/running.$x" ] || return 1; done
}
check "five prepare scripts run at the same time (bounded wait)" \
	wait_until 60 all_running
is "none of their requests has finished" \
	"$(for i in 1 2 3 4 5; do rq w$i status; done | sort -u)" running
is "R/state still running" "$(xs_read $R/state)" running

# Another device meanwhile, its add and remove phases included.
attach_ok "meanwhile: attach 0b:00.0 to dom 5" m1 5 0b:00.0 script=rec
is "meanwhile: its add ran" "$(ncalls add $F)" 1
detach_ok "meanwhile: detach it" m2 5 0b:00.0 script=rec
is "meanwhile: its remove ran" "$(ncalls remove $F)" 1
is "meanwhile: the five still wait" \
	"$(for i in 1 2 3 4 5; do rq w$i status; done | sort -u)" running

touch "$SIM/go"
for i in 1 2 3 4 5; do
	is "w$i: ok once the scripts return" "$(wait_final w$i 60)" ok
done
for x in $all; do
	is "$x on pciback" "$(drv $x)" pciback
done
is "one prepare per device" "$(ncalls prepare)" 5
agent_done
t_done
