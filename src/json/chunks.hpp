// A JSON text in pieces: what the reader takes while a reply is still downloading, and where
// such a text may be cut so that no token spans two pieces.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <cstddef>
#include <string>

namespace erpbridge::json {

/// The rest of a text that arrives in pieces. Pieces are cut only right after the closing
/// quote of a string (see JsonCutter), so numbers and literals never span two of them and
/// the reader moves on only where it skips whitespace or looks at the next character.
class ChunkSource {
 public:
  virtual ~ChunkSource() = default;
  /// The next piece as [begin, end); false when the text has ended. The previous piece may
  /// be released: the reader keeps no pointer into it.
  virtual bool next(const char*& begin, const char*& end) = 0;
};

/// Finds where a JSON text may be cut: right after the closing quote of a string. Fed the
/// text in order, in blocks of any size; remembers whether a block ended inside a string or
/// an escape. It does not check the JSON (the reader does).
class JsonCutter {
 public:
  /// Scans `size` more bytes of the text at `data`; returns the offset in them just past
  /// the last closing quote, or npos if none.
  std::size_t last_cut(const char* data, std::size_t size);

 private:
  bool in_string_ = false;
  bool escaped_ = false;  // the block ended on a backslash inside a string
};

}  // namespace erpbridge::json
