// The JSON engine: each struct's wire form is declared once (key, aliases, member, flags),
// and one generic decoder streams the events of our JSON reader (reader.hpp, which behaves as
// RapidJSON's SAX Reader) straight into the struct while one generic encoder writes with
// RapidJSON's Writer. Neither builds a DOM.
//
// Declaring a struct:
//
//   template <> struct erpbridge::json::Schema<ctc::PartLine> {
//     static void describe(StructBuilder<ctc::PartLine>& s) {
//       s.field("yunmi_code", &ctc::PartLine::yunmi_code);
//       s.field("amount", &ctc::PartLine::amount).number_or_string();
//     }
//   };
//
// Supported member types: std::string, bool, integers, double, Decimal, Date, DateTime,
// Timestamp, Labeled<E>, RawJson, JsonExtras (via extras()), std::optional<T>,
// std::vector<T>, and any struct with a Schema.
//
// Two ways to decode. decode() is strict: any value that does not fit its field fails the
// whole decode (requests we receive, tests). decode_reply() reads a server's reply the way
// DESIGN.md asks: only fields declared strict() (the envelope's success code) can fail it;
// any other field whose value does not fit its type is left empty and reported as a
// DecodeNote with its path and the value as received, and numbers and strings are accepted
// for each other wherever the text fits.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "erpbridge/core/datetime.hpp"
#include "erpbridge/core/decimal.hpp"
#include "erpbridge/core/labeled.hpp"
#include "erpbridge/core/raw_json.hpp"
#include "erpbridge/core/result.hpp"

namespace erpbridge::json {

/// RapidJSON's Writer with strings written by the SDK itself (Text()): one pass that escapes
/// what JSON requires and replaces malformed UTF-8 with U+FFFD, so every output is valid
/// JSON whatever a caller put in a string. (RapidJSON 1.1.0's own SSE2 path leaves 0x1A..0x1F
/// unescaped and copies malformed UTF-8 as it is.)
class Writer : public rapidjson::Writer<rapidjson::StringBuffer> {
 public:
  using Base = rapidjson::Writer<rapidjson::StringBuffer>;
  using Base::Base;

  /// `size` bytes at `text` as a JSON string (a value, or a key where one is due).
  void Text(const char* text, std::size_t size);
};

/// A scalar event from the parser.
struct Scalar {
  enum class Kind { Null, Bool, Number, String } kind;
  std::string_view text;  ///< Number or string text (numbers as written).
  bool boolean = false;
  bool verbatim = false;  ///< A string written in the JSON as is, without escapes.
};

const char* kind_name(Scalar::Kind kind) noexcept;

/// Per-field options, set through FieldRef.
struct FieldFlags {
  bool required = false;            ///< Missing key is a Decode error.
  bool strict = false;              ///< A misfit fails decode_reply() too (success codes).
  bool number_or_string = false;    ///< Accept a number for a string and vice versa.
  bool null_string_absent = false;  ///< The string "null" means absent.
  bool as_number = false;           ///< Encode Decimal/string as a JSON number.
  bool null_if_absent = false;      ///< Encode an empty optional as null (else omit the key).
  bool one_or_many = false;         ///< A vector also accepts a single object.
  bool empty_absent = false;        ///< The empty string "" means absent.
};

struct Codec;
struct StructDesc;

struct FieldDesc {
  std::string_view key;
  std::vector<std::string_view> aliases;
  std::string_view group_scalar;  ///< See FieldRef::group_scalar.
  const Codec* codec = nullptr;
  std::ptrdiff_t offset = 0;  ///< Of the member within the described struct.
  FieldFlags flags;

  void* get(void* object) const { return static_cast<char*>(object) + offset; }
  const void* get(const void* object) const { return static_cast<const char*>(object) + offset; }
};

/// a == b for the short keys of JSON objects, without a call to memcmp.
inline bool same_key(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  if (n >= 8) {
    // First and last eight bytes (overlapping when n < 16), then the middle if any.
    std::uint64_t x = 0;
    std::uint64_t y = 0;
    std::memcpy(&x, a.data(), 8);
    std::memcpy(&y, b.data(), 8);
    if (x != y) return false;
    std::memcpy(&x, a.data() + n - 8, 8);
    std::memcpy(&y, b.data() + n - 8, 8);
    if (x != y) return false;
    return n <= 16 || std::memcmp(a.data() + 8, b.data() + 8, n - 16) == 0;
  }
  if (n >= 4) {
    std::uint32_t x = 0;
    std::uint32_t y = 0;
    std::memcpy(&x, a.data(), 4);
    std::memcpy(&y, b.data(), 4);
    if (x != y) return false;
    std::memcpy(&x, a.data() + n - 4, 4);
    std::memcpy(&y, b.data() + n - 4, 4);
    return x == y;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

struct StructDesc {
  /// Fields the required mask can track: a description with a required field beyond them
  /// is refused.
  static constexpr std::size_t kMaxRequiredIndex = 64;

  std::vector<FieldDesc> fields;
  std::unordered_map<std::string_view, std::uint16_t> index;  // key and aliases -> field
  std::uint64_t required_mask = 0;  ///< Bit i: fields[i] is required (i < 64).
  JsonExtras* (*extras)(void* object) = nullptr;
  /// Dotted aliases ("materialid.number") as nested objects: "materialid" -> a description
  /// of the same struct whose fields are the remainders ("number").
  std::unordered_map<std::string_view, std::shared_ptr<StructDesc>> groups;
  /// In a group's description: the field of the outer struct that takes a scalar under the
  /// group's key (FieldRef::group_scalar), or -1.
  int group_scalar_field = -1;
  /// In a group's description: "materialid." — unknown keys inside the group are kept in the
  /// outer struct's extras under this prefix.
  std::string extras_prefix;

  /// The field for `key`, or -1, and the declared spelling that matched (for error paths).
  /// `hint` is tried first: keys usually arrive in declaration order.
  int find(std::string_view key, std::size_t hint, std::string_view& matched) const {
    if (hint < fields.size() && same_key(fields[hint].key, key)) {
      matched = fields[hint].key;
      return static_cast<int>(hint);
    }
    return find_in_index(key, matched);
  }
  int find_in_index(std::string_view key, std::string_view& matched) const;
};

/// How one C++ type maps to JSON. Exactly one kind.
struct Codec {
  enum class Kind { Scalar, Struct, Array, Optional, Raw } kind;
  const char* type_name;  ///< Used in errors: "expected integer, got string".

  // Scalar: decode returns false and sets `problem` when the value does not fit.
  bool (*decode_scalar)(void* target, const Scalar& value, const FieldFlags& flags,
                        std::string& problem) = nullptr;
  void (*encode_scalar)(const void* value, const FieldFlags& flags, Writer& out) = nullptr;

  // Struct
  const StructDesc* (*desc)() = nullptr;

  // Array (std::vector) and Optional share `inner`.
  const Codec* inner = nullptr;
  void* (*append)(void* vector) = nullptr;
  void (*pop_back)(void* vector) = nullptr;  ///< Drops an element that did not fit.
  void (*reserve)(void* vector, std::size_t count) = nullptr;
  std::size_t element_size = 0;  ///< sizeof one element, bounding reserve()
  std::size_t (*size)(const void* vector) = nullptr;
  const void* (*at)(const void* vector, std::size_t index) = nullptr;
  void* (*engage)(void* optional) = nullptr;
  void (*reset)(void* optional) = nullptr;
  const void* (*get)(const void* optional) = nullptr;  ///< nullptr when empty.
};

template <typename T, typename Enable = void>
struct CodecFor;  // defined below for every supported type

/// The codec of T.
template <typename T>
const Codec* codec_of() {
  return CodecFor<T>::get();
}

/// Specialise for each struct: static void describe(StructBuilder<T>&).
template <typename T>
struct Schema;

/// Options for the field just declared.
class FieldRef {
 public:
  explicit FieldRef(FieldDesc& desc) : desc_(desc) {}
  /// Another key the decoder accepts for this field (never encoded). A dotted alias
  /// ("materialid.number") also matches the nested form {"materialid":{"number":…}}.
  FieldRef& alias(std::string_view key) {
    desc_.aliases.push_back(key);
    return *this;
  }
  FieldRef& required() {
    desc_.flags.required = true;
    return *this;
  }
  /// A value that does not fit fails decode_reply() too: for the success code of an
  /// envelope, which alone decides a call's outcome.
  FieldRef& strict() {
    desc_.flags.strict = true;
    return *this;
  }
  /// A scalar under `group_key` (a key that dotted aliases of other fields use as a group,
  /// {"mxoc_picker":{"id":…}}) is this field's value: {"mxoc_picker":"张三"}. Declared here
  /// because a plain alias equal to a group key is refused as ambiguous.
  FieldRef& group_scalar(std::string_view group_key) {
    desc_.group_scalar = group_key;
    return *this;
  }
  FieldRef& number_or_string() {
    desc_.flags.number_or_string = true;
    return *this;
  }
  FieldRef& null_string_absent() {
    desc_.flags.null_string_absent = true;
    return *this;
  }
  FieldRef& as_number() {
    desc_.flags.as_number = true;
    return *this;
  }
  FieldRef& null_if_absent() {
    desc_.flags.null_if_absent = true;
    return *this;
  }
  FieldRef& one_or_many() {
    desc_.flags.one_or_many = true;
    return *this;
  }
  FieldRef& empty_absent() {
    desc_.flags.empty_absent = true;
    return *this;
  }

 private:
  FieldDesc& desc_;
};

template <typename S>
class StructBuilder {
 public:
  explicit StructBuilder(StructDesc& desc) : desc_(desc) {}

  /// Declares a member (of S or of a base class of S) with its JSON key.
  template <typename M, typename C>
  FieldRef field(std::string_view key, M C::*member) {
    static_assert(std::is_base_of<C, S>::value, "member of an unrelated class");
    FieldDesc field;
    field.key = key;
    field.codec = codec_of<M>();
    // The member's place in an S: S is always the complete object (no virtual bases), so
    // the offset is the same in every S.
    const S& sample = probe();
    field.offset =
        reinterpret_cast<const char*>(&(sample.*member)) - reinterpret_cast<const char*>(&sample);
    desc_.fields.push_back(std::move(field));
    return FieldRef(desc_.fields.back());
  }

  /// Unknown keys are kept in `member` instead of being skipped.
  template <typename C>
  void extras(JsonExtras C::*member) {
    static_assert(std::is_base_of<C, S>::value, "member of an unrelated class");
    static JsonExtras C::*stored = member;
    desc_.extras = [](void* object) { return &(static_cast<S*>(object)->*stored); };
  }

 private:
  static_assert(!std::is_polymorphic<S>::value, "described structs hold plain data");
  const S& probe() {
    if (!probe_) probe_.emplace();
    return *probe_;
  }

  StructDesc& desc_;
  std::optional<S> probe_;
};

/// Builds the key index and the groups once all fields are declared. Refuses (with the
/// reason) a description the decoder could not follow: a key or alias declared twice, a
/// plain key or alias that is also the group key of dotted aliases, a group_scalar() that
/// names no group, or a required field beyond kMaxRequiredIndex.
Result<void> finish_desc(StructDesc& desc);

/// The description of S, or why it is refused (see finish_desc).
template <typename S>
Result<std::shared_ptr<const StructDesc>> describe() {
  auto desc = std::make_shared<StructDesc>();
  StructBuilder<S> builder(*desc);
  Schema<S>::describe(builder);
  Result<void> finished = finish_desc(*desc);
  if (!finished.ok()) return std::move(finished).error();
  return std::shared_ptr<const StructDesc>(std::move(desc));
}

/// Aborts naming the schema's problem: a refused description is a programming error.
[[noreturn]] void refused_description(const Error& error);

template <typename S>
const StructDesc* struct_desc() {
  static const std::shared_ptr<const StructDesc> desc = [] {
    Result<std::shared_ptr<const StructDesc>> built = describe<S>();
    if (!built.ok()) refused_description(built.error());
    return std::move(built).value();
  }();
  return desc.get();
}

// ---- scalar codecs (defined in engine.cpp) ----
extern const Codec kStringCodec;
extern const Codec kBoolCodec;
extern const Codec kDoubleCodec;
extern const Codec kDecimalCodec;
extern const Codec kDateCodec;
extern const Codec kDateTimeCodec;
extern const Codec kTimestampCodec;
extern const Codec kRawCodec;

/// Writes `text` as a JSON string; malformed UTF-8 becomes U+FFFD, so the output stays JSON.
void write_string(Writer& out, const std::string& text);

/// Whether `text` is a number by the JSON grammar (RFC 8259 section 6): what may be written
/// bare in a JSON document.
bool is_json_number(std::string_view text) noexcept;

/// Parses integer text into [min, max]; false with `problem` set otherwise.
bool parse_integer(std::string_view text, long long min, long long max, long long& out,
                   std::string& problem);

template <>
struct CodecFor<std::string> {
  static const Codec* get() { return &kStringCodec; }
};
template <>
struct CodecFor<bool> {
  static const Codec* get() { return &kBoolCodec; }
};
template <>
struct CodecFor<double> {
  static const Codec* get() { return &kDoubleCodec; }
};
template <>
struct CodecFor<Decimal> {
  static const Codec* get() { return &kDecimalCodec; }
};
template <>
struct CodecFor<Date> {
  static const Codec* get() { return &kDateCodec; }
};
template <>
struct CodecFor<DateTime> {
  static const Codec* get() { return &kDateTimeCodec; }
};
template <>
struct CodecFor<Timestamp> {
  static const Codec* get() { return &kTimestampCodec; }
};
template <>
struct CodecFor<RawJson> {
  static const Codec* get() { return &kRawCodec; }
};

template <typename I>
struct CodecFor<I, std::enable_if_t<std::is_integral<I>::value && !std::is_same<I, bool>::value>> {
  static const Codec* get() {
    static const Codec codec = [] {
      Codec c{Codec::Kind::Scalar, "integer"};
      c.decode_scalar = [](void* target, const Scalar& value, const FieldFlags& flags,
                           std::string& problem) {
        if (value.kind != Scalar::Kind::Number &&
            !(flags.number_or_string && value.kind == Scalar::Kind::String)) {
          problem = std::string("expected integer, got ") + kind_name(value.kind);
          return false;
        }
        long long parsed = 0;
        if (!parse_integer(value.text, static_cast<long long>(std::numeric_limits<I>::min()),
                           static_cast<long long>(std::numeric_limits<I>::max()), parsed,
                           problem)) {
          return false;
        }
        *static_cast<I*>(target) = static_cast<I>(parsed);
        return true;
      };
      c.encode_scalar = [](const void* value, const FieldFlags&, Writer& out) {
        std::string text = std::to_string(*static_cast<const I*>(value));
        out.RawValue(text.data(), text.size(), rapidjson::kNumberType);
      };
      return c;
    }();
    return &codec;
  }
};

template <typename E>
struct CodecFor<Labeled<E>> {
  static const Codec* get() {
    static const Codec codec = [] {
      Codec c{Codec::Kind::Scalar, "label"};
      c.decode_scalar = [](void* target, const Scalar& value, const FieldFlags& flags,
                           std::string& problem) {
        if (value.kind != Scalar::Kind::String &&
            !(flags.number_or_string && value.kind == Scalar::Kind::Number)) {
          problem = std::string("expected string label, got ") + kind_name(value.kind);
          return false;
        }
        *static_cast<Labeled<E>*>(target) = Labeled<E>::from_label(value.text);
        return true;
      };
      c.encode_scalar = [](const void* value, const FieldFlags&, Writer& out) {
        write_string(out, static_cast<const Labeled<E>*>(value)->label());
      };
      return c;
    }();
    return &codec;
  }
};

template <typename T>
struct CodecFor<std::optional<T>> {
  static const Codec* get() {
    static const Codec codec = [] {
      Codec c{Codec::Kind::Optional, codec_of<T>()->type_name};
      c.inner = codec_of<T>();
      c.engage = [](void* optional) -> void* {
        auto* o = static_cast<std::optional<T>*>(optional);
        if (!o->has_value()) o->emplace();
        return &**o;
      };
      c.reset = [](void* optional) { static_cast<std::optional<T>*>(optional)->reset(); };
      c.get = [](const void* optional) -> const void* {
        const auto* o = static_cast<const std::optional<T>*>(optional);
        return o->has_value() ? &**o : nullptr;
      };
      return c;
    }();
    return &codec;
  }
};

template <typename T>
struct CodecFor<std::vector<T>> {
  static const Codec* get() {
    static const Codec codec = [] {
      Codec c{Codec::Kind::Array, "array"};
      c.inner = codec_of<T>();
      c.append = [](void* vector) -> void* {
        auto* v = static_cast<std::vector<T>*>(vector);
        v->emplace_back();
        return &v->back();
      };
      c.pop_back = [](void* vector) { static_cast<std::vector<T>*>(vector)->pop_back(); };
      c.reserve = [](void* vector, std::size_t count) {
        static_cast<std::vector<T>*>(vector)->reserve(count);
      };
      c.element_size = sizeof(T);
      c.size = [](const void* vector) {
        return static_cast<const std::vector<T>*>(vector)->size();
      };
      c.at = [](const void* vector, std::size_t i) -> const void* {
        return &(*static_cast<const std::vector<T>*>(vector))[i];
      };
      return c;
    }();
    return &codec;
  }
};

template <typename T>
struct CodecFor<T, std::enable_if_t<std::is_class<T>::value &&
                                    std::is_same<decltype(&Schema<T>::describe),
                                                 void (*)(StructBuilder<T>&)>::value>> {
  static const Codec* get() {
    static const Codec codec = [] {
      Codec c{Codec::Kind::Struct, "object"};
      c.desc = &struct_desc<T>;
      return c;
    }();
    return &codec;
  }
};

// ---- the generic decoder and encoder ----

/// Decodes `text` into `target` of type described by `codec`. Errors are Decode errors
/// whose message starts with the JSON path ("data[3].amount: expected integer, got string").
/// With `notes`, decodes leniently (see decode_reply) and appends a note per misfit.
Result<void> decode_value(std::string_view text, const Codec* codec, void* target,
                          DecodeNotes* notes = nullptr);

/// Writes `value` (described by `codec`) to `out`.
void encode_value(const void* value, const Codec* codec, const FieldFlags& flags, Writer& out);

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

template <typename T>
void encode_to(const T& value, Writer& out) {
  encode_value(&value, codec_of<T>(), FieldFlags{}, out);
}

/// `value` (described by `codec`) as JSON text.
std::string encode_value_to_string(const void* value, const Codec* codec);

template <typename T>
std::string encode(const T& value) {
  return encode_value_to_string(&value, codec_of<T>());
}

}  // namespace erpbridge::json
