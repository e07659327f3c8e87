// Plans carry the model's identity (graph_fingerprint) and are refused for another model, even one
// with the same op count; plan numbers are parsed strictly (5.7, 1.5 and 4294967296 used to be
// truncated or wrapped); file errors name the plan file.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "graph/graph.h"
#include "partition/plan.h"
#include "partition/policy.h"
#include "tests/support/plan_builders.h"

namespace hetsched::partition {
namespace {

// Three ADDs on [1,8,8,c] (tests/support/plan_builders.h). `c` and `name` tell models apart.
Graph adds(int c, const std::string& name = "adds") { return test::chain_of_adds(c, name); }

std::string error_of(const nlohmann::json& j, const Graph& g) {
  try {
    plan_from_json(j, g);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
    return e.what();
  }
  return "";
}

TEST(PlanIdentity, FingerprintTellsModelsApart) {
  EXPECT_EQ(graph_fingerprint(adds(8)), graph_fingerprint(adds(8)));
  EXPECT_EQ(graph_fingerprint(adds(8, "a")), graph_fingerprint(adds(8, "b")));  // the file name is not identity
  EXPECT_NE(graph_fingerprint(adds(8)), graph_fingerprint(adds(12)));
  Graph other = adds(8);
  other.ops[1].inputs = {0, 1};
  EXPECT_NE(graph_fingerprint(adds(8)), graph_fingerprint(other));
  Graph weights = adds(8);
  weights.tensors[0].is_constant = true;
  weights.tensors[0].data.assign(8 * 8 * 8 * 4, 1);
  Graph weights2 = weights;
  weights2.tensors[0].data.back() = 2;
  EXPECT_NE(graph_fingerprint(weights), graph_fingerprint(weights2));
}

TEST(PlanIdentity, PlanForAnotherModelWithTheSameOpCountIsRefused) {
  const Graph a = adds(8, "a.tflite"), b = adds(12, "b.tflite");
  const Plan plan = make_plan(a, parse_policy("ratio=0.5"));
  EXPECT_EQ(plan.graph_hash, graph_fingerprint(a));
  EXPECT_EQ(error_of(to_json(plan), a), "");
  const std::string m = error_of(to_json(plan), b);
  EXPECT_NE(m.find("made for model 'a.tflite'"), std::string::npos) << m;
  EXPECT_NE(m.find("'b.tflite'"), std::string::npos) << m;
  auto j = to_json(plan);
  j.erase("graph_hash");
  EXPECT_NE(error_of(j, a).find("graph_hash"), std::string::npos);
}

TEST(PlanIdentity, NumbersAreParsedStrictly) {
  const Graph g = adds(8);
  const nlohmann::json good = to_json(make_plan(g, parse_policy("ratio=0.5")));
  ASSERT_EQ(good["steps"][0]["kind"], "split");
  ASSERT_EQ(error_of(good, g), "");
  struct Case {
    const char* field;
    nlohmann::json value;
    const char* expect;
  };
  for (const Case& c : {Case{"op", 4294967296ull, "outside the int range"}, Case{"op", 0.0, "expected an integer"},
                        Case{"op", 5.7, "expected an integer"}, Case{"op", "0", "expected an integer"},
                        Case{"boundary", 1.5, "expected an integer"}, Case{"boundary", -4294967295ll, "outside"},
                        Case{"boundary", true, "expected an integer"}}) {
    nlohmann::json j = good;
    j["steps"][0][c.field] = c.value;
    const std::string m = error_of(j, g);
    EXPECT_NE(m.find(c.expect), std::string::npos) << c.field << "=" << c.value.dump() << ": " << m;
    EXPECT_NE(m.find(c.field), std::string::npos) << m;
  }
  nlohmann::json j = good;
  j["steps"][0] = 7;
  EXPECT_NE(error_of(j, g).find("expected an object"), std::string::npos);
  EXPECT_NE(error_of(nlohmann::json::array(), g).find("JSON object"), std::string::npos);
}

TEST(PlanIdentity, FileErrorsNameTheFile) {
  const Graph g = adds(8);
  const auto dir = std::filesystem::temp_directory_path() / "hetsched_plan_identity_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto message = [&](const std::string& path) {
    try {
      load_plan(path, g);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message(dir.string()).find("is a directory"), std::string::npos);
  const std::string other = (dir / "other.json").string();
  save_plan(make_plan(adds(12), parse_policy("gpu")), other);
  const std::string m = message(other);
  EXPECT_NE(m.find(other), std::string::npos) << m;
  EXPECT_NE(m.find("made for model"), std::string::npos) << m;
  const std::string mine = (dir / "mine.json").string();
  save_plan(make_plan(g, parse_policy("ratio=0.25:rows")), mine);
  EXPECT_EQ(load_plan(mine, g).steps[0].boundary, 2);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hetsched::partition
