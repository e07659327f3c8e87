// ChildProcess: fork/exec with a close-on-exec error pipe (so an exec failure is reported by the
// constructor, not discovered later), the stdout reader thread, and group-wide termination.
#include "bench/load/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "base/error.h"
#include "gpu/timestamps.h"

namespace hetsched::load {

ChildProcess::ChildProcess(std::vector<std::string> argv) : argv_(std::move(argv)) {
  if (argv_.empty()) fail(ErrorKind::kInvalidArgument, "ChildProcess: empty command line");
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
    fail(ErrorKind::kResourceExhausted, "starting '{}': pipe2 failed: {}", argv_[0], std::strerror(errno));
  const pid_t parent = getpid();
  std::vector<char*> args;
  for (std::string& a : argv_) args.push_back(a.data());
  args.push_back(nullptr);
  pid_ = fork();
  if (pid_ < 0) fail(ErrorKind::kResourceExhausted, "starting '{}': fork failed: {}", argv_[0], std::strerror(errno));
  if (pid_ == 0) {
    // Child: only async-signal-safe calls until exec.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
    dup2(out[1], STDOUT_FILENO);          // dup2 clears O_CLOEXEC on the copy
    execvp(args[0], args.data());
    const int e = errno;
    (void)!write(err[1], &e, sizeof(e));
    _exit(127);
  }
  setpgid(pid_, pid_);  // also from the parent: no race with a stop() right after
  close(out[1]);
  close(err[1]);
  int child_errno = 0;
  ssize_t n;
  do n = read(err[0], &child_errno, sizeof(child_errno));
  while (n < 0 && errno == EINTR);
  close(err[0]);
  if (n == sizeof(child_errno)) {
    close(out[0]);
    waitpid(pid_, &status_, 0);
    reaped_ = true;
    fail(ErrorKind::kInvalidArgument, "cannot execute '{}': {}", argv_[0], std::strerror(child_errno));
  }
  reader_ = std::thread([this, fd = out[0]] { read_output(fd); });
}

ChildProcess::~ChildProcess() { stop(); }

void ChildProcess::read_output(int fd) {
  std::string pending;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    const int r = poll(&p, 1, 100);
    if (r < 0 && errno != EINTR) break;
    if (r <= 0) {
      if (stop_reading_) break;  // a grandchild may hold the pipe open: do not wait forever
      continue;
    }
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    const int64_t now = gpu::host_now_ns();
    pending.append(buf, size_t(n));
    for (size_t pos; (pos = pending.find('\n')) != std::string::npos; pending.erase(0, pos + 1)) {
      std::lock_guard lock(mutex_);
      lines_.push_back({now, pending.substr(0, pos)});
    }
  }
  close(fd);
}

bool ChildProcess::exited() {
  if (reaped_) return true;
  if (waitpid(pid_, &status_, WNOHANG) == pid_) reaped_ = true;
  return reaped_;
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ > 0 && !reaped_) terminate(grace);
  // Every writer of the pipe is gone now: the reader drains what is left and sees EOF (or, should
  // something outside the group hold the pipe, gives up after 100 ms without data).
  stop_reading_ = true;
  if (reader_.joinable()) reader_.join();
  return status_;
}

void ChildProcess::terminate(std::chrono::milliseconds grace) {
  kill(-pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (exited()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  kill(-pid_, SIGKILL);  // the child if it is still there, and any worker it left behind
  if (!reaped_) {
    while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
  }
}

std::vector<OutputLine> ChildProcess::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exited with " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  return "wait status " + std::to_string(status);
}

}  // namespace hetsched::load
