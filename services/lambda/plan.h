// The part of the stack plan (schemas/stack-plan.md) the Lambda host reads: functions[],
// eventSourceMappings[], region, accountId and the
// APIs' ids. Parsing is a pure function of the text, so that it
// can be fuzzed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "triggers/config.h"

namespace lambda {

struct FunctionSpec {
  std::string name, arn, runtime, handler, code_uri;
  int timeout_seconds = 3;  // Lambda's default
  int memory_mb = 128;      // Lambda's default
  std::optional<int> reserved_concurrency;
  std::vector<std::pair<std::string, std::string>> environment;  // in the plan's order
};

struct Plan {
  std::string region = "us-east-1";
  std::string account_id = "123456789012";
  std::vector<FunctionSpec> functions;
  std::vector<triggers::MappingConfig> mappings;  // eventSourceMappings[], in the plan's order
  // websocketApis[].apiId and httpApis[].apiId: the execute-api host names the stack stands in
  // for, which the managed runtimes route to the gateway.
  std::vector<std::string> websocket_api_ids, http_api_ids;
};

// Throws std::invalid_argument naming the member at fault ("functions[1].timeout: ...").
Plan parse_plan(std::string_view json);

}  // namespace lambda
