// The per-op GPU test harness (see gpu_op_harness.h).
#include "tests/support/gpu_op_harness.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

#include "cpu/epilogue.h"

namespace hetsched::test {
namespace {

// The random inputs of one case, in the three forms the reference and the kernels take.
struct CaseInputs {
  std::vector<RefTensor> ref;                 // logical order, float64
  std::vector<std::vector<float>> phwc4;      // storage of the non-constant inputs
  std::vector<cpu::ConstView> views;          // data == nullptr for constant and absent inputs
};

CaseInputs make_inputs(const Graph& graph, const Op& op, const OpCheckOptions& options, std::mt19937_64& rng) {
  CaseInputs in;
  in.ref.resize(op.inputs.size());
  in.phwc4.resize(op.inputs.size());
  in.views.resize(op.inputs.size());
  for (size_t i = 0; i < op.inputs.size(); ++i) {
    if (op.inputs[i] < 0) continue;
    const Tensor& t = graph.tensors.at(size_t(op.inputs[i]));
    const Shape4 s = t.shape4();
    in.views[i].shape = s;
    if (t.is_constant) {
      in.ref[i] = constant_ref(t);
      continue;
    }
    std::vector<double> values;
    if (options.make_input) values = options.make_input(int(i), s, rng);
    if (values.empty()) {
      double lo = options.input_lo, hi = options.input_hi;
      if (i < options.input_domains.size()) std::tie(lo, hi) = options.input_domains[i];
      values = random_doubles(rng, s.elements(), lo, hi);
    }
    in.ref[i] = RefTensor{s, std::move(values)};
    in.phwc4[i] = to_phwc4(in.ref[i]);
    in.views[i].data = in.phwc4[i].data();
  }
  return in;
}

// Partial range `r` of `part` vs the whole-range result `full`: "" when they agree.
std::string compare_in_range(std::span<const float> part, std::span<const float> full, const Shape4& s,
                             const OutputRange& r, const OpCheckOptions& options, double max_rel_l2) {
  double num = 0, den = 0;
  size_t mismatches = 0;
  std::string first;
  for (int b = 0; b < s.n; ++b)
    for (int sl = r.slice_begin; sl < r.slice_end; ++sl)
      for (int y = r.row_begin; y < r.row_end; ++y)
        for (int x = 0; x < s.w; ++x)
          for (int l = 0; l < kSliceWidth; ++l) {
            const size_t o = s.offset(b, sl, y, x) + size_t(l);
            const double d = double(part[o]) - double(full[o]);
            num += d * d;
            den += double(full[o]) * double(full[o]);
            if (part[o] != full[o] && mismatches++ == 0)
              first = fmt::format("b={} slice={} y={} x={} lane={}: {} vs full {}", b, sl, y, x, l, part[o], full[o]);
          }
  if (options.partial_bit_exact) {
    if (mismatches == 0) return "";
    return fmt::format("{} values differ from the whole-range run, first at {}", mismatches, first);
  }
  const double rel = std::sqrt(num) / std::max(std::sqrt(den), 1e-30);
  if (rel < max_rel_l2) return "";
  return fmt::format("relative L2 {} vs the whole-range run, first difference at {}", rel, first);
}

}  // namespace

OpCheck check_op_with(Graph& graph, std::mt19937_64& rng, const OpCheckOptions& options,
                      std::span<const DeviceRun> devices) {
  OpCheck result;
  const Op& op = graph.ops.at(size_t(options.op_index));
  const OpDescriptor& desc = describe_op(op.type);
  const Shape4 out_shape = graph.tensors.at(size_t(op.outputs.at(0))).shape4();
  result.output_shape = out_shape;
  if (!desc.reference) {
    ADD_FAILURE() << graph.describe(op) << " has no reference kernel";
    return result;
  }

  const CaseInputs inputs = make_inputs(graph, op, options, rng);
  RefTensor expected;
  expected.shape = out_shape;
  expected.data.assign(out_shape.elements(), 0.0);
  run_reference(graph, op, inputs.ref, expected);  // applies the op's epilogue too
  if (expected.data.size() != out_shape.elements()) {
    ADD_FAILURE() << graph.describe(op) << ": reference produced " << expected.data.size() << " values, expected "
                  << out_shape.elements();
    return result;
  }

  for (const DeviceRun& dev : devices) {
    const std::string who = fmt::format("{} on {}", graph.describe(op), dev.device);
    OpCheck check;
    check.output_shape = out_shape;

    // Whole range on a poisoned buffer.
    std::vector<float> full(out_shape.phwc4_elements(), kPoison);
    const OutputRange whole = OutputRange::whole(out_shape);
    dev.run(inputs.views, cpu::MutableView{full.data(), out_shape}, whole);
    if (std::string e = check_written_range(full, out_shape, whole); !e.empty())
      ADD_FAILURE() << who << " whole range: " << e;
    if (std::string e = check_padding_lanes(full, out_shape, whole); !e.empty())
      ADD_FAILURE() << who << " whole range: " << e;
    // An empty range writes nothing.
    {
      std::vector<float> none(out_shape.phwc4_elements(), kPoison);
      const OutputRange empty{0, 0, 0, 0};
      dev.run(inputs.views, cpu::MutableView{none.data(), out_shape}, empty);
      if (std::string e = check_written_range(none, out_shape, empty); !e.empty())
        ADD_FAILURE() << who << " empty range: " << e;
    }
    const std::vector<double> got = phwc4_to_nhwc_double(full, out_shape);
    const std::vector<float> got_f(got.begin(), got.end());
    check.rel_l2 = relative_l2(got_f, expected.data);
    check.max_abs = max_abs_diff(got_f, expected.data);
    EXPECT_TRUE(check.rel_l2 < dev.max_rel_l2 || check.max_abs <= options.abs_floor)
        << who << " output " << out_shape.to_string() << ": relative L2 " << check.rel_l2 << " (tolerance "
        << dev.max_rel_l2 << "), max-abs " << check.max_abs;

    // Partial ranges on poisoned buffers.
    if (dev.partial_ranges && (desc.split_slices || desc.split_rows)) {
      for (int k = 0; k < options.partial_ranges; ++k) {
        const OutputRange r = random_range(rng, out_shape, desc.split_slices, desc.split_rows);
        check.ranges_checked.push_back(r);
        std::vector<float> part(out_shape.phwc4_elements(), kPoison);
        dev.run(inputs.views, cpu::MutableView{part.data(), out_shape}, r);
        if (std::string e = check_written_range(part, out_shape, r); !e.empty()) {
          ADD_FAILURE() << who << " " << range_str(r) << ": " << e;
          continue;
        }
        if (std::string e = check_padding_lanes(part, out_shape, r); !e.empty())
          ADD_FAILURE() << who << " " << range_str(r) << ": " << e;
        if (std::string e = compare_in_range(part, full, out_shape, r, options, dev.max_rel_l2); !e.empty())
          ADD_FAILURE() << who << " " << range_str(r) << ": " << e;
      }
    }
    log_check(op, dev.device.substr(0, dev.device.find(" (")), check.ranges_checked.size());
    result = std::move(check);
  }
  return result;
}

double gpu_max_rel_l2(const OpCheckOptions& options) {
  return options.max_rel_l2 == OpCheckOptions{}.max_rel_l2 ? kGpuDefaultMaxRelL2 : options.max_rel_l2;
}

OpCheck check_gpu_op(Graph& graph, std::mt19937_64& rng, const OpCheckOptions& options,
                     const std::optional<gpu::WorkgroupSize>& workgroup) {
  std::string why;
  gpu::VulkanDevice* device = test_gpu_device(&why);
  if (!device) {
    [&] { GTEST_SKIP() << "no Vulkan device: " << why; }();
    return {};
  }
  infer_shapes(graph);
  const Op& op = graph.ops.at(size_t(options.op_index));

  std::vector<DeviceRun> devices;
  std::unique_ptr<cpu::CpuKernel> cpu_kernel;
  const cpu::CpuEpilogue cpu_epilogue(graph, op);  // the executor applies it after the kernel, per tile
  if (cpu::find_cpu_kernel(op.type)) {
    cpu_kernel = cpu::create_cpu_kernel(graph, op);
    devices.push_back({"CPU",
                       [&](std::span<const cpu::ConstView> in, const cpu::MutableView& out, const OutputRange& r) {
                         cpu_kernel->run(in, out, r);
                         cpu_epilogue.apply(in, out, r);
                       },
                       options.max_rel_l2, false});
  }
  GpuOpRunner gpu_runner(*device, graph, op, workgroup);
  devices.push_back({"GPU (" + device->describe() + ")",
                     [&](std::span<const cpu::ConstView> in, const cpu::MutableView& out, const OutputRange& r) {
                       gpu_runner.run(in, out, r);
                     },
                     gpu_max_rel_l2(options), true});
  return check_op_with(graph, rng, options, devices);
}

OpCheck check_gpu_op_fp16(Graph& graph, std::mt19937_64& rng, const OpCheckOptions& options, double max_rel_l2,
                          const std::optional<gpu::WorkgroupSize>& workgroup) {
  std::string why;
  gpu::VulkanDevice* device = test_gpu_device_fp16(&why);
  if (!device) {
    [&] { GTEST_SKIP() << "no Vulkan device with fp16: " << why; }();
    return {};
  }
  infer_shapes(graph);
  const Op& op = graph.ops.at(size_t(options.op_index));
  GpuOpRunner gpu_runner(*device, graph, op, workgroup);
  const DeviceRun run{"GPU fp16 (" + device->describe() + ")",
                      [&](std::span<const cpu::ConstView> in, const cpu::MutableView& out, const OutputRange& r) {
                        gpu_runner.run(in, out, r);
                      },
                      max_rel_l2, true};
  return check_op_with(graph, rng, options, std::span<const DeviceRun>(&run, 1));
}

}  // namespace hetsched::test
