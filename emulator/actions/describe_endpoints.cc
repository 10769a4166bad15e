// DescribeEndpoints: the regional endpoint and how long a client may cache it, as DynamoDB
// answers (an SDK with endpoint discovery asks for it).
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeEndpoints.html
#include "actions/actions.h"

namespace ddb::actions {

void describe_endpoints(const api::CallPtr& call) {
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  w.StartObject();
  w.Key("Endpoints");
  w.StartArray();
  w.StartObject();
  w.Key("Address");
  model::write_string(w, "dynamodb." + call->region + ".amazonaws.com");
  w.Key("CachePeriodInMinutes");
  w.Int(1440);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  call->reply({buf.GetString(), buf.GetSize()});
}

}  // namespace ddb::actions
