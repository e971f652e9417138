#include "json/engine.hpp"
#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include "json/reader.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdio>

namespace erpbridge::json {

const char* kind_name(Scalar::Kind kind) noexcept {
  switch (kind) {
    case Scalar::Kind::Null:
      return "null";
    case Scalar::Kind::Bool:
      return "boolean";
    case Scalar::Kind::Number:
      return "number";
    case Scalar::Kind::String:
      return "string";
  }
  return "value";
}

namespace {

Error refused(std::string reason) {
  return make_error(ErrorCode::InvalidArgument, "struct description refused: " + reason);
}

// Builds the group descriptions of `desc` from its dotted aliases; `prefix` is the path of
// `desc` itself within the outermost struct ("" there, "materialid." in a group).
Result<void> finish_desc_at(StructDesc& desc, const std::string& prefix) {
  for (std::size_t i = 0; i < desc.fields.size(); ++i) {
    const FieldDesc& field = desc.fields[i];
    if (field.flags.required) {
      if (i >= StructDesc::kMaxRequiredIndex) {
        return refused("required field \"" + std::string(field.key) + "\" is field number " +
                       std::to_string(i + 1) + "; only the first " +
                       std::to_string(StructDesc::kMaxRequiredIndex) + " can be required");
      }
      desc.required_mask |= std::uint64_t{1} << i;
    }
  }
  // Groups first: a plain key is checked against every group key, whatever the order.
  for (std::size_t i = 0; i < desc.fields.size(); ++i) {
    const FieldDesc& field = desc.fields[i];
    for (std::string_view alias : field.aliases) {
      const std::size_t dot = alias.find('.');
      if (dot == std::string_view::npos) continue;
      if (dot == 0 || dot + 1 == alias.size()) {
        return refused("alias \"" + std::string(alias) + "\" has an empty part");
      }
      std::shared_ptr<StructDesc>& group = desc.groups[alias.substr(0, dot)];
      if (!group) {
        group = std::make_shared<StructDesc>();
        group->extras = desc.extras;
        group->extras_prefix = prefix + std::string(alias.substr(0, dot)) + ".";
      }
      FieldDesc nested = field;
      nested.flags.required = false;
      nested.aliases.clear();
      nested.group_scalar = std::string_view();
      const std::string_view rest = alias.substr(dot + 1);
      if (rest.find('.') == std::string_view::npos) {
        nested.key = rest;
      } else {
        nested.key = std::string_view();  // deeper: resolved by the group's own groups
        nested.aliases.push_back(rest);
      }
      group->fields.push_back(std::move(nested));
    }
  }
  auto add_key = [&](std::string_view key, std::size_t i) -> Result<void> {
    if (desc.groups.count(key) != 0) {
      return refused("\"" + prefix + std::string(key) +
                     "\" is both a plain key and the group key of dotted aliases; declare the "
                     "scalar form with group_scalar()");
    }
    if (!desc.index.emplace(key, static_cast<std::uint16_t>(i)).second) {
      return refused("key \"" + prefix + std::string(key) + "\" is declared twice");
    }
    return ok();
  };
  for (std::size_t i = 0; i < desc.fields.size(); ++i) {
    const FieldDesc& field = desc.fields[i];
    if (!field.key.empty()) {
      Result<void> added = add_key(field.key, i);
      if (!added.ok()) return added;
    }
    for (std::string_view alias : field.aliases) {  // dotted ones also match literally
      Result<void> added = add_key(alias, i);
      if (!added.ok()) return added;
    }
    if (!field.group_scalar.empty()) {
      auto group = desc.groups.find(field.group_scalar);
      if (group == desc.groups.end()) {
        return refused("group_scalar(\"" + std::string(field.group_scalar) +
                       "\") names no group of dotted aliases");
      }
      if (group->second->group_scalar_field >= 0) {
        return refused("group \"" + std::string(field.group_scalar) +
                       "\" has two group_scalar() fields");
      }
      group->second->group_scalar_field = static_cast<int>(i);
    }
  }
  for (auto& entry : desc.groups) {
    Result<void> finished = finish_desc_at(*entry.second, entry.second->extras_prefix);
    if (!finished.ok()) return finished;
  }
  return ok();
}

}  // namespace

Result<void> finish_desc(StructDesc& desc) {
  return finish_desc_at(desc, std::string());
}

void refused_description(const Error& error) {
  detail::precondition_failed(error.message.c_str());
}

int StructDesc::find_in_index(std::string_view key, std::string_view& matched) const {
  auto it = index.find(key);
  if (it == index.end()) return -1;
  matched = it->first;  // the schema's own spelling, which outlives the parser's buffer
  return it->second;
}

bool is_json_number(std::string_view text) noexcept {
  // number = [ minus ] int [ frac ] [ exp ]; int = zero / ( digit1-9 *DIGIT )
  std::size_t i = 0;
  const std::size_t n = text.size();
  auto digit = [&](std::size_t at) { return at < n && text[at] >= '0' && text[at] <= '9'; };
  if (i < n && text[i] == '-') ++i;
  if (!digit(i)) return false;
  if (text[i] == '0') {
    ++i;
  } else {
    while (digit(i)) ++i;
  }
  if (i < n && text[i] == '.') {
    ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < n && (text[i] == '+' || text[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == n;
}

bool parse_integer(std::string_view text, long long min, long long max, long long& out,
                   std::string& problem) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  auto [stop, error] = std::from_chars(begin, end, out);
  if (error == std::errc::result_out_of_range ||
      (error == std::errc() && stop == end && (out < min || out > max))) {
    problem = "integer " + std::string(text) + " is out of range";
    return false;
  }
  if (error != std::errc() || stop != end || text.empty()) {
    problem = "expected integer, got \"" + std::string(text.substr(0, 40)) + "\"";
    return false;
  }
  return true;
}

namespace {

std::string expected(const char* what, const Scalar& value) {
  return std::string("expected ") + what + ", got " + kind_name(value.kind);
}

// Well-formed UTF-8 as Unicode defines it (table 3-7): no overlong forms, no surrogates,
// nothing above U+10FFFF. Checked here rather than by RapidJSON's per-character
// kParseValidateEncodingFlag: ASCII, most of every payload, is skipped eight bytes at a time.
// The length of the well-formed multi-byte UTF-8 sequence at `p` (lead byte >= 0x80), or 0.
inline std::size_t sequence_length(const unsigned char* p, const unsigned char* end) {
  const unsigned char lead = *p;
  if ((lead & 0xF0) == 0xE0) {  // three bytes: Chinese text, the common case here
    if (end - p < 3) return 0;
    const unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;   // overlong
    const unsigned char high = lead == 0xED ? 0x9F : 0xBF;  // surrogates
    return p[1] < low || p[1] > high || (p[2] & 0xC0) != 0x80 ? 0 : 3;
  }
  if (lead >= 0xC2 && lead <= 0xDF) return end - p < 2 || (p[1] & 0xC0) != 0x80 ? 0 : 2;
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (end - p < 4) return 0;
    const unsigned char low = lead == 0xF0 ? 0x90 : 0x80;   // overlong
    const unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;  // above U+10FFFF
    const bool bad = p[1] < low || p[1] > high || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80;
    return bad ? 0 : 4;
  }
  return 0;
}

bool valid_utf8(const char* text, std::size_t size) {
  const auto* p = reinterpret_cast<const unsigned char*>(text);
  const auto* end = p + size;
  while (p < end) {
    while (end - p >= 8) {
      std::uint64_t chunk;
      std::memcpy(&chunk, p, sizeof chunk);
      if ((chunk & 0x8080808080808080ULL) != 0) break;
      p += 8;
    }
    if (p == end) break;
    if (*p < 0x80) {
      ++p;
      continue;
    }
    const std::size_t length = sequence_length(p, end);
    if (length == 0) return false;
    p += length;
  }
  return true;
}

// Strings are written as UTF-8 JSON whatever the caller put in them.
void write_utf8_string(Writer& out, std::string_view text) {
  out.Text(text.data(), text.size());
}

// RawJson text is written as it is only when it is one JSON value: text set by a caller may
// be anything, and the document must stay valid. Otherwise it is written as a string.
bool is_one_json_value(const std::string& text) {
  if (text == "{}" || text == "[]" || text == "null") return true;
  // UTF-8 checked here, not by RapidJSON's kParseValidateEncodingFlag: its check reads the
  // continuation bytes of a character cut off at the end past the terminating NUL.
  if (!valid_utf8(text.data(), text.size())) return false;
  rapidjson::Reader reader;
  rapidjson::BaseReaderHandler<> ignore;
  rapidjson::StringStream stream(text.c_str());
  const bool parsed = !reader.Parse(stream, ignore).IsError();
  return parsed && stream.Tell() == text.size();  // an embedded NUL would stop it early
}

void write_raw(Writer& out, const std::string& text) {
  if (text.empty()) {
    out.Null();
  } else if (is_one_json_value(text)) {
    out.RawValue(text.data(), text.size(), rapidjson::kObjectType);
  } else {
    write_utf8_string(out, text);
  }
}

Codec make_string_codec() {
  Codec c{Codec::Kind::Scalar, "string"};
  c.decode_scalar = [](void* target, const Scalar& value, const FieldFlags& flags,
                       std::string& problem) {
    if (value.kind == Scalar::Kind::String ||
        (flags.number_or_string && value.kind == Scalar::Kind::Number)) {
      static_cast<std::string*>(target)->assign(value.text.data(), value.text.size());
      return true;
    }
    problem = expected("string", value);
    return false;
  };
  c.encode_scalar = [](const void* value, const FieldFlags& flags, Writer& out) {
    const auto& text = *static_cast<const std::string*>(value);
    if (flags.as_number && is_json_number(text)) {
      out.RawValue(text.data(), text.size(), rapidjson::kNumberType);
    } else {
      write_utf8_string(out, text);
    }
  };
  return c;
}

Codec make_bool_codec() {
  Codec c{Codec::Kind::Scalar, "boolean"};
  c.decode_scalar = [](void* target, const Scalar& value, const FieldFlags& flags,
                       std::string& problem) {
    bool* out = static_cast<bool*>(target);
    if (value.kind == Scalar::Kind::Bool) {
      *out = value.boolean;
      return true;
    }
    if (flags.number_or_string &&
        (value.kind == Scalar::Kind::String || value.kind == Scalar::Kind::Number)) {
      // The spellings servers use where a document says only "whether" (是否开票).
      if (value.text == "true" || value.text == "1" || value.text == "是") {
        *out = true;
        return true;
      }
      if (value.text == "false" || value.text == "0" || value.text == "否") {
        *out = false;
        return true;
      }
    }
    problem = expected("boolean", value);
    return false;
  };
  c.encode_scalar = [](const void* value, const FieldFlags&, Writer& out) {
    out.Bool(*static_cast<const bool*>(value));
  };
  return c;
}

Codec make_double_codec() {
  Codec c{Codec::Kind::Scalar, "number"};
  c.decode_scalar = [](void* target, const Scalar& value, const FieldFlags& flags,
                       std::string& problem) {
    if (value.kind != Scalar::Kind::Number &&
        !(flags.number_or_string && value.kind == Scalar::Kind::String)) {
      problem = expected("number", value);
      return false;
    }
    double parsed = 0;
    const char* end = value.text.data() + value.text.size();
    auto [stop, error] = std::from_chars(value.text.data(), end, parsed);
    if (error != std::errc() || stop != end) {
      problem = "expected number, got \"" + std::string(value.text.substr(0, 40)) + "\"";
      return false;
    }
    *static_cast<double*>(target) = parsed;
    return true;
  };
  c.encode_scalar = [](const void* value, const FieldFlags&, Writer& out) {
    const double number = *static_cast<const double*>(value);
    if (std::isfinite(number)) {
      out.Double(number);
    } else {
      out.Null();  // JSON has no NaN or infinity
    }
  };
  return c;
}

Codec make_decimal_codec() {
  Codec c{Codec::Kind::Scalar, "decimal"};
  c.decode_scalar = [](void* target, const Scalar& value, const FieldFlags&, std::string& problem) {
    if (value.kind != Scalar::Kind::String && value.kind != Scalar::Kind::Number) {
      problem = expected("decimal", value);
      return false;
    }
    Result<Decimal> parsed = Decimal::parse(value.text);
    if (!parsed.ok()) {
      problem = parsed.error().message;
      return false;
    }
    *static_cast<Decimal*>(target) = *parsed;
    return true;
  };
  c.encode_scalar = [](const void* value, const FieldFlags& flags, Writer& out) {
    std::string text = static_cast<const Decimal*>(value)->to_string();
    if (flags.as_number) {
      out.RawValue(text.data(), text.size(), rapidjson::kNumberType);
    } else {
      write_utf8_string(out, text);
    }
  };
  return c;
}

template <typename T>
Codec make_time_codec(const char* name) {
  Codec c{Codec::Kind::Scalar, name};
  c.decode_scalar = [](void* target, const Scalar& value, const FieldFlags&, std::string& problem) {
    if (value.kind != Scalar::Kind::String) {
      problem = expected(std::is_same<T, Date>::value       ? "date"
                         : std::is_same<T, DateTime>::value ? "date-time"
                                                            : "timestamp",
                         value);
      return false;
    }
    Result<T> parsed = T::parse(value.text);
    if (!parsed.ok()) {
      problem = parsed.error().message;
      return false;
    }
    *static_cast<T*>(target) = std::move(*parsed);
    return true;
  };
  c.encode_scalar = [](const void* value, const FieldFlags&, Writer& out) {
    write_utf8_string(out, static_cast<const T*>(value)->to_string());
  };
  return c;
}

// Deeper input is refused: the parser recurses once per level, and vendor replies nest a
// handful of levels.
constexpr int kMaxDepth = 256;

enum class Event { Scalar, StartObject, StartArray };

// Receives SAX events and writes them straight into the target structs.
class Decoder {
 public:
  // `cursor` follows the parser's position in [begin, end): arrays near the root use it to
  // estimate their length and reserve once instead of growing.
  Decoder(const Codec* root_codec, void* root, const char* const* cursor, const char* end,
          DecodeNotes* notes)
      : root_codec_(root_codec), root_(root), cursor_(cursor), end_(end), notes_(notes) {
    frames_.reserve(16);
  }

  const std::string& error() const { return error_; }

  bool Null() { return value(Event::Scalar, Scalar{Scalar::Kind::Null, {}, false}); }
  bool Bool(bool b) { return value(Event::Scalar, Scalar{Scalar::Kind::Bool, {}, b}); }
  bool RawNumber(const char* text, rapidjson::SizeType length, bool) {
    return value(Event::Scalar, Scalar{Scalar::Kind::Number, {text, length}, false});
  }
  // `copied`: the reader decoded escapes, so the text differs from the JSON's.
  bool String(const char* text, rapidjson::SizeType length, bool copied) {
    if (!valid_utf8(text, length)) return fail("string is not valid UTF-8");
    return value(Event::Scalar, Scalar{Scalar::Kind::String, {text, length}, false, !copied});
  }
  // Numbers arrive through RawNumber (kParseNumbersAsStringsFlag); these are never called.
  bool Int(int) { return false; }
  bool Uint(unsigned) { return false; }
  bool Int64(std::int64_t) { return false; }
  bool Uint64(std::uint64_t) { return false; }
  bool Double(double) { return false; }

  bool StartObject() {
    if (++depth_ > kMaxDepth) return fail(too_deep());
    return value(Event::StartObject, Scalar{Scalar::Kind::Null, {}, false});
  }
  bool StartArray() {
    if (++depth_ > kMaxDepth) return fail(too_deep());
    return value(Event::StartArray, Scalar{Scalar::Kind::Null, {}, false});
  }

  bool Key(const char* text, rapidjson::SizeType length, bool) {
    std::string_view key(text, length);
    if (raw_depth_ > 0) {
      if (!valid_utf8(text, length)) return fail("key is not valid UTF-8");
      if (raw_target_ != nullptr) write_utf8_string(raw_writer_, key);
      return true;
    }
    Frame& frame = frames_.back();
    KeyMemos& memo = memos_[frame.memo];
    const std::size_t position = frame.keys++;
    if (position < memo.keys.size() && same_key(memo.keys[position].key, key)) {
      const ResolvedKey& known = memo.keys[position];
      frame.field = known.field;
      frame.group = known.group;
      frame.key_name = known.name;
    } else {
      if (!resolve_key(frame, key)) return false;
      if (position >= memo.keys.size() && position < kMaxMemoKeys) memo.keys.emplace_back();
      if (position < memo.keys.size()) {
        ResolvedKey& resolved = memo.keys[position];
        resolved.key.assign(key.data(), key.size());  // reuses the old text's storage
        resolved.field = frame.field;
        resolved.group = frame.group;
        resolved.name = frame.key_name;
      }
    }
    frame.to_extras = false;
    if (frame.field >= 0) {
      frame.hint = static_cast<std::size_t>(frame.field) + 1;
      if (frame.field < 64) frame.seen |= std::uint64_t{1} << frame.field;
    } else if (frame.desc->extras != nullptr) {  // a group key whose value is not an object too
      frame.to_extras = true;
      if (frame.group == nullptr && frame.desc->extras_prefix.empty()) {
        // An unknown key: its entry is made here, its value written into it next.
        frame.desc->extras(frame.target)
            ->emplace_back(std::piecewise_construct, std::forward_as_tuple(text, length),
                           std::forward_as_tuple());
      } else {
        // A group key (kept only if its value is not an object) or a key inside a group
        // (kept under its dotted name): the entry is made when the value comes.
        pending_key_.assign(frame.desc->extras_prefix);
        pending_key_.append(text, length);
      }
    }
    return true;
  }

  bool EndObject(rapidjson::SizeType) {
    --depth_;
    if (raw_depth_ > 0) {
      if (raw_target_ != nullptr) raw_writer_.EndObject();
      return end_raw_level();
    }
    Frame& frame = frames_.back();
    const StructDesc& desc = *frame.desc;
    const std::uint64_t missing = desc.required_mask & ~frame.seen;
    for (std::size_t i = 0; missing != 0 && i < desc.fields.size() && i < 64; ++i) {
      if ((missing & (std::uint64_t{1} << i)) != 0) {
        frame.field = static_cast<int>(i);
        frame.key_name = desc.fields[i].key;
        return fail("missing required field");
      }
    }
    if (desc.extras != nullptr) {
      memos_[frame.memo].extras = desc.extras(frame.target)->size();
    }
    frames_.pop_back();
    return true;
  }

  bool EndArray(rapidjson::SizeType) {
    --depth_;
    if (raw_depth_ > 0) {
      if (raw_target_ != nullptr) raw_writer_.EndArray();
      return end_raw_level();
    }
    --open_arrays_;
    frames_.pop_back();
    return true;
  }

 private:
  struct Frame {
    bool is_struct = true;
    void* target = nullptr;
    const StructDesc* desc = nullptr;  // struct frames
    const Codec* element = nullptr;    // array frames
    FieldFlags flags;                  // array frames: flags of the array field
    int field = -1;
    bool to_extras = false;
    const StructDesc* group = nullptr;  // the key named a group of dotted aliases
    std::string_view key_name;
    std::uint64_t seen = 0;
    std::size_t hint = 0;
    std::size_t count = 0;
    std::size_t memo = 0;                 // struct frames: index in memos_
    std::size_t keys = 0;                 // struct frames: keys seen so far
    bool may_reserve = false;             // array frames near the root
    const char* first_element = nullptr;  // where the first element was seen
  };

  // What a key of a struct resolved to. Objects of one type repeat their keys in the same
  // order, in an array and from one reply to the next, so each struct type remembers the
  // keys of its last object, per thread: the n-th key of the next object is compared with
  // the n-th remembered one before any hash lookup, and its unknown keys are reserved.
  struct ResolvedKey {
    std::string key;
    int field = -1;
    const StructDesc* group = nullptr;
    std::string_view name;  // the schema's spelling, for error paths
  };
  struct KeyMemos {
    const StructDesc* desc = nullptr;
    std::vector<ResolvedKey> keys;
    std::size_t extras = 0;  // unknown keys kept by the last object: reserved for the next
  };
  static constexpr std::size_t kMaxMemoKeys = 256;

  // Bounded: kMaxMemoKeys keys for each struct type the program declares. Descriptions are
  // static, so their addresses identify them for the life of the thread.
  static std::vector<KeyMemos>& thread_memos() {
    static thread_local std::vector<KeyMemos> memos;
    return memos;
  }

  // A program has a few dozen struct types, a payload a handful: the last one found is tried
  // first, then a linear search.
  std::size_t memo_of(const StructDesc* desc) {
    if (last_memo_ < memos_.size() && memos_[last_memo_].desc == desc) return last_memo_;
    for (std::size_t i = 0; i < memos_.size(); ++i) {
      if (memos_[i].desc == desc) return last_memo_ = i;
    }
    memos_.push_back(KeyMemos{desc, {}, 0});
    return last_memo_ = memos_.size() - 1;
  }

  void push_struct_frame(void* target, const StructDesc* desc) {
    Frame frame;
    frame.is_struct = true;
    frame.target = target;
    frame.desc = desc;
    frame.memo = memo_of(desc);
    if (desc->extras != nullptr && memos_[frame.memo].extras != 0) {
      JsonExtras* extras = desc->extras(target);
      if (extras->empty()) extras->reserve(memos_[frame.memo].extras);
    }
    frames_.push_back(frame);
  }

  // Sets the frame's field (or -1), group and key name for a key not remembered.
  bool resolve_key(Frame& frame, std::string_view key) {
    const StructDesc& desc = *frame.desc;
    frame.field = desc.find(key, frame.hint, frame.key_name);
    frame.group = nullptr;
    if (frame.field >= 0) return true;
    // A key that matched is one of the schema's own, valid by construction.
    if (!valid_utf8(key.data(), key.size())) return fail("key is not valid UTF-8");
    if (!desc.groups.empty()) {
      auto group = desc.groups.find(key);
      if (group != desc.groups.end()) {
        frame.group = group->second.get();
        frame.field = frame.group->group_scalar_field;  // takes a scalar under the group key
        frame.key_name = group->first;
      }
    }
    return true;
  }

  static std::string too_deep() {
    return "nested deeper than " + std::to_string(kMaxDepth) + " levels";
  }

  // Called before the second element of an array near the root: the first one's size
  // predicts how many follow. Bounded so that the reservation is never larger than the
  // input still to come.
  void reserve_estimate(const Frame& frame) const {
    const std::size_t stride = static_cast<std::size_t>(*cursor_ - frame.first_element);
    const std::size_t remaining = static_cast<std::size_t>(end_ - *cursor_);
    if (stride == 0) return;
    std::size_t estimate = 2 + remaining / stride;
    estimate = std::min(estimate, 2 + remaining / frame.element->element_size);
    if (estimate >= 16) frame.element->reserve(frame.target, estimate);
  }

  bool value(Event event, const Scalar& scalar) {
    if (raw_depth_ > 0) return raw_event(event, scalar);
    void* target = nullptr;
    const Codec* codec = nullptr;
    FieldFlags flags;
    Undo undo;
    if (frames_.empty()) {
      if (root_done_) return fail("more than one root value");
      root_done_ = true;
      target = root_;
      codec = root_codec_;
    } else if (Frame& frame = frames_.back(); frame.is_struct) {
      if (frame.group != nullptr && event == Event::StartObject) {
        // The same struct, seen through the group's keys.
        push_struct_frame(frame.target, frame.group);
        return true;
      }
      if (frame.field >= 0) {
        const FieldDesc& field = frame.desc->fields[static_cast<std::size_t>(frame.field)];
        target = field.get(frame.target);
        codec = field.codec;
        flags = field.flags;
        undo.tolerant = notes_ != nullptr && !flags.strict;
      } else if (frame.to_extras) {
        JsonExtras* extras = frame.desc->extras(frame.target);
        if (frame.group != nullptr || !frame.desc->extras_prefix.empty()) {
          extras->emplace_back(std::move(pending_key_), RawJson{});
        }
        return begin_raw(&extras->back().second.text, event, scalar);
      } else {
        return begin_raw(nullptr, event, scalar);  // unknown key: skip its value
      }
    } else {
      // Copy what is needed: deliver() may push frames and move this one.
      if (frame.may_reserve) {
        // Both positions are taken at the same point of an element (its first event).
        if (frame.count == 0) frame.first_element = *cursor_;
        if (frame.count == 1) reserve_estimate(frame);
      }
      ++frame.count;
      const Codec* array = frame.element;
      flags = frame.flags;
      target = array->append(frame.target);
      codec = array->inner;
      undo.tolerant = notes_ != nullptr && !flags.strict;
      undo.array = array;
      undo.array_target = frame.target;
    }
    // A reply's fields take numbers and strings for each other where the text fits.
    if (undo.tolerant) flags.number_or_string = true;
    return deliver(target, codec, flags, event, scalar, undo);
  }

  // What a misfit in decode_reply() must take back: an optional engaged on the way to the
  // scalar, an element appended for it.
  struct Undo {
    bool tolerant = false;  // a misfit is a note, not a failure
    const Codec* array = nullptr;
    void* array_target = nullptr;
  };

  // A value that does not fit its field: fails a strict decode; in decode_reply() (and not
  // for a strict field) leaves the member empty and notes the value as received.
  bool misfit(const std::string& problem, Event event, const Scalar& scalar, const Undo& undo,
              const Codec* outer, void* outer_target) {
    if (!undo.tolerant) return fail(problem);
    if (outer->kind == Codec::Kind::Optional) outer->reset(outer_target);
    if (undo.array != nullptr) undo.array->pop_back(undo.array_target);
    notes_->push_back(DecodeNote{current_path(), problem, std::string()});
    // The raw value goes into the note; no other note is added while it is copied.
    if (event == Event::Scalar) {
      copy_raw_scalar(scalar, notes_->back().raw);
      return true;
    }
    return begin_raw(&notes_->back().raw, event, scalar);
  }

  bool deliver(void* target, const Codec* codec, const FieldFlags& flags, Event event,
               const Scalar& scalar, const Undo& undo) {
    const Codec* const outer = codec;
    void* const outer_target = target;
    const bool is_null = event == Event::Scalar && scalar.kind == Scalar::Kind::Null;
    const bool is_string = event == Event::Scalar && scalar.kind == Scalar::Kind::String;
    const bool null_string = is_string && ((flags.null_string_absent && scalar.text == "null") ||
                                           (flags.empty_absent && scalar.text.empty()));
    for (;;) {
      switch (codec->kind) {
        case Codec::Kind::Optional:
          if (is_null || null_string) {
            codec->reset(target);
            return true;
          }
          target = codec->engage(target);
          codec = codec->inner;
          continue;
        case Codec::Kind::Raw:
          return begin_raw(&static_cast<RawJson*>(target)->text, event, scalar);
        case Codec::Kind::Struct:
          if (event == Event::StartObject) {
            push_struct_frame(target, codec->desc());
            return true;
          }
          if (is_null || null_string) return true;
          return misfit(std::string("expected object, got ") + event_name(event, scalar), event,
                        scalar, undo, outer, outer_target);
        case Codec::Kind::Array:
          if (event == Event::StartArray) {
            Frame frame;
            frame.is_struct = false;
            frame.target = target;
            frame.element = codec;
            frame.flags = flags;
            // An array reached through objects alone (the root array, data of an envelope,
            // material_entity of the bill in it) occurs once per document and usually is the
            // payload: its length is estimated. Arrays inside array elements are not, or each
            // element would reserve for the whole rest of the input.
            frame.may_reserve = open_arrays_ == 0 && codec->reserve != nullptr;
            ++open_arrays_;
            frames_.push_back(frame);
            return true;
          }
          if (event == Event::StartObject && flags.one_or_many) {
            target = codec->append(target);
            codec = codec->inner;
            continue;
          }
          if (is_null || null_string) return true;
          return misfit(std::string("expected array, got ") + event_name(event, scalar), event,
                        scalar, undo, outer, outer_target);
        case Codec::Kind::Scalar: {
          if (event != Event::Scalar) {
            return misfit(
                std::string("expected ") + codec->type_name + ", got " + event_name(event, scalar),
                event, scalar, undo, outer, outer_target);
          }
          if (is_null || null_string) return true;  // absent: keep the default
          if (!codec->decode_scalar(target, scalar, flags, problem_)) {
            return misfit(problem_, event, scalar, undo, outer, outer_target);
          }
          return true;
        }
      }
    }
  }

  static const char* event_name(Event event, const Scalar& scalar) {
    if (event == Event::StartObject) return "object";
    if (event == Event::StartArray) return "array";
    return kind_name(scalar.kind);
  }

  // Starts copying (target set) or skipping (target null) one value.
  bool begin_raw(std::string* target, Event event, const Scalar& scalar) {
    raw_target_ = target;
    if (event == Event::Scalar) {
      if (target == nullptr) return true;
      if (scalar.kind == Scalar::Kind::String && scalar.verbatim) {
        // Most unknown values of vendor payloads: nothing in them that the Writer would escape.
        target->resize(scalar.text.size() + 2);
        target->front() = '"';
        std::memcpy(&(*target)[1], scalar.text.data(), scalar.text.size());
        target->back() = '"';
        return true;
      }
      copy_raw_scalar(scalar, *target);
      return true;
    }
    if (target != nullptr) {
      raw_buffer_.Clear();
      raw_writer_.Reset(raw_buffer_);
    }
    raw_depth_ = 1;
    if (target != nullptr) {
      if (event == Event::StartObject)
        raw_writer_.StartObject();
      else
        raw_writer_.StartArray();
    }
    return true;
  }

  bool raw_event(Event event, const Scalar& scalar) {
    if (event == Event::Scalar) {
      if (raw_target_ != nullptr) write_raw_scalar(scalar);
      return true;
    }
    ++raw_depth_;
    if (raw_target_ != nullptr) {
      if (event == Event::StartObject)
        raw_writer_.StartObject();
      else
        raw_writer_.StartArray();
    }
    return true;
  }

  bool end_raw_level() {
    if (--raw_depth_ == 0 && raw_target_ != nullptr) {
      raw_target_->assign(raw_buffer_.GetString(), raw_buffer_.GetSize());
    }
    return true;
  }

  // A lone scalar's JSON, as the Writer would write it (a verbatim string is handled by
  // begin_raw without a call).
  void copy_raw_scalar(const Scalar& scalar, std::string& target) {
    switch (scalar.kind) {
      case Scalar::Kind::Null:
        target = "null";
        return;
      case Scalar::Kind::Bool:
        target = scalar.boolean ? "true" : "false";
        return;
      case Scalar::Kind::Number:
        target.assign(scalar.text.data(), scalar.text.size());
        return;
      case Scalar::Kind::String:
        raw_buffer_.Clear();
        raw_writer_.Reset(raw_buffer_);
        write_raw_scalar(scalar);
        target.assign(raw_buffer_.GetString(), raw_buffer_.GetSize());
        return;
    }
  }

  void write_raw_scalar(const Scalar& scalar) {
    switch (scalar.kind) {
      case Scalar::Kind::Null:
        raw_writer_.Null();
        break;
      case Scalar::Kind::Bool:
        raw_writer_.Bool(scalar.boolean);
        break;
      case Scalar::Kind::Number:
        raw_writer_.RawValue(scalar.text.data(), scalar.text.size(), rapidjson::kNumberType);
        break;
      case Scalar::Kind::String:
        write_utf8_string(raw_writer_, scalar.text);
        break;
    }
  }

  bool fail(const std::string& problem) {
    error_ = current_path() + ": " + problem;
    return false;
  }

  // "data[3].parts_details[0].amount", or "(root)".
  std::string current_path() const {
    std::string path;
    for (const Frame& frame : frames_) {
      if (frame.is_struct) {
        if (frame.field < 0 && frame.group == nullptr) continue;
        if (!path.empty()) path += '.';
        path.append(frame.key_name.data(), frame.key_name.size());
      } else {
        path += '[';
        path += std::to_string(frame.count == 0 ? 0 : frame.count - 1);
        path += ']';
      }
    }
    return path.empty() ? std::string("(root)") : path;
  }

  const Codec* root_codec_;
  void* root_;
  const char* const* cursor_;
  const char* end_;
  DecodeNotes* notes_;  // decode_reply(): misfits of non-strict fields are noted here
  int depth_ = 0;
  int open_arrays_ = 0;  // array frames in frames_
  bool root_done_ = false;
  std::vector<Frame> frames_;
  std::vector<KeyMemos>& memos_ = thread_memos();
  std::size_t last_memo_ = 0;
  std::string pending_key_;
  std::string problem_;  // set by a scalar codec that refuses a value
  std::string error_;

  int raw_depth_ = 0;
  std::string* raw_target_ = nullptr;
  rapidjson::StringBuffer raw_buffer_;
  Writer raw_writer_{raw_buffer_};
};

}  // namespace

void Writer::Text(const char* text, std::size_t size) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  static constexpr char kHex[] = "0123456789ABCDEF";
  // A chunk of eight bytes that are copied as they are: ASCII, no control character, no
  // quote, no backslash.
  auto plain = [](std::uint64_t x) {
    auto has_zero = [](std::uint64_t y) { return (y - kOnes) & ~y & kHighs; };
    const std::uint64_t below_space = (x - 0x20 * kOnes) & ~x & kHighs;  // exact for ASCII
    return ((x & kHighs) | below_space | has_zero(x ^ (0x22 * kOnes)) |
            has_zero(x ^ (0x5C * kOnes))) == 0;
  };
  Prefix(rapidjson::kStringType);
  rapidjson::StringBuffer& out = *os_;
  const std::size_t most = 2 + size * 6;  // every byte a \u00XX escape
  char* const start = out.Push(most);
  char* dst = start;
  *dst++ = '"';
  const auto* p = reinterpret_cast<const unsigned char*>(text);
  const auto* end = p + size;
  while (p < end) {
    while (end - p >= 8) {
      std::uint64_t chunk;
      std::memcpy(&chunk, p, sizeof chunk);
      if (!plain(chunk)) break;
      std::memcpy(dst, p, 8);
      dst += 8;
      p += 8;
    }
    if (p == end) break;
    const unsigned char c = *p;
    if (c >= 0x80) {
      const std::size_t length = sequence_length(p, end);
      if (length == 0) {  // malformed: U+FFFD
        std::memcpy(dst, "\xEF\xBF\xBD", 3);
        dst += 3;
        ++p;
      } else {
        std::memcpy(dst, p, length);
        dst += length;
        p += length;
      }
      continue;
    }
    ++p;
    if (c >= 0x20 && c != '"' && c != '\\') {
      *dst++ = static_cast<char>(c);
      continue;
    }
    *dst++ = '\\';
    switch (c) {
      case '"':
      case '\\':
        *dst++ = static_cast<char>(c);
        break;
      case '\b':
        *dst++ = 'b';
        break;
      case '\f':
        *dst++ = 'f';
        break;
      case '\n':
        *dst++ = 'n';
        break;
      case '\r':
        *dst++ = 'r';
        break;
      case '\t':
        *dst++ = 't';
        break;
      default:
        *dst++ = 'u';
        *dst++ = '0';
        *dst++ = '0';
        *dst++ = kHex[c >> 4];
        *dst++ = kHex[c & 15];
    }
  }
  *dst++ = '"';
  out.Pop(most - static_cast<std::size_t>(dst - start));
  EndValue(true);
}

void write_string(Writer& out, const std::string& text) {
  write_utf8_string(out, text);
}

const Codec kStringCodec = make_string_codec();
const Codec kBoolCodec = make_bool_codec();
const Codec kDoubleCodec = make_double_codec();
const Codec kDecimalCodec = make_decimal_codec();
const Codec kDateCodec = make_time_codec<Date>("date");
const Codec kDateTimeCodec = make_time_codec<DateTime>("date-time");
const Codec kTimestampCodec = make_time_codec<Timestamp>("timestamp");
const Codec kRawCodec = Codec{Codec::Kind::Raw, "JSON value"};

namespace {

Result<void> parse_error(const rapidjson::ParseResult& result) {
  return make_error(ErrorCode::Decode, std::string("invalid JSON at offset ") +
                                           std::to_string(result.Offset()) + ": " +
                                           rapidjson::GetParseError_En(result.Code()));
}

// The parser reads a NUL as the end of the text: one that stopped it early was inside.
Result<void> finish_parse(const rapidjson::ParseResult& result, const Decoder& decoder,
                          std::size_t stopped_at, std::size_t size) {
  if (!result) {
    if (!decoder.error().empty()) return make_error(ErrorCode::Decode, decoder.error());
    return parse_error(result);
  }
  if (stopped_at != size) {
    return parse_error(
        rapidjson::ParseResult(rapidjson::kParseErrorDocumentRootNotSingular, stopped_at));
  }
  return ok();
}

}  // namespace

Result<void> decode_value(std::string_view text, const Codec* codec, void* target,
                          DecodeNotes* notes) {
  FastReader<Decoder> reader(text.data(), text.size());
  Decoder decoder(codec, target, reader.position(), text.data() + text.size(), notes);
  rapidjson::ParseResult result = reader.parse(decoder);
  return finish_parse(result, decoder, reader.offset(), text.size());
}

std::string encode_value_to_string(const void* value, const Codec* codec) {
  // Each thread keeps its buffer and writer (with its level stack), so an encode allocates
  // only the string it returns; a buffer grown past kKeptBytes is let go afterwards.
  struct Scratch {
    rapidjson::StringBuffer buffer;
    Writer writer{buffer};
    bool in_use = false;
  };
  static thread_local Scratch scratch;
  constexpr std::size_t kKeptBytes = 1u << 20;
  if (scratch.in_use) {  // an encode inside an encode: a buffer of its own
    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    encode_value(value, codec, FieldFlags{}, writer);
    return std::string(buffer.GetString(), buffer.GetSize());
  }
  scratch.in_use = true;
  scratch.buffer.Clear();
  scratch.writer.Reset(scratch.buffer);
  encode_value(value, codec, FieldFlags{}, scratch.writer);
  std::string text(scratch.buffer.GetString(), scratch.buffer.GetSize());
  if (scratch.buffer.GetSize() > kKeptBytes) {
    scratch.buffer.Clear();
    scratch.buffer.ShrinkToFit();
  }
  scratch.in_use = false;
  return text;
}

void encode_value(const void* value, const Codec* codec, const FieldFlags& flags, Writer& out) {
  switch (codec->kind) {
    case Codec::Kind::Scalar:
      codec->encode_scalar(value, flags, out);
      return;
    case Codec::Kind::Raw:
      write_raw(out, static_cast<const RawJson*>(value)->text);
      return;
    case Codec::Kind::Optional: {
      const void* inner = codec->get(value);
      if (inner == nullptr) {
        out.Null();
      } else {
        encode_value(inner, codec->inner, flags, out);
      }
      return;
    }
    case Codec::Kind::Array: {
      out.StartArray();
      const std::size_t n = codec->size(value);
      for (std::size_t i = 0; i < n; ++i)
        encode_value(codec->at(value, i), codec->inner, flags, out);
      out.EndArray();
      return;
    }
    case Codec::Kind::Struct: {
      const StructDesc& desc = *codec->desc();
      out.StartObject();
      for (const FieldDesc& field : desc.fields) {
        const void* member = field.get(value);
        if (field.codec == &kStringCodec && !field.flags.as_number) {  // most fields: inline
          out.Key(field.key.data(), static_cast<rapidjson::SizeType>(field.key.size()));
          write_utf8_string(out, *static_cast<const std::string*>(member));
          continue;
        }
        if (field.codec->kind == Codec::Kind::Optional && field.codec->get(member) == nullptr &&
            !field.flags.null_if_absent) {
          continue;
        }
        out.Key(field.key.data(), static_cast<rapidjson::SizeType>(field.key.size()));
        encode_value(member, field.codec, field.flags, out);
      }
      if (desc.extras != nullptr) {
        for (const auto& [key, raw] : *desc.extras(const_cast<void*>(value))) {
          write_utf8_string(out, key);  // a key is a string: the same repair applies
          write_raw(out, raw.text);
        }
      }
      out.EndObject();
      return;
    }
  }
}

}  // namespace erpbridge::json
