// Dataset CSV writer (see header). Numbers are written with enough digits to round-trip.
#include "profiles/dataset_csv.h"

#include <fmt/format.h>

#include "profiles/machine_info.h"

namespace hetsched::profiles {
namespace {
std::string shape(const Shape4& s) { return fmt::format("{}x{}x{}x{}", s.n, s.h, s.w, s.c); }
}  // namespace

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string csv_header() {
  std::string h = "model,op_index,op_type,in_shape,out_shape,kernel_h,kernel_w,stride_h,stride_w,dilation_h,dilation_w,"
         "in_channels,out_channels,groups,depthwise,macs,bytes_in,bytes_out,weight_bytes,epilogue_steps,activation,"
         "axis,fraction,slice_begin,slice_end,row_begin,row_end,processor,threads,precision,device,driver,"
         "median_us,p25_us,p75_us,n,outliers,load_avg,cpu_us,corun,reused,tuned,fused_into,chain_ops,ref_us,clock_ok,in_model";
  for (const std::string& n : feature_names()) h += ",f_" + n;
  return h;
}

void write_csv_header(std::ostream& out) { out << csv_header() << "\n"; }

void write_csv_row(std::ostream& out, const Measurement& m) {
  const KernelFeatures& f = m.features;
  out << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},"
                     "{:.4f},{:.4f},{:.4f},{},{},{:.2f},{:.4f},{},{},{},{},{},{:.4f},{},{}",
                     csv_field(m.model), m.op_index, f.op_type, shape(f.in), shape(f.out), f.kernel_h, f.kernel_w,
                     f.stride_h, f.stride_w, f.dilation_h, f.dilation_w, f.in_channels, f.out_channels, f.groups,
                     int(f.depthwise), f.macs, f.bytes_in, f.bytes_out, f.weight_bytes, f.epilogue_steps, f.activation,
                     to_string(m.axis), m.fraction, m.range.slice_begin, m.range.slice_end, m.range.row_begin,
                     m.range.row_end, m.processor, m.threads, m.precision, csv_field(m.device), csv_field(m.driver),
                     m.stats.median_us, m.stats.p25_us, m.stats.p75_us, m.stats.n, m.stats.outliers, m.load_avg,
                     m.cpu_us, m.corun, int(m.reused), m.tuned, m.fused_into, m.chain_ops, m.ref_us,
                     m.clock_ok, int(m.in_model));
  for (double v : feature_vector(f, m.axis, m.range)) out << fmt::format(",{}", v);
  out << "\n";
}

void write_fixed_cost_rows(std::ostream& out, const FixedCosts& c, const std::string& cpu_device, int threads,
                           const std::string& gpu_device, const std::string& gpu_driver,
                           const std::string& gpu_precision) {
  auto row = [&](const std::string& name, double us, const std::string& processor) {
    if (us < 0) return;
    Measurement m;
    m.model = name;
    m.features.op_type = "FIXED";
    m.processor = processor;
    m.threads = processor == "cpu" ? threads : 0;
    m.device = processor == "cpu" ? cpu_device : gpu_device;
    m.driver = processor == "cpu" ? "" : gpu_driver;
    if (processor == "gpu") m.precision = gpu_precision;
    m.stats.median_us = m.stats.p25_us = m.stats.p75_us = us;
    m.stats.n = 1;
    m.load_avg = load_average_1min();
    write_csv_row(out, m);
  };
  row("cpu_task_us", c.cpu_task_us, "cpu");
  row("gpu_submit_us", c.gpu_submit_us, "gpu");
  row("gpu_dispatch_us", c.gpu_dispatch_us, "gpu");
  row("sync_us", c.sync_us, "gpu");
  row("copy_us_per_mb", c.copy_us_per_mb, "gpu");
  for (const CopyCost& k : c.copies) row(copy_cost_name(k), k.us, "gpu");  // a GPU's memory, host_write too
}

}  // namespace hetsched::profiles
