// fill_range: writes `value` into floats [begin, end) of a storage buffer and nothing else (the
// device layer's smoke-test shader). Spec constant 0: local_size_x. Push constants: begin, end, value.
#version 450

layout(local_size_x_id = 0) in;

layout(std430, set = 0, binding = 0) buffer Data { float data[]; };

layout(push_constant) uniform Push {
  uint begin;
  uint end;
  float value;
} pc;

void main() {
  const uint i = pc.begin + gl_GlobalInvocationID.x;
  if (i < pc.end) data[i] = pc.value;
}
