// The JSON engine's decoder: one generic decoder takes the events of RapidJSON's SAX Reader
// (numbers as their text) straight into any described type, strictly or, for servers'
// replies, leniently with notes. No DOM is built.
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
/// The decoder reads in situ, so the text is copied first; see decode_value_in_place().
Result<void> decode_value(std::string_view text, const Codec* codec, void* target,
                          DecodeNotes* notes = nullptr);

/// decode_value() of the `size` bytes at `text`, which it overwrites (strings are unescaped
/// where they lie): for a body the caller owns and needs no more.
Result<void> decode_value_in_place(char* text, std::size_t size, const Codec* codec, void* target,
                                   DecodeNotes* notes = nullptr);

/// decode_value() of a text that arrives in pieces (see ChunkSource), `size` bytes long in
/// all (0 if not known: arrays are then not reserved ahead). The pieces are overwritten.
Result<void> decode_value_chunks(ChunkSource& pieces, std::size_t size, const Codec* codec,
                                 void* target, DecodeNotes* notes = nullptr);

template <typename T>
Result<void> decode(std::string_view text, T& out) {
  return decode_value(text, codec_of<T>(), &out);
}

/// Decodes a server's reply leniently: only strict() fields and the JSON syntax can fail it;
/// every other misfit leaves its member empty and appends a note to `notes`.
template <typename T>
Result<void> decode_reply(std::string_view text, T& out, DecodeNotes& notes) {
  return decode_value(text, codec_of<T>(), &out, &notes);
}
/// decode_reply() of a body the caller owns and needs no more: decoded in place (see
/// decode_value_in_place), it holds no JSON afterwards.
template <typename T>
Result<void> decode_reply_in_place(std::string& body, T& out, DecodeNotes& notes) {
  return decode_value_in_place(body.data(), body.size(), codec_of<T>(), &out, &notes);
}

template <typename T, typename Text>
Result<T> decode(const Text& text) {
  T value{};
  Result<void> status = decode(text, value);
  if (!status.ok()) return std::move(status).error();
  return value;
}

}  // namespace erpbridge::json
