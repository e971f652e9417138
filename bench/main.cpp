// Google Benchmark's main for every benchmark file of erpbridge_bench.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  // Each heap glibc grows is padded by 64 MB, from the process's start: without it, the
  // 36 MB loopback download (bare libcurl, into a buffer it keeps) measured 125 ms and with
  // it 28.5 ms, and list_receipts' decoder thread, whose arena gives back each 64 MB heap
  // that empties whatever the trim threshold, faulted its 71 MB result in afresh on every
  // reply (decoder CPU 132-284 ms, 94 ms with the padding), while the baselines decoding on
  // the main thread never did. A page fault costs this VM several microseconds. Set only
  // as a tunable at start-up (mallopt(M_TOP_PAD) from here did not give the same), so the
  // process runs itself again with it once.
  constexpr const char* kPad = "glibc.malloc.top_pad=67108864";
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables == nullptr || std::strstr(tunables, "glibc.malloc.top_pad") == nullptr) {
    const std::string value = tunables != nullptr ? std::string(tunables) + ":" + kPad : kPad;
    setenv("GLIBC_TUNABLES", value.c_str(), 1);
    execv("/proc/self/exe", argv);  // if that fails, the run goes on without the padding
  }
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
