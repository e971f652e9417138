// The JSON engine's container codecs: std::optional, std::vector and described structs.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <optional>
#include <type_traits>
#include <vector>

#include "json/schema.hpp"

namespace erpbridge::json {

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

}  // namespace erpbridge::json
