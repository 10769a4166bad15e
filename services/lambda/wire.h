// The JSON bodies of Lambda's errors, written in one place.
#pragma once

#include <string>
#include <string_view>

#include "lambda/http_server.h"

namespace lambda {

// A JSON string literal, quotes included.
std::string json_quote(std::string_view text);

// The payload of a failed invocation as Lambda writes it when the runtime could not:
// {"errorType":"Runtime.ExitError","errorMessage":"RequestId: ... Error: ..."}.
std::string function_error_payload(std::string_view type, std::string_view message);

// A Runtime API error (the OpenAPI spec's ErrorResponse): {"errorMessage":..,"errorType":..}.
HttpResponse runtime_api_error(int status, std::string_view type, std::string_view message);

// A Lambda control-plane (Invoke API) error: status, x-amzn-ErrorType and
// {"Type":"User","message":...}. botocore reads the code from the header and the message from
// "message" or "Message"; Lambda itself writes "Message" for ResourceNotFoundException and
// "message" for the others, which is kept here.
HttpResponse service_error(int status, std::string_view type, std::string_view message,
                           std::string_view request_id, bool capital_message = false);

// A random RFC 4122 version 4 UUID, Lambda's request id format.
std::string new_uuid();

}  // namespace lambda
