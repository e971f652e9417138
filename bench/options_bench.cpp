// What the options bag (ClientOptions::extensions) costs against a plain field, for the ABI
// decision in docs/ARCHITECTURE.md ("Options and the ABI"). A client reads its settings
// once, when it is built, and copies its options once; no call reads them.
//   BM_Options_FieldRead            a ClientOptions field (the frozen layout)
//   BM_OptionBag_Get/N              a setting from a bag holding N, the last one set
//   BM_Options_Copy/N               a copy of ClientOptions whose bag holds N settings
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "erpbridge/core/option_bag.hpp"
#include "erpbridge/core/options.hpp"

namespace {

template <std::size_t N>
struct NumberedOption {
  using Type = std::chrono::seconds;
};

template <std::size_t... Index>
void fill_numbered(erpbridge::OptionBag& bag, std::size_t count, std::index_sequence<Index...>) {
  ((Index < count ? (void)bag.set<NumberedOption<Index>>(std::chrono::seconds(Index)) : (void)0),
   ...);
}

// Fills `bag` with `count` settings (at most 16), TcpKeepAliveOption the last one set.
void fill(erpbridge::OptionBag& bag, std::int64_t count) {
  if (count <= 0) return;
  fill_numbered(bag, static_cast<std::size_t>(count - 1), std::make_index_sequence<15>());
  bag.set<erpbridge::TcpKeepAliveOption>(std::chrono::seconds(30));
}

void BM_Options_FieldRead(benchmark::State& state) {
  erpbridge::ClientOptions options;
  for (auto _ : state) {
    benchmark::DoNotOptimize(&options);
    benchmark::DoNotOptimize(options.connect_timeout);
  }
}

void BM_OptionBag_Get(benchmark::State& state) {
  erpbridge::ClientOptions options;
  fill(options.extensions, state.range(0));
  for (auto _ : state) {
    benchmark::DoNotOptimize(&options);
    benchmark::DoNotOptimize(
        options.extensions.get_or<erpbridge::TcpKeepAliveOption>(std::chrono::seconds(0)));
  }
}

void BM_Options_Copy(benchmark::State& state) {
  erpbridge::ClientOptions options;
  options.base_url = "http://127.0.0.1:8080";
  fill(options.extensions, state.range(0));
  for (auto _ : state) {
    erpbridge::ClientOptions copy = options;
    benchmark::DoNotOptimize(&copy);
  }
}

}  // namespace

BENCHMARK(BM_Options_FieldRead);
BENCHMARK(BM_OptionBag_Get)->Arg(1)->Arg(4)->Arg(16);
BENCHMARK(BM_Options_Copy)->Arg(0)->Arg(1)->Arg(4)->Arg(16);
