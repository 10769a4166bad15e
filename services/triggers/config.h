// A stream mapping's settings, as the plan gives them (kept apart from mapping.h so that the
// host's plan reader includes only this).
#pragma once

#include <string>

namespace triggers {

// The plan's eventSourceMappings[] entry (schemas/stack-plan.md); defaults are Lambda's.
struct MappingConfig {
  std::string logical_id;
  std::string function;
  std::string table_name;
  std::string starting_position = "LATEST";  // or TRIM_HORIZON
  int batch_size = 100;                      // 1-10000
  int maximum_batching_window_in_seconds = 0;
  int maximum_retry_attempts = -1;         // -1: until the record expires
  int maximum_record_age_in_seconds = -1;  // -1: until the record expires (24 h)
  bool bisect_batch_on_function_error = false;
  bool report_batch_item_failures = false;  // FunctionResponseTypes: [ReportBatchItemFailures]
  std::string filter_criteria = "null";     // JSON text, as in the plan
  int parallelization_factor = 1;
  bool enabled = true;
};

}  // namespace triggers
