// Session: dispatches a run to the executor(s) the policy names and records the report.
#include "scheduler/session.h"

#include <chrono>

#include "cpu/executor.h"
#include "gpu/executor.h"
#include "graph/error.h"

namespace hetsched {

class Session::Impl {
 public:
  Impl(const Model& model, const SessionOptions& o) : graph_(model.graph()) {
    if (o.precision != "fp32")
      fail(ErrorKind::kUnsupported, "precision '{}' is not supported yet (fp32)", o.precision);
    if (o.policy == "cpu") {
      cpu_ = std::make_unique<cpu::CpuExecutor>(graph_, cpu::CpuExecutorOptions{o.threads});
    } else if (o.policy == "gpu") {
      device_ = std::make_unique<gpu::VulkanDevice>(gpu::DeviceOptions{o.device, false});
      cache_ = std::make_unique<gpu::PipelineCache>(*device_);
      gpu_ = std::make_unique<gpu::GpuExecutor>(graph_, *device_, cache_.get(), gpu::GpuExecutorOptions{});
      try {
        cache_->save();
      } catch (const Error&) {
        // The pipeline cache only speeds up the next start; a read-only home is not an error.
      }
    } else {
      fail(ErrorKind::kInvalidArgument, "unknown policy '{}' (supported: cpu, gpu)", o.policy);
    }
  }
  void set_input(int i, std::span<const float> nhwc) {
    if (i < 0 || i >= int(graph_.inputs.size()))
      fail(ErrorKind::kInvalidArgument, "model '{}' has {} inputs, not {}", graph_.model_name, graph_.inputs.size(), i + 1);
    if (cpu_) cpu_->set_input(i, nhwc);
    else gpu_->set_input(i, nhwc);
  }
  void run() {
    const auto t0 = std::chrono::steady_clock::now();
    if (cpu_) cpu_->run();
    else gpu_->run();
    report_.total_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    report_.steps.clear();
    double at = 0;
    const auto& times = cpu_ ? cpu_->op_times_ms() : gpu_->op_times_ms();
    const char* device = cpu_ ? "cpu" : "gpu";
    for (size_t i = 0; i < graph_.ops.size(); ++i) {
      report_.steps.push_back({int(i), to_string(graph_.ops[i].type), device, at, at + times[i], 0, 0});
      at += times[i];
    }
  }
  std::vector<float> output(int i) const {
    if (i < 0 || i >= int(graph_.outputs.size()))
      fail(ErrorKind::kInvalidArgument, "model '{}' has {} outputs, not {}", graph_.model_name, graph_.outputs.size(), i + 1);
    return cpu_ ? cpu_->output_nhwc(i) : gpu_->output_nhwc(i);
  }
  const RunReport& report() const { return report_; }

 private:
  const Graph& graph_;
  std::unique_ptr<cpu::CpuExecutor> cpu_;
  std::unique_ptr<gpu::VulkanDevice> device_;
  std::unique_ptr<gpu::PipelineCache> cache_;
  std::unique_ptr<gpu::GpuExecutor> gpu_;  // declared after the device: destroyed before it
  RunReport report_;
};

Session::Session(std::shared_ptr<const Model> model, SessionOptions options)
    : model_(std::move(model)), options_(std::move(options)), impl_(std::make_unique<Impl>(*model_, options_)) {}
Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
void Session::set_input(int index, std::span<const float> nhwc) { impl_->set_input(index, nhwc); }
void Session::run() { impl_->run(); }
std::vector<float> Session::output(int index) const { return impl_->output(index); }
const RunReport& Session::last_report() const { return impl_->report(); }

}  // namespace hetsched
