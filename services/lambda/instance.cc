#include "lambda/instance.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <limits>

#include "awsproto/clock.h"
#include "lambda/http_server.h"
#include "lambda/wire.h"

extern char** environ;

namespace lambda {
namespace {

constexpr std::string_view kPrefix = "/2018-06-01/runtime/";
// How long a runtime may take to ask for its first invocation (Lambda's init phase limit).
constexpr int64_t kInitTimeoutMs = 10'000;

std::mutex log_mutex;  // one line at a time on the host's stderr

std::string trace_id() {
  // X-Ray's format: Root=1-<8 hex epoch seconds>-<24 hex>;Parent=<16 hex>;Sampled=0
  std::string id = new_uuid();
  std::string hex;
  for (char c : id) {
    if (c != '-') hex += c;
  }
  char epoch[9];
  std::snprintf(epoch, sizeof epoch, "%08llx",
                static_cast<unsigned long long>(awsproto::Clock::now_ms() / 1000));
  return "Root=1-" + std::string(epoch) + "-" + hex.substr(0, 24) +
         ";Parent=" + hex.substr(16, 16) + ";Sampled=0";
}

std::string log_stream_name() {
  // "2024/01/31/[$LATEST]" + 32 hex digits, as Lambda names a stream.
  std::time_t now = static_cast<std::time_t>(awsproto::Clock::now_ms() / 1000);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char date[16];
  std::strftime(date, sizeof date, "%Y/%m/%d", &tm);
  std::string hex;
  for (char c : new_uuid()) {
    if (c != '-') hex += c;
  }
  return std::string(date) + "/[$LATEST]" + hex;
}

// "2026-06-23T14:08:22.417Z": the time Lambda writes before its own lines in a log stream.
std::string log_timestamp() {
  int64_t ms = awsproto::Clock::now_ms();
  std::time_t now = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[40];
  size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(text + n, sizeof text - n, ".%03dZ", static_cast<int>(ms % 1000));
  return text;
}

// `name` in the host's PATH, as posix_spawnp would find it; empty if it is not there.
std::string find_in_path(const std::string& name) {
  const char* value = std::getenv("PATH");
  std::string path = value && *value ? value : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

}  // namespace

Instance::Instance(const FunctionSpec& spec, const HostConfig& host) : spec_(spec), host_(host) {
  server_ =
      std::make_unique<HttpServer>(HttpServerOptions{"127.0.0.1", 0, 64u << 20},
                                   [this](const HttpRequest& request) { return handle(request); });
  spawn();
}

Instance::~Instance() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    kill_locked();
  }
  cv_.notify_all();
  server_->stop();
  if (wait_thread_.joinable()) wait_thread_.join();
  if (log_thread_.joinable()) log_thread_.join();
}

void Instance::terminate() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    kill_locked();
  }
  cv_.notify_all();
}

uint16_t Instance::runtime_api_port() const { return server_->port(); }

bool Instance::alive() const {
  std::lock_guard lock(mutex_);
  return pid_ > 0 && !exited_ && !killed_ && !init_error_ && spawn_error_.empty();
}

void Instance::spawn() {
  std::string bootstrap = spec_.code_uri + "/bootstrap";
  std::vector<std::string> args;
  struct stat st {};
  if (spec_.code_uri.empty()) {
    // The plan's container image functions (PackageType Image) have no code here.
    spawn_error_ = "container images (PackageType Image) are not run by the local Lambda host";
    return;
  }
  if (std::string lang = managed_runtime(spec_.runtime); !lang.empty()) {
    // A managed runtime: our runtime interface client (runtimes/), which loads _HANDLER from
    // the code folder, on the machine's node or /usr/bin/python3.
    std::string script =
        host_.runtimes_dir + (lang == "node" ? "/node/index.mjs" : "/python/bootstrap.py");
    bootstrap = lang == "node" ? find_in_path("node") : "/usr/bin/python3";
    if (bootstrap.empty() || ::access(bootstrap.c_str(), X_OK) != 0) {
      spawn_error_ = "the " + spec_.runtime + " runtime needs " +
                     (lang == "node" ? "node on PATH" : "/usr/bin/python3") +
                     " (scripts/setup installs it)";
      return;
    }
    if (::stat(script.c_str(), &st) != 0) {
      spawn_error_ =
          "the " + spec_.runtime + " runtime's " + script + " is missing (--runtimes-dir)";
      return;
    }
    args = {bootstrap, script};
  } else {
    // A custom runtime starts the executable named bootstrap in the function's code (then in
    // /opt, the layers); _HANDLER is only passed on. Lambda: "Couldn't find valid bootstrap(s)".
    if (::stat(bootstrap.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      spawn_error_ = "Couldn't find valid bootstrap(s): [" + bootstrap + " /opt/bootstrap]";
      return;
    }
    if (::access(bootstrap.c_str(), X_OK) != 0) {
      spawn_error_ = "fork/exec " + bootstrap + ": permission denied";
      return;
    }
    args = {bootstrap};
  }
  std::vector<std::string> warnings;
  auto env = instance_environment(spec_, host_, "127.0.0.1:" + std::to_string(server_->port()),
                                  log_stream_name(), &warnings);
  for (const auto& key : warnings) {
    std::lock_guard lock(log_mutex);
    std::cerr << "lambda: " << spec_.name << ": environment variable " << key
              << " is reserved by Lambda and was not set\n";
  }
  std::vector<std::string> env_strings;
  for (const auto& [key, value] : env) env_strings.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    spawn_error_ = std::string("pipe: ") + std::strerror(errno);
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  // Sockets of the host (other instances' Runtime APIs, callers' connections) stay here.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawn_file_actions_addchdir_np(&actions, spec_.code_uri.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  // Its own process group, so that a timeout kills the bootstrap's children too.
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  {
    // Before the bootstrap can reach /next on the server thread, which reads it.
    std::lock_guard lock(mutex_);
    spawned_at_ = std::chrono::steady_clock::now();
  }
  int rc = ::posix_spawn(&pid, bootstrap.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(out[0]);
    ::close(err[0]);
    spawn_error_ = "fork/exec " + bootstrap + ": " + std::strerror(rc);
    return;
  }
  pid_ = pid;
  out_fd_ = out[0];
  err_fd_ = err[0];
  log_thread_ = std::thread([this, o = out[0], e = err[0]] { pump_logs(o, e); });
  wait_thread_ = std::thread([this] { wait_for_exit(); });
}

void Instance::pump_logs(int out_fd, int err_fd) {
  std::array<pollfd, 2> fds = {pollfd{out_fd, POLLIN, 0}, pollfd{err_fd, POLLIN, 0}};
  std::array<std::string, 2> partial;
  auto emit = [&](const std::string& line) {
    std::string id;
    {
      std::lock_guard lock(mutex_);
      id = current_id_.empty() ? last_id_ : current_id_;
    }
    log_line(id, line);
  };
  auto busy = [&](bool value) {
    std::lock_guard lock(mutex_);
    log_busy_ = value;
  };
  int open = 2;
  char buffer[4096];
  while (open > 0) {
    int ready = ::poll(fds.data(), fds.size(), 200);
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (ready == 0) {
      // Going away with the bootstrap gone: a process that left its group (setsid) may hold
      // the pipes open for ever, and must not hold up the instance's end.
      std::lock_guard lock(mutex_);
      if (stopping_ && exited_) break;
      continue;
    }
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      busy(true);
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) {
        if (!partial[i].empty()) emit(partial[i]);
        {
          std::lock_guard lock(mutex_);
          (i == 0 ? out_fd_ : err_fd_) = -1;
          log_busy_ = false;
          ::close(fds[i].fd);
        }
        fds[i].fd = -1;
        --open;
        continue;
      }
      partial[i].append(buffer, static_cast<size_t>(n));
      size_t start = 0, newline;
      while ((newline = partial[i].find('\n', start)) != std::string::npos) {
        emit(partial[i].substr(start, newline - start));
        start = newline + 1;
      }
      partial[i].erase(0, start);
      busy(false);
    }
  }
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i < fds.size(); ++i) {
    if (fds[i].fd < 0) continue;
    (i == 0 ? out_fd_ : err_fd_) = -1;
    ::close(fds[i].fd);
  }
  log_busy_ = false;
}

void Instance::wait_for_exit() {
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  {
    std::lock_guard lock(mutex_);
    exited_ = true;
    wait_status_ = status;
  }
  cv_.notify_all();
}

void Instance::kill_locked() {
  if (pid_ > 0 && !killed_) {
    // The whole group, also after the bootstrap itself exited: a child it left behind would
    // hold the log pipes open (and run on) otherwise.
    ::kill(-pid_, SIGKILL);
    killed_ = !exited_;
  }
}

// Go's os.ProcessState wording, which is what Lambda reports: "exit status 1", "signal: killed".
std::string Instance::exit_description_locked() const {
  if (WIFEXITED(wait_status_)) return "exit status " + std::to_string(WEXITSTATUS(wait_status_));
  if (WIFSIGNALED(wait_status_)) {
    std::string name = ::strsignal(WTERMSIG(wait_status_));
    if (!name.empty()) name[0] = static_cast<char>(std::tolower(name[0]));
    return "signal: " + name;
  }
  return "exit status " + std::to_string(wait_status_);
}

InvocationResult Instance::invoke(const Invocation& invocation) {
  auto started = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    collecting_ = true;
    log_tail_.clear();
  }
  log_line(invocation.request_id,
           "START RequestId: " + invocation.request_id + " Version: $LATEST");
  std::string status;
  InvocationResult out;
  out = await_outcome(invocation, status);
  // Lambda's Duration runs from the hand-over to the runtime (init is reported apart).
  std::chrono::steady_clock::time_point from = started;
  {
    std::lock_guard lock(mutex_);
    if (dispatched_at_ > started) from = dispatched_at_;
  }
  double duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - from).count();
  long memory_mb = read_max_memory_mb();
  drain_logs();
  const std::string& id = invocation.request_id;
  if (status == "Status: timeout") {
    // Lambda's own line in the stream, before END: "<time> <request id> Task timed out after
    // 3.01 seconds", the time it ran.
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2f", duration_ms / 1000);
    log_line(id, log_timestamp() + " " + id + " Task timed out after " + seconds + " seconds");
  }
  std::optional<double> init_ms;
  {
    std::lock_guard lock(mutex_);
    if (init_duration_ms_ && !init_reported_) {
      init_ms = *init_duration_ms_;
      init_reported_ = true;
    }
  }
  log_line(id, "END RequestId: " + id);
  char report[512];
  std::snprintf(report, sizeof report,
                "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %lld ms\tMemory Size: "
                "%d MB\tMax Memory Used: %ld MB\t",
                id.c_str(), duration_ms,
                static_cast<long long>(std::ceil(duration_ms) + std::ceil(init_ms.value_or(0))),
                spec_.memory_mb, memory_mb);
  std::string line = report;
  if (init_ms) {
    char init[64];
    std::snprintf(init, sizeof init, "Init Duration: %.2f ms\t", *init_ms);
    line += init;
  }
  line += status;
  log_line(id, line);
  std::lock_guard lock(mutex_);
  collecting_ = false;
  out.log_tail = log_tail_.size() > kLogTailBytes
                     ? log_tail_.substr(log_tail_.size() - kLogTailBytes)
                     : log_tail_;
  log_tail_.clear();
  return out;
}

void Instance::log_line(const std::string& request_id, const std::string& line) {
  {
    std::lock_guard lock(mutex_);
    if (collecting_) {
      log_tail_ += line;
      log_tail_ += '\n';
      // Keep a little more than the tail Lambda returns, trimmed now and then.
      if (log_tail_.size() > 4 * kLogTailBytes) {
        log_tail_.erase(0, log_tail_.size() - kLogTailBytes);
      }
    }
  }
  // One write a line: std::cerr is unbuffered, so each << was a system call of its own, and a
  // line written at once is not interleaved with what other processes write to the same pipe.
  std::string out;
  out.reserve(spec_.name.size() + request_id.size() + line.size() + 5);
  out += '[';
  out += spec_.name;
  if (!request_id.empty()) {
    out += ' ';
    out += request_id;
  }
  out += "] ";
  out += line;
  out += '\n';
  std::lock_guard lock(log_mutex);
  std::cerr.write(out.data(), static_cast<std::streamsize>(out.size()));
  std::cerr.flush();
}

long Instance::read_max_memory_mb() {
  pid_t pid;
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    if (pid_ <= 0 || exited_) return 0;
    // VmHWM only grows: a figure up to a second old is at most a little low.
    if (memory_mb_ > 0 && now - memory_read_at_ < std::chrono::seconds(1)) return memory_mb_;
    pid = pid_;
  }
  // The bootstrap's peak resident set (VmHWM), as close to Lambda's figure as one process gets.
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  long mb = 0;
  while (status >> key) {
    if (key == "VmHWM:") {
      long kb = 0;
      status >> kb;
      mb = (kb + 1023) / 1024;
      break;
    }
    status.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  std::lock_guard lock(mutex_);
  memory_mb_ = mb;
  memory_read_at_ = now;
  return mb;
}

void Instance::drain_logs() {
  // A runtime writes its log lines before it posts its result: wait (briefly) until the log
  // thread has read and written out what is in the pipes, so they land before END.
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  while (std::chrono::steady_clock::now() < until) {
    {
      std::lock_guard lock(mutex_);
      bool pending = log_busy_;
      for (int fd : {out_fd_, err_fd_}) {
        int available = 0;
        if (fd >= 0 && ::ioctl(fd, FIONREAD, &available) == 0 && available > 0) pending = true;
      }
      if (!pending) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

InvocationResult Instance::await_outcome(const Invocation& invocation, std::string& status) {
  using awsproto::Clock;
  auto fail = [&](std::string_view type, const std::string& what) {
    status = (type == "Sandbox.Timedout" ? "Status: timeout" : "Status: error\tError Type: ") +
             std::string(type == "Sandbox.Timedout" ? "" : type);
    return InvocationResult{
        true,
        function_error_payload(type, "RequestId: " + invocation.request_id + " Error: " + what)};
  };
  std::unique_lock lock(mutex_);
  if (!spawn_error_.empty()) return fail("Runtime.InvalidEntrypoint", spawn_error_);
  result_.reset();
  pending_ = invocation;
  cv_.notify_all();
  int64_t init_deadline = Clock::now_ms() + kInitTimeoutMs + spec_.timeout_seconds * 1000LL;
  for (;;) {
    cv_.wait_for(lock, std::chrono::milliseconds(20));
    if (result_) {
      InvocationResult out = std::move(*result_);
      result_.reset();
      last_id_ = current_id_;
      current_id_.clear();
      return out;
    }
    if (init_error_) {
      // The runtime's own report, as Lambda returns it; the environment is then discarded.
      pending_.reset();
      kill_locked();
      status = "Status: error\tError Type: Runtime.InitError";
      return InvocationResult{true, *init_error_};
    }
    if (exited_) {
      pending_.reset();
      last_id_ = invocation.request_id;
      current_id_.clear();
      // A clean exit gives Lambda no status to quote.
      bool clean = WIFEXITED(wait_status_) && WEXITSTATUS(wait_status_) == 0;
      return fail("Runtime.ExitError",
                  clean ? "Runtime exited without providing a reason"
                        : "Runtime exited with error: " + exit_description_locked());
    }
    int64_t now = Clock::now_ms();
    bool dispatched = !current_id_.empty();
    if ((dispatched && now >= deadline_ms_) || (!dispatched && now >= init_deadline)) {
      pending_.reset();
      kill_locked();
      last_id_ = invocation.request_id;
      current_id_.clear();
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%d.00", spec_.timeout_seconds);
      return fail("Sandbox.Timedout", "Task timed out after " + std::string(seconds) + " seconds");
    }
  }
}

RuntimeRoute parse_runtime_route(std::string_view method, std::string_view path) {
  RuntimeRoute route;
  if (path.substr(0, kPrefix.size()) != kPrefix) return route;
  path.remove_prefix(kPrefix.size());
  std::string_view wanted_method = "POST";
  constexpr std::string_view kInvocation = "invocation/";
  if (path == "invocation/next") {
    route.kind = RuntimeRoute::Kind::Next;
    wanted_method = "GET";
  } else if (path == "init/error") {
    route.kind = RuntimeRoute::Kind::InitError;
  } else if (path.substr(0, kInvocation.size()) == kInvocation) {
    path.remove_prefix(kInvocation.size());
    size_t slash = path.find('/');
    if (slash == std::string_view::npos) return route;
    std::string_view action = path.substr(slash + 1);
    if (action == "response") {
      route.kind = RuntimeRoute::Kind::Response;
    } else if (action == "error") {
      route.kind = RuntimeRoute::Kind::Error;
    } else {
      return route;
    }
    route.request_id = percent_decode(path.substr(0, slash));
  } else {
    return route;
  }
  route.method_allowed = method == wanted_method;
  return route;
}

HttpResponse Instance::handle(const HttpRequest& request) {
  RuntimeRoute route = parse_runtime_route(request.method, request.path);
  if (route.kind == RuntimeRoute::Kind::Unknown) {
    return runtime_api_error(404, "UnknownOperation", "Unknown path " + request.path);
  }
  if (!route.method_allowed) {
    return runtime_api_error(405, "MethodNotAllowed",
                             "Method " + request.method + " is not allowed on " + request.path);
  }
  switch (route.kind) {
    case RuntimeRoute::Kind::Next: return next();
    case RuntimeRoute::Kind::Response:
    case RuntimeRoute::Kind::Error:
      return post_result(route.request_id, request, route.kind == RuntimeRoute::Kind::Error);
    default: break;
  }
  std::lock_guard lock(mutex_);
  if (initialised_) {
    return runtime_api_error(403, "InvalidStateTransition",
                             "State transition from Ready to InitError failed for runtime. "
                             "Error: Runtime is already initialized");
  }
  init_error_ =
      request.body.empty()
          ? function_error_payload(
                request.header("Lambda-Runtime-Function-Error-Type").value_or("Runtime.Unknown"),
                "")
          : request.body;
  cv_.notify_all();
  return HttpResponse{202, {{"Content-Type", "application/json"}}, "{\"status\":\"OK\"}"};
}

HttpResponse Instance::next() {
  std::unique_lock lock(mutex_);
  if (!initialised_) {
    init_duration_ms_ =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - spawned_at_)
            .count();
  }
  initialised_ = true;
  cv_.wait(lock, [&] { return pending_.has_value() || stopping_; });
  if (stopping_) {
    return runtime_api_error(500, "Runtime.ExitError",
                             "The execution environment is shutting down");
  }
  Invocation invocation = std::move(*pending_);
  pending_.reset();
  current_id_ = invocation.request_id;
  dispatched_at_ = std::chrono::steady_clock::now();
  deadline_ms_ = awsproto::Clock::now_ms() + spec_.timeout_seconds * 1000LL;
  // The timeout is enforced on the plane's clock, but the runtime compares the deadline with
  // its own (system) clock, which knows nothing of the plane's offset: given in that frame, the
  // time it computes as left (context.getRemainingTimeInMillis()) is the function's timeout.
  int64_t runtime_deadline_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count() +
                                spec_.timeout_seconds * 1000LL;
  HttpResponse response{
      200,
      {{"Content-Type", "application/json"},
       {"Lambda-Runtime-Aws-Request-Id", invocation.request_id},
       {"Lambda-Runtime-Deadline-Ms", std::to_string(runtime_deadline_ms)},
       {"Lambda-Runtime-Invoked-Function-Arn", spec_.arn},
       {"Lambda-Runtime-Trace-Id", invocation.trace_id.empty() ? trace_id() : invocation.trace_id}},
      std::move(invocation.payload)};
  if (!invocation.client_context.empty()) {
    response.headers.emplace_back("Lambda-Runtime-Client-Context", invocation.client_context);
  }
  if (!invocation.cognito_identity.empty()) {
    response.headers.emplace_back("Lambda-Runtime-Cognito-Identity", invocation.cognito_identity);
  }
  return response;
}

HttpResponse Instance::post_result(const std::string& request_id, const HttpRequest& request,
                                   bool error) {
  std::lock_guard lock(mutex_);
  if (current_id_.empty() || request_id != current_id_ || result_) {
    if (!request_id.empty() && (request_id == last_id_ || request_id == current_id_)) {
      return runtime_api_error(
          403, "InvalidStateTransition",
          "State transition from " +
              std::string(error ? "InvocationErrorResponse" : "InvocationResponse") +
              " failed for runtime. Error: The response for this request "
              "was already sent");
    }
    return runtime_api_error(400, "InvalidRequestID", "Invalid request ID");
  }
  if (!error && request.body.size() > kMaxResponseBytes) {
    // The runtime is told 413 and the caller gets Function.ResponseSizeTooLarge.
    std::string limit = std::to_string(kMaxResponseBytes);
    result_ = InvocationResult{
        true, function_error_payload("Function.ResponseSizeTooLarge",
                                     "Response payload size exceeded maximum allowed payload "
                                     "size (" +
                                         limit + " bytes).")};
    cv_.notify_all();
    return runtime_api_error(413, "RequestEntityTooLarge",
                             "Exceeded maximum allowed payload size (" + limit + " bytes).");
  }
  if (error) {
    std::string body = request.body;
    if (body.empty()) {
      // Lambda builds the payload from the error-type header when the runtime sent none.
      body = function_error_payload(
          request.header("Lambda-Runtime-Function-Error-Type").value_or("Unhandled"), "");
    }
    result_ = InvocationResult{true, std::move(body)};
  } else {
    result_ = InvocationResult{false, request.body};
  }
  cv_.notify_all();
  return HttpResponse{202, {{"Content-Type", "application/json"}}, "{\"status\":\"OK\"}"};
}

}  // namespace lambda
