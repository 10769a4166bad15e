#include "triggers/checkpoints.h"

#include <fcntl.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace triggers {
namespace {

std::runtime_error io_error(const std::string& what, const std::string& path) {
  return std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

void write_all(int fd, const std::string& data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw io_error("cannot write", path);
    done += static_cast<size_t>(n);
  }
}

}  // namespace

std::string to_json(const MappingCheckpoint& c) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("version");
  w.Int(1);
  w.Key("streamArn");
  w.String(c.stream_arn.c_str(), static_cast<rapidjson::SizeType>(c.stream_arn.size()));
  w.Key("shards");
  w.StartObject();
  for (const auto& [id, s] : c.shards) {
    w.Key(id.c_str(), static_cast<rapidjson::SizeType>(id.size()));
    w.StartObject();
    w.Key("after");
    w.String(s.after.c_str(), static_cast<rapidjson::SizeType>(s.after.size()));
    w.Key("done");
    w.Bool(s.done);
    if (!s.lanes.empty()) {
      w.Key("lanes");
      w.StartArray();
      for (const auto& l : s.lanes) w.String(l.c_str(), static_cast<rapidjson::SizeType>(l.size()));
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

MappingCheckpoint checkpoint_from_json(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  auto bad = [](const char* what) {
    return std::invalid_argument(std::string("checkpoint: ") + what);
  };
  if (doc.HasParseError() || !doc.IsObject()) throw bad("not a JSON object");
  auto version = doc.FindMember("version");
  if (version == doc.MemberEnd() || !version->value.IsInt() || version->value.GetInt() != 1) {
    throw bad("unknown version");
  }
  MappingCheckpoint c;
  auto arn = doc.FindMember("streamArn");
  if (arn == doc.MemberEnd() || !arn->value.IsString()) throw bad("no streamArn");
  c.stream_arn.assign(arn->value.GetString(), arn->value.GetStringLength());
  auto shards = doc.FindMember("shards");
  if (shards == doc.MemberEnd() || !shards->value.IsObject()) throw bad("no shards");
  for (const auto& m : shards->value.GetObject()) {
    if (!m.value.IsObject()) throw bad("a shard is not an object");
    ShardCheckpoint s;
    auto after = m.value.FindMember("after");
    if (after == m.value.MemberEnd() || !after->value.IsString()) throw bad("a shard has no after");
    s.after.assign(after->value.GetString(), after->value.GetStringLength());
    auto decimal = [&](const std::string& seq) {
      for (char ch : seq) {
        if (ch < '0' || ch > '9') throw bad("a sequence number is not decimal");
      }
    };
    decimal(s.after);
    if (auto lanes = m.value.FindMember("lanes"); lanes != m.value.MemberEnd()) {
      if (!lanes->value.IsArray() || lanes->value.Size() > 10) throw bad("lanes is not a list");
      for (const auto& l : lanes->value.GetArray()) {
        if (!l.IsString()) throw bad("a lane is not a sequence number");
        s.lanes.emplace_back(l.GetString(), l.GetStringLength());
        decimal(s.lanes.back());
      }
    }
    auto done = m.value.FindMember("done");
    if (done == m.value.MemberEnd() || !done->value.IsBool()) throw bad("a shard has no done");
    s.done = done->value.GetBool();
    c.shards.emplace(std::string(m.name.GetString(), m.name.GetStringLength()), s);
  }
  return c;
}

CheckpointStore::CheckpointStore(std::string dir) : dir_(std::move(dir)) {
  if (!dir_.empty()) std::filesystem::create_directories(dir_);
}

std::string CheckpointStore::path_for(const std::string& mapping) const {
  std::string name = mapping;
  for (char& ch : name) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-';
    if (!ok) ch = '_';
  }
  if (name.empty() || name[0] == '.') name = "_" + name;
  return dir_ + "/" + name + ".json";
}

std::optional<MappingCheckpoint> CheckpointStore::load(const std::string& mapping) {
  std::lock_guard lock(mutex_);
  if (dir_.empty()) {
    auto it = memory_.find(mapping);
    if (it == memory_.end()) return std::nullopt;
    return it->second;
  }
  std::string path = path_for(mapping);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path)) return std::nullopt;
    throw io_error("cannot read", path);
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    return checkpoint_from_json(text.str());
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

void CheckpointStore::save(const std::string& mapping, const MappingCheckpoint& checkpoint) {
  std::lock_guard lock(mutex_);
  if (dir_.empty()) {
    memory_[mapping] = checkpoint;
    return;
  }
  std::string path = path_for(mapping);
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw io_error("cannot create", tmp);
  try {
    write_all(fd, to_json(checkpoint), tmp);
    if (::fsync(fd) != 0) throw io_error("cannot fsync", tmp);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) throw io_error("cannot close", tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) throw io_error("cannot rename", tmp);
  // The rename is durable only once the directory is.
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) throw io_error("cannot open", dir_);
  int rc = ::fsync(dfd);
  ::close(dfd);
  if (rc != 0) throw io_error("cannot fsync", dir_);
}

}  // namespace triggers
