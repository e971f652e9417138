// A deliberately dumb HTTP/1.1 client over a raw socket, so tests can see exactly what a
// server put on the wire (a truncated body, a reset) without a library smoothing it over.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace erpbridge::test_support {

struct RawExchange {
  bool connected = false;
  std::string received;  ///< Everything read until the peer closed.
  int read_errno = 0;    ///< errno of the failing read (ECONNRESET for a reset), or 0.
};

inline RawExchange raw_http(int port, const std::string& request_text) {
  RawExchange exchange;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return exchange;
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return exchange;
  }
  exchange.connected = true;
  ::send(fd, request_text.data(), request_text.size(), MSG_NOSIGNAL);
  char buffer[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      exchange.received.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0) exchange.read_errno = errno;
    break;
  }
  ::close(fd);
  return exchange;
}

/// Header value from a raw response, or "" if absent (names compared as given).
inline std::string raw_header(const std::string& response, const std::string& name) {
  std::size_t pos = response.find("\r\n" + name + ": ");
  if (pos == std::string::npos) return std::string();
  pos += name.size() + 4;
  return response.substr(pos, response.find("\r\n", pos) - pos);
}

/// The bytes after the blank line that ends the headers.
inline std::string raw_body(const std::string& response) {
  std::size_t pos = response.find("\r\n\r\n");
  return pos == std::string::npos ? std::string() : response.substr(pos + 4);
}

}  // namespace erpbridge::test_support
