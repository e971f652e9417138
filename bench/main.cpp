// Google Benchmark's main for every benchmark file of erpbridge_bench.
#include <benchmark/benchmark.h>
#include <malloc.h>

int main(int argc, char** argv) {
  // glibc maps each block above its (moving) mmap threshold afresh and returns freed heap
  // tops to the system, so whether an iteration pays thousands of page faults for its
  // result depends on what ran before it. On this kind of VM that swung one benchmark by
  // 1.6x between runs. A fixed threshold of 32 MB and no trimming keep freed memory for
  // reuse, the way a long-running service's heap is, for the SDK and the baselines alike.
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
