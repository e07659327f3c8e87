// What the `auto` controller knows of other processes' load on the processors it is not using:
// the share of the CPU's cores busy with other processes (/proc/stat minus this process), and the
// submit-to-completion time of a tiny GPU probe (a fill of its own small buffer, timestamped,
// submitted between runs and read back at a later run without waiting, so no run ever stalls on it).
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>

namespace hetsched {

namespace gpu {
class VulkanDevice;
}  // namespace gpu

// Share of all cores (0..1) busy with other processes since the previous read(); nullopt on the
// first call or where /proc cannot be read (not Linux).
class CpuLoadSensor {
 public:
  std::optional<double> read();

 private:
  bool have_ = false;
  uint64_t total_ = 0, busy_ = 0, self_ = 0;
};

// Thread-safety: used by the session's thread only.
class GpuProbe {
 public:
  // Records a fill of kProbeFloats floats of the probe's own buffer (gpu/shaders/fill_range.comp)
  // between two timestamps. It shares nothing with the executors, so a run never waits for a probe
  // in flight: the two queue up together behind another process's work. (Until 2026-12-07 the probe
  // was one op of the model's GPU executor and every GPU run first waited on the host for the probe
  // in flight: behind a busy GPU that wait was a queueing delay of its own, and on the GPU runner
  // auto ran 2-9% slower than static auto, one doubly-delayed run per 25 ms probe interval; see
  // bench/results/load_h100_2026-12-07/README.md.) Throws when the device has no timestamps (then
  // the session runs without a GPU reading).
  explicit GpuProbe(const gpu::VulkanDevice& device);
  ~GpuProbe();
  GpuProbe(const GpuProbe&) = delete;
  GpuProbe& operator=(const GpuProbe&) = delete;

  // Submits a probe unless one is in flight. Never waits.
  void submit();
  // When a probe completed since the last call: its submit-to-completion ms (the slowest of the
  // last 3 completed probes: one that landed in a gap of a duty-cycled load must not read as the
  // load's end); else nullopt, and for the first probe (a warm-up).
  std::optional<double> poll();
  // Drops the completed probes' history (the last 3 of poll()) and the probe in flight: readings
  // of probes submitted from here on only.
  void forget() {
    recent_.clear();
    completed_ = in_flight_ ? 0 : 1;  // a probe in flight completes as a discarded warm-up
  }
  // Waits for a probe in flight (before the probe goes).
  void drain();
  bool in_flight() const { return in_flight_; }
  // The GPU time of the last completed probe's fill alone (for the probe interval on slow devices).
  double last_exec_ms() const { return last_exec_ms_; }
  // How often the GPU -> host clock offset was measured (see kRecalibrateNs).
  int calibrations() const { return calibrations_; }
  // With VK_EXT_calibrated_timestamps (a few microseconds per calibration, no GPU work) the offset
  // is measured again at a submit this long after the last one: the two clocks drift (H100 load run
  // 2026-12-06, session 11: an idle reading fell from 0.018 to 0.015 ms between 6 and 7 s of a
  // session and read 0 from 13 s on; over an hour that drift would be milliseconds, the size of the
  // loads the probe must see). Without the extension the calibration submits GPU work and waits for
  // it (behind another process's load: milliseconds), so it is not repeated.
  static constexpr int64_t kRecalibrateNs = 1'000'000'000;
  // The fill's size: 64 workgroups of 64, a few microseconds on any GPU (a model's smallest conv was
  // the probe before; its submit-to-completion time is queueing, not the work).
  static constexpr uint32_t kProbeFloats = 4096;

 private:
  struct State;
  std::unique_ptr<State> s_;
  bool in_flight_ = false;
  int64_t submit_ns_ = 0;
  double last_exec_ms_ = 0;
  std::deque<double> recent_;
  int64_t completed_ = 0;  // probes read back; the first is a warm-up and not reported
  int64_t calibrated_ns_ = 0;
  int calibrations_ = 1;
};

}  // namespace hetsched
