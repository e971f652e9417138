#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "erpbridge/core/option_bag.hpp"
#include "erpbridge/core/options.hpp"

using erpbridge::OptionBag;

namespace {

struct NameOption {
  using Type = std::string;
};
struct OtherNameOption {  // the same value type, a different setting
  using Type = std::string;
};
struct ListOption {
  using Type = std::vector<int>;
};

}  // namespace

TEST_CASE("OptionBag: unset settings give the fallback and an empty bag holds nothing") {
  OptionBag bag;
  CHECK(bag.size() == 0);
  CHECK_FALSE(bag.has<NameOption>());
  CHECK(bag.get_or<NameOption>("fallback") == "fallback");
}

TEST_CASE("OptionBag: settings are keyed by their tag type and a later set replaces") {
  OptionBag bag;
  bag.set<NameOption>("first").set<OtherNameOption>("other").set<ListOption>({1, 2, 3});
  CHECK(bag.size() == 3);
  CHECK(bag.get_or<NameOption>("") == "first");
  CHECK(bag.get_or<OtherNameOption>("") == "other");
  CHECK(bag.get_or<ListOption>({}) == std::vector<int>{1, 2, 3});

  bag.set<NameOption>("second");
  CHECK(bag.size() == 3);
  CHECK(bag.get_or<NameOption>("") == "second");
  CHECK(bag.get_or<OtherNameOption>("") == "other");

  bag.unset<NameOption>();
  CHECK_FALSE(bag.has<NameOption>());
  CHECK(bag.get_or<NameOption>("gone") == "gone");
  CHECK(bag.size() == 2);
  bag.unset<NameOption>();  // unsetting what is not set is harmless
  CHECK(bag.size() == 2);
}

TEST_CASE("OptionBag: a copy is deep and a move takes everything") {
  OptionBag original;
  original.set<NameOption>("kept").set<ListOption>({7});

  OptionBag copy = original;
  copy.set<NameOption>("changed");
  copy.unset<ListOption>();
  CHECK(original.get_or<NameOption>("") == "kept");
  CHECK(original.get_or<ListOption>({}) == std::vector<int>{7});
  CHECK(copy.get_or<NameOption>("") == "changed");
  CHECK_FALSE(copy.has<ListOption>());

  OptionBag assigned;
  assigned.set<OtherNameOption>("replaced by the assignment");
  assigned = original;
  CHECK_FALSE(assigned.has<OtherNameOption>());
  CHECK(assigned.get_or<NameOption>("") == "kept");

  OptionBag moved = std::move(original);
  CHECK(moved.get_or<ListOption>({}) == std::vector<int>{7});
  CHECK(moved.size() == 2);
}

TEST_CASE("OptionBag: a client's options carry their extensions through copies") {
  erpbridge::ClientOptions options;
  options.extensions.set<erpbridge::TcpKeepAliveOption>(std::chrono::seconds(30));
  erpbridge::ClientOptions copy = options;
  options.extensions.unset<erpbridge::TcpKeepAliveOption>();
  CHECK(copy.extensions.get_or<erpbridge::TcpKeepAliveOption>(std::chrono::seconds(0)) ==
        std::chrono::seconds(30));
  CHECK_FALSE(options.extensions.has<erpbridge::TcpKeepAliveOption>());
}

TEST_CASE("OptionBag: override_with takes the other bag's settings and keeps the rest") {
  OptionBag base;
  base.set<NameOption>("base").set<ListOption>({1});
  OptionBag over;
  over.set<NameOption>("over").set<OtherNameOption>("added");
  base.override_with(over);
  CHECK(base.size() == 3);
  CHECK(base.get_or<NameOption>("") == "over");
  CHECK(base.get_or<OtherNameOption>("") == "added");
  CHECK(base.get_or<ListOption>({}) == std::vector<int>{1});
  over.set<NameOption>("changed later");  // the settings were copied, not shared
  CHECK(base.get_or<NameOption>("") == "over");
  base.override_with(base);
  CHECK(base.size() == 3);
}

TEST_CASE("OptionBag: a call's options merge their extensions setting by setting") {
  erpbridge::CallOptions client;
  client.extensions.set<NameOption>("client").set<ListOption>({2});
  erpbridge::CallOptions call;
  call.extensions.set<NameOption>("call");
  auto merged = client.overridden_by(call);
  CHECK(merged.extensions.get_or<NameOption>("") == "call");
  CHECK(merged.extensions.get_or<ListOption>({}) == std::vector<int>{2});
  {
    erpbridge::CallOptionsScope outer(client);
    erpbridge::CallOptionsScope inner(call);
    const auto& current = erpbridge::CallOptionsScope::current().extensions;
    CHECK(current.get_or<NameOption>("") == "call");
    CHECK(current.get_or<ListOption>({}) == std::vector<int>{2});
  }
  CHECK(erpbridge::CallOptionsScope::current().extensions.size() == 0);
}
