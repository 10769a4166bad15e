// The plane's local certificate authority: a CA created once per folder, and a server
// certificate it signs for the names the plane answers to (loopback, and the AWS host names
// the stack stands in for), so that clients which insist on https can be pointed at the plane.
//
// OpenSSL only (no Asio): the launcher's plane-ca tool and the services that serve TLS use it.
#pragma once

#include <ctime>
#include <string>
#include <vector>

namespace pki {

struct Paths {
  std::string ca_cert, server_cert, server_key;  // PEM files
  // The system's CAs followed by the local CA (what SSL_CERT_FILE and AWS_CA_BUNDLE should
  // name: they replace the system store, and a function must still reach real AWS).
  std::string bundle;
  bool ca_created = false;         // this call made a new CA
  bool server_issued = false;      // this call issued a new server certificate
  std::vector<std::string> notes;  // why something was replaced ("DIR/server.pem: ...")
};

struct Options {
  std::string dir;  // e.g. .data/tls (created if missing)
  std::string region = "us-east-1";
  std::vector<std::string> extra_names;  // more DNS names (or IP addresses) for the server
  // The system's CA bundle copied into bundle.pem; empty: the first of the usual locations
  // that exists (Debian's /etc/ssl/certs/ca-certificates.crt, Fedora's, macOS's, OpenSSL's
  // default), none found: bundle.pem holds the local CA alone.
  std::string system_bundle;
  std::time_t now = 0;  // 0: the system clock (tests move it)
};

// The server certificate's subject alternative names, as "DNS:name" / "IP:address": localhost,
// 127.0.0.1, ::1, *.execute-api.REGION.amazonaws.com, dynamodb.REGION.amazonaws.com,
// streams.dynamodb.REGION.amazonaws.com, then the extra names. Throws std::runtime_error for a
// region or a name that cannot be one.
std::vector<std::string> server_names(const Options& options);

// Creates DIR/ca.pem + DIR/ca.key (0600) once: a 10-year self-signed P-256 CA (basicConstraints
// CA:TRUE, keyUsage keyCertSign/cRLSign). Issues DIR/server.pem + DIR/server.key (0600) signed
// by it: P-256, 825 days at most (the most Apple's and the browsers' rules accept), serverAuth,
// server_names(). Reuses what is there when the server certificate verifies against the CA,
// holds every name and is not within 30 days of expiry; otherwise re-issues it. The CA is
// replaced only when it is unreadable, not a CA, or expired (or within 30 days of it: it could
// sign nothing that lasts). DIR/bundle.pem is rewritten when its bytes would change. Every file is
// written to a temp file and renamed, under a lock on DIR/.lock, so two processes starting together
// never see half a file or mix one's key with the other's certificate. Throws std::runtime_error
// naming the path and OpenSSL's reason.
Paths ensure(const Options& options);

}  // namespace pki
