// The names of this process's threads, as the kernel shows them (/proc/self/task/*/comm, at
// most 15 characters): how tests see which threads the SDK started and whether they are gone.
#pragma once

#include <dirent.h>

#include <algorithm>
#include <fstream>
#include <string>
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

}  // namespace erpbridge::test_support
