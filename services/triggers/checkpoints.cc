#include "triggers/checkpoints.h"

#include <fcntl.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>
#include <boost/crc.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace triggers {
namespace {

std::runtime_error io_error(const std::string& what, const std::string& path) {
  return std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

uint32_t crc_of(std::string_view text) {
  boost::crc_32_type crc;
  crc.process_bytes(text.data(), text.size());
  return crc.checksum();
}

}  // namespace

std::string to_json(const MappingCheckpoint& c, uint64_t saves) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("version");
  w.Int(2);
  w.Key("saves");
  w.Uint64(saves);
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
  // The CRC covers the text before its own member, the last one.
  std::string text(buffer.GetString(), buffer.GetSize() - 1);
  return text + ",\"crc\":" + std::to_string(crc_of(text)) + "}\n";
}

MappingCheckpoint checkpoint_from_json(std::string_view text, uint64_t* saves) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  auto bad = [](const char* what) {
    return std::invalid_argument(std::string("checkpoint: ") + what);
  };
  if (doc.HasParseError() || !doc.IsObject()) throw bad("not a JSON object");
  auto version = doc.FindMember("version");
  if (version == doc.MemberEnd() || !version->value.IsInt() ||
      (version->value.GetInt() != 1 && version->value.GetInt() != 2)) {
    throw bad("unknown version");
  }
  if (saves) *saves = 0;
  if (version->value.GetInt() == 2) {
    auto count = doc.FindMember("saves");
    auto crc = doc.FindMember("crc");
    if (count == doc.MemberEnd() || !count->value.IsUint64()) throw bad("no saves");
    if (crc == doc.MemberEnd() || !crc->value.IsUint()) throw bad("no crc");
    size_t at = text.rfind(",\"crc\":");
    if (at == std::string_view::npos || crc_of(text.substr(0, at)) != crc->value.GetUint())
      throw bad("the CRC does not match (a torn write)");
    if (saves) *saves = count->value.GetUint64();
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

CheckpointStore::~CheckpointStore() {
  for (auto& [mapping, f] : files_)
    for (int fd : f.fd)
      if (fd >= 0) ::close(fd);
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

std::array<std::string, 2> CheckpointStore::paths_for(const std::string& mapping) const {
  std::string first = path_for(mapping);
  return {first, first + ".1"};
}

namespace {

// A file's text; nullopt when it does not exist.
std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path)) return std::nullopt;
    throw io_error("cannot read", path);
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::optional<MappingCheckpoint> CheckpointStore::load(const std::string& mapping) {
  std::lock_guard lock(mutex_);
  if (dir_.empty()) {
    auto it = memory_.find(mapping);
    if (it == memory_.end()) return std::nullopt;
    return it->second;
  }
  return scan(mapping);
}

std::optional<MappingCheckpoint> CheckpointStore::scan(const std::string& mapping) {
  const std::array<std::string, 2> paths = paths_for(mapping);
  std::optional<MappingCheckpoint> best;
  uint64_t best_saves = 0;
  int best_file = 1;
  std::string errors;
  bool any = false;
  for (int i = 0; i < 2; ++i) {
    auto text = read_file(paths[i]);
    if (!text) continue;
    any = true;
    try {
      uint64_t saves = 0;
      MappingCheckpoint c = checkpoint_from_json(*text, &saves);
      if (!best || saves > best_saves) {
        best = std::move(c);
        best_saves = saves;
        best_file = i;
      }
    } catch (const std::invalid_argument& e) {
      // One torn file is the save a crash interrupted: the other is one save older.
      errors += (errors.empty() ? "" : "; ") + paths[i] + ": " + e.what();
    }
  }
  Files& f = files_[mapping];
  f.scanned = true;
  f.saves = best_saves;
  f.newest = best_file;
  if (!any) return std::nullopt;
  if (!best) throw std::runtime_error(errors);
  return best;
}

CheckpointStore::Files& CheckpointStore::files_for(const std::string& mapping) {
  Files& f = files_[mapping];  // std::map: scan's own lookup finds this same entry
  if (!f.scanned) {
    // Saved before anything was loaded: the count goes on from the files' (a torn pair gives
    // way to the new save).
    try {
      scan(mapping);
    } catch (const std::runtime_error&) {
    }
  }
  if (f.fd[0] >= 0) return f;
  f.path = paths_for(mapping);
  bool created = false;
  for (int i = 0; i < 2; ++i) {
    const std::string& p = f.path[i];
    int fd = ::open(p.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
      fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      created = true;
    }
    if (fd < 0) {
      for (int& open : f.fd)
        if (open >= 0) ::close(std::exchange(open, -1));
      throw io_error("cannot open", p);
    }
    f.fd[i] = fd;
    off_t end = ::lseek(fd, 0, SEEK_END);
    f.size[i] = end > 0 ? static_cast<size_t>(end) : 0;
  }
  if (created) {
    // A new file's name is durable only once the directory is.
    int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) throw io_error("cannot open", dir_);
    int rc = ::fsync(dfd);
    ::close(dfd);
    if (rc != 0) throw io_error("cannot fsync", dir_);
  }
  return f;
}

void CheckpointStore::save(const std::string& mapping, const MappingCheckpoint& checkpoint) {
  std::lock_guard lock(mutex_);
  if (dir_.empty()) {
    memory_[mapping] = checkpoint;
    return;
  }
  Files& f = files_for(mapping);
  const int slot = 1 - f.newest;
  std::string text = to_json(checkpoint, f.saves + 1);
  // Padded to the file's length with blanks (JSON's whitespace) rather than truncated: the
  // length stays, so the fdatasync writes the data alone.
  if (text.size() < f.size[slot]) text.append(f.size[slot] - text.size(), ' ');
  const std::string& path = f.path[slot];
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n =
        ::pwrite(f.fd[slot], text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw io_error("cannot write", path);
    done += static_cast<size_t>(n);
  }
  if (::fdatasync(f.fd[slot]) != 0) throw io_error("cannot fdatasync", path);
  f.size[slot] = std::max(f.size[slot], text.size());
  f.saves += 1;
  f.newest = slot;
}

}  // namespace triggers
