// Registers every op that is not conv-like (elementwise, pooling, resize, reshape, ...).
#include "graph/op_registry.h"
#include "graph/ops/concatenation.h"
#include "graph/ops/depth_to_space.h"
#include "graph/ops/elementwise.h"
#include "graph/ops/mean.h"
#include "graph/ops/pad.h"
#include "graph/ops/pool2d.h"
#include "graph/ops/reshape.h"
#include "graph/ops/resize_bilinear.h"
#include "graph/ops/softmax.h"

namespace hetsched {
void register_general_ops(std::vector<OpDescriptor>& table) {
  register_elementwise_ops(table);
  register_pool2d_ops(table);
  register_concatenation_ops(table);
  register_depth_to_space_ops(table);
  register_mean_ops(table);
  register_pad_ops(table);
  register_reshape_ops(table);
  register_resize_bilinear_ops(table);
  register_softmax_ops(table);
}
}  // namespace hetsched
