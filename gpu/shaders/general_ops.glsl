// Shared GLSL of the general (non-conv) shaders: the invocation -> output element mapping of the
// range convention, and lane gathers from PHWC4 vec4 arrays.
#ifndef HETSCHED_GENERAL_OPS_GLSL
#define HETSCHED_GENERAL_OPS_GLSL

// The output element (batch b, slice s, row y, column x) of this invocation for the dispatch grid
// (x: [0, out_w), y: the range's rows, z: the range's slices * out_n); false outside the range
// (the grid is rounded up to whole workgroups).
bool range_position(ivec4 range, int out_n, int out_w, out int b, out int s, out int y, out int x) {
  const int slices = range.y - range.x;
  x = int(gl_GlobalInvocationID.x);
  y = range.z + int(gl_GlobalInvocationID.y);
  b = 0;
  s = range.x;
  if (slices <= 0) return false;
  const int z = int(gl_GlobalInvocationID.z);
  b = z / slices;
  s = range.x + z - b * slices;
  return x < out_w && y < range.w && b < out_n;
}

// The NHWC coordinates (n, y, x, c) of a flat NHWC index in a tensor of shape (n, h, w, c).
ivec4 nhwc_coords(ivec4 shape_nhwc, int index) {
  int f = index;
  const int c = f % shape_nhwc.w;
  f /= shape_nhwc.w;
  const int x = f % shape_nhwc.z;
  f /= shape_nhwc.z;
  const int y = f % shape_nhwc.y;
  return ivec4(f / shape_nhwc.y, y, x, c);
}

#endif
