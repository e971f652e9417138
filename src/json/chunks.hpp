// A JSON text in pieces: what the decoder reads while a reply is still downloading, and where
// such a text may be cut so that no string or number spans two pieces.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <cstddef>
#include <string>

namespace erpbridge::json {

/// The rest of a text that arrives in pieces, which the decoder reads in situ: it unescapes
/// each string where it lies, so a piece must be writable and no string may span two pieces.
/// Pieces are therefore cut only right after the closing quote of a string (see JsonCutter):
/// a piece that is not the last ends with a string, so no number spans two pieces either.
class ChunkSource {
 public:
  virtual ~ChunkSource() = default;
  /// The next piece as [begin, end); false when the text has ended. The previous piece may
  /// be released: the decoder keeps no pointer into it.
  virtual bool next(char*& begin, char*& end) = 0;
};

/// A text held whole, as one piece.
class OnePiece final : public ChunkSource {
 public:
  OnePiece(char* text, std::size_t size) : begin_(text), end_(text + size) {}
  bool next(char*& begin, char*& end) override {
    if (given_) return false;
    given_ = true;
    begin = begin_;
    end = end_;
    return true;
  }

 private:
  char* begin_;
  char* end_;
  bool given_ = false;
};

/// Finds where a JSON text may be cut: right after the closing quote of a string. Fed the
/// text in order, in blocks of any size; remembers whether a block ended inside a string or
/// an escape. It does not check the JSON (the decoder does).
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
