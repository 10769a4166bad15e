// The TTL sweep: the expiry index (ttl/) says what is due; the deletions go through store(),
// so each expired item leaves with its index entries and a REMOVE stream record.
#include "items/write.h"
#include "model/clock.h"
#include "model/codec.h"
#include "storage/keys.h"
#include "ttl/ttl.h"

namespace ddb::items {

size_t expire(storage::Txn& txn, storage::Database& db, size_t budget) {
  int64_t now = model::Clock::now_ms() / 1000;
  size_t handled = 0;  // items deleted and stale entries dropped
  for (const auto& t : db.catalog().all()) {
    if (t->ttl_attribute.empty()) continue;
    ttl::DueEntries due(*t, now);
    std::string last_seen;
    while (handled < budget) {
      auto entry = due.next(txn, db, last_seen);
      if (!entry) break;
      last_seen = *entry;
      std::string item_key = ttl::entry_item_key(*entry);
      auto stored = txn.get(db.items(), item_key);
      ++handled;
      if (!stored) {
        txn.del(db.ttl(), *entry);  // stale entry
        continue;
      }
      storage::Record r = storage::read_record(*stored);
      model::Item item = model::decode_item(r.item);
      auto e = ttl::expiry(*t, item);
      // An entry that no longer matches its item (left by an earlier enable, since TTL was
      // disabled and enabled again) is dropped; the item's own entry, if any, stands.
      if (!e || *e != ttl::entry_expiry(*entry)) {
        txn.del(db.ttl(), *entry);
        continue;
      }
      Existing old{true, r.size, &item};
      store(txn, db, *t, item_key, old, nullptr, {}, streams::Origin::Ttl);
    }
  }
  return handled;
}

}  // namespace ddb::items
