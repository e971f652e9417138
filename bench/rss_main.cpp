// Peak resident memory of decoding the 100k-receipt CTC reply, in a process of its own so
// nothing else inflates the high-water mark:
//   erpbridge_bench_rss write FILE [count]   writes the payload (generation needs more memory)
//   erpbridge_bench_rss decode FILE          reads it, decodes it, prints the figures
// The figure counts the whole process, as a user's would, so this program loads only what a
// decoding process needs: it links with --as-needed (bench/CMakeLists.txt), which drops the
// emulator server's cpp-httplib that the payload library drags in. The fetch's figure is
// erpbridge_bench_fetch_rss.
#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "ctc/codec.hpp"
#include "payloads.hpp"

namespace {

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // KiB on Linux
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 2 ? argv[1] : "";
  if (mode == "write") {
    const std::size_t count = argc > 3 ? std::stoul(argv[3]) : 100000;
    std::ofstream(argv[2], std::ios::binary) << erpbridge::bench::ctc_receipts_reply(count, false);
    return 0;
  }
  if (mode != "decode") {
    std::fprintf(stderr, "usage: %s write FILE [count] | decode FILE\n", argv[0]);
    return 2;
  }
  erpbridge::HttpResponse response;
  response.status = 200;
  {
    // One allocation of the exact size, as a transport that knows Content-Length makes.
    std::ifstream in(argv[2], std::ios::binary | std::ios::ate);
    response.body.resize(static_cast<std::size_t>(in.tellg()));
    in.seekg(0);
    in.read(response.body.data(), static_cast<std::streamsize>(response.body.size()));
  }
  const long before = peak_rss_kib();
  const double payload_mb = static_cast<double>(response.body.size()) / 1e6;
  auto receipts =
      erpbridge::ctc::wire::decode_receipts(std::move(response), erpbridge::ctc::Direction::In);
  if (!receipts.ok()) {
    std::fprintf(stderr, "%s\n", receipts.error().to_string().c_str());
    return 1;
  }
  const long peak = peak_rss_kib();
  const double peak_mb = static_cast<double>(peak) * 1024.0 / 1e6;
  std::printf(
      "receipts=%zu payload_MB=%.1f rss_before_decode_MB=%.1f peak_rss_MB=%.1f ratio=%.2f\n",
      receipts->size(), payload_mb, static_cast<double>(before) * 1024.0 / 1e6, peak_mb,
      peak_mb / payload_mb);
  return 0;
}
