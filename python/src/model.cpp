// hetsched._hetsched.Model: a loaded, prepared model (scheduler/model.h) and what `hetsched info`
// tells about it (inputs/outputs with dtypes, op counts, MACs per op and in total).
#include <nanobind/nanobind.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <map>

#include "bindings.h"
#include "graph/op_registry.h"
#include "model_handle.h"

namespace nb = nanobind;

namespace hetsched::python {
namespace {

nb::list tensor_list(const Graph& g, const std::vector<int>& ids) {
  nb::list out;
  for (int id : ids) {
    const Tensor& t = g.tensors[size_t(id)];
    nb::dict d;
    d["name"] = t.name;
    d["shape"] = t.shape;
    d["dtype"] = to_string(t.dtype);
    out.append(d);
  }
  return out;
}

nb::dict describe(const ModelHandle& h) {
  const Graph& g = h.model->graph();
  nb::dict j;
  j["name"] = g.model_name;
  j["path"] = h.path;
  j["inputs"] = tensor_list(g, g.inputs);
  j["outputs"] = tensor_list(g, g.outputs);
  std::map<std::string, int> counts;
  int64_t total = 0;
  nb::list ops;
  for (size_t i = 0; i < g.ops.size(); ++i) {
    const Op& op = g.ops[i];
    const OpDescriptor& d = describe_op(op.type);
    const int64_t macs = d.macs ? d.macs(g, op) : 0;
    total += macs;
    counts[to_string(op.type)]++;
    nb::dict o;
    o["index"] = i;
    o["type"] = to_string(op.type);
    o["macs"] = macs;
    o["output_shape"] = g.tensors[size_t(op.outputs[0])].shape;
    ops.append(o);
  }
  nb::dict c;
  for (const auto& [type, n] : counts) c[type.c_str()] = n;
  j["op_counts"] = c;
  j["total_macs"] = total;
  j["ops"] = ops;
  return j;
}

}  // namespace

void bind_model(nb::module_& m) {
  nb::class_<ModelHandle>(m, "Model", "A loaded, prepared .tflite model (immutable; share it between sessions).")
      .def(
          "__init__",
          [](ModelHandle* self, const std::string& path) {
            std::shared_ptr<const Model> model;
            {
              nb::gil_scoped_release release;
              model = Model::load(path);
            }
            new (self) ModelHandle{std::move(model), path};
          },
          nb::arg("path"))
      .def_prop_ro("name", [](const ModelHandle& h) { return h.model->name(); })
      .def_prop_ro("path", [](const ModelHandle& h) { return h.path; })
      .def("describe", &describe, "inputs, outputs, op counts, MACs per op and in total, as a dict");
}

}  // namespace hetsched::python
