// DescribeLimits: DynamoDB's default provisioned-capacity quotas of an account in a region
// (80,000 read and write units per account, 40,000 per table). Nothing here enforces them.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
#include "actions/actions.h"

namespace ddb::actions {

void describe_limits(const api::CallPtr& call) {
  call->reply(R"({"AccountMaxReadCapacityUnits":80000,"AccountMaxWriteCapacityUnits":80000,)"
              R"("TableMaxReadCapacityUnits":40000,"TableMaxWriteCapacityUnits":40000})");
}

}  // namespace ddb::actions
