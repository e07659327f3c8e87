// The profiling dataset as CSV: one row per measurement (profiles/kernel_profiler.h), the kernel's
// features in readable columns and, prefixed "f_", the exact feature vector the predictors use
// (kernel_features.h), so the Python trainer never recomputes a feature. Fixed costs are rows whose
// op_type is "FIXED" and whose model column names the cost (gpu_submit_us, ..., and per copy kind
// and size copy_<kind>_<bytes>_us: FixedCosts::copies, a GPU's rows). `reused` is 1 for a row whose
// timing came from the measurement cache (profiles/measurement_cache.h), 0 for one timed now;
// `tuned` (GPU kernel rows) 1 when the kernel ran its tuned workgroup size, 0 its default, -1 otherwise;
// `fused_into` (GPU kernel rows) the op whose fused kernel computes this op (its row is empty), else
// -1, and `chain_ops` how many graph ops the row's kernel runs; `ref_us` the clock guard's reference
// reading in the row's submission (-1: none) and `clock_ok` 1 within tolerance, 0 still slow after
// the retries, -1 not guarded (Measurement, profiles/gpu_clock_guard.h). Readers of older files
// take missing columns as fused_into -1, chain_ops 1, clock_ok 1 (profiles/train/predictors.py).
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "profiles/kernel_profiler.h"

namespace hetsched::profiles {

// The header line (no newline); a file to append to must start with exactly this line.
std::string csv_header();
void write_csv_header(std::ostream& out);
void write_csv_row(std::ostream& out, const Measurement& m);
// Rows for the measured (>= 0) fixed costs: the CPU's at `threads`, the GPU's at `gpu_precision`.
void write_fixed_cost_rows(std::ostream& out, const FixedCosts& c, const std::string& cpu_device, int threads,
                           const std::string& gpu_device, const std::string& gpu_driver,
                           const std::string& gpu_precision = "fp32");
// A CSV field: quoted when it holds a comma, quote or newline.
std::string csv_field(const std::string& s);

}  // namespace hetsched::profiles
