#include "pki/pki.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;
constexpr std::time_t kDay = 24 * 60 * 60;

struct TempDir {
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "pki_test.XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path); }
  std::string operator/(const std::string& name) const { return (fs::path(path) / name).string(); }
  std::string path;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void spit(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using Cert = std::unique_ptr<X509, X509Free>;

Cert load(const std::string& path) {
  std::string pem = slurp(path);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  Cert cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

size_t count_certs(const std::string& path) {
  std::string pem = slurp(path);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  size_t n = 0;
  while (X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    X509_free(x);
    ++n;
  }
  BIO_free(bio);
  ERR_clear_error();
  return n;
}

// X509_verify_cert with a store holding only the CA: "" or OpenSSL's reason.
std::string verify(const std::string& ca_path, const std::string& cert_path) {
  Cert ca = load(ca_path), cert = load(cert_path);
  if (!ca || !cert) return "unreadable";
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, cert.get(), nullptr);
  X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_X509_STRICT);
  X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
  std::string result;
  if (X509_verify_cert(ctx) != 1)
    result = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return result;
}

bool key_matches(const std::string& cert_path, const std::string& key_path) {
  Cert cert = load(cert_path);
  std::string pem = slurp(key_path);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  bool ok = cert && key && X509_check_private_key(cert.get(), key) == 1;
  EVP_PKEY_free(key);
  return ok;
}

bool has_host(X509* cert, const std::string& host) {
  return X509_check_host(cert, host.data(), host.size(), 0, nullptr) == 1;
}

long validity_days(X509* cert) {
  int days = 0, seconds = 0;
  ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert), X509_get0_notAfter(cert));
  return days;
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

bool mentions(const std::vector<std::string>& notes, const std::string& what) {
  for (const auto& n : notes) {
    if (n.find(what) != std::string::npos) return true;
  }
  return false;
}

pki::Options options_in(const TempDir& dir) {
  pki::Options options;
  options.dir = dir / "tls";
  options.system_bundle = "/dev/null";  // the tests do not depend on the system's CAs
  return options;
}

TEST(Pki, CreatesACaAndAServerCertificateThatVerifiesForEveryName) {
  TempDir dir;
  pki::Options options = options_in(dir);
  options.extra_names = {"Chat.Local", "10.0.0.7"};
  pki::Paths paths = pki::ensure(options);
  EXPECT_TRUE(paths.ca_created);
  EXPECT_TRUE(paths.server_issued);
  EXPECT_TRUE(paths.notes.empty());
  EXPECT_EQ(paths.ca_cert, dir / "tls/ca.pem");
  EXPECT_TRUE(fs::exists(dir / "tls/ca.key"));

  Cert ca = load(paths.ca_cert);
  ASSERT_TRUE(ca);
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_EQ(X509_get_key_usage(ca.get()), static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_NEAR(validity_days(ca.get()), 3650, 1);
  char subject[512];
  X509_NAME_oneline(X509_get_subject_name(ca.get()), subject, sizeof subject);
  EXPECT_NE(std::string(subject).find("chatstack local plane CA"), std::string::npos) << subject;

  EXPECT_EQ(verify(paths.ca_cert, paths.server_cert), "");
  Cert server = load(paths.server_cert);
  ASSERT_TRUE(server);
  EXPECT_EQ(X509_check_ca(server.get()), 0);
  EXPECT_TRUE(X509_get_extended_key_usage(server.get()) & XKU_SSL_SERVER);
  EXPECT_LE(validity_days(server.get()), 825);
  EXPECT_GE(validity_days(server.get()), 824);
  for (const char* host : {"localhost", "abcdefghij.execute-api.us-east-1.amazonaws.com",
                           "dynamodb.us-east-1.amazonaws.com",
                           "streams.dynamodb.us-east-1.amazonaws.com", "chat.local"}) {
    EXPECT_TRUE(has_host(server.get(), host)) << host;
  }
  for (const char* ip : {"127.0.0.1", "::1", "10.0.0.7"}) {
    EXPECT_EQ(X509_check_ip_asc(server.get(), ip, 0), 1) << ip;
  }
  // Another region's names, a name two labels under the wildcard, another address: no.
  EXPECT_FALSE(has_host(server.get(), "dynamodb.eu-west-1.amazonaws.com"));
  EXPECT_FALSE(has_host(server.get(), "a.b.execute-api.us-east-1.amazonaws.com"));
  EXPECT_FALSE(has_host(server.get(), "example.com"));
  EXPECT_EQ(X509_check_ip_asc(server.get(), "127.0.0.2", 0), 0);
}

TEST(Pki, TheRegionNamesTheAwsHosts) {
  TempDir dir;
  pki::Options options = options_in(dir);
  options.region = "eu-west-1";
  pki::Paths paths = pki::ensure(options);
  Cert server = load(paths.server_cert);
  EXPECT_TRUE(has_host(server.get(), "dynamodb.eu-west-1.amazonaws.com"));
  EXPECT_TRUE(has_host(server.get(), "x1y2z3.execute-api.eu-west-1.amazonaws.com"));
  EXPECT_FALSE(has_host(server.get(), "dynamodb.us-east-1.amazonaws.com"));
}

TEST(Pki, ASecondEnsureReusesTheFiles) {
  TempDir dir;
  pki::Options options = options_in(dir);
  pki::Paths first = pki::ensure(options);
  std::string ca = slurp(first.ca_cert), ca_key = slurp(dir / "tls/ca.key");
  std::string cert = slurp(first.server_cert), key = slurp(first.server_key);
  std::string bundle = slurp(first.bundle);
  pki::Paths second = pki::ensure(options);
  EXPECT_FALSE(second.ca_created);
  EXPECT_FALSE(second.server_issued);
  EXPECT_TRUE(second.notes.empty());
  EXPECT_EQ(slurp(second.ca_cert), ca);
  EXPECT_EQ(slurp(dir / "tls/ca.key"), ca_key);
  EXPECT_EQ(slurp(second.server_cert), cert);
  EXPECT_EQ(slurp(second.server_key), key);
  EXPECT_EQ(slurp(second.bundle), bundle);
}

TEST(Pki, AnExpiringServerCertificateIsReissuedAndTheCaKept) {
  TempDir dir;
  pki::Options options = options_in(dir);
  options.now = std::time(nullptr) - 800 * kDay;  // issued then, it ends in 25 days
  pki::Paths old = pki::ensure(options);
  std::string ca = slurp(old.ca_cert), cert = slurp(old.server_cert);
  options.now = 0;
  pki::Paths now = pki::ensure(options);
  EXPECT_FALSE(now.ca_created);
  EXPECT_TRUE(now.server_issued);
  EXPECT_TRUE(mentions(now.notes, "server.pem: expires within 30 days; re-issued"));
  EXPECT_EQ(slurp(now.ca_cert), ca);
  EXPECT_NE(slurp(now.server_cert), cert);
  EXPECT_EQ(verify(now.ca_cert, now.server_cert), "");
}

TEST(Pki, AnExpiredCaIsReplaced) {
  TempDir dir;
  pki::Options options = options_in(dir);
  options.now = std::time(nullptr) - 3700 * kDay;
  pki::Paths old = pki::ensure(options);
  std::string ca = slurp(old.ca_cert);
  options.now = 0;
  pki::Paths now = pki::ensure(options);
  EXPECT_TRUE(now.ca_created);
  EXPECT_TRUE(now.server_issued);
  EXPECT_TRUE(mentions(now.notes, "ca.pem: expired; a new CA was created"));
  EXPECT_NE(slurp(now.ca_cert), ca);
  EXPECT_EQ(verify(now.ca_cert, now.server_cert), "");
}

TEST(Pki, ANewNameOrRegionReissuesTheServerCertificateOnly) {
  TempDir dir;
  pki::Options options = options_in(dir);
  pki::Paths first = pki::ensure(options);
  std::string ca = slurp(first.ca_cert);
  options.extra_names = {"chat.internal"};
  pki::Paths named = pki::ensure(options);
  EXPECT_TRUE(named.server_issued);
  EXPECT_FALSE(named.ca_created);
  EXPECT_TRUE(mentions(named.notes, "lacks the name chat.internal"));
  EXPECT_TRUE(has_host(load(named.server_cert).get(), "chat.internal"));
  options.region = "ap-south-2";
  pki::Paths moved = pki::ensure(options);
  EXPECT_TRUE(moved.server_issued);
  EXPECT_TRUE(mentions(moved.notes, "lacks the name *.execute-api.ap-south-2.amazonaws.com"));
  EXPECT_EQ(slurp(moved.ca_cert), ca);
  // Fewer names than the certificate holds is fine: it is reused.
  options.extra_names.clear();
  EXPECT_FALSE(pki::ensure(options).server_issued);
}

TEST(Pki, KeysArePrivate) {
  TempDir dir;
  pki::Options options = options_in(dir);
  pki::Paths paths = pki::ensure(options);
  EXPECT_EQ(mode_of(dir / "tls/ca.key"), 0600u);
  EXPECT_EQ(mode_of(paths.server_key), 0600u);
  EXPECT_EQ(mode_of(paths.ca_cert), 0644u);
  ::chmod(paths.server_key.c_str(), 0644);
  pki::Paths again = pki::ensure(options);
  EXPECT_EQ(mode_of(paths.server_key), 0600u);
  EXPECT_TRUE(mentions(again.notes, "server.key: was readable by others; now 0600"));
  EXPECT_FALSE(again.server_issued);
}

TEST(Pki, GarbageInTheServerFilesIsReplaced) {
  TempDir dir;
  pki::Options options = options_in(dir);
  pki::Paths paths = pki::ensure(options);
  std::string ca = slurp(paths.ca_cert);
  spit(paths.server_cert, "garbage\n");
  pki::Paths fixed = pki::ensure(options);
  EXPECT_TRUE(fixed.server_issued);
  EXPECT_TRUE(mentions(fixed.notes, paths.server_cert + ": not a PEM certificate"));
  EXPECT_EQ(verify(fixed.ca_cert, fixed.server_cert), "");

  spit(paths.server_key, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  fixed = pki::ensure(options);
  EXPECT_TRUE(fixed.server_issued);
  EXPECT_TRUE(mentions(fixed.notes, paths.server_key + ": not an unencrypted PEM private key"));
  EXPECT_EQ(slurp(fixed.ca_cert), ca);
  EXPECT_EQ(verify(fixed.ca_cert, fixed.server_cert), "");
}

TEST(Pki, GarbageInTheCaMakesANewCaAndServerCertificate) {
  TempDir dir;
  pki::Options options = options_in(dir);
  pki::Paths paths = pki::ensure(options);
  std::string ca = slurp(paths.ca_cert);
  spit(dir / "tls/ca.key", std::string(5000, '\x7f'));
  pki::Paths fixed = pki::ensure(options);
  EXPECT_TRUE(fixed.ca_created);
  EXPECT_TRUE(fixed.server_issued);
  EXPECT_TRUE(mentions(fixed.notes, "ca.key: not an unencrypted PEM private key"));
  EXPECT_TRUE(mentions(fixed.notes, "a new CA was created"));
  EXPECT_NE(slurp(fixed.ca_cert), ca);
  EXPECT_EQ(verify(fixed.ca_cert, fixed.server_cert), "");
  EXPECT_EQ(mode_of(dir / "tls/ca.key"), 0600u);
}

TEST(Pki, AServerCertificateOfAnotherCaIsReissued) {
  TempDir a, b;
  pki::Paths pa = pki::ensure(options_in(a));
  pki::Paths pb = pki::ensure(options_in(b));
  fs::copy_file(pa.server_cert, pb.server_cert, fs::copy_options::overwrite_existing);
  fs::copy_file(pa.server_key, pb.server_key, fs::copy_options::overwrite_existing);
  pki::Paths fixed = pki::ensure(options_in(b));
  EXPECT_TRUE(fixed.server_issued);
  EXPECT_TRUE(mentions(fixed.notes, "does not verify against the CA"));
  EXPECT_EQ(verify(fixed.ca_cert, fixed.server_cert), "");
}

TEST(Pki, TheBundleIsTheSystemsCasThenTheLocalOne) {
  TempDir other, dir;
  pki::Paths system = pki::ensure(options_in(other));
  pki::Options options = options_in(dir);
  options.system_bundle = system.ca_cert;
  pki::Paths paths = pki::ensure(options);
  EXPECT_EQ(slurp(paths.bundle), slurp(system.ca_cert) + slurp(paths.ca_cert));
  EXPECT_EQ(count_certs(paths.bundle), 2u);
  options.system_bundle = "/dev/null";
  EXPECT_EQ(slurp(pki::ensure(options).bundle), slurp(paths.ca_cert));
}

TEST(Pki, BadInputGetsAClearError) {
  TempDir dir;
  auto message = [&](pki::Options options) -> std::string {
    try {
      pki::ensure(options);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "no error";
  };
  pki::Options options = options_in(dir);
  options.extra_names = {"bad name!"};
  EXPECT_NE(message(options).find("\"bad name!\" is neither a DNS name"), std::string::npos);
  options.extra_names = {"a.*.example.com"};
  EXPECT_NE(message(options).find("is neither a DNS name"), std::string::npos);
  options = options_in(dir);
  options.region = "US East";
  EXPECT_NE(message(options).find("\"US East\" is not a region"), std::string::npos);
  options = options_in(dir);
  options.system_bundle = dir / "missing.pem";
  EXPECT_NE(message(options).find(dir / "missing.pem" + ": cannot read the system's CA bundle"),
            std::string::npos);
  spit(dir / "file", "x");
  options = options_in(dir);
  options.dir = dir / "file/tls";
  EXPECT_NE(message(options).find(dir / "file/tls: cannot create the folder"), std::string::npos);
  options.dir = "";
  EXPECT_NE(message(options).find("no folder given"), std::string::npos);
}

TEST(Pki, ProcessesStartingTogetherEndWithOneConsistentPair) {
  TempDir dir;
  pki::Options options = options_in(dir);
  std::vector<std::thread> threads;
  std::vector<pki::Paths> results(4);
  for (size_t i = 0; i < results.size(); ++i)
    threads.emplace_back([&, i] { results[i] = pki::ensure(options); });
  for (auto& t : threads) t.join();
  int created = 0;
  for (const auto& r : results) created += r.ca_created;
  EXPECT_EQ(created, 1);
  EXPECT_EQ(verify(results[0].ca_cert, results[0].server_cert), "");
  EXPECT_TRUE(key_matches(results[0].server_cert, results[0].server_key));
  EXPECT_TRUE(key_matches(results[0].ca_cert, dir / "tls/ca.key"));
  // No temp file is left behind.
  for (const auto& entry : fs::directory_iterator(dir / "tls")) {
    std::string name = entry.path().filename().string();
    EXPECT_TRUE(name == ".lock" || name[0] != '.') << name;
  }
}

}  // namespace
