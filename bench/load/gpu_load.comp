// Busy loop for hetsched_gpu_load: every invocation runs `iterations` rounds of 16 dependent-chain
// FMAs (two vec4 chains) and writes one float, so the compiler cannot drop the loop. The host sizes
// `iterations` so that one dispatch takes about --dispatch-ms on the device at hand.
#version 450
layout(local_size_x = 128) in;
layout(std430, set = 0, binding = 0) writeonly buffer Sink { float sink[]; };
layout(push_constant) uniform Push {
  uint iterations;
  float seed;
} pc;

void main() {
  const uint gid = gl_GlobalInvocationID.x;
  vec4 a = vec4(float(gid & 255u) * 1e-3 + pc.seed) + vec4(0.0, 0.25, 0.5, 0.75);
  vec4 b = a * 0.5;
  for (uint i = 0u; i < pc.iterations; ++i) {
    a = a * 0.999 + 0.001;
    b = b * 1.001 - 0.001;
    a = a * 1.0001 - 0.0001;
    b = b * 0.9999 + 0.0001;
  }
  sink[gid & 1023u] = dot(a, b);
}
