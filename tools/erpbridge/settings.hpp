// Where the erpbridge command finds its settings: flags, then environment variables
// (ERPBRIDGE_CTC_URL ...), then a config file (~/.config/erpbridge/config.toml or --config).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace erpbridge::cli {

/// A command line split into positional words and --flags.
struct Arguments {
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;  ///< "--from X" -> flags["from"] = "X"
  bool help = false;

  /// Parses argv[first..]; flags take one value each except --help. Returns false and sets
  /// `error` for a flag without a value.
  bool parse(int argc, char** argv, int first, std::string& error);
  std::optional<std::string> flag(const std::string& name) const;
};

/// Settings by "family.name" ("ctc.url", "wms.token", ...).
class Settings {
 public:
  /// Loads the config file (an explicit path must exist), then the environment.
  bool load(const std::optional<std::string>& config_path, std::string& error);
  /// The flag if given, else the environment, else the config file.
  std::optional<std::string> get(const std::string& family, const std::string& name,
                                 const Arguments& arguments) const;

 private:
  bool read_file(const std::string& path, std::string& error);
  std::map<std::string, std::string> file_;
};

}  // namespace erpbridge::cli
