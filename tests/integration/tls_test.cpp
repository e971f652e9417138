// TLS verification is on by default: a loopback HTTPS server with a self-signed certificate
// is refused unless its certificate is given as the CA file.
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <catch2/catch.hpp>

#include <memory>
#include <thread>

#include "erpbridge/ctc/client.hpp"
#include "erpbridge/testing/ctc_emulator.hpp"
#include "support/files.hpp"

using erpbridge::ClientOptions;
using erpbridge::ErrorCode;
using erpbridge::test_support::TempFile;

namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* pointer) const { Free(pointer); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

std::string pem_of(const std::function<int(BIO*)>& write) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  REQUIRE(write(bio.get()) == 1);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

void add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  REQUIRE(extension != nullptr);
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

// A fresh self-signed certificate for 127.0.0.1, as PEM files.
struct SelfSignedCertificate {
  TempFile cert_file{"", ".pem"};
  TempFile key_file{"", ".pem"};

  SelfSignedCertificate() {
    KeyPtr key(EVP_EC_gen("P-256"));
    REQUIRE(key != nullptr);
    CertPtr cert(X509_new());
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), NID_subject_alt_name, "IP:127.0.0.1");
    REQUIRE(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0);
    cert_file.write(pem_of([&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); }));
    key_file.write(pem_of([&](BIO* bio) {
      return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    }));
  }
};

// The CTC emulator behind cpp-httplib's SSLServer on an ephemeral loopback port.
struct HttpsServer {
  SelfSignedCertificate certificate;
  std::shared_ptr<erpbridge::testing::Emulator> emulator =
      std::make_shared<erpbridge::testing::Emulator>();
  erpbridge::testing::CtcEmulator ctc{"tls-test-key"};
  std::unique_ptr<httplib::SSLServer> server;
  std::thread thread;
  int port = 0;

  HttpsServer() {
    ctc.install(*emulator);
    ctc.add_receipts(erpbridge::testing::CtcEmulator::spec_samples());
    server = std::make_unique<httplib::SSLServer>(certificate.cert_file.path().c_str(),
                                                  certificate.key_file.path().c_str());
    REQUIRE(server->is_valid());
    server->Post(".*", [this](const httplib::Request& in, httplib::Response& out) {
      erpbridge::testing::EmulatorRequest request;
      request.method = erpbridge::HttpMethod::Post;
      request.path = in.path;
      request.body = in.body;
      auto reply = emulator->dispatch(request);
      out.status = reply.response.status;
      out.set_content(reply.response.body, "application/json");
    });
    port = server->bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);
    // Already listening after the bind: connections queue until the loop accepts them.
    thread = std::thread([this] { server->listen_after_bind(); });
  }
  ~HttpsServer() {
    server->stop();
    thread.join();
  }
  std::string base_url() const { return "https://127.0.0.1:" + std::to_string(port); }
};

erpbridge::Result<std::vector<erpbridge::ctc::Receipt>> query(const HttpsServer& server,
                                                              erpbridge::ctc::Options options) {
  options.base_url = server.base_url();
  options.key = erpbridge::make_static_token("tls-test-key");
  erpbridge::ctc::Client client(options);
  return client.query_receipts({erpbridge::ctc::Direction::In,
                                erpbridge::DateTime::parse("2020-05-21 00:00:00").value(),
                                erpbridge::DateTime::parse("2020-05-27 20:49:12").value()});
}

}  // namespace

TEST_CASE("TLS: a self-signed server is refused by default, without retries") {
  HttpsServer server;
  erpbridge::ctc::Options options;
  auto result = query(server, options);
  REQUIRE_FALSE(result.ok());
  INFO(result.error().to_string());
  CHECK(result.error().code == ErrorCode::Transport);
  CHECK_FALSE(result.error().retryable);
  CHECK(result.error().message.find("certificate") != std::string::npos);
  CHECK(server.emulator->total_requests() == 0);  // nothing reached the application
}

TEST_CASE("TLS: the same server is trusted once its certificate is the CA file") {
  HttpsServer server;
  erpbridge::ctc::Options options;
  options.ca_file = server.certificate.cert_file.path();
  auto result = query(server, options);
  REQUIRE(result.ok());
  CHECK(result->size() == 2);
}

TEST_CASE("TLS: a CA file that does not sign the server's certificate is refused") {
  HttpsServer server;
  SelfSignedCertificate other;
  erpbridge::ctc::Options options;
  options.ca_file = other.cert_file.path();
  auto result = query(server, options);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::Transport);
  CHECK(server.emulator->total_requests() == 0);
}

TEST_CASE("TLS: verify_tls = false accepts it (for local tests only)") {
  HttpsServer server;
  erpbridge::ctc::Options options;
  options.verify_tls = false;
  CHECK(query(server, options).ok());
}
