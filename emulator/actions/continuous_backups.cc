// DescribeContinuousBackups and UpdateContinuousBackups: point-in-time recovery as a setting
// of the table, kept with it. Continuous backups are always ENABLED in DynamoDB; no backup is
// kept here, so nothing can be restored.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateContinuousBackups.html
#include <chrono>

#include "actions/actions.h"
#include "actions/common/tables.h"
#include "api/request.h"
#include "items/write.h"

namespace ddb::actions {
namespace {

double now_seconds() {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return static_cast<double>(ms) / 1000;
}

storage::TablePtr table_or_not_found(const api::Call& call, const std::string& name) {
  auto t = call.svc.db.catalog().find(call.space, name);
  if (!t) fail(Code::TableNotFound, "Table not found: " + name);
  return t;
}

std::string describe(const model::TableDef& t) {
  rapidjson::StringBuffer buf;
  model::JsonWriter w(buf);
  w.StartObject();
  w.Key("ContinuousBackupsDescription");
  w.StartObject();
  w.Key("ContinuousBackupsStatus");
  w.String("ENABLED");
  w.Key("PointInTimeRecoveryDescription");
  w.StartObject();
  w.Key("PointInTimeRecoveryStatus");
  w.String(t.pitr_enabled ? "ENABLED" : "DISABLED");
  if (t.pitr_enabled) {
    // The window DynamoDB reports: from the later of the enabling and the start of the
    // recovery period, to about five minutes ago.
    double now = now_seconds();
    double earliest = std::max(t.pitr_enabled_at, now - 86400.0 * t.pitr_recovery_days);
    w.Key("RecoveryPeriodInDays");
    w.Int(t.pitr_recovery_days);
    w.Key("EarliestRestorableDateTime");
    w.Double(earliest);
    w.Key("LatestRestorableDateTime");
    w.Double(std::max(earliest, now - 300));
  }
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

}  // namespace

void describe_continuous_backups(const api::CallPtr& call) {
  call->reply(describe(*table_or_not_found(*call, table_name_or_arn(*call))));
}

void update_continuous_backups(const api::CallPtr& call) {
  const model::Json& body = call->body();
  auto name = model::get_string(body, "TableName");
  const model::Json* spec = model::get_object(body, "PointInTimeRecoverySpecification");
  std::optional<bool> enabled;
  std::optional<int64_t> days;
  api::Constraints c;
  c.not_null("tableName", name.has_value());
  c.length("tableName", name, 1, 1024);
  c.not_null("pointInTimeRecoverySpecification", spec != nullptr);
  if (spec) {
    enabled = model::get_bool(*spec, "PointInTimeRecoveryEnabled");
    days = model::get_integer(*spec, "RecoveryPeriodInDays");
    c.not_null("pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled", enabled.has_value());
    c.at_least("pointInTimeRecoverySpecification.recoveryPeriodInDays", days, 1);
    c.at_most("pointInTimeRecoverySpecification.recoveryPeriodInDays", days, 35);
  }
  c.check();
  std::string table_name = table_name_or_arn(*call);
  if (!*enabled && days)
    invalid(
        "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time "
        "recovery.");
  auto table = table_or_not_found(*call, table_name);
  auto after = std::make_shared<storage::TablePtr>();
  bool enable = *enabled;
  std::optional<int> period;
  if (days) period = static_cast<int>(*days);
  call->commit(
      [call, table, enable, period, after](storage::Txn& txn) {
        auto& db = call->svc.db;
        auto current = items::find_live_table(db, *table);
        if (!current) fail(Code::TableNotFound, "Table not found: " + table->name);
        model::TableDef def = *current;
        if (enable && !def.pitr_enabled) def.pitr_enabled_at = now_seconds();
        def.pitr_enabled = enable;
        // Enabling again without a period keeps the one set; disabling forgets it.
        if (!enable) def.pitr_recovery_days = 35;
        if (period) def.pitr_recovery_days = *period;
        *after = db.catalog().replace(txn, std::move(def));
      },
      [after] { return describe(**after); });
}

}  // namespace ddb::actions
