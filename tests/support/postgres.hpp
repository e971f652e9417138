// A database of its own for one test, on the PostgreSQL server scripts/with-postgres starts
// (scripts/test runs every test under it). Without that server a test needing it fails: it
// never passes silently. A test that stops and starts its database has a server of its own
// (PostgresServer), so that the tests running beside it keep theirs.
#pragma once

#include <libpq-fe.h>
#include <catch2/catch.hpp>

#include <cstdio>
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

#ifdef ERPBRIDGE_SCRIPTS_DIR
/// A PostgreSQL server of the test's own (scripts/postgres-cluster), on 127.0.0.1 at a free
/// port, which the test may stop and start again; removed with its files when destroyed.
class PostgresServer {
 public:
  PostgresServer() {
    char pattern[] = "/tmp/erpbridge-own-postgres-XXXXXX";
    if (mkdtemp(pattern) == nullptr) FAIL("cannot make a directory for PostgreSQL");
    directory_ = pattern;
    run("create");
    run("start");
    conninfo_ = read_line(script() + " conninfo " + directory_);
  }
  ~PostgresServer() { std::system((script() + " remove " + directory_).c_str()); }
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  /// libpq conninfo of its "postgres" database.
  const std::string& conninfo() const { return conninfo_; }
  /// Stops it (fast: every session is cut) and waits until it is down.
  void stop() { run("stop"); }
  /// Starts it again on the same port and waits until it accepts connections.
  void start() { run("start"); }

 private:
  static std::string script() { return std::string(ERPBRIDGE_SCRIPTS_DIR) + "/postgres-cluster"; }
  void run(const std::string& command) const {
    const std::string line = script() + " " + command + " " + directory_;
    if (std::system(line.c_str()) != 0) FAIL("failed: " << line);
  }
  static std::string read_line(const std::string& command) {
    std::string out;
    if (FILE* pipe = popen(command.c_str(), "r")) {
      char buffer[512];
      while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
      pclose(pipe);
    }
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

  std::string directory_;
  std::string conninfo_;
};
#endif

}  // namespace erpbridge::test_support
