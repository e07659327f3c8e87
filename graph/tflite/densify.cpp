// DENSIFY at load: walks the traversal levels like TFLite's FormatConverter, with every access checked.
#include "graph/tflite/densify.h"

#include <cstring>

#include "base/error.h"

namespace hetsched {
namespace {

struct Walker {
  const SparseLayout& layout;
  std::span<const int> shape;
  std::span<const uint8_t> values;
  size_t element_bytes;
  const std::string& name;
  std::vector<uint8_t>& dense;
  std::vector<int> coord;  // coordinate per traversal level
  size_t next_value = 0;
  size_t steps = 0, step_limit = 0;

  [[noreturn]] void bad(const std::string& why) const {
    fail(ErrorKind::kInvalidModel, "sparse tensor '{}': {}", name, why);
  }

  void step() {
    if (++steps > step_limit) bad("the sparsity metadata visits more entries than the tensor holds");
  }

  // `parent` is the position of the current element in the previous level (TFLite's prev_idx).
  void walk(size_t level, size_t parent) {
    step();
    if (level == layout.dims.size()) {
      size_t flat = 0;
      for (size_t d = 0; d < shape.size(); ++d) {
        int c = 0;
        for (size_t l = 0; l < layout.traversal_order.size(); ++l)
          if (size_t(layout.traversal_order[l]) == d) c = coord[l];
        flat = flat * size_t(shape[d]) + size_t(c);
      }
      if (next_value >= values.size() / element_bytes) bad("more non-zero positions than stored values");
      std::memcpy(dense.data() + flat * element_bytes, values.data() + next_value * element_bytes, element_bytes);
      ++next_value;
      return;
    }
    const SparseDimension& dim = layout.dims[level];
    const int extent = shape[size_t(layout.traversal_order[level])];
    if (!dim.sparse) {
      if (dim.dense_size != extent) bad("a dense level's size does not match the tensor shape");
      for (int i = 0; i < extent; ++i) {
        coord[level] = i;
        walk(level + 1, parent * size_t(extent) + size_t(i));
      }
      return;
    }
    if (parent + 1 >= dim.segments.size()) bad("array_segments is too short");
    const int begin = dim.segments[parent], end = dim.segments[parent + 1];
    if (begin < 0 || end < begin || size_t(end) > dim.indices.size()) bad("array_segments out of range");
    for (int i = begin; i < end; ++i) {
      const int c = dim.indices[size_t(i)];
      if (c < 0 || c >= extent) bad("array_indices out of range");
      coord[level] = c;
      walk(level + 1, size_t(i));
    }
  }
};

}  // namespace

std::vector<uint8_t> densify(const SparseLayout& layout, std::span<const int> shape, std::span<const uint8_t> values,
                             size_t element_bytes, const std::string& name) {
  if (!layout.block_map.empty())
    fail(ErrorKind::kUnsupported, "sparse tensor '{}': block sparsity is not supported", name);
  const size_t rank = shape.size();
  if (layout.traversal_order.size() != rank || layout.dims.size() != rank)
    fail(ErrorKind::kInvalidModel, "sparse tensor '{}': traversal_order/dim_metadata sizes {}/{} do not match rank {}",
         name, layout.traversal_order.size(), layout.dims.size(), rank);
  std::vector<bool> seen(rank, false);
  for (int d : layout.traversal_order) {
    if (d < 0 || size_t(d) >= rank || seen[size_t(d)])
      fail(ErrorKind::kInvalidModel, "sparse tensor '{}': traversal_order is not a permutation", name);
    seen[size_t(d)] = true;
  }
  if (element_bytes == 0 || values.size() % element_bytes != 0)
    fail(ErrorKind::kInvalidModel, "sparse tensor '{}': {} value bytes are not a whole number of elements", name,
         values.size());
  size_t elements = 1, index_entries = 0;
  for (int d : shape) elements *= size_t(d);  // dims validated (>= 0, bounded product) by the caller
  for (const SparseDimension& d : layout.dims) index_entries += d.indices.size() + d.segments.size();
  // A few stored values cannot describe a huge dense tensor (also keeps malformed files from
  // allocating gigabytes): allow at most 64 dense elements per stored value, beyond 1M elements.
  const size_t stored = values.size() / element_bytes;
  if (elements > (size_t(1) << 20) && elements / 64 > stored)
    fail(ErrorKind::kInvalidModel, "sparse tensor '{}': {} stored values cannot fill {} dense elements", name, stored,
         elements);
  std::vector<uint8_t> dense(elements * element_bytes, 0);
  Walker w{layout, shape, values, element_bytes, name, dense, std::vector<int>(rank, 0)};
  // Each visit either consumes a value, a dense coordinate or a CSR index: bound the walk.
  w.step_limit = 4 * (elements + index_entries) + 16;
  w.walk(0, 0);
  if (w.next_value != values.size() / element_bytes)
    fail(ErrorKind::kInvalidModel, "sparse tensor '{}': {} stored values, metadata addresses {}", name,
         values.size() / element_bytes, w.next_value);
  return dense;
}

}  // namespace hetsched
