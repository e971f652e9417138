#include "settings.hpp"

#include <sys/stat.h>

#include <toml++/toml.h>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace erpbridge::cli {
namespace {

const char* const kSecretNames[] = {"key", "token", "app_secret", "client_secret"};

bool is_secret(const std::string& name) {
  for (const char* secret : kSecretNames) {
    if (name == secret) return true;
  }
  return false;
}

std::string upper(std::string text) {
  // ASCII only: std::toupper follows the locale (under tr_TR, i is not I).
  for (char& c : text) c = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  return text;
}

std::string flag_of(const std::string& name) {
  std::string flag = name;
  for (char& c : flag) c = c == '_' ? '-' : c;
  return "--" + flag;
}

std::string env_of(const std::string& family, const std::string& name) {
  return "ERPBRIDGE_" + upper(family) + "_" + upper(name);
}

// A file holding secrets must be readable by its owner alone (0600 or stricter).
void check_private(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return;  // reading it will fail with a clear message
  if ((info.st_mode & 077) != 0) {
    throw UsageError{path + " holds secrets but others may read it (mode " +
                     std::to_string((info.st_mode >> 6) & 7) +
                     std::to_string((info.st_mode >> 3) & 7) + std::to_string(info.st_mode & 7) +
                     "): run chmod 600 " + path};
  }
}

std::string trim_line_end(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace

void Settings::load(const std::optional<std::string>& explicit_path) {
  std::string path;
  if (explicit_path) {
    path = *explicit_path;
  } else if (const char* env = std::getenv("ERPBRIDGE_CONFIG")) {
    path = env;
  } else if (const char* home = std::getenv("HOME")) {
    const std::string fallback = std::string(home) + "/.config/erpbridge/config.toml";
    if (std::ifstream(fallback)) path = fallback;
  }
  if (path.empty()) return;
  if (!std::ifstream(path)) throw UsageError{"cannot read config file " + path};
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& error) {
    const auto& where = error.source().begin;
    throw UsageError{path + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) +
                     ": " + std::string(error.description())};
  }
  bool holds_secret = false;
  for (const auto& [family, section] : table) {
    const toml::table* entries = section.as_table();
    if (entries == nullptr) {
      throw UsageError{path + ": " + std::string(family.str()) +
                       " must be a [section] of settings"};
    }
    for (const auto& [name, value] : *entries) {
      std::string text;
      if (auto s = value.value<std::string>()) {
        text = *s;
      } else if (auto i = value.value<std::int64_t>()) {
        text = std::to_string(*i);
      } else {
        throw UsageError{path + ": [" + std::string(family.str()) + "] " + std::string(name.str()) +
                         " must be a string or an integer"};
      }
      holds_secret = holds_secret || is_secret(std::string(name.str()));
      file_[std::string(family.str()) + "." + std::string(name.str())] = text;
    }
  }
  if (holds_secret) check_private(path);
  path_ = path;
}

std::optional<std::string> Settings::value(const std::string& family, const std::string& name,
                                           const std::optional<std::string>& flag) const {
  if (flag) return flag;
  if (const char* env = std::getenv(env_of(family, name).c_str())) return std::string(env);
  auto it = file_.find(family + "." + name);
  if (it != file_.end()) return it->second;
  return std::nullopt;
}

std::optional<std::string> Settings::secret(const std::string& family, const std::string& name,
                                            const std::optional<std::string>& file_flag) const {
  if (file_flag) {
    std::string text;
    if (*file_flag == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
      check_private(*file_flag);
      std::ifstream in(*file_flag, std::ios::binary);
      if (!in) throw UsageError{"cannot read " + *file_flag};
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return trim_line_end(text);
  }
  return value(family, name, std::nullopt);
}

std::string Settings::required(const std::string& family, const std::string& name,
                               const std::optional<std::string>& flag) const {
  auto found = value(family, name, flag);
  if (found && !found->empty()) return *found;
  throw UsageError{"missing " + family + " " + name + " (" + flag_of(name) + ", " +
                   env_of(family, name) + " or [" + family + "] " + name + " in the config file)"};
}

std::string Settings::required_secret(const std::string& family, const std::string& name,
                                      const std::optional<std::string>& file_flag) const {
  auto found = secret(family, name, file_flag);
  if (found && !found->empty()) return *found;
  throw UsageError{"missing " + family + " " + name + " (" + env_of(family, name) + ", " +
                   flag_of(name) + "-file FILE or - for standard input, or [" + family + "] " +
                   name + " in a config file only you can read; never on the command line)"};
}

}  // namespace erpbridge::cli
