// hetsched._hetsched.Session: one Session (scheduler/session.h) behind a mutex, so one session may
// be called from several Python threads (calls are serialized); the GIL is released while a model
// is prepared or runs, so sessions in different threads run at the same time.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <memory>
#include <mutex>
#include <type_traits>

#include "base/error.h"
#include "bindings.h"
#include "model_handle.h"
#include "scheduler/report_json.h"

namespace nb = nanobind;

namespace hetsched::python {
namespace {

using InputArray = nb::ndarray<const float, nb::c_contig, nb::device::cpu>;
using OutputArray = nb::ndarray<nb::numpy, float>;

class PySession {
 public:
  PySession(std::shared_ptr<const Model> model, SessionOptions options)
      : session_(std::move(model), std::move(options)) {}

  // Sets every input, runs, copies every output; the GIL is released for all of it.
  nb::list run(const std::vector<InputArray>& inputs) {
    const Model& model = session_.model();
    if (inputs.size() != model.graph().inputs.size())
      fail(ErrorKind::kInvalidArgument, "model '{}' has {} inputs, but {} were given", model.name(),
           model.graph().inputs.size(), inputs.size());
    std::vector<std::vector<float>> outputs(model.graph().outputs.size());
    {
      nb::gil_scoped_release release;
      std::lock_guard lock(mutex_);
      for (size_t i = 0; i < inputs.size(); ++i)
        session_.set_input(int(i), std::span<const float>(inputs[i].data(), inputs[i].size()));
      session_.run();
      for (size_t i = 0; i < outputs.size(); ++i) outputs[i] = session_.output(int(i));
    }
    nb::list result;
    const Graph& g = model.graph();
    for (size_t i = 0; i < outputs.size(); ++i) {
      const std::vector<int>& dims = g.tensors[size_t(g.outputs[i])].shape;
      std::vector<size_t> shape(dims.begin(), dims.end());
      // The array owns its vector through a capsule: freed when numpy drops the last reference.
      auto data = std::make_unique<std::vector<float>>(std::move(outputs[i]));
      nb::capsule owner(data.get(), [](void* p) noexcept { delete static_cast<std::vector<float>*>(p); });
      float* values = data.release()->data();
      result.append(OutputArray(values, shape.size(), shape.data(), owner).cast());
    }
    return result;
  }

  nb::dict last_report() {
    return nb::cast<nb::dict>(to_python(to_json(locked([](Session& s) { return s.last_report(); }))));
  }

  void set_profiling(bool on) {
    locked([on](Session& s) { s.set_profiling(on); });
  }

  nb::dict tuning() const { return nb::cast<nb::dict>(to_python(to_json(session_.tuning()))); }

  // The plan the session runs now, as JSON text (partition/plan.h); under adaptive `auto` it
  // changes when the controller switches, hence the lock.
  std::string plan_json() {
    return locked([](Session& s) { return s.plan_json(); });
  }

  std::string current_runner() {
    return locked([](Session& s) { return s.current_runner(); });
  }

  nb::list decisions() { return nb::cast<nb::list>(to_python(to_json(locked([](Session& s) { return s.decisions(); })))); }

  const SessionOptions& options() const { return session_.options(); }

 private:
  // Calls f(session_) with the GIL released and the session's mutex held: every call that may
  // wait on a run in another thread goes through here.
  template <typename F>
  std::invoke_result_t<F, Session&> locked(F&& f) {
    nb::gil_scoped_release release;
    std::lock_guard lock(mutex_);
    return f(session_);
  }

  std::mutex mutex_;
  Session session_;
};

}  // namespace

void bind_session(nb::module_& m) {
  nb::class_<PySession>(m, "Session", "A model prepared for a policy; run() is thread-safe (calls are serialized).")
      .def(
          "__init__",
          [](PySession* self, const ModelHandle& model, const std::string& policy, int threads,
             std::optional<int> device, const std::string& precision, bool tune) {
            construct_without_gil(self, model.model, session_options(policy, threads, device, precision, tune));
          },
          nb::arg("model"), nb::arg("policy"), nb::arg("threads"), nb::arg("device").none(), nb::arg("precision"),
          nb::arg("tune"))
      .def("run", &PySession::run, nb::arg("inputs"),
           "inputs: float32 C-contiguous arrays in model input order; returns the outputs (float32)")
      .def("last_report", &PySession::last_report, "{'total_ms': float, 'steps': [dict per step part]}")
      .def("set_profiling", &PySession::set_profiling, nb::arg("on"))
      .def("tuning", &PySession::tuning)
      .def("plan_json", &PySession::plan_json)
      .def("current_runner", &PySession::current_runner)
      .def("decisions", &PySession::decisions)
      .def_prop_ro("policy", [](const PySession& s) { return s.options().policy.text; })
      .def_prop_ro("threads", [](const PySession& s) { return s.options().threads; })
      .def_prop_ro("precision", [](const PySession& s) { return std::string(to_string(s.options().precision)); });
}

}  // namespace hetsched::python
