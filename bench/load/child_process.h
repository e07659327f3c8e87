// ChildProcess: a background program (stress-ng, hetsched_gpu_load) started with fork/exec in its
// own process group, its stdout read line by line with arrival times, stopped with SIGTERM to the
// whole group (SIGKILL after a grace period) at the latest when the object is destroyed.
#pragma once
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hetsched::load {

struct OutputLine {
  int64_t host_ns = 0;  // gpu::host_now_ns() clock (steady_clock) when the line arrived
  std::string text;
};

// Thread-safety: lines() may be called from any thread; stop() and destruction from the owner only.
// Not movable (the reader thread holds `this`).
class ChildProcess {
 public:
  // Starts argv[0] (searched on PATH) with argv. The child dies with this process (PR_SET_PDEATHSIG)
  // and gets its own process group, so stop() also reaches its workers. Error kInvalidArgument
  // naming the program when it cannot be executed.
  explicit ChildProcess(std::vector<std::string> argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // SIGTERM to the process group, up to `grace` for the child to exit, then SIGKILL; then reads the
  // rest of its output. Returns the wait status (as from waitpid). Idempotent.
  int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(3000));
  // Whether the child already exited (reaps it if so).
  bool exited();
  std::vector<OutputLine> lines() const;
  pid_t pid() const { return pid_; }
  const std::string& program() const { return argv_.front(); }

 private:
  void read_output(int fd);
  void terminate(std::chrono::milliseconds grace);

  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::atomic<bool> stop_reading_{false};
  mutable std::mutex mutex_;
  std::vector<OutputLine> lines_;
  std::thread reader_;
};

// "exited with 0", "killed by signal 15 (Terminated)": for messages.
std::string describe_wait_status(int status);

}  // namespace hetsched::load
