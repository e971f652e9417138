// The Kingdee client: a cheap, copyable value over a Connection.
#pragma once

#include <memory>
#include <string>

#include "erpbridge/kingdee/connection.hpp"

namespace erpbridge::kingdee {

class Client {
 public:
  explicit Client(std::shared_ptr<Connection> connection);
  explicit Client(Options options);

  Result<SparePartsBill> push_spare_parts(const std::string& entry_pk) const;
  Result<std::string> call(const std::string& path, const std::string& body_json) const;

  const std::shared_ptr<Connection>& connection() const noexcept { return connection_; }

 private:
  std::shared_ptr<Connection> connection_;
};

}  // namespace erpbridge::kingdee
