// A table with one entry per OpType, filled once by registration functions (the CPU and GPU kernel
// tables): each function sets the entries of its op family; the others stay value-initialized.
#pragma once
#include <array>
#include <initializer_list>

#include "graph/op.h"

namespace hetsched {

template <typename Entry>
using OpTypeTable = std::array<Entry, kOpTypeCount>;

// The table after each registration function, in order, has filled its entries (indexed by OpType).
template <typename Entry>
OpTypeTable<Entry> fill_op_type_table(std::initializer_list<void (*)(Entry* table)> registrations) {
  OpTypeTable<Entry> table{};
  for (auto registration : registrations) registration(table.data());
  return table;
}

}  // namespace hetsched
