#!/usr/bin/env bash
# `make fuzz`: each harness (arguments: names) under libFuzzer for
# FUZZ_SECONDS, seeded from tests/fuzz/<name>/.  New inputs go to
# $BUILD/fuzz/corpus/<name>/ (FUZZ_MERGE=1: those that add coverage
# are merged into tests/fuzz/<name>/), a crash to
# $BUILD/fuzz/crashes/<name>-*.  Prints per harness the executions and
# libFuzzer's cov (edges) and ft (features); exits 1 on any crash.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
SECS=${FUZZ_SECONDS:-60}
bin=$BUILD/fuzz/libfuzzer
crashed=()
printf '%-10s %10s %8s %8s %7s  %s\n' harness execs cov ft corpus result
for n in "$@"; do
	new=$BUILD/fuzz/corpus/$n
	art=$BUILD/fuzz/crashes
	log=$BUILD/fuzz/$n.log
	mkdir -p "$new" "$art"
	quiet=
	# fuzz-reqparse logs through the real log.c (its escaping): off stderr.
	[ "$n" = reqparse ] && quiet=-close_fd_mask=2
	# shellcheck disable=SC2086
	"$bin/fuzz-$n" -max_total_time="$SECS" -max_len=8192 $quiet \
		-print_final_stats=1 -artifact_prefix="$art/$n-" \
		"$new" "tests/fuzz/$n" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
	result=ok
	if [ $rc -ne 0 ]; then
		result="CRASH (rc=$rc, $log)"
		crashed+=("$n")
	fi
	printf '%-10s %10s %8s %8s %7s  %s\n' "$n" "${execs:-?}" "${cov:-?}" \
		"${ft:-?}" "${corp:-?}" "$result"
	if [ "${FUZZ_MERGE:-0}" = 1 ] && [ $rc -eq 0 ]; then
		"$bin/fuzz-$n" -merge=1 "tests/fuzz/$n" "$new" \
			>>"$log" 2>&1 || true
	fi
done
[ ${#crashed[@]} -eq 0 ] || { echo "crashed: ${crashed[*]}"; exit 1; }
