#include "json/decoder.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cstring>

#include "json/encoder.hpp"
#include "json/piece_stream.hpp"
#include "json/utf8.hpp"

namespace erpbridge::json {
namespace {

// Deeper input is refused: the parser recurses once per level, and vendor replies nest a
// handful of levels.
constexpr int kMaxDepth = 256;
// Arrays near the root reserve their length once this many elements have been read.
constexpr std::size_t kReserveSample = 64;

enum class Event { Scalar, StartObject, StartArray };

// Receives SAX events and writes them straight into the target structs.
class Decoder {
 public:
  // `cursor` follows the parser's position in a text of `size` bytes (0: not known yet):
  // arrays near the root use it to estimate their length and reserve once instead of growing.
  Decoder(const Codec* root_codec, void* root, ReadPosition cursor, std::size_t size,
          DecodeNotes* notes)
      : root_codec_(root_codec), root_(root), cursor_(cursor), size_(size), notes_(notes) {
    frames_.reserve(16);
  }

  const std::string& error() const { return error_; }

  bool Null() { return value(Event::Scalar, Scalar{Scalar::Kind::Null, {}, false}); }
  bool Bool(bool b) { return value(Event::Scalar, Scalar{Scalar::Kind::Bool, {}, b}); }
  bool RawNumber(const char* text, rapidjson::SizeType length, bool) {
    return value(Event::Scalar, Scalar{Scalar::Kind::Number, {text, length}, false});
  }
  bool String(const char* text, rapidjson::SizeType length, bool) {
    if (!valid_utf8(text, length)) return fail("string is not valid UTF-8");
    return value(Event::Scalar, Scalar{Scalar::Kind::String, {text, length}, false});
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
    std::size_t memo = 0;           // struct frames: index in memos_
    std::size_t keys = 0;           // struct frames: keys seen so far
    bool may_reserve = false;       // array frames near the root
    std::size_t first_element = 0;  // where the first element was seen (offset)
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

  // Called before element kReserveSample of an array near the root: the average size of
  // the ones before predicts how many follow. (The first element alone was off by a third on
  // real payloads, and the excess capacity made the result cross glibc's mmap threshold, so
  // each decode faulted its memory in afresh.) Bounded so that the reservation is never
  // larger than the input still to come.
  void reserve_estimate(const Frame& frame) const {
    const std::size_t at = cursor_.offset();
    if (size_ <= at) return;  // the size is not known
    const std::size_t stride = (at - frame.first_element) / kReserveSample;
    const std::size_t remaining = size_ - at;
    if (stride == 0) return;
    // 1/16 over: an estimate a little short would double the vector.
    std::size_t estimate = kReserveSample + remaining / stride + remaining / stride / 16;
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
        if (frame.count == 0) frame.first_element = cursor_.offset();
        if (frame.count == kReserveSample) reserve_estimate(frame);
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
    if (undo.tolerant) {
      flags.number_or_string = true;
      flags.tolerant = true;
    }
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
            const bool kept = misfit(problem_, event, scalar, undo, outer, outer_target);
            problem_.clear();
            return kept;
          }
          if (!problem_.empty()) accepted_with_note(scalar);
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
      if (scalar.kind == Scalar::Kind::String && writes_as_is(scalar.text)) {
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

  // Whether the Writer writes this (valid UTF-8) text as it is: no quote, backslash or
  // control character to escape.
  static bool writes_as_is(std::string_view text) {
    for (const char c : text) {
      if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
    }
    return true;
  }

  // A lone scalar's JSON, as the Writer would write it (a string the Writer writes as it is
  // is handled by begin_raw without a call).
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
  ReadPosition cursor_;
  std::size_t size_;
  DecodeNotes* notes_;  // decode_reply(): misfits of non-strict fields are noted here
  int depth_ = 0;
  int open_arrays_ = 0;  // array frames in frames_
  bool root_done_ = false;
  std::vector<Frame> frames_;
  std::vector<KeyMemos>& memos_ = thread_memos();
  std::size_t last_memo_ = 0;
  std::string pending_key_;
  // A scalar codec accepted a value in a form its type does not document (a tolerant read):
  // the member holds it, and a note names the field and keeps the text as received.
  void accepted_with_note(const Scalar& scalar) {
    if (notes_ != nullptr) {
      notes_->push_back(DecodeNote{current_path(), problem_, std::string()});
      copy_raw_scalar(scalar, notes_->back().raw);
    }
    problem_.clear();
  }

  // Set by a scalar codec that refuses a value, or that accepts one with a note.
  std::string problem_;
  std::string error_;

  int raw_depth_ = 0;
  std::string* raw_target_ = nullptr;
  rapidjson::StringBuffer raw_buffer_;
  Writer raw_writer_{raw_buffer_};
};

Result<void> parse_error(const rapidjson::ParseResult& result) {
  return make_error(ErrorCode::Decode, std::string("invalid JSON at offset ") +
                                           std::to_string(result.Offset()) + ": " +
                                           rapidjson::GetParseError_En(result.Code()));
}

Result<void> finish_parse(const rapidjson::ParseResult& result, const Decoder& decoder) {
  if (!result) {
    if (!decoder.error().empty()) return make_error(ErrorCode::Decode, decoder.error());
    return parse_error(result);
  }
  return ok();
}

}  // namespace

Result<void> decode_value_chunks(ChunkSource& pieces, std::size_t size, const Codec* codec,
                                 void* target, DecodeNotes* notes) {
  PieceStream stream(pieces);
  Decoder decoder(codec, target, stream.read_position(), size, notes);
  rapidjson::Reader reader;
  // In situ, numbers as their text: strings are unescaped where they lie, decimals stay exact.
  const rapidjson::ParseResult result =
      reader.Parse<rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag>(stream,
                                                                                        decoder);
  const std::size_t stopped_at = stream.Tell();
  if (result && !stream.at_end()) {  // stopped at a NUL byte with more text after it
    return parse_error(
        rapidjson::ParseResult(rapidjson::kParseErrorDocumentRootNotSingular, stopped_at));
  }
  return finish_parse(result, decoder);
}

Result<void> decode_value_in_place(char* text, std::size_t size, const Codec* codec, void* target,
                                   DecodeNotes* notes) {
  OnePiece whole(text, size);
  return decode_value_chunks(whole, size, codec, target, notes);
}

Result<void> decode_value(std::string_view text, const Codec* codec, void* target,
                          DecodeNotes* notes) {
  std::string copy(text);
  return decode_value_in_place(copy.data(), copy.size(), codec, target, notes);
}

}  // namespace erpbridge::json
