#include "settings.hpp"

#include <cctype>
#include <cstdlib>
#include <fstream>

namespace erpbridge::cli {

bool Arguments::parse(int argc, char** argv, int first, std::string& error) {
  for (int i = first; i < argc; ++i) {
    std::string word = argv[i];
    if (word == "--help" || word == "-h") {
      help = true;
    } else if (word.rfind("--", 0) == 0 && word.size() > 2) {
      std::string name = word.substr(2);
      std::size_t eq = name.find('=');
      if (eq != std::string::npos) {
        flags[name.substr(0, eq)] = name.substr(eq + 1);
      } else if (i + 1 < argc) {
        flags[name] = argv[++i];
      } else {
        error = "option --" + name + " needs a value";
        return false;
      }
    } else {
      positional.push_back(word);
    }
  }
  return true;
}

std::optional<std::string> Arguments::flag(const std::string& name) const {
  auto it = flags.find(name);
  if (it == flags.end()) return std::nullopt;
  return it->second;
}

namespace {

std::string trim(const std::string& text) {
  std::size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return text.substr(begin, end - begin);
}

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

// A small TOML subset: [section] headers, key = "string" (or bare) values, # comments.
bool Settings::read_file(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read config file " + path;
    return false;
  }
  std::string section;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::string text = trim(line);
    if (text.empty() || text[0] == '#') continue;
    if (text.front() == '[' && text.back() == ']') {
      section = trim(text.substr(1, text.size() - 2));
      continue;
    }
    std::size_t eq = text.find('=');
    if (eq == std::string::npos || section.empty()) {
      error = path + ":" + std::to_string(number) + ": expected [section] or key = \"value\"";
      return false;
    }
    std::string key = trim(text.substr(0, eq));
    std::string value = trim(text.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    file_[section + "." + key] = value;
  }
  return true;
}

bool Settings::load(const std::optional<std::string>& config_path, std::string& error) {
  if (config_path) return read_file(*config_path, error);
  if (const char* env = std::getenv("ERPBRIDGE_CONFIG")) return read_file(env, error);
  if (const char* home = std::getenv("HOME")) {
    std::string path = std::string(home) + "/.config/erpbridge/config.toml";
    if (std::ifstream(path)) return read_file(path, error);
  }
  return true;
}

std::optional<std::string> Settings::get(const std::string& family, const std::string& name,
                                         const Arguments& arguments) const {
  std::string flag_name = name;
  for (char& c : flag_name) c = c == '_' ? '-' : c;
  if (auto value = arguments.flag(flag_name)) return value;
  std::string env_name = "ERPBRIDGE_" + upper(family) + "_" + upper(name);
  if (const char* env = std::getenv(env_name.c_str())) return std::string(env);
  auto it = file_.find(family + "." + name);
  if (it != file_.end()) return it->second;
  return std::nullopt;
}

}  // namespace erpbridge::cli
