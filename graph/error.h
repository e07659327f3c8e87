// Forwarding header: the error type moved to base/error.h (the base library below memory/ and graph/).
// Kept only for tests/ops, tests/gpu_ops, tests/support and tests/gpu/fp16_executor_test.cpp until they
// include base/error.h themselves; new code includes base/error.h.
#pragma once
#include "base/error.h"
