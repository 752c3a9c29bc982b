# Event-stream fan-out (issue 6): 1,000 subscribers on loopback, half SSE
# and half WebSocket, at 1,000 events/s for 10 s; latency p50/p99, lost
# events, server memory. UIVMM_BENCH_SUBSCRIBERS, UIVMM_BENCH_RATE and
# UIVMM_BENCH_SECONDS change the load. Sourced by scripts/bench.sh.
run stream-fanout ./stream/ 'BenchmarkFanOut' -benchtime 1x -timeout 15m
