// The catalog's persisted form: definitions written before a member existed read as its
// default, and every member survives a reload.
#include "storage/catalog.h"

#include <gtest/gtest.h>

#include "storage/testing.h"

namespace ddb::storage {
namespace {

std::string table_key(const std::string& space, const std::string& name) {
  return "t" + space + std::string(1, '\0') + name;
}

TEST(Catalog, ReadsADefinitionWrittenBeforeTagsAndSettings) {
  testing::TempDatabase db;
  // A table as catalogs of earlier versions stored it: no tags, protection or PITR members.
  const std::string old = R"({"id":7,"space":"k_us-east-1","name":"old","region":"us-east-1",
      "table_id":"00000000-0000-4000-8000-000000000000","created":1700000000.5,
      "hash":{"name":"id","type":"S"},"attributes":[{"name":"id","type":"S"}],
      "on_demand":true,"rcu":0,"wcu":0,"stream_id":0,"ttl_attribute":"","indexes":[]})";
  testing::run(*db, [&](Txn& txn) { txn.put(db->meta(), table_key("k_us-east-1", "old"), old); });
  Catalog fresh(db->env(), db->meta());
  fresh.load();
  auto t = fresh.find("k_us-east-1", "old");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->id, 7u);
  EXPECT_TRUE(t->tags.empty());
  EXPECT_FALSE(t->deletion_protection);
  EXPECT_FALSE(t->pitr_enabled);
  EXPECT_EQ(t->pitr_recovery_days, 35);
}

TEST(Catalog, TagsAndSettingsSurviveAReload) {
  testing::TempDatabase db;
  model::TableDef def;
  def.space = "k_eu-west-1";
  def.name = "users";
  def.region = "eu-west-1";
  def.hash = {"id", model::Type::S};
  def.attribute_definitions = {def.hash};
  def.on_demand = true;
  def.tags = {{"env", "prod"}, {"ключ", ""}, {"b", "a b+c"}};
  def.deletion_protection = true;
  def.pitr_enabled = true;
  def.pitr_enabled_at = 1700000000.25;
  def.pitr_recovery_days = 7;
  testing::run(*db, [&](Txn& txn) { db->catalog().create(txn, def); });
  Catalog fresh(db->env(), db->meta());
  fresh.load();
  auto t = fresh.find("k_eu-west-1", "users");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->tags, def.tags);
  EXPECT_TRUE(t->deletion_protection);
  EXPECT_TRUE(t->pitr_enabled);
  EXPECT_DOUBLE_EQ(t->pitr_enabled_at, 1700000000.25);
  EXPECT_EQ(t->pitr_recovery_days, 7);
}

}  // namespace
}  // namespace ddb::storage
