// A database of its own for one test, on the PostgreSQL server scripts/with-postgres starts
// (scripts/test runs every test under it). Without that server a test needing it fails: it
// never passes silently.
#pragma once

#include <libpq-fe.h>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>
#include <string>

namespace erpbridge::test_support {

class TestDatabase {
 public:
  TestDatabase() {
    const char* base = std::getenv("ERPBRIDGE_TEST_POSTGRES");
    if (base == nullptr || *base == '\0') {
      FAIL(
          "ERPBRIDGE_TEST_POSTGRES is not set: run the tests through scripts/with-postgres "
          "(scripts/test does)");
    }
    base_ = base;
    std::random_device random;
    name_ = "erpbridge_test_" + std::to_string(random()) + std::to_string(random() % 100000);
    execute("CREATE DATABASE " + name_);
    conninfo_ = base_ + " dbname=" + name_;  // a later keyword overrides an earlier one
  }
  ~TestDatabase() {
    if (!name_.empty()) execute("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)", false);
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  /// libpq conninfo of the test's database.
  const std::string& conninfo() const { return conninfo_; }

  /// Runs `sql` in the test's database (for checks that look at the tables themselves).
  std::string scalar(const std::string& sql) const {
    PGconn* connection = PQconnectdb(conninfo_.c_str());
    PGresult* result = PQexec(connection, sql.c_str());
    std::string value = PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) > 0
                            ? PQgetvalue(result, 0, 0)
                            : std::string();
    PQclear(result);
    PQfinish(connection);
    return value;
  }

 private:
  void execute(const std::string& sql, bool required = true) const {
    PGconn* connection = PQconnectdb(base_.c_str());
    const bool connected = PQstatus(connection) == CONNECTION_OK;
    PGresult* result = connected ? PQexec(connection, sql.c_str()) : nullptr;
    const bool done = result != nullptr && PQresultStatus(result) == PGRES_COMMAND_OK;
    const std::string message = PQerrorMessage(connection);
    PQclear(result);
    PQfinish(connection);
    if (required && !done) FAIL("PostgreSQL: " << sql << ": " << message);
  }

  std::string base_;
  std::string name_;
  std::string conninfo_;
};

}  // namespace erpbridge::test_support
