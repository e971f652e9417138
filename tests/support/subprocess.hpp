// Runs a program of ours as a child process with its stdout on a pipe.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace erpbridge::test_support {

class ChildProcess {
 public:
  /// Starts `argv` with this process's environment plus the "NAME=value" entries of `env`.
  explicit ChildProcess(std::vector<std::string> argv, std::vector<std::string> env = {}) {
    // Everything the child needs is built before fork(): other threads of a test may hold
    // the allocator's lock at that moment.
    std::vector<char*> args;
    for (auto& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    std::vector<char*> environment;  // ours first: getenv() takes the first match
    for (auto& entry : env) environment.push_back(entry.data());
    for (char** entry = environ; *entry != nullptr; ++entry) environment.push_back(*entry);
    environment.push_back(nullptr);
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      execve(args[0], args.data(), environment.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fdopen(fds[0], "r");
  }
  ~ChildProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ != nullptr) fclose(out_);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// One line of the child's stdout without its newline; "" at end of output.
  std::string read_line() {
    std::string line;
    if (out_ == nullptr) return line;
    int c;
    while ((c = fgetc(out_)) != EOF && c != '\n') line += static_cast<char>(c);
    return line;
  }

  /// The child's process id.
  pid_t pid() const { return pid_; }

  /// Sends SIGKILL and reaps the child.
  void kill_now() {
    if (pid_ <= 0 || exited_) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    exited_ = true;
  }

  /// Sends `signal` and waits up to `limit` for the exit; the exit code, or -1.
  int stop(int signal, std::chrono::milliseconds limit) {
    kill(pid_, signal);
    return wait(limit);
  }

  /// Waits up to `limit` for the exit, sending nothing; the exit code, or -1.
  int wait(std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  bool exited_ = false;
};

}  // namespace erpbridge::test_support

namespace erpbridge::test_support {

/// The erpbridge-emulator program on an ephemeral loopback port, stopped at scope exit.
struct EmulatorProgram {
  ChildProcess process{{ERPBRIDGE_EMULATOR_PROGRAM, "--port", "0"}};
  std::string base_url;

  EmulatorProgram() {
    std::string line = process.read_line();
    base_url = line.substr(line.rfind(' ') + 1);
  }
};

}  // namespace erpbridge::test_support
