// Forwarding header: the fp16 conversions moved to base/fp16.h. Kept only for tests/ops, tests/gpu_ops,
// tests/support and tests/gpu/fp16_executor_test.cpp until they include base/fp16.h themselves.
#pragma once
#include "base/fp16.h"
