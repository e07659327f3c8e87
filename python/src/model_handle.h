// What the Python Model object holds: the shared prepared model and the path it came from.
#pragma once
#include <memory>
#include <string>

#include "scheduler/model.h"

namespace hetsched::python {

struct ModelHandle {
  // Loads and prepares the model at `path` (errors name the file).
  explicit ModelHandle(const std::string& path) : model(Model::load(path)), path(path) {}
  std::shared_ptr<const Model> model;
  std::string path;
};

}  // namespace hetsched::python
