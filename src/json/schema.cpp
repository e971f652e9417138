#include "json/schema.hpp"

#include <string>

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

std::string expected(const char* what, const Scalar& value) {
  return std::string("expected ") + what + ", got " + kind_name(value.kind);
}

}  // namespace erpbridge::json
