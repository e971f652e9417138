// The JSON engine's descriptions: how each struct maps to JSON (key, aliases, member, flags),
// declared once in a Schema<T>, and the codecs of the containers (optional, vector, struct)
// built from them. The scalar codecs are in scalars.hpp; json/engine.hpp includes it all.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "erpbridge/core/raw_json.hpp"
#include "erpbridge/core/result.hpp"

namespace erpbridge::json {

class Writer;  // encoder.hpp

/// A scalar event from the parser.
struct Scalar {
  enum class Kind { Null, Bool, Number, String } kind;
  std::string_view text;  ///< Number or string text (numbers as written).
  bool boolean = false;
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
  /// Set by the decoder in a reply (not declared): a codec may accept a value in a form its
  /// type does not document, setting `problem` to what it read and returning true (a note).
  bool tolerant = false;
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

  // Scalar: decode returns false and sets `problem` when the value does not fit; it may also
  // return true with `problem` set (flags.tolerant only): accepted, with that note.
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

/// "expected <what>, got <kind of value>": the decoders' message for a misfit.
std::string expected(const char* what, const Scalar& value);

}  // namespace erpbridge::json
