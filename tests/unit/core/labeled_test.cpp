#include <catch2/catch.hpp>

#include "erpbridge/core/labeled.hpp"

namespace sample {
enum class Stage { Unknown, Waiting, Done };
}  // namespace sample

template <>
struct erpbridge::LabelTraits<sample::Stage> {
  static constexpr sample::Stage unknown = sample::Stage::Unknown;
  static constexpr erpbridge::LabelEntry<sample::Stage> entries[] = {
      {sample::Stage::Waiting, "waiting"},
      {sample::Stage::Waiting, "waitting"},  // the spec's other spelling
      {sample::Stage::Done, "已完成"},
  };
};

using erpbridge::Labeled;
using sample::Stage;

TEST_CASE("Labeled decodes known labels and alternative spellings") {
  auto canonical = Labeled<Stage>::from_label("waiting");
  CHECK(canonical.value() == Stage::Waiting);
  CHECK(canonical.known());
  auto variant = Labeled<Stage>::from_label("waitting");
  CHECK(variant == Stage::Waiting);
  CHECK(variant.label() == "waitting");  // re-encoded as it arrived
  CHECK(Labeled<Stage>::from_label("已完成") == Stage::Done);
}

TEST_CASE("Labeled keeps an unknown label and re-encodes it unchanged") {
  auto unknown = Labeled<Stage>::from_label("已撤销");
  CHECK_FALSE(unknown.known());
  CHECK(unknown.value() == Stage::Unknown);
  CHECK(unknown.label() == "已撤销");
}

TEST_CASE("Labeled from a value carries the canonical label") {
  Labeled<Stage> done = Stage::Done;
  CHECK(done.label() == "已完成");
  Labeled<Stage> waiting = Stage::Waiting;
  CHECK(waiting.label() == "waiting");
  CHECK(Labeled<Stage>().label().empty());
  CHECK(waiting != Labeled<Stage>::from_label("waitting"));  // labels differ
}
