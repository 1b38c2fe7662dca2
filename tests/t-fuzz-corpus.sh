#!/usr/bin/env bash
# Every fuzz harness over its corpus (tests/fuzz/<name>/), replayed by
# the gcc ASan+UBSan build (tests/fuzz/replay.c): no new inputs, no
# clang, seconds.  A crash, a sanitizer report or a broken check in a
# harness aborts its replay and fails here.  `make fuzz` is the search.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
n=0
for dir in tests/fuzz/*/; do
	name=$(basename "$dir")
	bin=$BUILD/fuzz/replay/fuzz-$name
	n=$((n + 1))
	if [ ! -x "$bin" ]; then
		echo "not ok - fuzz-$name: no replayer $bin (make)"
		continue
	fi
	files=$(find "$dir" -maxdepth 1 -type f | wc -l)
	if [ "$files" -eq 0 ]; then
		echo "not ok - fuzz-$name: empty corpus $dir"
		continue
	fi
	if out=$("$bin" "$dir" 2>&1) && [ "$out" = "$files inputs" ]; then
		echo "ok - fuzz-$name: $files inputs of $dir, no finding"
	else
		echo "not ok - fuzz-$name: replay of $dir failed"
		printf '%s\n' "$out" | tail -n 30 | sed 's/^/# /'
	fi
done
[ $n -gt 0 ] || echo "not ok - no corpus under tests/fuzz/"
