#!/usr/bin/env bash
# A hotplug script that hangs past its timeout (--script-timeout 2
# here): SIGTERM, and SIGKILL after the grace period for one that
# ignores SIGTERM; the request fails with ETIMEDOUT and its own message,
# nothing is left running.  A request whose own timeout expires while
# its script runs stops the script.  A script that floods its output:
# a bounded number of log lines, the rest counted, the request ok, and
# other requests served meanwhile.
. "$(dirname "$0")/attach-lib.sh"
. "$TOP/tests/script-lib.sh"

host_up --inventory "$ATTACH_INV"
scripts_up
script_agent_up --script-timeout 2 --script-grace 1
check "the script settings are logged" \
	log_has_re "hotplug scripts in $SCRIPTS \(timeout 2 s, then 1 s to SIGKILL\)"

# --- hangs, dies on SIGTERM -----------------------------------------------------
ctl prepare hangterm
run_err "hang: assignable-add 07:00.0" ETIMEDOUT h1 assignable-add spec=07:00.0 \
	script=rec
like "hang: the message says the script timed out" "$ERRMSG" \
	"hotplug script rec prepare timed out after 2 s"
is "hang: still on igb" "$(drv $A)" igb
check "hang: the script is gone" no_proc "$(cat "$SIM/hang.pid")"
check "hang: SIGTERM logged" log_has_re "$A: rec prepare: timed out after 2 s: SIGTERM"
check "hang: no SIGKILL needed" eval "! log_has_re '$A: rec prepare: still running'"
ctl_clear

# --- hangs, ignores SIGTERM ---------------------------------------------------
ctl prepare hang
run_err "hang -TERM: assignable-add 07:00.0" ETIMEDOUT h2 assignable-add \
	spec=07:00.0 script=rec
like "hang -TERM: killed with SIGKILL" "$ERRMSG" \
	"timed out after 2 s \(killed with SIGKILL\)"
check "hang -TERM: SIGKILL logged after the grace period" \
	log_has_re "$A: rec prepare: still running 1 s after SIGTERM: SIGKILL"
check "hang -TERM: the script is gone" no_proc "$(cat "$SIM/hang.pid")"
is "hang -TERM: still on igb" "$(drv $A)" igb
ctl_clear

# --- the request's own timeout stops the script -------------------------------------
agent_stop
script_agent_up --script-timeout 60 --script-grace 1
ctl prepare hang
run_err "request timeout: assignable-add timeout=2" ETIMEDOUT t1 \
	assignable-add spec=07:00.0 script=rec timeout=2
check "request timeout: the script is stopped (bounded wait)" \
	wait_until 10 no_proc "$(cat "$SIM/hang.pid")"
check "request timeout: logged as cancelled" \
	log_has_re "$A: rec prepare: the request was cancelled: SIGTERM"
check "request timeout: no intent left (bounded wait)" wait_until 10 no_intents
is "request timeout: still on igb" "$(drv $A)" igb
ctl_clear

# --- flooding -------------------------------------------------------------------
# Lines of 100 characters on stdout, 1 MB at a time, until told to stop;
# meanwhile other devices' adds (and their scripts) are served.
ctl prepare-$A flood "$SIM/stop"
req f1 assignable-add spec=07:00.0 script=rec
check "flood: the script floods" wait_until 30 test -e "$SIM/flooding"
run_ok "flood: another add meanwhile" f2 assignable-add spec=07:00.1 script=rec
is "flood: its script ran" "$(ncalls prepare $B)" 1
run_ok "flood: an add with the default script meanwhile" f3 assignable-add \
	spec=09:00.0
check "flood: the default script ran for it" log_has_re "$D: pci prepare: info: prepare"
is "flood: the flooding request is still running" "$(rq f1 status)" running
sleep 1
touch "$SIM/stop"
is "flood: the flooding request is ok" "$(wait_final f1 60)" ok
n=$(log_count_re "$A: rec prepare: x{100}\$")
is "flood: 200 lines logged" "$n" 200
check "flood: the rest counted" \
	log_has_re "$A: rec prepare: [0-9]{4,} more lines of output not logged"
diag "$(grep 'more lines of output' "$AGENT_LOG")"
is "flood: 07:00.0 on pciback" "$(drv $A)" pciback

# Control characters and NULs do not reach the log as they are.
ctl prepare nul
run_ok "nul: assignable-add 0a:00.0" n1 assignable-add spec=0a:00.0 script=rec
check "nul: the line is logged with the control characters replaced" \
	log_has_re "$E: rec prepare: a\\?b\\?c\$"
agent_done
t_done
