#include "pki/pki.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <stdexcept>
#include <string_view>

namespace pki {
namespace {

constexpr long kDay = 24 * 60 * 60;
constexpr long kCaDays = 3650;
// Apple's rule for TLS server certificates issued after 2019-07-01, which the browsers apply
// too: "must have a validity period of 825 days or fewer" (https://support.apple.com/en-us/103769).
constexpr long kServerDays = 825;
constexpr long kRenewDays = 30;      // a certificate this close to its end is replaced
constexpr long kBackdate = 60 * 60;  // notBefore an hour back: clocks a little behind accept it
constexpr size_t kMaxPemBytes = 1 << 20;
constexpr size_t kMaxBundleBytes = 16 << 20;
constexpr const char* kSystemBundles[] = {
    "/etc/ssl/certs/ca-certificates.crt",  // Debian, Ubuntu, Arch
    "/etc/pki/tls/certs/ca-bundle.crt",    // Fedora, RHEL
    "/etc/ssl/cert.pem",                   // macOS, Alpine
};

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using PKeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;

// OpenSSL's reasons for the last failure ("PEM routines: no start line"), emptying its queue.
std::string openssl_reason() {
  std::string reason;
  while (unsigned long e = ERR_get_error()) {
    const char* lib = ERR_lib_error_string(e);
    const char* why = ERR_reason_error_string(e);
    std::string one = std::string(lib ? lib : "OpenSSL") + ": " +
                      (why ? why : "error " + std::to_string(ERR_GET_REASON(e)));
    if (reason.find(one) == std::string::npos) reason += (reason.empty() ? "" : "; ") + one;
  }
  return reason.empty() ? "no reason given by OpenSSL" : reason;
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error("pki: " + path + ": " + what);
}

[[noreturn]] void fail_openssl(const std::string& what) {
  throw std::runtime_error("pki: " + what + ": " + openssl_reason());
}

// The file's bytes, or false with the reason in *why.
bool read_file(const std::string& path, size_t max, std::string* out, std::string* why) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *why = std::strerror(errno);
    return false;
  }
  out->clear();
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *why = std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    if (out->size() + n > max) {
      *why = "larger than " + std::to_string(max) + " bytes";
      ::close(fd);
      return false;
    }
    out->append(buffer, n);
  }
  ::close(fd);
  return true;
}

// Writes a temp file beside `path` and renames it over `path`: a reader sees the old bytes or
// the new ones, never part of them.
void write_atomic(const std::string& path, const std::string& data, mode_t mode) {
  std::filesystem::path target(path);
  std::string temp =
      (target.parent_path() / ("." + target.filename().string() + ".XXXXXX")).string();
  int fd = ::mkstemp(temp.data());  // 0600 from the start: a key is never readable by others
  if (fd < 0) fail(path, std::string("cannot create a temp file: ") + std::strerror(errno));
  auto give_up = [&](const char* step) {
    std::string why = std::strerror(errno);
    ::close(fd);
    ::unlink(temp.c_str());
    fail(path, std::string("cannot ") + step + ": " + why);
  };
  for (size_t done = 0; done < data.size();) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) give_up("write");
    done += n;
  }
  if (::fchmod(fd, mode) != 0) give_up("set its mode");
  if (::fsync(fd) != 0) give_up("sync");
  if (::close(fd) != 0) {
    ::unlink(temp.c_str());
    fail(path, std::string("cannot write: ") + std::strerror(errno));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    ::unlink(temp.c_str());
    fail(path, "cannot rename " + temp + " over it: " + why);
  }
}

// An exclusive lock on DIR/.lock for the whole of ensure(): two processes starting together
// take turns, so one never pairs its key with the other's certificate.
class DirLock {
 public:
  explicit DirLock(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) fail(path, std::string("cannot open the lock file: ") + std::strerror(errno));
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      std::string why = std::strerror(errno);
      ::close(fd_);
      fail(path, "cannot lock: " + why);
    }
  }
  ~DirLock() { ::close(fd_); }  // closing releases the lock
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  int fd_ = -1;
};

// Never prompts for a pass phrase: an encrypted key is simply unreadable here.
int no_passphrase(char*, int, int, void*) { return -1; }

X509Ptr parse_cert(const std::string& pem, std::string* why) {
  ERR_clear_error();
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
  if (!cert) *why = "not a PEM certificate (" + openssl_reason() + ")";
  return cert;
}

PKeyPtr parse_key(const std::string& pem, std::string* why) {
  ERR_clear_error();
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PKeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
  if (!key) *why = "not an unencrypted PEM private key (" + openssl_reason() + ")";
  return key;
}

std::string cert_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) fail_openssl("cannot encode a certificate");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, size);
}

std::string key_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    fail_openssl("cannot encode a private key");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, size);
}

PKeyPtr new_key() {
  PKeyPtr key(EVP_EC_gen("P-256"));
  if (!key) fail_openssl("cannot generate a P-256 key");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
    fail_openssl(std::string("cannot add the extension ") + OBJ_nid2sn(nid) + " = " + value);
}

void set_name(X509_NAME* name, const char* field, const std::string& value) {
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1)
    fail_openssl(std::string("cannot set the subject's ") + field);
}

// A fresh certificate with a random positive 127-bit serial (RFC 5280 allows 20 bytes).
X509Ptr new_cert(EVP_PKEY* key, std::time_t now, long days) {
  X509Ptr cert(X509_new());
  BnPtr serial(BN_new());
  if (!cert || !serial || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) ||
      !X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, -kBackdate, &now) ||
      !X509_time_adj_ex(X509_getm_notAfter(cert.get()), days, -kBackdate, &now) ||
      X509_set_pubkey(cert.get(), key) != 1)
    fail_openssl("cannot start a certificate");
  return cert;
}

std::string owner() {
  std::string user = "user";
  if (const passwd* pw = ::getpwuid(::getuid())) user = pw->pw_name;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "localhost");
  return user + "@" + host;
}

void generate_ca(std::time_t now, X509Ptr* ca, PKeyPtr* ca_key) {
  PKeyPtr key = new_key();
  X509Ptr cert = new_cert(key.get(), now, kCaDays);
  X509_NAME* name = X509_get_subject_name(cert.get());
  set_name(name, "O", "chatstack local plane");
  // Who made it: a trust store holding the CAs of several machines tells them apart.
  set_name(name, "OU", owner());
  set_name(name, "CN", "chatstack local plane CA");
  if (X509_set_issuer_name(cert.get(), name) != 1) fail_openssl("cannot set the CA's issuer");
  add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  add_extension(cert.get(), cert.get(), NID_authority_key_identifier, "keyid:always");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) fail_openssl("cannot sign the CA");
  *ca = std::move(cert);
  *ca_key = std::move(key);
}

void issue_server(X509* ca, EVP_PKEY* ca_key, const std::vector<std::string>& names,
                  std::time_t now, X509Ptr* server, PKeyPtr* server_key) {
  PKeyPtr key = new_key();
  X509Ptr cert = new_cert(key.get(), now, kServerDays);
  // Never past the CA's own end: the chain would stop verifying there.
  if (ASN1_TIME_compare(X509_get0_notAfter(cert.get()), X509_get0_notAfter(ca)) > 0 &&
      X509_set1_notAfter(cert.get(), X509_get0_notAfter(ca)) != 1)
    fail_openssl("cannot set the server certificate's end");
  X509_NAME* name = X509_get_subject_name(cert.get());
  set_name(name, "O", "chatstack local plane");
  set_name(name, "CN", "localhost");
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(ca)) != 1)
    fail_openssl("cannot set the server certificate's issuer");
  std::string san;
  for (const auto& n : names) san += (san.empty() ? "" : ",") + n;
  add_extension(cert.get(), ca, NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), ca, NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), ca, NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), ca, NID_subject_alt_name, san);
  add_extension(cert.get(), ca, NID_subject_key_identifier, "hash");
  add_extension(cert.get(), ca, NID_authority_key_identifier, "keyid:always");
  if (X509_sign(cert.get(), ca_key, EVP_sha256()) == 0)
    fail_openssl("cannot sign the server certificate");
  *server = std::move(cert);
  *server_key = std::move(key);
}

// "" when the certificate is usable at `now` and for `renew_days` more days, else why not.
std::string time_problem(X509* cert, std::time_t now, long renew_days) {
  std::time_t soon = now + renew_days * kDay;
  if (X509_cmp_time(X509_get0_notBefore(cert), &now) > 0) return "not valid yet";
  int end = X509_cmp_time(X509_get0_notAfter(cert), &now);
  if (end <= 0) return end == 0 ? "has an unreadable end date" : "expired";
  if (X509_cmp_time(X509_get0_notAfter(cert), &soon) < 0)
    return "expires within " + std::to_string(renew_days) + " days";
  return "";
}

// Loads a certificate and its key; "" or why they cannot be used.
std::string load_pair(const std::string& cert_path, const std::string& key_path, X509Ptr* cert,
                      PKeyPtr* key) {
  std::string pem, why;
  if (!read_file(cert_path, kMaxPemBytes, &pem, &why)) return cert_path + ": " + why;
  *cert = parse_cert(pem, &why);
  if (!*cert) return cert_path + ": " + why;
  if (!read_file(key_path, kMaxPemBytes, &pem, &why)) return key_path + ": " + why;
  *key = parse_key(pem, &why);
  if (!*key) return key_path + ": " + why;
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    openssl_reason();
    return key_path + ": not the key of " + cert_path;
  }
  return "";
}

std::string ca_problem(X509* ca, std::time_t now) {
  if (X509_check_ca(ca) != 1) return "not a CA certificate";
  // Within 30 days of its end the CA could only sign server certificates that would need
  // replacing at every start: it is replaced then too.
  return time_problem(ca, now, kRenewDays);
}

// "DNS:name" / "IP:address" for each subject alternative name of `cert`.
std::set<std::string> cert_names(X509* cert) {
  std::set<std::string> out;
  NamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) {
      const ASN1_IA5STRING* s = name->d.dNSName;
      out.insert("DNS:" + std::string(reinterpret_cast<const char*>(s->data), s->length));
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* s = name->d.iPAddress;
      char text[INET6_ADDRSTRLEN] = {};
      int family = s->length == 4 ? AF_INET : s->length == 16 ? AF_INET6 : 0;
      if (family && ::inet_ntop(family, s->data, text, sizeof text))
        out.insert(std::string("IP:") + text);
    }
  }
  return out;
}

std::string server_problem(X509* server, X509* ca, const std::vector<std::string>& names,
                           std::time_t now) {
  StorePtr store(X509_STORE_new());
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !ctx || X509_STORE_add_cert(store.get(), ca) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), server, nullptr) != 1)
    fail_openssl("cannot set up a certificate check");
  X509_STORE_CTX_set_time(ctx.get(), 0, now);
  X509_STORE_CTX_set_flags(ctx.get(), X509_V_FLAG_X509_STRICT);
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  if (X509_verify_cert(ctx.get()) != 1) {
    openssl_reason();
    return std::string("does not verify against the CA (") +
           X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())) + ")";
  }
  std::string when = time_problem(server, now, kRenewDays);
  if (!when.empty()) return when;
  int days = 0, seconds = 0;
  if (ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(server), X509_get0_notAfter(server)) !=
          1 ||
      static_cast<long>(days) * kDay + seconds > kServerDays * kDay)
    return "valid for longer than " + std::to_string(kServerDays) + " days";
  std::set<std::string> have = cert_names(server);
  for (const auto& name : names) {
    if (!have.count(name)) return "lacks the name " + name.substr(name.find(':') + 1);
  }
  return "";
}

void keep_private(const std::string& path, std::vector<std::string>* notes) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 0777) != 0600) {
    if (::chmod(path.c_str(), 0600) != 0)
      fail(path, std::string("cannot make it private (0600): ") + std::strerror(errno));
    notes->push_back(path + ": was readable by others; now 0600");
  }
}

bool exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool valid_dns_name(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  size_t start = 0;
  if (name.rfind("*.", 0) == 0) start = 2;  // a wildcard, as the leftmost label only
  if (start == name.size()) return false;
  size_t label = 0;
  for (size_t i = start; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (label == 0 || label > 63 || name[i - 1] == '-' || name[i - label] == '-') return false;
      label = 0;
      continue;
    }
    char c = name[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) return false;
    ++label;
  }
  return true;
}

// "IP:canonical" for an IPv4 or IPv6 address, else "".
std::string ip_name(const std::string& text) {
  unsigned char bytes[16];
  char canonical[INET6_ADDRSTRLEN] = {};
  for (int family : {AF_INET, AF_INET6}) {
    if (::inet_pton(family, text.c_str(), bytes) == 1 &&
        ::inet_ntop(family, bytes, canonical, sizeof canonical))
      return std::string("IP:") + canonical;
  }
  return "";
}

std::string find_system_bundle() {
  for (const char* path : kSystemBundles) {
    if (::access(path, R_OK) == 0) return path;
  }
  const char* fallback = X509_get_default_cert_file();
  if (fallback && ::access(fallback, R_OK) == 0) return fallback;
  return "";
}

}  // namespace

std::vector<std::string> server_names(const Options& options) {
  const std::string& region = options.region;
  bool region_ok = !region.empty() && region.size() <= 32 &&
                   std::all_of(region.begin(), region.end(), [](char c) {
                     return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                   });
  if (!region_ok)
    throw std::runtime_error("pki: \"" + region + "\" is not a region (like us-east-1)");
  // The host names of the services the plane stands in for:
  // https://docs.aws.amazon.com/general/latest/gr/apigateway.html (execute-api),
  // https://docs.aws.amazon.com/general/latest/gr/ddb.html (dynamodb, streams.dynamodb).
  std::vector<std::string> names = {"DNS:localhost",
                                    "IP:127.0.0.1",
                                    "IP:::1",
                                    "DNS:*.execute-api." + region + ".amazonaws.com",
                                    "DNS:dynamodb." + region + ".amazonaws.com",
                                    "DNS:streams.dynamodb." + region + ".amazonaws.com"};
  for (const auto& extra : options.extra_names) {
    std::string name = ip_name(extra);
    if (name.empty()) {
      std::string lower = extra;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      if (lower.size() > 1 && lower.back() == '.') lower.pop_back();  // "example.com."
      if (!valid_dns_name(lower))
        throw std::runtime_error("pki: \"" + extra +
                                 "\" is neither a DNS name (letters, digits, '-', labels "
                                 "separated by '.', '*.' first at most) nor an IP address");
      name = "DNS:" + lower;
    }
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

Paths ensure(const Options& options) {
  if (options.dir.empty()) throw std::runtime_error("pki: no folder given for the certificates");
  std::vector<std::string> names = server_names(options);
  std::time_t now = options.now ? options.now : std::time(nullptr);
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec || !std::filesystem::is_directory(options.dir))
    fail(options.dir, "cannot create the folder: " + (ec ? ec.message() : "not a folder"));
  std::filesystem::path dir(options.dir);
  Paths paths;
  paths.ca_cert = (dir / "ca.pem").string();
  paths.server_cert = (dir / "server.pem").string();
  paths.server_key = (dir / "server.key").string();
  paths.bundle = (dir / "bundle.pem").string();
  std::string ca_key_path = (dir / "ca.key").string();
  DirLock lock((dir / ".lock").string());

  X509Ptr ca;
  PKeyPtr ca_key;
  std::string problem = load_pair(paths.ca_cert, ca_key_path, &ca, &ca_key);
  if (problem.empty()) {
    problem = ca_problem(ca.get(), now);
    if (!problem.empty()) problem = paths.ca_cert + ": " + problem;
  }
  if (!problem.empty()) {
    if (exists(paths.ca_cert) || exists(ca_key_path))
      paths.notes.push_back(problem + "; a new CA was created (trust it again)");
    generate_ca(now, &ca, &ca_key);
    // The key first: a reader that finds the new CA certificate finds its key too.
    write_atomic(ca_key_path, key_pem(ca_key.get()), 0600);
    write_atomic(paths.ca_cert, cert_pem(ca.get()), 0644);
    paths.ca_created = true;
  }

  X509Ptr server;
  PKeyPtr server_key;
  problem = load_pair(paths.server_cert, paths.server_key, &server, &server_key);
  if (problem.empty()) {
    problem = server_problem(server.get(), ca.get(), names, now);
    if (!problem.empty()) problem = paths.server_cert + ": " + problem;
  }
  if (!problem.empty()) {
    if (!paths.ca_created && (exists(paths.server_cert) || exists(paths.server_key)))
      paths.notes.push_back(problem + "; re-issued");
    issue_server(ca.get(), ca_key.get(), names, now, &server, &server_key);
    write_atomic(paths.server_key, key_pem(server_key.get()), 0600);
    write_atomic(paths.server_cert, cert_pem(server.get()), 0644);
    paths.server_issued = true;
  }
  keep_private(ca_key_path, &paths.notes);
  keep_private(paths.server_key, &paths.notes);

  // bundle.pem: the system's CAs, then ours; rewritten only when that changes.
  std::string system = options.system_bundle.empty() ? find_system_bundle() : options.system_bundle;
  std::string bundle, why;
  if (!system.empty()) {
    if (!read_file(system, kMaxBundleBytes, &bundle, &why))
      fail(system, "cannot read the system's CA bundle: " + why);
    if (!bundle.empty() && bundle.back() != '\n') bundle += '\n';
  }
  bundle += cert_pem(ca.get());
  std::string before;
  if (!read_file(paths.bundle, kMaxBundleBytes, &before, &why) || before != bundle)
    write_atomic(paths.bundle, bundle, 0644);
  return paths;
}

}  // namespace pki
