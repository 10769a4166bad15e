// The mapping's FilterCriteria, through the event filter library (Lambda's event-pattern
// syntax: https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html).
#include <memory>
#include <stdexcept>

#include "eventfilter/filter.h"
#include "triggers/poller.h"

namespace triggers {

RecordFilter make_filter(const std::string& filter_criteria_json) {
  std::shared_ptr<eventfilter::Criteria> shared;
  try {
    shared =
        std::make_shared<eventfilter::Criteria>(eventfilter::Criteria::parse(filter_criteria_json));
  } catch (const eventfilter::FilterError& e) {
    throw std::invalid_argument(e.what());
  }
  if (shared->empty()) return {};
  return [shared](const rapidjson::Value& record) { return shared->matches(record); };
}

}  // namespace triggers
