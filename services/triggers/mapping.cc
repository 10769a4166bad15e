#include "triggers/mapping.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "awsproto/clock.h"

namespace triggers {
namespace {

using awsproto::AwsError;

constexpr int64_t kWaitForStreamMs = 200;
constexpr int64_t kDescribeEveryMs = 5000;
constexpr int64_t kErrorBackoffMs = 1000;

std::string error_text(const std::exception& e) {
  if (auto* a = dynamic_cast<const AwsError*>(&e)) return a->type() + ": " + a->message();
  return e.what();
}

}  // namespace

size_t lane_of(std::string_view item_key, int lanes) {
  if (lanes <= 1) return 0;
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : item_key) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<size_t>(h % static_cast<uint64_t>(lanes));
}

int64_t retry_delay_ms(int failures) {
  if (failures < 1) failures = 1;
  if (failures > 7) return 60'000;
  return std::min<int64_t>(60'000, int64_t{1000} << (failures - 1));
}

MappingRunner::MappingRunner(MappingConfig config, StreamsApi& api, Invoker invoke,
                             CheckpointStore& store, RecordFilter filter, Logger log,
                             std::function<void()> wake)
    : config_(std::move(config)),
      api_(api),
      invoke_(std::move(invoke)),
      store_(store),
      filter_(std::move(filter)),
      log_(std::move(log)),
      wake_(std::move(wake)) {
  config_.parallelization_factor = std::clamp(config_.parallelization_factor, 1, 10);
  if (config_.parallelization_factor > 1) {
    for (int i = 0; i < config_.parallelization_factor; ++i)
      workers_.emplace_back([this] { work(); });
  }
}

MappingRunner::~MappingRunner() {
  {
    std::lock_guard lock(work_mutex_);
    closing_ = true;
    jobs_.clear();  // not started: read again from the checkpoint next time
  }
  work_cv_.notify_all();
  for (auto& t : workers_) t.join();
  take_outcomes();
}

// A worker: invokes the function for one batch at a time. It touches nothing but the job and the
// outcome queue; step()'s thread applies the outcome.
void MappingRunner::work() {
  std::unique_lock lock(work_mutex_);
  for (;;) {
    work_cv_.wait(lock, [this] { return closing_ || !jobs_.empty(); });
    if (jobs_.empty()) return;
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    InvokeOutcome out;
    try {
      out = invoke_(config_.function, job.payload);
    } catch (const std::exception& e) {
      out.ok = false;
      out.payload = e.what();
    }
    lock.lock();
    outcomes_.push_back(Outcome{job.shard, job.lane, std::move(out)});
    if (wake_) {
      lock.unlock();
      wake_();
      lock.lock();
    }
  }
}

void MappingRunner::take_outcomes() {
  std::deque<Outcome> ready;
  {
    std::lock_guard lock(work_mutex_);
    ready.swap(outcomes_);
  }
  for (auto& o : ready) {
    --in_flight_;
    for (auto& [id, s] : active_) {
      if (s->serial != o.shard) continue;
      Lane& lane = s->lanes[o.lane];
      size_t count = std::exchange(lane.sent, 0);
      settle(*s, lane, count, std::move(o.out));
      break;
    }
  }
}

std::vector<std::string> MappingRunner::active_shards() const {
  std::vector<std::string> ids;
  for (const auto& [id, s] : active_) ids.push_back(id);
  return ids;
}

void MappingRunner::save() {
  try {
    store_.save(config_.logical_id, checkpoint_);
  } catch (const std::exception& e) {
    log_("mapping " + config_.logical_id + ": checkpoint not saved: " + e.what());
  }
}

// The stream is the table's LatestStreamArn: the plan's ARN carries a placeholder label. The
// table may not exist yet (the host can start before the launcher creates it): keep asking.
bool MappingRunner::find_stream(int64_t now) {
  if (now < next_find_at_) return false;
  std::optional<std::string> arn;
  try {
    arn = api_.latest_stream_arn(config_.table_name);
  } catch (const std::exception& e) {
    if (!waiting_logged_) {
      log_("mapping " + config_.logical_id + ": waiting for table " + config_.table_name + " (" +
           error_text(e) + ")");
      waiting_logged_ = true;
    }
  }
  if (!arn) {
    if (!waiting_logged_) {
      log_("mapping " + config_.logical_id + ": waiting for a stream on table " +
           config_.table_name);
      waiting_logged_ = true;
    }
    next_find_at_ = now + kWaitForStreamMs;
    return false;
  }
  waiting_logged_ = false;
  stream_arn_ = *arn;
  std::optional<MappingCheckpoint> stored;
  try {
    stored = store_.load(config_.logical_id);
  } catch (const std::exception& e) {
    log_("mapping " + config_.logical_id + ": " + e.what() + "; starting at " +
         config_.starting_position);
  }
  if (stored && stored->stream_arn == stream_arn_) {
    checkpoint_ = *stored;
    log_("mapping " + config_.logical_id + ": resuming " + stream_arn_ + " from its checkpoint");
  } else {
    checkpoint_ = MappingCheckpoint{stream_arn_, {}};
    choose_latest_ = config_.starting_position == "LATEST";
    log_("mapping " + config_.logical_id + ": reading " + stream_arn_ + " from " +
         config_.starting_position);
    if (!choose_latest_) save();
  }
  next_describe_at_ = 0;
  return true;
}

// LATEST: the records written after the mapping first started. The position is made durable
// at once (every closed shard done, the open shard after its newest record), so that a restart
// goes on from there instead of skipping what was written while the host was down.
void MappingRunner::choose_latest() {
  for (const auto& info : shards_) {
    ShardCheckpoint c;
    if (!info.last_seq.empty()) {
      c.done = true;
      c.after = info.last_seq;
    } else {
      std::string it = api_.get_shard_iterator(stream_arn_, info.id, "TRIM_HORIZON", "");
      for (;;) {
        GetRecordsResult r = api_.get_records(it, 1000);
        for (const auto& rec : r.records.GetArray()) {
          auto d = rec.FindMember("dynamodb");
          if (d == rec.MemberEnd() || !d->value.IsObject()) continue;
          auto seq = d->value.FindMember("SequenceNumber");
          if (seq != d->value.MemberEnd() && seq->value.IsString())
            c.after = seq->value.GetString();
        }
        if (r.records.Empty() || !r.next_iterator) break;
        it = *r.next_iterator;
      }
    }
    checkpoint_.shards[info.id] = c;
    if (!c.done) {
      log_("mapping " + config_.logical_id + ": LATEST is shard " + info.id + " after " +
           (c.after.empty() ? "its start" : c.after));
    }
  }
  choose_latest_ = false;
  save();
}

bool MappingRunner::refresh_shards(int64_t now) {
  try {
    // A table deleted and created again has a new stream: follow it.
    if (auto arn = api_.latest_stream_arn(config_.table_name); arn && *arn != stream_arn_) {
      log_("mapping " + config_.logical_id + ": table " + config_.table_name + " has a new stream");
      stream_arn_.clear();
      active_.clear();
      return false;
    }
    shards_ = api_.describe_stream(stream_arn_);
    if (choose_latest_) choose_latest();
  } catch (const AwsError& e) {
    if (e.type() == "ResourceNotFoundException") {
      stream_arn_.clear();
      active_.clear();
      return false;
    }
    log_("mapping " + config_.logical_id + ": DescribeStream: " + error_text(e));
    next_describe_at_ = now + kErrorBackoffMs;
    return false;
  } catch (const std::exception& e) {
    log_("mapping " + config_.logical_id + ": DescribeStream: " + error_text(e));
    next_describe_at_ = now + kErrorBackoffMs;
    return false;
  }
  next_describe_at_ = now + kDescribeEveryMs;
  // Shards trimmed away have nothing left to read: forget them.
  bool pruned = false;
  for (auto it = checkpoint_.shards.begin(); it != checkpoint_.shards.end();) {
    bool listed = std::any_of(shards_.begin(), shards_.end(),
                              [&](const ShardInfo& s) { return s.id == it->first; });
    if (listed) {
      ++it;
    } else {
      it = checkpoint_.shards.erase(it);
      pruned = true;
    }
  }
  if (pruned) save();
  for (const auto& info : shards_) {
    auto c = checkpoint_.shards.find(info.id);
    if (c != checkpoint_.shards.end() && c->second.done) continue;
    if (active_.count(info.id)) continue;
    // A child shard waits until its parent is drained (or gone from the stream).
    if (!info.parent.empty()) {
      bool parent_listed = std::any_of(shards_.begin(), shards_.end(),
                                       [&](const ShardInfo& s) { return s.id == info.parent; });
      auto p = checkpoint_.shards.find(info.parent);
      bool parent_done = p != checkpoint_.shards.end() && p->second.done;
      if (parent_listed && !parent_done) continue;
    }
    auto s = std::make_unique<Shard>();
    s->id = info.id;
    s->serial = next_serial_++;
    s->lanes.resize(static_cast<size_t>(config_.parallelization_factor));
    for (size_t i = 0; i < s->lanes.size(); ++i) s->lanes[i].index = i;
    s->marks.resize(s->lanes.size());
    if (c != checkpoint_.shards.end()) {
      s->read_after = s->read_through = c->second.after;
      if (c->second.lanes.size() == s->lanes.size()) s->marks = c->second.lanes;
    }
    active_.emplace(info.id, std::move(s));
  }
  return true;
}

int64_t MappingRunner::step() {
  take_outcomes();
  int64_t now = awsproto::Clock::now_ms();
  if (stream_arn_.empty() && !find_stream(now)) return std::max<int64_t>(1, next_find_at_ - now);
  if (now >= next_describe_at_ && !refresh_shards(now)) {
    return stream_arn_.empty() ? 0 : std::max<int64_t>(1, next_describe_at_ - now);
  }
  int64_t wait = next_describe_at_ - now;
  for (auto it = active_.begin(); it != active_.end();) {
    Shard& s = *it->second;
    int64_t w = step_shard(s, now);
    if ((s.end || s.gone) && s.slots.empty()) {
      ShardCheckpoint& c = checkpoint_.shards[s.id];
      c.done = true;
      c.lanes.clear();
      if (!s.read_through.empty()) c.after = s.read_through;
      save();
      it = active_.erase(it);
      next_describe_at_ = now;  // its children may start now
      wait = 0;
      continue;
    }
    wait = std::min(wait, w);
    ++it;
  }
  return std::max<int64_t>(0, wait);
}

bool MappingRunner::read(Shard& s, int64_t now) {
  try {
    if (s.iterator.empty()) {
      try {
        s.iterator =
            s.read_after.empty()
                ? api_.get_shard_iterator(stream_arn_, s.id, "TRIM_HORIZON", "")
                : api_.get_shard_iterator(stream_arn_, s.id, "AFTER_SEQUENCE_NUMBER", s.read_after);
      } catch (const AwsError& e) {
        if (e.type() != "TrimmedDataAccessException") throw;
        // The records after the checkpoint expired (24 h) before they were read: they are
        // lost, as in Lambda; go on from the oldest record left.
        log_("mapping " + config_.logical_id + ": shard " + s.id + ": records after " +
             s.read_after + " expired before they were read; reading from the oldest left");
        s.iterator = api_.get_shard_iterator(stream_arn_, s.id, "TRIM_HORIZON", "");
      }
    }
    int want = static_cast<int>(std::min<size_t>(1000, read_room(s)));
    GetRecordsResult r = api_.get_records(s.iterator, std::max(1, want));
    s.error_logged = false;
    size_t got = 0;
    for (const auto& wire : r.records.GetArray()) {
      Record rec;
      try {
        // With a filter, the record is judged as a Document first and written out only when
        // it passes (most records of a busy table do not).
        rec = to_lambda_record(wire, stream_arn_, !filter_);
      } catch (const std::exception& e) {
        log_("mapping " + config_.logical_id + ": shard " + s.id +
             ": skipped a record: " + e.what());
        continue;
      }
      ++got;
      s.read_after = s.read_through = rec.sequence;
      if (filter_) {
        rapidjson::Document doc;
        lambda_record_document(wire, stream_arn_, doc);
        // Filtered out: never delivered, never retried; the checkpoint moves past it.
        if (!filter_(doc)) continue;
        rec = to_lambda_record(wire, stream_arn_);
      }
      Lane& lane = s.lanes[lane_of(rec.key, static_cast<int>(s.lanes.size()))];
      // Handled before a restart, past the checkpoint (its lane had gone further).
      if (const std::string& mark = s.marks[lane.index];
          !mark.empty() && compare_sequence(rec.sequence, mark) <= 0) {
        continue;
      }
      rec.position = s.next_position++;
      s.slots.push_back(Slot{rec.sequence, false});
      if (lane.pending.empty()) lane.window_start = now;
      lane.pending.push_back(std::move(rec));
    }
    if (r.next_iterator) {
      s.iterator = *r.next_iterator;
    } else {
      s.iterator.clear();
      s.end = true;
    }
    return got > 0;
  } catch (const AwsError& e) {
    s.iterator.clear();
    if (e.type() == "ExpiredIteratorException") return false;  // a fresh one at once
    if (e.type() == "ResourceNotFoundException") {
      s.gone = true;
      return false;
    }
    if (e.type() == "TrimmedDataAccessException") {
      log_("mapping " + config_.logical_id + ": shard " + s.id + ": records after " + s.read_after +
           " expired before they were read; reading from the oldest left");
      s.read_after.clear();
      return false;
    }
    if (!s.error_logged)
      log_("mapping " + config_.logical_id + ": shard " + s.id + ": " + error_text(e));
    s.error_logged = true;
    s.next_read_at = now + kErrorBackoffMs;
    return false;
  } catch (const std::exception& e) {
    if (!s.error_logged)
      log_("mapping " + config_.logical_id + ": shard " + s.id + ": " + error_text(e));
    s.error_logged = true;
    s.next_read_at = now + kErrorBackoffMs;
    return false;
  }
}

void MappingRunner::drop_expired(Shard& s, Lane& lane, int64_t now) {
  int64_t max_age_ms = config_.maximum_record_age_in_seconds < 0
                           ? kStreamRetentionMs
                           : int64_t{config_.maximum_record_age_in_seconds} * 1000;
  size_t n = 0;
  while (n < lane.pending.size() && lane.pending[n].created_ms > 0 &&
         now - lane.pending[n].created_ms > max_age_ms) {
    ++n;
  }
  if (n == 0) return;
  lane.segments.clear();
  drop(s, lane, n,
       "older than the maximum record age (" + std::to_string(max_age_ms / 1000) + " s)");
  lane.retry_at = 0;
}

// Up to a batch per lane waits to be sent; records done behind one that is not (the checkpoint
// cannot pass them yet) are bounded too.
size_t MappingRunner::read_room(const Shard& s) const {
  size_t waiting = 0;
  for (const Lane& lane : s.lanes) waiting += lane.pending.size();
  size_t want = static_cast<size_t>(config_.batch_size) * s.lanes.size();
  if (waiting >= want || s.slots.size() >= kMaxUncheckpointed) return 0;
  return std::min(want - waiting, kMaxUncheckpointed - s.slots.size());
}

int64_t MappingRunner::step_shard(Shard& s, int64_t now) {
  if (!s.end && !s.gone && read_room(s) > 0 && now >= s.next_read_at) {
    bool got = read(s, now);
    if (got) {
      s.idle_ms = 0;
      s.records_at = now;
    } else if (s.next_read_at <= now && !s.iterator.empty()) {
      s.idle_ms = now - s.records_at < kBusyHoldMs
                      ? kIdlePollMinMs
                      : std::clamp(s.idle_ms * 2, kIdlePollMinMs, kIdlePollMaxMs);
      s.next_read_at = now + s.idle_ms;
    }
  }
  bool can_read = !s.end && !s.gone && read_room(s) > 0;
  int64_t until_read = can_read ? std::max<int64_t>(0, s.next_read_at - now) : 60'000;
  int64_t wait = until_read;
  for (Lane& lane : s.lanes) wait = std::min(wait, step_lane(s, lane, now, until_read));
  if (s.slots.empty() && !s.read_through.empty()) {
    // Records read and filtered out: the checkpoint moves past them.
    ShardCheckpoint& c = checkpoint_.shards[s.id];
    if (c.after != s.read_through || !c.lanes.empty()) {
      c.after = s.read_through;
      c.lanes.clear();
      std::fill(s.marks.begin(), s.marks.end(), std::string());
      save();
    }
  }
  return wait;
}

int64_t MappingRunner::step_lane(Shard& s, Lane& lane, int64_t now, int64_t until_read) {
  if (lane.sent > 0) return until_read;  // a worker has it; its outcome wakes the thread
  drop_expired(s, lane, now);
  if (lane.pending.empty()) return until_read;
  if (now < lane.retry_at) return std::min(lane.retry_at - now, until_read);
  size_t limit = static_cast<size_t>(config_.batch_size);
  if (!lane.segments.empty()) limit = std::min(limit, lane.segments.front());
  size_t count = 0, bytes = 12;
  while (count < lane.pending.size() && count < limit) {
    size_t more = lane.pending[count].json.size() + 1;
    if (count > 0 && bytes + more > kMaxBatchPayloadBytes) break;
    bytes += more;
    ++count;
  }
  bool full = count == limit || count < lane.pending.size();
  int64_t window_ms = int64_t{config_.maximum_batching_window_in_seconds} * 1000;
  if (!full && !s.end && !s.gone && window_ms > 0 && now - lane.window_start < window_ms) {
    return std::min(lane.window_start + window_ms - now, until_read);
  }
  send(s, lane, count);
  return 0;
}

std::string MappingRunner::describe(const Shard& s, const Lane& lane, size_t count) const {
  std::string seqs;
  for (size_t i = 0; i < count && i < lane.pending.size(); ++i) {
    if (i == 20 && count > 21) {
      seqs += ", ... " + lane.pending[count - 1].sequence;
      break;
    }
    if (i > 0) seqs += ", ";
    seqs += lane.pending[i].sequence;
  }
  return std::to_string(count) + (count == 1 ? " record" : " records") + " of shard " + s.id +
         " (sequence numbers " + seqs + ")";
}

void MappingRunner::send(Shard& s, Lane& lane, size_t count) {
  std::string payload = event_payload(lane.pending, 0, count);
  if (workers_.empty()) {
    InvokeOutcome out;
    try {
      out = invoke_(config_.function, payload);
    } catch (const std::exception& e) {
      out.ok = false;
      out.payload = e.what();
    }
    settle(s, lane, count, std::move(out));
    return;
  }
  lane.sent = count;
  ++in_flight_;
  {
    std::lock_guard lock(work_mutex_);
    jobs_.push_back(Job{s.serial, lane.index, std::move(payload)});
  }
  work_cv_.notify_one();
}

// What the function said about the first `count` records of the lane.
void MappingRunner::settle(Shard& s, Lane& lane, size_t count, InvokeOutcome out) {
  int64_t now = awsproto::Clock::now_ms();
  if (!out.ok) {
    // Not the function's doing (the host is stopping): try again later, no attempt counted.
    lane.retry_at = now + kErrorBackoffMs;
    return;
  }
  if (out.function_error) {
    std::string reason =
        out.payload.size() > 300 ? out.payload.substr(0, 300) + "..." : out.payload;
    fail(s, lane, count, "function error " + reason, config_.bisect_batch_on_function_error, now);
    return;
  }
  if (!config_.report_batch_item_failures) {
    commit(s, lane, count, now);
    return;
  }
  BatchVerdict v = parse_batch_response(out.payload, lane.pending, 0, count);
  switch (v.kind) {
    case BatchVerdict::Kind::Success: commit(s, lane, count, now); return;
    case BatchVerdict::Kind::Partial: {
      size_t failed = count - v.first_failed;
      if (v.first_failed > 0) {
        commit(s, lane, v.first_failed, now);
      }
      // With BisectBatchOnFunctionError too, the batch is split at the reported record and
      // only the rest is retried, not halved.
      fail(s, lane, failed, "reported batch item failures from " + lane.pending[0].sequence, false,
           now);
      return;
    }
    case BatchVerdict::Kind::Failure:
      fail(s, lane, count, "invalid batch item failure response: " + v.reason,
           config_.bisect_batch_on_function_error, now);
      return;
  }
}

// The checkpoint is the last record of the longest prefix of the shard in which every record is
// done (or, with nothing left, the last record read, past any filtered out): a restart
// redelivers at most the batches that were in flight.
void MappingRunner::advance_checkpoint(Shard& s) {
  std::string after;
  while (!s.slots.empty() && s.slots.front().done) {
    after = std::move(s.slots.front().sequence);
    s.slots.pop_front();
    ++s.first_slot;
  }
  if (s.slots.empty() && !s.read_through.empty()) after = s.read_through;
  ShardCheckpoint& c = checkpoint_.shards[s.id];
  if (!after.empty()) c.after = after;
  // The lanes' marks that the checkpoint has caught up with are of no more use.
  c.lanes.clear();
  bool marked = false;
  for (auto& mark : s.marks) {
    if (!mark.empty() && !c.after.empty() && compare_sequence(mark, c.after) <= 0) mark.clear();
    marked = marked || !mark.empty();
  }
  if (marked) c.lanes = s.marks;
  save();
}

void MappingRunner::commit(Shard& s, Lane& lane, size_t count, int64_t now) {
  if (s.lanes.size() > 1) s.marks[lane.index] = lane.pending[count - 1].sequence;
  for (size_t i = 0; i < count; ++i) {
    uint64_t at = lane.pending[i].position - s.first_slot;
    if (at < s.slots.size()) s.slots[at].done = true;
  }
  lane.pending.erase(lane.pending.begin(),
                     lane.pending.begin() + static_cast<std::ptrdiff_t>(count));
  if (!lane.segments.empty()) {
    if (lane.segments.front() <= count) {
      lane.segments.pop_front();
    } else {
      lane.segments.front() -= count;
    }
  }
  lane.retry_at = 0;
  lane.window_start = now;  // the next batching window starts when an invocation completes
  advance_checkpoint(s);
}

void MappingRunner::fail(Shard& s, Lane& lane, size_t count, const std::string& reason, bool bisect,
                         int64_t now) {
  int failures = 0;
  for (size_t i = 0; i < count; ++i) failures = std::max(failures, lane.pending[i].failures);
  if (bisect && count > 1) {
    // "Splitting a batch does not consume the retry quota"
    // (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html): the halves
    // are sent at once, one after the other, and only a failure that cannot be split counts.
    log_("mapping " + config_.logical_id + ": batch of " + describe(s, lane, count) +
         " failed (attempt " + std::to_string(failures + 1) +
         ", split in two, not counted against the retry attempts): " + reason);
    size_t first = count / 2;
    if (!lane.segments.empty()) lane.segments.pop_front();
    lane.segments.push_front(count - first);
    lane.segments.push_front(first);
    lane.retry_at = 0;
    return;
  }
  for (size_t i = 0; i < count; ++i) failures = std::max(failures, ++lane.pending[i].failures);
  log_("mapping " + config_.logical_id + ": batch of " + describe(s, lane, count) +
       " failed (attempt " + std::to_string(failures) + "): " + reason);
  if (config_.maximum_retry_attempts >= 0 && failures > config_.maximum_retry_attempts) {
    drop(s, lane, count,
         "retry attempts exhausted (" + std::to_string(config_.maximum_retry_attempts) + ")");
    return;
  }
  if (!lane.segments.empty()) lane.segments.front() = count;
  lane.retry_at = now + retry_delay_ms(failures);
}

void MappingRunner::drop(Shard& s, Lane& lane, size_t count, const std::string& why) {
  log_("mapping " + config_.logical_id + ": dropped " + describe(s, lane, count) + ": " + why);
  commit(s, lane, count, awsproto::Clock::now_ms());
}

}  // namespace triggers
