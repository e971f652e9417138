// The erpbridge command's pieces: exit codes, and the receiver commands (serve.cpp).
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "settings.hpp"

namespace erpbridge::cli {

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

/// Options of `erpbridge wms serve`.
struct ServeOptions {
  int port = 8080;
  std::string bind = "127.0.0.1";
  std::optional<std::string> token_file;
  std::string store = "sqlite:erpbridge-wms.db";
  std::string mode = "inbox";
  std::string log_file;
  std::optional<std::string> tls_cert;
  std::optional<std::string> tls_key;
  int read_timeout = 10;
  int write_timeout = 10;
  std::size_t max_body = 8u * 1024u * 1024u;
  std::size_t max_connections = 256;
  int lease_seconds = 60;
  int drain_seconds = 10;
  bool issue_tokens = false;
  std::optional<std::string> client_id;
  std::optional<std::string> client_secret_file;
  int token_lifetime = 7200;
};

/// Options of `erpbridge wms inbox list|show|ack`.
struct InboxOptions {
  std::string store = "sqlite:erpbridge-wms.db";
  bool all = false;
  long long after = 0;
  std::size_t limit = 100;
  std::vector<long long> ids;
};

/// Adds `wms serve` to `wms`; its callback sets `run`.
void add_serve_command(CLI::App& wms, ServeOptions& options, const Settings& settings,
                       std::function<int()>& run);
/// Adds `wms inbox list|show|ack` to `wms`; their callbacks set `run`.
void add_inbox_command(CLI::App& wms, InboxOptions& options, std::function<int()>& run);

}  // namespace erpbridge::cli
