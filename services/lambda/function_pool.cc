#include "lambda/function_pool.h"

#include <vector>

namespace lambda {

FunctionPool::FunctionPool(FunctionSpec spec, const HostConfig& host)
    : spec_(std::move(spec)),
      host_(host),
      capacity_(spec_.reserved_concurrency.value_or(host.max_instances)) {}

FunctionPool::~FunctionPool() { shutdown(); }

void FunctionPool::shutdown() {
  std::vector<std::unique_ptr<Instance>> idle;
  {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
    idle.swap(idle_);
    for (Instance* instance : busy_) instance->terminate();
  }
  cv_.notify_all();
  idle.clear();
}

std::optional<InvocationResult> FunctionPool::invoke(const Invocation& invocation, bool throttle) {
  std::unique_ptr<Instance> instance;
  {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (shut_down_) return std::nullopt;
      // Idle instances that died meanwhile (the process exited) are dropped here.
      while (!idle_.empty() && !idle_.back()->alive()) {
        std::unique_ptr<Instance> dead = std::move(idle_.back());
        idle_.pop_back();
        lock.unlock();
        dead.reset();
        lock.lock();
      }
      if (!idle_.empty()) {
        instance = std::move(idle_.back());
        idle_.pop_back();
        ++running_;
        break;
      }
      if (running_ + static_cast<int>(idle_.size()) < capacity_) {
        ++running_;
        break;
      }
      if (throttle && spec_.reserved_concurrency) return std::nullopt;
      cv_.wait(lock);
    }
  }
  InvocationResult result;
  try {
    if (!instance) instance = std::make_unique<Instance>(spec_, host_);
    {
      std::lock_guard lock(mutex_);
      if (shut_down_) instance->terminate();
      busy_.push_back(instance.get());
    }
    result = instance->invoke(invocation);
  } catch (const std::exception& e) {
    result = InvocationResult{true, "{\"errorType\":\"Runtime.Unknown\",\"errorMessage\":\"" +
                                        std::string("RequestId: ") + invocation.request_id +
                                        " Error: could not start the runtime\"}"};
  }
  std::unique_ptr<Instance> discard;
  {
    std::lock_guard lock(mutex_);
    --running_;
    std::erase(busy_, instance.get());
    if (instance && instance->alive() && !shut_down_) {
      idle_.push_back(std::move(instance));
    } else {
      discard = std::move(instance);
    }
  }
  cv_.notify_one();
  discard.reset();  // joins the dead instance's threads outside the lock
  return result;
}

}  // namespace lambda
