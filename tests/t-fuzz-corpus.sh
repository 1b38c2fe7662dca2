#!/usr/bin/env bash
# Every fuzz harness over its corpus (tests/fuzz/<name>/), no new
# inputs, no clang, seconds: replayed (tests/fuzz/replay.c) by the gcc
# ASan+UBSan build, and by the plain build under valgrind, whose
# memcheck sees uninitialised values in uninstrumented libraries
# (libxlutil's parse_bdf() %n, agent/spec.c) that ASan does not.  A
# crash, a sanitizer or memcheck report, or a broken property check in
# a harness fails here.  `make fuzz` is the search for new inputs.
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
n=0

err=$(mktemp)
trap 'rm -f "$err"' EXIT

# replay WHAT NAME DIR FILES CMD...: one check.  stderr has the agent's
# log (fuzz-reqparse's real log.c) and any report.
replay() {
	local what=$1 name=$2 dir=$3 files=$4 out
	shift 4
	if out=$("$@" "$dir" 2>"$err") && [ "$out" = "$files inputs" ]; then
		echo "ok - fuzz-$name ($what): $files inputs of $dir"
	else
		echo "not ok - fuzz-$name ($what): replay of $dir failed: $out"
		grep -v '^xen-pci-agent' "$err" | tail -n 30 | sed 's/^/# /'
	fi
}

for dir in tests/fuzz/*/; do
	name=$(basename "$dir")
	san=$BUILD/fuzz/replay/fuzz-$name
	plain=$BUILD/fuzz/plain/fuzz-$name
	n=$((n + 1))
	files=$(find "$dir" -maxdepth 1 -type f | wc -l)
	if [ ! -x "$san" ] || [ ! -x "$plain" ]; then
		echo "not ok - fuzz-$name: no replayer in $BUILD/fuzz (make)"
		continue
	fi
	if [ "$files" -eq 0 ]; then
		echo "not ok - fuzz-$name: empty corpus $dir"
		continue
	fi
	replay "ASan+UBSan" "$name" "$dir" "$files" "$san"
	replay valgrind "$name" "$dir" "$files" valgrind -q \
		--error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		"$plain"
done
[ $n -gt 0 ] || echo "not ok - no corpus under tests/fuzz/"
