// Google Benchmark's main for every benchmark file of erpbridge_bench.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
