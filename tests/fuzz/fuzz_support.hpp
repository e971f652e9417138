// Shared pieces of the libFuzzer targets: a transport that answers every request with the
// fuzzer's bytes, and client options that never sleep or retry.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "erpbridge/core/options.hpp"

namespace erpbridge::fuzz {

/// Splits the fuzzer's bytes into choices and strings, front to back. Ours rather than
/// libFuzzer's FuzzedDataProvider so the replay driver builds with any compiler.
class Input {
 public:
  Input(const std::uint8_t* bytes, std::size_t size) : bytes_(bytes), size_(size) {}
  /// A value in [low, high] from the next byte (low when none is left).
  template <typename T>
  T ConsumeIntegralInRange(T low, T high) {
    if (pos_ >= size_ || high <= low) return low;
    const auto span = static_cast<std::uint64_t>(high - low) + 1;
    return static_cast<T>(low + static_cast<T>(bytes_[pos_++] % span));
  }
  bool ConsumeBool() { return ConsumeIntegralInRange(0, 1) == 1; }
  /// Up to `max_length` bytes, ending early at a backslash not followed by another.
  std::string ConsumeRandomLengthString(std::size_t max_length) {
    std::string out;
    while (pos_ < size_ && out.size() < max_length) {
      char c = static_cast<char>(bytes_[pos_++]);
      if (c == '\\') {
        if (pos_ < size_ && bytes_[pos_] == '\\') {
          ++pos_;
        } else {
          break;
        }
      }
      out.push_back(c);
    }
    return out;
  }
  /// Everything not consumed yet.
  std::string ConsumeRemainingBytesAsString() {
    std::string out(reinterpret_cast<const char*>(bytes_ + pos_), size_ - pos_);
    pos_ = size_;
    return out;
  }

 private:
  const std::uint8_t* bytes_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

/// Answers every request with one canned response.
class CannedTransport : public HttpTransport {
 public:
  explicit CannedTransport(HttpResponse response) : response_(std::move(response)) {}
  Result<HttpResponse> send(const HttpRequest&) override { return response_; }

 private:
  HttpResponse response_;
};

/// Statuses a server may answer with; the fuzzer picks one.
inline int pick_status(Input& data) {
  static const int kStatuses[] = {200, 200, 200, 201, 400, 401, 403, 404, 409, 429, 500, 503};
  return kStatuses[data.ConsumeIntegralInRange<std::size_t>(0, std::size(kStatuses) - 1)];
}

/// Options over a CannedTransport answering `status` with `body`: one try, and logging at
/// Debug so the redaction of arbitrary bodies is exercised too.
template <typename Options>
Options canned_options(int status, std::string body) {
  Options options;
  options.base_url = "http://127.0.0.1:1";
  HttpResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = std::move(body);
  options.transport = std::make_shared<CannedTransport>(std::move(response));
  options.retry.max_attempts = 1;
  options.log_level = LogLevel::Debug;
  options.log_sink = [](LogLevel, std::string_view line) {
    // Touch every byte so a bad line is seen by the sanitizers.
    volatile std::size_t sum = 0;
    for (char c : line) sum = sum + static_cast<unsigned char>(c);
  };
  return options;
}

/// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
inline bool is_utf8(const std::string& text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char c = *p;
    const std::size_t n = c < 0x80                   ? 1
                          : (c >= 0xC2 && c <= 0xDF) ? 2
                          : (c & 0xF0) == 0xE0       ? 3
                          : (c >= 0xF0 && c <= 0xF4) ? 4
                                                     : 0;
    if (n == 0 || static_cast<std::size_t>(end - p) < n) return false;
    for (std::size_t i = 1; i < n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
    }
    if (n == 3 && ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F))) return false;
    if (n == 4 && ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F))) return false;
    p += n;
  }
  return true;
}

/// `bytes` as one JSON value to put where a reply field goes: the bytes themselves when they
/// are one well-formed value (UTF-8, at most 64 levels deep: deeper is refused as a whole),
/// else a JSON string holding them (as hex when they are not UTF-8). UTF-8 is checked here:
/// RapidJSON's own checks read past the end of a character cut off at the end.
inline std::string as_json_value(const std::string& bytes) {
  struct Depth : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Depth> {
    int depth = 0;
    int deepest = 0;
    bool Default() { return true; }
    bool StartObject() { return deepest = std::max(deepest, ++depth), true; }
    bool EndObject(rapidjson::SizeType) { return --depth, true; }
    bool StartArray() { return deepest = std::max(deepest, ++depth), true; }
    bool EndArray(rapidjson::SizeType) { return --depth, true; }
  } depth;
  if (is_utf8(bytes)) {
    rapidjson::Reader reader;
    rapidjson::StringStream stream(bytes.c_str());
    if (!reader.Parse(stream, depth).IsError() && stream.Tell() == bytes.size() &&
        depth.deepest <= 64) {
      return bytes;
    }
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.String(bytes.data(), static_cast<rapidjson::SizeType>(bytes.size()));
    return std::string(buffer.GetString(), buffer.GetSize());
  }
  static const char kHex[] = "0123456789abcdef";
  std::string hex = "\"";
  for (unsigned char c : bytes) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  return hex + "\"";
}

/// `pattern` with every '@' replaced by `value`.
inline std::string splice(const char* pattern, const std::string& value) {
  std::string out;
  for (const char* p = pattern; *p != '\0'; ++p) {
    if (*p == '@') {
      out += value;
    } else {
      out += *p;
    }
  }
  return out;
}

/// Stops the run when a property that must hold does not.
inline void require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

}  // namespace erpbridge::fuzz
