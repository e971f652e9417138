// Where the erpbridge command finds its settings: a flag, then an environment variable
// (ERPBRIDGE_CTC_URL ...), then the config file (TOML: --config, $ERPBRIDGE_CONFIG or
// ~/.config/erpbridge/config.toml). Secrets are never taken from the command line: they come
// from the environment, from a file named by a flag (--key-file; "-" reads standard input),
// or from the config file, and a file holding secrets must not be readable by others.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace erpbridge::cli {

/// A usage error: the command was given wrongly (exit 2).
struct UsageError {
  std::string message;
};

class Settings {
 public:
  /// Reads the config file, if there is one. A parse error names the file, line and column;
  /// a file holding a secret (key, token, app_secret) that others may read is refused.
  /// Throws UsageError.
  void load(const std::optional<std::string>& explicit_path);

  /// A setting that is no secret: `flag` if given, else ERPBRIDGE_<FAMILY>_<NAME>, else
  /// [family] name in the config file.
  std::optional<std::string> value(const std::string& family, const std::string& name,
                                   const std::optional<std::string>& flag) const;

  /// A secret: read from the file `file_flag` names (or standard input for "-"), else the
  /// environment, else the config file. Throws UsageError for a file others may read.
  std::optional<std::string> secret(const std::string& family, const std::string& name,
                                    const std::optional<std::string>& file_flag) const;

  /// value() or secret() that must be set: throws UsageError naming every place it can come
  /// from.
  std::string required(const std::string& family, const std::string& name,
                       const std::optional<std::string>& flag) const;
  std::string required_secret(const std::string& family, const std::string& name,
                              const std::optional<std::string>& file_flag) const;

 private:
  std::map<std::string, std::string> file_;  // "family.name" -> value
  std::string path_;
};

}  // namespace erpbridge::cli
