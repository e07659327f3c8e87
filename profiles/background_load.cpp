// BackgroundLoad: a loop of one step on its own thread (background_load.h).
#include "profiles/background_load.h"

#include <exception>

namespace hetsched::profiles {

BackgroundLoad::BackgroundLoad(std::function<void()> step) : step_(std::move(step)) {
  thread_ = std::thread([this] {
    try {
      while (!stop_.load()) {
        step_();
        steps_.fetch_add(1);
      }
    } catch (const std::exception& e) {
      error_ = e.what();
      failed_.store(true);
    }
  });
}

BackgroundLoad::~BackgroundLoad() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

void BackgroundLoad::wait_started() const {
  while (steps_.load() == 0 && !failed_.load()) std::this_thread::yield();
}

}  // namespace hetsched::profiles
