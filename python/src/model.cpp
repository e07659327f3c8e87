// hetsched._hetsched.Model: a loaded, prepared model (scheduler/model.h) and what `hetsched info`
// tells about it (inputs/outputs with dtypes, op counts, MACs per op and in total).
#include <nanobind/nanobind.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "model_handle.h"
#include "scheduler/model_summary.h"

namespace nb = nanobind;

namespace hetsched::python {
namespace {

nb::dict describe(const ModelHandle& h) {
  const Graph& g = h.model->graph();
  const OpCensus census = op_census(g);
  nb::dict j;
  j["name"] = g.model_name;
  j["path"] = h.path;
  j["inputs"] = to_python(tensors_json(g, g.inputs));
  j["outputs"] = to_python(tensors_json(g, g.outputs));
  nb::list ops;
  for (size_t i = 0; i < g.ops.size(); ++i) {
    nb::dict o;
    o["index"] = i;
    o["type"] = to_string(g.ops[i].type);
    o["macs"] = census.macs[i];
    o["output_shape"] = g.tensors[size_t(g.ops[i].outputs[0])].shape;
    ops.append(o);
  }
  j["op_counts"] = census.counts;
  j["total_macs"] = census.total_macs;
  j["ops"] = ops;
  return j;
}

}  // namespace

void bind_model(nb::module_& m) {
  nb::class_<ModelHandle>(m, "Model", "A loaded, prepared .tflite model (immutable; share it between sessions).")
      .def("__init__", &construct_without_gil<ModelHandle, const std::string&>, nb::arg("path"))
      .def_prop_ro("name", [](const ModelHandle& h) { return h.model->name(); })
      .def_prop_ro("path", [](const ModelHandle& h) { return h.path; })
      .def("describe", &describe, "inputs, outputs, op counts, MACs per op and in total, as a dict");
}

}  // namespace hetsched::python
