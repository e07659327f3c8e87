// Forwarding header: gpu/ops/epilogue_gpu.h is now gpu/ops/epilogue.h (gpu/ops/ files carry no _gpu
// suffix). TEMPORARY, for branches written before the rename; remove once they are merged.
#pragma once
#include "gpu/ops/epilogue.h"
