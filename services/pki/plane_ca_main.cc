// plane-ca: the plane's local CA and server certificate in a folder (created on first run,
// reused after), for the launcher.
//   plane-ca --dir DIR [--region R] [--name N ...] [--system-bundle FILE]
// prints `ca: PATH`, `cert: PATH`, `key: PATH` and `bundle: PATH` on stdout; what it replaced,
// and why, on stderr.
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>

#include "pki/pki.h"

namespace {

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "plane-ca: " << problem << "\n"
            << "usage: plane-ca --dir DIR [--region R (default us-east-1)] [--name N ...]\n"
               "         [--system-bundle FILE (default: the system's CA bundle)]\n";
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  pki::Options options;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") usage("creates the plane's local CA and certificate");
    if (i + 1 >= argc) usage(flag + " needs a value");
    if (flag == "--dir") {
      options.dir = argv[++i];
    } else if (flag == "--region") {
      options.region = argv[++i];
    } else if (flag == "--system-bundle") {
      options.system_bundle = argv[++i];
    } else if (flag == "--name") {
      // --name a --name b, or --name a b: every word up to the next flag.
      while (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0)
        options.extra_names.push_back(argv[++i]);
    } else {
      usage("unknown flag " + flag);
    }
  }
  if (options.dir.empty()) usage("--dir is required");
  try {
    pki::Paths paths = pki::ensure(options);
    for (const auto& note : paths.notes) std::cerr << "plane-ca: " << note << "\n";
    if (paths.ca_created) std::cerr << "plane-ca: created the CA " << paths.ca_cert << "\n";
    if (paths.server_issued)
      std::cerr << "plane-ca: issued the server certificate " << paths.server_cert << "\n";
    std::cout << "ca: " << paths.ca_cert << "\ncert: " << paths.server_cert
              << "\nkey: " << paths.server_key << "\nbundle: " << paths.bundle << "\n";
  } catch (const std::exception& e) {
    std::cerr << "plane-ca: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
