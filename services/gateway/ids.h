// Identifiers and times in API Gateway's formats.
#pragma once

#include <cstdint>
#include <string>

namespace gateway {

// A connection id, request id or message id as API Gateway makes them: 16 characters of
// URL-safe base64 ending in '=' ("L0SM9cOFvHcCIhw=", "RYG0LEicPHcFo_A="), i.e. 11 bytes. Ours
// are random; a '=' in a path is sent as %3D by the SDKs.
std::string new_id();

// X-Amzn-Trace-Id's value: "Root=1-5e6722a7-cc2x4f0046db7ae98d2f7e1a", the epoch seconds in
// hex, then 96 random bits.
std::string trace_id(int64_t now_ms);

// "09/Feb/2021:03:55:44 +0000" (requestTime, the common log format, always UTC).
std::string clf_time(int64_t epoch_ms);
// "2026-12-01T12:00:00.000Z" (GetConnection's connectedAt and lastActiveAt).
std::string iso8601_ms(int64_t epoch_ms);

}  // namespace gateway
