// The JSON engine's decoder: one generic decoder streams the events of our JSON reader
// (reader.hpp) straight into any described type, strictly or, for servers' replies,
// leniently with notes.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <string>
#include <string_view>

#include "erpbridge/core/result.hpp"
#include "json/chunks.hpp"
#include "json/schema.hpp"

namespace erpbridge::json {

/// Decodes `text` into `target` of type described by `codec`. Errors are Decode errors
/// whose message starts with the JSON path ("data[3].amount: expected integer, got string").
/// With `notes`, decodes leniently (see decode_reply) and appends a note per misfit.
Result<void> decode_value(std::string_view text, const Codec* codec, void* target,
                          DecodeNotes* notes = nullptr);

/// decode_value() of a text that arrives in pieces (see ChunkSource), `size` bytes long in
/// all (0 if not known: arrays are then not reserved ahead).
Result<void> decode_value_chunks(ChunkSource& pieces, std::size_t size, const Codec* codec,
                                 void* target, DecodeNotes* notes = nullptr);

/// decode_value() through RapidJSON's own Reader, in situ (`text` is overwritten and must
/// end in a NUL at `text[size]`), numbers as strings, SSE2 where built with it: what the
/// benchmark compares our reader with, feeding the same decoder (issue 21).
Result<void> decode_value_insitu(char* text, std::size_t size, const Codec* codec, void* target,
                                 DecodeNotes* notes = nullptr);

template <typename T>
Result<void> decode(std::string_view text, T& out) {
  return decode_value(text, codec_of<T>(), &out);
}
template <typename T>
Result<void> decode(const std::string& text, T& out) {
  return decode_value(text, codec_of<T>(), &out);
}
template <typename T>
Result<void> decode(const char* text, T& out) {
  return decode_value(std::string_view(text), codec_of<T>(), &out);
}

/// Decodes a server's reply leniently: only strict() fields and the JSON syntax can fail it;
/// every other misfit leaves its member empty and appends a note to `notes`.
template <typename T>
Result<void> decode_reply(std::string_view text, T& out, DecodeNotes& notes) {
  return decode_value(text, codec_of<T>(), &out, &notes);
}

template <typename T, typename Text>
Result<T> decode(const Text& text) {
  T value{};
  Result<void> status = decode(text, value);
  if (!status.ok()) return std::move(status).error();
  return value;
}

}  // namespace erpbridge::json
