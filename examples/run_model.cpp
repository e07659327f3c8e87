// Example: run a .tflite model through the public API only (load, session, inputs, run, outputs,
// report). Usage: example_run_model MODEL [cpu|gpu]
#include <cstdio>
#include <random>
#include <vector>

#include "base/error.h"
#include "scheduler/random_inputs.h"
#include "scheduler/session.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODEL.tflite [policy]\n", argv[0]);
    return 2;
  }
  try {
    auto model = hetsched::Model::load(argv[1]);
    hetsched::SessionOptions options;
    if (argc > 2) options.policy = hetsched::partition::parse_policy(argv[2]);
    hetsched::Session session(model, options);

    std::mt19937 rng(42);
    hetsched::set_random_inputs(session, rng);
    session.run();
    const auto outputs = model->outputs();
    for (size_t i = 0; i < outputs.size(); ++i) {
      const std::vector<float> out = session.output(int(i));
      double sum = 0;
      for (float v : out) sum += v;
      std::printf("output %zu '%s': %zu values, mean %.6g\n", i, outputs[i].name.c_str(), out.size(),
                  out.empty() ? 0.0 : sum / double(out.size()));
    }
    const auto& report = session.last_report();
    std::printf("%zu steps, %.3f ms\n", report.steps.size(), report.total_ms);
    return 0;
  } catch (const hetsched::Error& e) {
    std::fprintf(stderr, "example_run_model: %s\n", e.what());
    return 1;
  }
}
