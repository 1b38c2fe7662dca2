#!/usr/bin/env bash
# make bench, briefly (N=3, no scale run), so that it never rots: it
# runs, writes well-formed results.json with every row, and leaves no
# mount and no process behind.  Timings are machine noise here: none is
# checked, not even against each other.
. "$(dirname "$0")/lib.sh"

OUT=$(mktemp -d /tmp/xpa-bench-smoke.XXXXXX)
trap 'rm -rf "$OUT"; t_exit' EXIT
RSS_REQUESTS=40 BENCH_IDLE_SECONDS=2 BENCH_CPU_PAIRS=3 \
	BENCH_OUT=$OUT N=3 SCALE=0 BUILD=$BUILD "$TOP/tests/bench/bench.sh" \
	>"$OUT/table" 2>"$OUT/log"
rc=$?
is "bench.sh exits 0" "$rc" 0
[ $rc = 0 ] || sed 's/^/# /' "$OUT/log" | tail -n 20
sed 's/^/# /' "$OUT/table"
check "it printed a table" grep -q '^op  *tool  *n  *median ms' "$OUT/table"
check "results.json exists" test -s "$OUT/results.json"

# every (op, tool) once, each with its fields of the right type
check_json() {
	python3 - "$OUT/results.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
num = (int, float)
tools = ["xl", "xen-pci", "raw", "libxenpci"]
want = {(op, t) for op in ("assignable-add", "assignable-remove -r",
                           "attach", "detach") for t in tools}
want.add(("attach", "xl-exported"))
# the agent's own cost: CPU, idle system calls, RSS (no timing checked)
cost = [r for r in rows if "metric" in r]
rows = [r for r in rows if "metric" not in r]
got = [(r.get("op"), r.get("tool")) for r in rows]
bad = []
kinds = sorted({r.get("metric") for r in cost})
if kinds != ["cpu_ms", "rss_kib", "syscalls"]:
    bad.append("cost rows: metrics %s" % kinds)
for r in cost:
    k = "%s/%s" % (r.get("op"), r.get("metric"))
    for f in ("n", "median", "p90", "target", "met"):
        if f not in r:
            bad.append(k + ": no " + f)
    if r.get("metric") != "syscalls" and not isinstance(r.get("median"), num):
        bad.append(k + ": median is not a number")
if sorted(got) != sorted(want):
    bad.append("rows %s, want %s" % (sorted(got), sorted(want)))
num = (int, float)
for r in rows:
    k = "%s/%s" % (r.get("op"), r.get("tool"))
    if r.get("n") != 3:
        bad.append(k + ": n is %r, not 3" % r.get("n"))
    for f in ("median_ms", "p90_ms"):
        if not isinstance(r.get(f), num) or isinstance(r.get(f), bool):
            bad.append(k + ": %s is not a number" % f)
    if not isinstance(r.get("xs_requests"), int):
        bad.append(k + ": xs_requests is not a count")
    if "ratio_to_xl" not in r or not isinstance(r["ratio_to_xl"], num):
        bad.append(k + ": ratio_to_xl is not a number")
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
PY
}
check "results.json: every op and tool, with n, median_ms, p90_ms, xs_requests, ratio_to_xl" check_json

is "no mount left by the benchmark" \
	"$(grep -c 'xpa-bench' /proc/self/mounts)" 0
is "no process left by the benchmark" \
	"$(pgrep -f '/tmp/xpa-bench\.' | wc -l)" 0
check "no host directory left" \
	bash -c "! ls -d /tmp/xpa-bench.* /tmp/xpa-bench-ns.* 2>/dev/null | grep -q ."
rm -rf "$OUT"
t_done
