#!/usr/bin/env bash
# bench.sh: uivmm's benchmarks (`make bench`). Speed and memory are measured
# here, never asserted in tests. Each benchmark's raw output goes to
# bench-out/<name>.txt; a summary table of the custom metrics follows.
# Benchmarks that need LXD start the private daemon (scripts/lxd-testenv.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${BENCH_OUT:-bench-out}
mkdir -p "$OUT"
rm -f "$OUT"/*.txt # no figures left from benchmarks that no longer run
GO=${GO:-go}
status=0

run() { # name package regexp [extra go test args...]
	local name=$1 pkg=$2 re=$3; shift 3
	echo "== $name ($pkg -bench $re)" >&2
	sync # the last benchmark's dirty pages (a 1 GiB upload) must not be written back during this one
	if ! $GO test -run '^$' -bench "$re" -benchmem "$@" "$pkg" >"$OUT/$name.txt" 2>&1; then
		echo "   FAILED, see $OUT/$name.txt" >&2
		status=1
	fi
}

run store-append ./eventstore/sqlite/ 'Append|ReadAll' -benchtime 3s
run rebuild ./projections/ 'Rebuild' -benchtime 3x -timeout 30m
run noop-command ./api/ 'NoopCommandHTTP' -benchtime 5s
for f in scripts/bench.d/*.sh; do
	[ -e "$f" ] && source "$f"
done

echo
printf '%-22s %-42s %s\n' "suite" "benchmark" "metrics"
for f in "$OUT"/*.txt; do
	suite=$(basename "$f" .txt)
	awk -v suite="$suite" '/^Benchmark/ {
		m = ""
		for (i = 3; i < NF; i += 2) m = m sprintf("%s=%s  ", $(i+1), $i)
		printf "%-22s %-42s %s\n", suite, $1, m
	}' "$f"
done
exit $status
