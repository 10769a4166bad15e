// What a process learns from its environment to reach AWS: region, credentials, endpoints. Read
// once (Env::from_environment), then plain data.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "awsproto/sigv4.h"

namespace awsproto {

struct Env {
  std::string region = "us-east-1";
  Credentials credentials;
  // AWS_ENDPOINT_URL: every service's endpoint unless a service-specific one is set.
  std::string endpoint_url;
  // AWS_ENDPOINT_URL_<SERVICE>, keyed by <SERVICE> ("DYNAMODB", "APIGATEWAYMANAGEMENTAPI").
  std::map<std::string, std::string, std::less<>> service_endpoint_urls;
  // AWS_MAX_ATTEMPTS (a positive integer); 0 when unset or invalid: each client's default.
  // https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
  int max_attempts = 0;

  // AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1 (AWS_REGION is what Lambda sets and
  // what the SDKs read first); AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN;
  // AWS_MAX_ATTEMPTS; the endpoint variables above, all ignored when
  // AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is "true". An empty variable counts as unset.
  // https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
  static Env from_environment();

  // The endpoint URL for a service, given its service id as AWS spells it ("DynamoDB",
  // "ApiGatewayManagementApi", "API Gateway"; case does not matter): AWS_ENDPOINT_URL_<SERVICE>,
  // else AWS_ENDPOINT_URL, else the public one, https://dynamodb.<region>.amazonaws.com.
  // Throws std::invalid_argument for ApiGatewayManagementApi without a configured endpoint: its
  // endpoint names an API and a stage (https://{api-id}.execute-api.{region}.amazonaws.com/
  // {stage}), so there is no default to fall back to.
  std::string endpoint_for(std::string_view service_id) const;

  // "API Gateway" -> "API_GATEWAY", "DynamoDB" -> "DYNAMODB": the service id with spaces as
  // underscores, upper case (AWS's table of identifiers for service-specific endpoints).
  static std::string env_suffix(std::string_view service_id);
};

}  // namespace awsproto
