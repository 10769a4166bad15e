// The one translation unit that compiles Boost.Asio's TLS support (with
// BOOST_ASIO_SEPARATE_COMPILATION): awsproto's HTTP client speaks https with it, the gateway
// serves TLS with it. Apart from asio_impl so that a binary that links only asio_impl (the load
// generator) does not link OpenSSL's TLS library.
#include <boost/asio/ssl/impl/src.hpp>
