// A reader of the Prometheus text exposition format (0.0.4), written from the format's own
// description rather than from any library, so a test can hold /metrics to its rules: names
// and label names of the allowed characters, label values with only \\ \" \n escapes, one
// TYPE and one HELP per family before its samples, a family's samples together, no series
// twice, and a histogram's buckets cumulative up to le="+Inf", which equals its _count.
#pragma once

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace erpbridge::test_support {

struct PrometheusText {
  /// Every rule broken, one line each ("line 7: ..."); empty when the text follows them all.
  std::vector<std::string> violations;
  /// family name -> its TYPE.
  std::map<std::string, std::string> types;
  /// "name{a=\"x\",b=\"y\"}" (labels sorted by name) -> value.
  std::map<std::string, double> samples;

  /// The value of `name` with `labels` (written as `a="x",b="y"`, sorted by label name), or
  /// NaN when there is no such series.
  double value(const std::string& name, const std::string& labels = "") const {
    auto found = samples.find(labels.empty() ? name : name + "{" + labels + "}");
    return found == samples.end() ? std::nan("") : found->second;
  }
};

namespace prometheus_detail {

inline bool name_start(char c, bool colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
}
inline bool name_char(char c, bool colon) {
  return name_start(c, colon) || (c >= '0' && c <= '9');
}
inline bool is_name(const std::string& text, bool colon) {
  if (text.empty() || !name_start(text[0], colon)) return false;
  for (char c : text) {
    if (!name_char(c, colon)) return false;
  }
  return true;
}
inline bool parse_value(const std::string& text, double& out) {
  if (text == "+Inf") return out = INFINITY, true;
  if (text == "-Inf") return out = -INFINITY, true;
  if (text == "NaN") return out = NAN, true;
  if (text.empty()) return false;
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}
// The family a sample name belongs to, given the declared types.
inline std::string family_of(const std::string& name,
                             const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s = suffix;
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      const std::string base = name.substr(0, name.size() - s.size());
      auto found = types.find(base);
      if (found != types.end() && (found->second == "histogram" || found->second == "summary")) {
        return base;
      }
    }
  }
  return name;
}

}  // namespace prometheus_detail

inline PrometheusText read_prometheus_text(const std::string& text) {
  using namespace prometheus_detail;
  PrometheusText out;
  std::set<std::string> helped;
  std::set<std::string> families_done;  // families whose samples ended
  std::set<std::string> families_seen;
  std::string current_family;
  // histogram series (name + labels without le) -> le -> count; and its _count
  std::map<std::string, std::map<double, double>> buckets;
  std::map<std::string, double> counts;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  auto fail = [&](const std::string& why) {
    out.violations.push_back("line " + std::to_string(number) + ": " + why + ": " + line);
  };
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::istringstream words(line.substr(1));
      std::string keyword, name, rest;
      words >> keyword >> name;
      std::getline(words >> std::ws, rest);
      if (keyword != "HELP" && keyword != "TYPE") continue;  // a plain comment
      if (!is_name(name, true)) fail("bad metric name in " + keyword);
      if (keyword == "HELP") {
        if (!helped.insert(name).second) fail("second HELP for " + name);
      } else {
        static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary",
                                                     "untyped"};
        if (kTypes.count(rest) == 0) fail("unknown TYPE " + rest);
        if (out.types.count(name) != 0) fail("second TYPE for " + name);
        if (families_seen.count(name) != 0) fail("TYPE after samples of " + name);
        out.types[name] = rest;
      }
      continue;
    }
    // name [{labels}] value [timestamp]
    std::size_t at = 0;
    while (at < line.size() && line[at] != '{' && line[at] != ' ') ++at;
    const std::string name = line.substr(0, at);
    if (!is_name(name, true)) fail("bad metric name");
    std::map<std::string, std::string> labels;
    if (at < line.size() && line[at] == '{') {
      ++at;
      while (at < line.size() && line[at] != '}') {
        std::size_t eq = line.find('=', at);
        if (eq == std::string::npos) {
          fail("label without '='");
          break;
        }
        const std::string label = line.substr(at, eq - at);
        if (!is_name(label, false)) fail("bad label name " + label);
        at = eq + 1;
        if (at >= line.size() || line[at] != '"') {
          fail("label value not quoted");
          break;
        }
        ++at;
        std::string value;
        bool closed = false;
        while (at < line.size()) {
          char c = line[at++];
          if (c == '"') {
            closed = true;
            break;
          }
          if (c == '\\') {
            char escaped = at < line.size() ? line[at++] : '\0';
            if (escaped == 'n') {
              value += '\n';
            } else if (escaped == '\\' || escaped == '"') {
              value += escaped;
            } else {
              fail("bad escape in a label value");
            }
          } else {
            value += c;
          }
        }
        if (!closed) fail("label value not closed");
        if (!labels.emplace(label, value).second) fail("label " + label + " twice");
        if (at < line.size() && line[at] == ',') ++at;
      }
      if (at >= line.size()) {
        fail("labels not closed");
        continue;
      }
      ++at;  // '}'
    }
    std::istringstream rest(line.substr(at));
    std::string value_text, timestamp;
    rest >> value_text >> timestamp;
    double value = 0;
    if (!parse_value(value_text, value)) fail("bad value '" + value_text + "'");
    if (!timestamp.empty() && timestamp.find_first_not_of("-0123456789") != std::string::npos) {
      fail("bad timestamp");
    }
    const std::string family = family_of(name, out.types);
    if (family != current_family) {
      if (families_done.count(family) != 0) fail("samples of " + family + " not together");
      if (!current_family.empty()) families_done.insert(current_family);
      current_family = family;
    }
    families_seen.insert(family);
    std::string key = name;
    std::string series;  // the labels without le, for a histogram's series
    if (!labels.empty()) {
      std::string all;
      for (const auto& [label, label_value] : labels) {
        all += (all.empty() ? "" : ",") + label + "=\"" + label_value + "\"";
        if (label != "le")
          series += (series.empty() ? "" : ",") + label + "=\"" + label_value + "\"";
      }
      key += "{" + all + "}";
    }
    if (!out.samples.emplace(key, value).second) fail("series twice: " + key);
    auto type = out.types.find(family);
    if (type != out.types.end() && type->second == "histogram") {
      if (name == family + "_bucket") {
        double le = 0;
        if (labels.count("le") == 0 || !parse_value(labels["le"], le)) {
          fail("bucket without a numeric le");
        } else {
          buckets[family + "{" + series + "}"][le] = value;
        }
      } else if (name == family + "_count") {
        counts[family + "{" + series + "}"] = value;
      }
    }
  }
  for (const auto& [series, by_le] : buckets) {
    double previous = 0;
    for (const auto& [le, count] : by_le) {
      if (count < previous) out.violations.push_back(series + ": buckets not cumulative");
      previous = count;
    }
    if (by_le.count(INFINITY) == 0) {
      out.violations.push_back(series + ": no le=\"+Inf\" bucket");
    } else if (counts.count(series) == 0 || counts[series] != by_le.at(INFINITY)) {
      out.violations.push_back(series + ": le=\"+Inf\" differs from _count");
    }
  }
  return out;
}

}  // namespace erpbridge::test_support
