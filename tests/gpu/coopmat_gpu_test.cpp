// The cooperative-matrix (tensor-core) conv/FC kernels (gpu/ops/conv2d_coopmat.h) vs the float64
// reference: CONV_2D 1x1 and kxk (stride, dilation, SAME/VALID), FULLY_CONNECTED, TRANSPOSE_CONV and fused
// epilogues, with fp32 storage (precision mixed) and fp16 storage, on whole, empty and partial
// slice x row ranges over poisoned buffers. They run only on a device that reports
// VK_NV_cooperative_matrix's 16x16x16 fp16 shape (the GPU machine; bench/coopmat_device.sh) and
// skip elsewhere. On any device the packing is checked on the host, and a device asked for
// cooperative matrices that has none (lavapipe) must build the fallback kernels and match.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "gpu/ops/conv2d_coopmat.h"
#include "tests/support/epilogue_cases.h"
#include "tests/support/general_op_harness.h"
#include "tests/support/gpu_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

// float16 operands (11-bit mantissas) with float32 accumulators: within the fp16 storage bound.
constexpr double kCoopMatMaxRelL2 = test::kGpuFp16MaxRelL2;

// The process's device created with cooperative matrices (fp16 storage or not; real, or emulated by
// conv2d_coopmat_emulated.comp); nullptr with the reason when there is no device or, for the real
// ones, no cooperative matrices on it.
struct CoopMatDeviceSlot {
  bool tried = false;
  std::unique_ptr<gpu::VulkanDevice> device;
  std::string reason;
};
CoopMatDeviceSlot coopmat_slots[4];

// The devices go when the tests end, inside RUN_ALL_TESTS, not among the static destructors at exit:
// there, with four devices alive, the NVIDIA driver crashed the process after every test had passed
// (SIGSEGV, exit 139, H100 2026-12-06).
class CoopMatDevicesTeardown : public ::testing::Environment {
 public:
  void TearDown() override {
    for (auto& s : coopmat_slots) s.device.reset();
  }
};
[[maybe_unused]] ::testing::Environment* const coopmat_devices_teardown =
    ::testing::AddGlobalTestEnvironment(new CoopMatDevicesTeardown);

gpu::VulkanDevice* coopmat_device(bool fp16, bool emulate, std::string* why) {
  CoopMatDeviceSlot& s = coopmat_slots[(fp16 ? 1 : 0) + (emulate ? 2 : 0)];
  if (!s.tried) {
    s.tried = true;
    try {
      s.device = std::make_unique<gpu::VulkanDevice>(
          gpu::DeviceOptions{.fp16 = fp16, .cooperative_matrix = true, .coopmat_emulate = emulate});
      if (!s.device->coopmat_enabled()) {
        s.reason = s.device->describe() + (emulate ? " lacks shaderFloat16 (the emulated kernels need it)"
                                                   : " offers no usable VK_NV_cooperative_matrix (or HETSCHED_NO_COOPMAT is set)");
        s.device.reset();
      }
    } catch (const Error& e) {
      s.reason = e.what();
    }
  }
  if (why) *why = s.reason;
  return s.device.get();
}

// The size that runs a conv-like op's tensor-core kernel with `tile` (gpu/ops/tensor_core_choice.h:
// kernel 1; without a size the op's shader runs, as before tuning).
gpu::WorkgroupSize tensor_cores(const gpu::VulkanDevice& device, const gpu::CoopMatTile& tile = {}) {
  gpu::WorkgroupSize w = tile.workgroup(std::max(device.info().subgroup_size, 8u));
  w.kernel = 1;
  return w;
}

// Checks op 0 of `graph` on `device` (whole, empty, partial ranges; poisoned output) and that the
// kernel built was a cooperative-matrix one when `expect_coopmat`.
test::OpCheck check_on(gpu::VulkanDevice& device, Graph& graph, std::mt19937_64& rng, bool expect_coopmat,
                       double max_rel_l2 = kCoopMatMaxRelL2, test::OpCheckOptions options = {},
                       const std::optional<gpu::WorkgroupSize>& tile = std::nullopt) {
  infer_shapes(graph);
  const Op& op = graph.ops.at(size_t(options.op_index));
  const int before = gpu::coopmat_kernels_created();
  test::GpuOpRunner runner(device, graph, op, tile);
  EXPECT_EQ(gpu::coopmat_kernels_created() - before, expect_coopmat ? 1 : 0)
      << (expect_coopmat ? "the fallback kernel was built on a device with cooperative matrices"
                         : "a cooperative-matrix kernel was built on a device without them");
  // Tensor-core products of one element may depend on its place in a tile: partial ranges are
  // compared within the tolerance, not bit for bit.
  options.partial_bit_exact = false;
  // float16 operands: the fp16 max-abs floor, as for every fp16 op check (a 3x3 conv with 6 outputs
  // that cancel gave relative L2 5.5e-3 at max-abs 2e-4; CI, lavapipe, seed 10965746164320456283).
  options.abs_floor = std::max(options.abs_floor, test::abs_floor(graph, op, test::Executor::kGpuFp16));
  options.partial_ranges = 4;
  const test::DeviceRun run{"GPU coopmat (" + device.describe() + ")",
                            [&](std::span<const cpu::ConstView> in, const cpu::MutableView& out, const OutputRange& r) {
                              runner.run(in, out, r);
                            },
                            max_rel_l2, true};
  return test::check_op_with(graph, rng, options, std::span<const test::DeviceRun>(&run, 1));
}

// A random CONV_2D case (1x1 or kxk), FULLY_CONNECTED or TRANSPOSE_CONV case, awkward sizes, sometimes wide.
void build_case(test::GraphBuilder& g, std::mt19937_64& rng, int i, std::string& what) {
  if (i % 5 == 4) {  // TRANSPOSE_CONV, TFLite's natural output size (SAME in*s, VALID (in-1)*s + k)
    const int batch = pick(rng, {1, 2}), h = test::uniform_int(rng, 1, 9), w = test::uniform_int(rng, 1, 9);
    const int ic = pick(rng, {3, 16, 33}), oc = pick(rng, {5, 16, 40});
    const int k = pick(rng, {2, 3, 4});
    TransposeConvAttributes a;
    a.stride_h = a.stride_w = pick(rng, {1, 2});
    a.padding = pick(rng, {Padding::kSame, Padding::kValid});
    a.out_h = a.padding == Padding::kSame ? h * a.stride_h : (h - 1) * a.stride_h + k;
    a.out_w = a.padding == Padding::kSame ? w * a.stride_w : (w - 1) * a.stride_w + k;
    a.out_c = oc;
    a.activation = pick(rng, {Activation::kNone, Activation::kRelu});
    const int x = g.input("x", {batch, h, w, ic});
    g.add_op(OpType::kTransposeConv, {x, g.random_constant(rng, "w", {oc, k, k, ic}), g.random_constant(rng, "b", {oc})},
             a);
    what = fmt::format("TRANSPOSE_CONV in [{},{},{},{}] w [{},{},{},{}] stride {} {}", batch, h, w, ic, oc, k, k, ic,
                       a.stride_h, a.padding == Padding::kSame ? "SAME" : "VALID");
    return;
  }
  if (i % 5 == 3) {  // FULLY_CONNECTED on a flat input
    const int batch = pick(rng, {1, 2, 3}), in = pick(rng, {5, 16, 70, 257}), out = pick(rng, {3, 17, 64, 130});
    FullyConnectedAttributes a;
    a.activation = pick(rng, {Activation::kNone, Activation::kRelu});
    const int x = g.input("x", {batch, in});
    g.add_op(OpType::kFullyConnected, {x, g.random_constant(rng, "w", {out, in}), g.random_constant(rng, "b", {out})},
             a);
    what = fmt::format("FC [{},{}] -> {}", batch, in, out);
    return;
  }
  const bool pointwise = i % 5 < 2;
  const int batch = pick(rng, {1, 1, 2}), h = test::uniform_int(rng, 1, 19), w = test::uniform_int(rng, 1, 19);
  const int ic = pick(rng, {1, 3, 13, 32, 40, 67}), oc = pick(rng, {1, 5, 16, 33, 64, 70});
  const int k = pointwise ? 1 : pick(rng, {3, 5});
  Conv2DAttributes a;
  a.stride_h = a.stride_w = pointwise ? 1 : pick(rng, {1, 2});
  a.dilation_h = a.dilation_w = pointwise ? 1 : pick(rng, {1, 1, 2});
  a.padding = pointwise || (k - 1) * a.dilation_h + 1 > std::min(h, w) ? Padding::kSame : pick(rng, {Padding::kSame, Padding::kValid});
  a.activation = pick(rng, {Activation::kNone, Activation::kRelu6, Activation::kSigmoid});
  const int x = g.input("x", {batch, h, w, ic});
  g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w", {oc, k, k, ic}), g.random_constant(rng, "b", {oc})}, a);
  what = fmt::format("CONV_2D in [{},{},{},{}] w [{},{},{},{}] stride {} dilation {} {} {}", batch, h, w, ic, oc, k, k,
                     ic, a.stride_h, a.dilation_h, a.padding == Padding::kSame ? "SAME" : "VALID",
                     to_string(a.activation));
}

void random_cases(bool fp16, bool emulate, int cases) {
  std::string why;
  gpu::VulkanDevice* device = coopmat_device(fp16, emulate, &why);
  if (!device) GTEST_SKIP() << why;
  auto rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  // Every case with one of the tuned tiles in turn (quarters of 64x64 to 32x32, whole tiles with
  // 2-8 K groups), as tuning may pick.
  // Every 11th case runs the op's shader instead, the other implementation of the same kernel.
  const uint32_t subgroup = std::max(device->info().subgroup_size, 8u);
  std::vector<std::optional<gpu::WorkgroupSize>> tiles;
  for (const gpu::CoopMatTile& t : gpu::coopmat_tile_candidates(subgroup, device->info().max_shared_memory_bytes,
                                                                device->info().max_workgroup_invocations))
    tiles.push_back(tensor_cores(*device, t));
  ASSERT_GE(tiles.size(), 8u) << "the device allows too few cooperative-matrix tiles";
  tiles.push_back(std::nullopt);
  for (int i = 0; i < cases; ++i) {
    test::GraphBuilder g("coopmat_random");
    std::string what;
    build_case(g, rng, i, what);
    const std::optional<gpu::WorkgroupSize> tile = tiles[size_t(i) % tiles.size()];
    SCOPED_TRACE(tile ? fmt::format("{}; tile {}x{} matrices per subgroup, {} subgroups x {} K groups", what,
                                    tile->block_x, tile->block_s, tile->x / subgroup, tile->y)
                      : what + "; the shader");
    summary.add(check_on(*device, g.graph(), rng, true, kCoopMatMaxRelL2, {}, tile));
    if (::testing::Test::HasFailure()) break;
  }
  fmt::print("cooperative-matrix conv/FC/transpose conv ({}{}): {}\n", fp16 ? "fp16" : "mixed",
             emulate ? ", emulated" : "", summary.to_string());
}

// Adds a SAME-padded 3x3 CONV_2D with random weights and bias from input "x" of shape `in` to
// `out_c` channels.
void add_same_conv3x3(test::GraphBuilder& g, std::mt19937_64& rng, const std::vector<int>& in, int out_c) {
  Conv2DAttributes a;
  a.padding = Padding::kSame;
  const int x = g.input("x", in);
  g.add_op(OpType::kConv2D,
           {x, g.random_constant(rng, "w", {out_c, 3, 3, in[3]}), g.random_constant(rng, "b", {out_c})}, a);
}

// A deep reduction (3x3x256 = 2304 products) over several pixel and slice tiles: float32
// accumulators keep float16 operands in bound.
void deep_reduction(bool emulate) {
  std::string why;
  gpu::VulkanDevice* device = coopmat_device(false, emulate, &why);
  if (!device) GTEST_SKIP() << why;
  auto rng = test::rng_for_current_test();
  test::GraphBuilder g("coopmat_deep");
  add_same_conv3x3(g, rng, {1, 9, 70, 256}, 72);  // 630 pixels: several pixel tiles
  // The default tile (a 16-deep K step, 144 of them) and a whole 16 x 32 tile with 8 K groups
  // (128-deep steps whose 8 partial sums the tree adds).
  for (const gpu::CoopMatTile& tile : {gpu::CoopMatTile{}, gpu::CoopMatTile{1, 8, 1, 2}}) {
    SCOPED_TRACE(fmt::format("{} K groups", tile.sg_k));
    const test::OpCheck r = check_on(*device, g.graph(), rng, true, kCoopMatMaxRelL2, {}, tensor_cores(*device, tile));
    fmt::print("CONV_2D 3x3x256 cooperative matrix{}, {} K groups: relative L2 {:.3g}\n", emulate ? " (emulated)" : "",
               tile.sg_k, r.rel_l2);
    // float16 operands cannot be as exact as float32 (~1e-7): an error this small means fp32 ran.
    EXPECT_GT(r.rel_l2, 1e-6) << "results as exact as fp32: are the float16 operands in use?";
  }
}

// Epilogues (bias, activations, residual operands) applied at the cooperative kernel's store.
void epilogues(bool emulate) {
  std::string why;
  gpu::VulkanDevice* device = coopmat_device(false, emulate, &why);
  if (!device) GTEST_SKIP() << why;
  auto rng = test::rng_for_current_test();
  int checked = 0;
  for (int i = 0; checked < 10 && i < 80; ++i) {
    test::EpilogueCase c = test::make_epilogue_case(rng, i);
    const OpType t = c.builder.graph().ops.at(0).type;
    if (t != OpType::kConv2D && t != OpType::kFullyConnected && t != OpType::kTransposeConv) continue;
    infer_shapes(c.builder.graph());
    const Shape4 in = c.builder.graph().tensors[size_t(c.builder.graph().ops[0].inputs[0])].shape4();
    const bool coopmat = t != OpType::kFullyConnected || (in.h == 1 && in.w == 1);
    SCOPED_TRACE(c.description);
    check_on(*device, c.builder.graph(), rng, coopmat, kCoopMatMaxRelL2, {},
             coopmat ? std::optional(tensor_cores(*device)) : std::nullopt);
    ++checked;
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(checked, 0);
}

// On a device with cooperative matrices (the GPU machine; skipped elsewhere).
TEST(CoopMatGpu, MixedRandomCases) { random_cases(false, false, 30); }
TEST(CoopMatGpu, Fp16RandomCases) { random_cases(true, false, 20); }
TEST(CoopMatGpu, DeepReduction) { deep_reduction(false); }
TEST(CoopMatGpu, Epilogues) { epilogues(false); }
// The same bodies through the emulated shader, on any device with shaderFloat16 (lavapipe too).
// 16 mixed cases, not 30: on lavapipe the 30 took 21 s in Release and 52 s under ASan of a CI
// budget near its limit; every run draws fresh cases (seed printed), so the runs add up.
TEST(CoopMatGpu, EmulatedMixedRandomCases) { random_cases(false, true, 16); }
TEST(CoopMatGpu, EmulatedFp16RandomCases) { random_cases(true, true, 12); }
TEST(CoopMatGpu, EmulatedDeepReduction) { deep_reduction(true); }
TEST(CoopMatGpu, EmulatedEpilogues) { epilogues(true); }

// A conv where tensor cores are enabled holds both implementations: tuning's candidates are the
// shader's (the one in use first) and the tensor cores' tiles, and the cache key names both.
TEST(CoopMatGpu, ChoiceOffersBothKernels) {
  std::string why;
  gpu::VulkanDevice* device = coopmat_device(false, true, &why);
  if (!device) GTEST_SKIP() << why;
  auto rng = test::rng_for_current_test();
  test::GraphBuilder g("coopmat_choice");
  add_same_conv3x3(g, rng, {1, 14, 14, 64}, 64);
  infer_shapes(g.graph());
  const auto kernel = gpu::create_gpu_kernel(gpu::GpuKernelContext{*device, nullptr}, g.graph(), g.graph().ops[0]);
  EXPECT_EQ(kernel->tuning_key().rfind("choice[conv2d", 0), 0u) << kernel->tuning_key();
  EXPECT_EQ(kernel->descriptor_sets(), 2u);
  const std::vector<gpu::WorkgroupSize> c = kernel->workgroup_candidates(device->info());
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(c[0].kernel, 0u) << "untuned, the shader runs";
  const auto tensor_core_sizes = std::count_if(c.begin(), c.end(), [](const auto& w) { return w.kernel == 1; });
  EXPECT_GE(tensor_core_sizes, 8) << "the tensor cores' tiles are candidates";
  EXPECT_LT(tensor_core_sizes, std::ssize(c)) << "so are the shader's sizes";
  EXPECT_FALSE(kernel->on_tensor_cores());
  const auto tensor_core_size = std::find_if(c.begin(), c.end(), [](const auto& w) { return w.kernel == 1; });
  kernel->set_workgroup(gpu::GpuKernelContext{*device, nullptr}, *tensor_core_size);
  EXPECT_TRUE(kernel->on_tensor_cores()) << "a tensor-core size runs the tensor-core kernel";
  kernel->set_workgroup(gpu::GpuKernelContext{*device, nullptr}, c[0]);
  EXPECT_FALSE(kernel->on_tensor_cores()) << "and the shader's size the shader";
  // Every candidate has a pipeline to precompile, from the kernel it belongs to.
  for (const gpu::WorkgroupSize& w : c) {
    const auto desc = kernel->candidate_pipeline(w);
    ASSERT_TRUE(desc.has_value());
    EXPECT_EQ(desc->shader.rfind(w.kernel == 1 ? "conv2d_coopmat" : "conv2d", 0), 0u) << desc->shader;
  }
}

// Everywhere: a device asked for cooperative matrices that has none keeps the fallback kernels
// (exact fp32 results, no cooperative kernel built).
TEST(CoopMatGpu, FallbackWithoutCooperativeMatrices) {
  HETSCHED_SKIP_WITHOUT_GPU();
  std::unique_ptr<gpu::VulkanDevice> device;
  try {
    device = std::make_unique<gpu::VulkanDevice>(gpu::DeviceOptions{.cooperative_matrix = true, .coopmat_emulate = false});
  } catch (const Error& e) {
    GTEST_SKIP() << e.what();
  }
  if (device->coopmat_enabled()) GTEST_SKIP() << device->describe() << " has cooperative matrices: see the other tests";
  auto rng = test::rng_for_current_test();
  for (int i = 0; i < 5; ++i) {
    test::GraphBuilder g("coopmat_fallback");
    std::string what;
    build_case(g, rng, i, what);
    SCOPED_TRACE(what);
    check_on(*device, g.graph(), rng, false, test::kGpuDefaultMaxRelL2);
    if (HasFailure()) break;
  }
}

// Host packing: B's element (k, o) is w[o, ky, kx, i] with k = ((ky * KW + kx) * IS + i/4) * 4 + i%4,
// rows padded to a multiple of 16, zeros elsewhere.
TEST(CoopMatGpu, WeightPacking) {
  const int O = 6, KH = 2, KW = 3, I = 5;  // IS = 2, OS = 2, kslices = 12 -> 48 rows
  std::vector<float> w(size_t(O) * KH * KW * I);
  for (size_t j = 0; j < w.size(); ++j) w[j] = float(j + 1);
  const std::vector<float> p = gpu::pack_coopmat_weights(w, O, KH, KW, I);
  ASSERT_EQ(p.size(), size_t(48) * 2 * 4);
  size_t nonzero = 0;
  for (float v : p) nonzero += v != 0.0f;
  EXPECT_EQ(nonzero, w.size());
  for (int o = 0; o < O; ++o)
    for (int ky = 0; ky < KH; ++ky)
      for (int kx = 0; kx < KW; ++kx)
        for (int i = 0; i < I; ++i) {
          const size_t k = size_t(((ky * KW + kx) * 2 + i / 4) * 4 + i % 4);
          EXPECT_EQ(p[(k * 2 + size_t(o / 4)) * 4 + size_t(o % 4)], w[((size_t(o) * KH + ky) * KW + kx) * I + i])
              << "o " << o << " ky " << ky << " kx " << kx << " i " << i;
        }
  // Rows past the 12 slices x 4 lanes = 48 are none here; with I = 4, KH = KW = 1 one slice pads to 16 rows.
  EXPECT_EQ(gpu::pack_coopmat_weights(std::vector<float>(4, 1.0f), 1, 1, 1, 4).size(), size_t(16) * 1 * 4);
}

// Dispatch geometry: 64-pixel tiles over batch x rows x width of the range, 16-slice tiles (the
// default tile), and the smaller tuned tiles.
TEST(CoopMatGpu, DispatchGroups) {
  const Shape4 out{2, 10, 7, 70};  // 18 slices
  using gpu::CoopMatTile;
  EXPECT_EQ(gpu::coopmat_conv_groups(out, OutputRange::whole(out)), (std::array<uint32_t, 3>{3, 2, 1}));  // 140 px
  EXPECT_EQ(gpu::coopmat_conv_groups(out, OutputRange{3, 4, 2, 3}), (std::array<uint32_t, 3>{1, 1, 1}));
  EXPECT_EQ(gpu::coopmat_conv_groups(out, OutputRange{0, 17, 0, 5}), (std::array<uint32_t, 3>{2, 2, 1}));  // 70 px
  EXPECT_EQ(gpu::coopmat_conv_groups(out, OutputRange{0, 17, 0, 5}, CoopMatTile{2, 1, 1, 1}),
            (std::array<uint32_t, 3>{3, 3, 1}));
  EXPECT_EQ(gpu::coopmat_conv_groups(out, OutputRange::whole(out), CoopMatTile{2, 1, 1, 2}),
            (std::array<uint32_t, 3>{5, 2, 1}));
  // A whole 16 x 32 tile per subgroup with 8 K groups: 16 pixels x 8 slices a group.
  EXPECT_EQ(gpu::coopmat_conv_groups(out, OutputRange::whole(out), CoopMatTile{1, 8, 1, 2}),
            (std::array<uint32_t, 3>{9, 3, 1}));
  const auto tiles = gpu::coopmat_tile_candidates(32, 48 * 1024, 1024);
  ASSERT_EQ(tiles.size(), 10u);
  EXPECT_EQ(tiles[0], (CoopMatTile{2, 1, 2, 2}));  // the shader's default first
  for (const CoopMatTile& t : tiles) {
    EXPECT_LE(t.shared_bytes(), 48u * 1024) << t.grid << " " << t.sg_k;
    EXPECT_EQ(CoopMatTile::from_workgroup(t.workgroup(32), 32), t);
  }
  // The 32 x 32 tile with 8 K groups: A 32 x 136, B 128 x 40 float16, 4 slots of 32 x 36 floats.
  EXPECT_EQ((CoopMatTile{1, 8, 2, 2}.shared_bytes()), 32u * 136 * 2 + 128 * 40 * 2 + 4 * 32 * 36 * 4);
  EXPECT_EQ(gpu::coopmat_tile_candidates(32, 8 * 1024, 1024).size(), 1u) << "only the 32 x 32 quarters fit 8 KiB";
  EXPECT_FALSE(CoopMatTile::from_workgroup(gpu::WorkgroupSize{64, 1, 1, 2, 2}, 32)) << "2 subgroups: no grid";
  EXPECT_FALSE(CoopMatTile::from_workgroup(gpu::WorkgroupSize{32, 3, 1, 2, 2}, 32)) << "3 K groups";
}

}  // namespace
}  // namespace hetsched
