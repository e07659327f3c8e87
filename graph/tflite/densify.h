// Sparse (TACO/CSR-encoded) constant tensors of TFLite -> dense data, done once at load (DENSIFY).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hetsched {

// One traversed dimension: DENSE (dense_size) or SPARSE_CSR (segments = row pointers into
// indices, indices = the coordinates of the stored elements in this dimension).
struct SparseDimension {
  bool sparse = false;
  int dense_size = 0;
  std::vector<int> segments, indices;
};

// traversal_order is a permutation of the dense dimensions (block sparsity is not supported).
struct SparseLayout {
  std::vector<int> traversal_order;
  std::vector<int> block_map;
  std::vector<SparseDimension> dims;
};

// Scatters `values` (the stored elements, in traversal order, each `element_bytes` wide) into a
// zero-filled dense buffer of `dense_shape` (row-major). Every index, segment and count is checked:
// bad metadata throws Error(kInvalidModel) naming `tensor_name`; block sparsity throws kUnsupported.
std::vector<uint8_t> densify(const SparseLayout& layout, std::span<const int> dense_shape,
                             std::span<const uint8_t> values, size_t element_bytes, const std::string& tensor_name);

}  // namespace hetsched
