// The one translation unit that compiles Boost.Asio's TLS support (with
// BOOST_ASIO_SEPARATE_COMPILATION), for the binaries that serve TLS. Apart from asio_impl so that
// the others do not link OpenSSL's TLS library.
#include <boost/asio/ssl/impl/src.hpp>
