// The names of this process's threads, as the kernel shows them (/proc/self/task/*/comm, at
// most 15 characters): how tests see which threads the SDK started and whether they are gone.
#pragma once

#include <dirent.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace erpbridge::test_support {

/// Every thread's name, sorted.
inline std::vector<std::string> thread_names() {
  std::vector<std::string> names;
  if (DIR* tasks = ::opendir("/proc/self/task")) {
    while (const dirent* entry = ::readdir(tasks)) {
      if (entry->d_name[0] == '.') continue;
      std::ifstream comm(std::string("/proc/self/task/") + entry->d_name + "/comm");
      std::string name;
      if (std::getline(comm, name)) names.push_back(name);
    }
    ::closedir(tasks);
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// thread_names() once `settled` holds of it, read again for at most 50 ms: the kernel wakes
/// a joining thread before it removes the joined one from /proc/self/task, so a reading made
/// right after a join can still list it (seen once under ASan with both cores busy). Short
/// and not scaled: a thread that really outlives its owner (a client ended later, on a
/// continuation that sleeps 100 ms) is still caught. Returns the last reading.
inline std::vector<std::string> thread_names_settled(
    const std::function<bool(const std::vector<std::string>&)>& settled) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
  std::vector<std::string> names = thread_names();
  while (!settled(names) && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    names = thread_names();
  }
  return names;
}

/// CPU time each live thread has run, in nanoseconds, by thread id, with its name
/// (/proc/self/task/*/schedstat: the scheduler's own count, finer than the clock ticks of
/// /proc/.../stat).
struct ThreadCpu {
  std::string name;
  unsigned long long nanoseconds = 0;
};
inline std::map<std::string, ThreadCpu> thread_cpu() {
  std::map<std::string, ThreadCpu> threads;
  if (DIR* tasks = ::opendir("/proc/self/task")) {
    while (const dirent* entry = ::readdir(tasks)) {
      if (entry->d_name[0] == '.') continue;
      const std::string task = std::string("/proc/self/task/") + entry->d_name;
      std::ifstream comm(task + "/comm");
      std::ifstream schedstat(task + "/schedstat");
      ThreadCpu thread;
      if (std::getline(comm, thread.name) && (schedstat >> thread.nanoseconds)) {
        threads[entry->d_name] = thread;
      }
    }
    ::closedir(tasks);
  }
  return threads;
}

/// CPU run by threads named `name` between two thread_cpu() readings (a thread started in
/// between counts from zero; one gone by `after` is not counted).
inline unsigned long long cpu_between(const std::map<std::string, ThreadCpu>& before,
                                      const std::map<std::string, ThreadCpu>& after,
                                      const std::string& name) {
  unsigned long long total = 0;
  for (const auto& [id, thread] : after) {
    if (thread.name != name) continue;
    const auto earlier = before.find(id);
    total +=
        thread.nanoseconds -
        (earlier != before.end() && earlier->second.name == name ? earlier->second.nanoseconds : 0);
  }
  return total;
}

}  // namespace erpbridge::test_support
