#!/usr/bin/env bash
# The CI (second command of the README): set-up; Release build + all ctest tests; ASan+UBSan build +
# unit tests; the importer fuzzer for 60 s (when tests/fuzz has it), the .npy and plan JSON fuzzers for
# 20 s each; TSan of the co-scheduler and session tests; pytest in the .venv. Ends with
# one `N passed, N failed` line summing every report; exits non-zero on any failure.
# Build dirs: HETSCHED_BUILD_DIR (build), build-asan, build-fuzz. HETSCHED_FUZZ_SECONDS (60),
# HETSCHED_FUZZ_SMALL_SECONDS (20, the .npy and plan JSON fuzzers).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! bash "$ROOT/scripts/setup.sh"; then
  echo "test: scripts/setup.sh failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
set +e
HETSCHED_PY="$ROOT/.venv/bin/python"
cd "$ROOT"
BUILD="${HETSCHED_BUILD_DIR:-$ROOT/build}"
ASAN="${HETSCHED_ASAN_DIR:-$ROOT/build-asan}"
FUZZ="${HETSCHED_FUZZ_DIR:-$ROOT/build-fuzz}"
REPORTS="$ROOT/.cache/ci"
rm -rf "$REPORTS" && mkdir -p "$REPORTS"
steps=()  # NAME=pass|fail|skip: build failures, the fuzzer; ctest/pytest report through JUnit XML
started=$SECONDS
say() { echo "== test: $* ($((SECONDS - started)) s)" >&2; }

# 1. Release build and every ctest test.
say "Release build in $BUILD"
if bash scripts/build.sh "$BUILD" -DCMAKE_BUILD_TYPE=Release -DHETSCHED_WERROR=ON; then
  say "ctest (Release)"
  ctest --test-dir "$BUILD" --output-on-failure -j2 --timeout 900 --output-junit "$REPORTS/ctest-release.xml"
else
  steps+=(build-release=fail)
fi

# 2. ASan + UBSan build, unit tests only (no benchmarks). No -Werror here: GCC's -O1 warnings differ
#    from -O3's, and the Release build already enforces a warning-free tree. Only tests/all is built
#    (the unit-test binaries and the libraries they link; not the CLI or the example, which no -L unit
#    test runs), and with -g1 (line tables: the sanitizers' reports keep every frame's file:line,
#    inlined frames included; no local-variable info, whose tracking was ~25% of a test's compile).
say "ASan+UBSan build in $ASAN"
if bash scripts/build.sh "$ASAN" -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" \
     -DHETSCHED_SANITIZE=address,undefined -DHETSCHED_BUILD_BENCH=OFF -- tests/all; then
  # Tests that touch Vulkan run without leak detection: the loader dlclose()s the Mesa driver, so
  # its allocations show up as leaks from an "<unknown module>" that no suppression can name.
  gpu_re="${HETSCHED_ASAN_GPU_TESTS:-Gpu|GPU|Vulkan|CoScheduler|Fp16Executor|WorkgroupTuning}"
  asan_opts="abort_on_error=1:strict_string_checks=1:check_initialization_order=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  export LSAN_OPTIONS="suppressions=$ROOT/scripts/lsan.supp:print_suppressions=0"
  say "ctest -L unit (ASan+UBSan, leak checks), tests not matching /$gpu_re/"
  ASAN_OPTIONS="detect_leaks=1:$asan_opts" ctest --test-dir "$ASAN" -L unit -E "$gpu_re" --output-on-failure -j2 \
    --timeout 900 --output-junit "$REPORTS/ctest-asan.xml"
  say "ctest -L unit (ASan+UBSan, no leak checks), tests matching /$gpu_re/"
  ASAN_OPTIONS="detect_leaks=0:$asan_opts" ctest --test-dir "$ASAN" -L unit -R "$gpu_re" --output-on-failure -j2 \
    --timeout 900 --output-junit "$REPORTS/ctest-asan-gpu.xml"
  unset UBSAN_OPTIONS LSAN_OPTIONS
else
  steps+=(build-asan=fail)
fi

# 3. The fuzzers (clang, libFuzzer), built together: the importer's seeded with the zoo's smaller
#    models, the .npy reader's and the plan JSON reader's from tests/fuzz/corpus, bounded for CI. Each
#    fuzzer runs on one thread, so the importer's runs beside the other two (one after the other):
#    60 s of wall time for the three on 2 cores instead of 100 s, each fuzzer with a core to itself.
if [[ -f tests/fuzz/CMakeLists.txt ]] && grep -q fuzz_tflite_importer tests/fuzz/CMakeLists.txt; then
  say "fuzz_tflite_importer, fuzz_npy, fuzz_plan_json build in $FUZZ"
  if CC=clang CXX=clang++ bash scripts/build.sh "$FUZZ" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHETSCHED_FUZZ=ON \
       -DHETSCHED_BUILD_BENCH=OFF -- fuzz_tflite_importer fuzz_npy fuzz_plan_json; then
    fuzzer="$(find "$FUZZ" -type f -name fuzz_tflite_importer -perm -u+x | head -n1)"
    rm -rf "$FUZZ/corpus" && mkdir -p "$FUZZ/corpus" "$FUZZ/artifacts"
    find models -maxdepth 1 -name '*.tflite' ! -name '*.litert.tflite' -size -8M -exec cp {} "$FUZZ/corpus/" \;
    say "fuzz_tflite_importer for ${HETSCHED_FUZZ_SECONDS:-60} s, beside fuzz_npy and fuzz_plan_json"
    "$fuzzer" -max_total_time="${HETSCHED_FUZZ_SECONDS:-60}" -timeout=30 -rss_limit_mb=4096 \
      -print_final_stats=1 -artifact_prefix="$FUZZ/artifacts/" "$FUZZ/corpus" > "$FUZZ/fuzz.log" 2>&1 &
    importer_pid=$!
    for target in fuzz_npy fuzz_plan_json; do
      corpus="$FUZZ/corpus-$target" && rm -rf "$corpus" && mkdir -p "$corpus"
      cp tests/fuzz/corpus/"${target#fuzz_}"/* "$corpus/"
      say "$target for ${HETSCHED_FUZZ_SMALL_SECONDS:-20} s"
      if "$FUZZ/tests/fuzz/$target" -max_total_time="${HETSCHED_FUZZ_SMALL_SECONDS:-20}" -timeout=10 \
           -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$FUZZ/artifacts/$target-" "$corpus" \
           > "$FUZZ/$target.log" 2>&1; then
        tail -n 5 "$FUZZ/$target.log" >&2
        steps+=("$target=pass")
      else
        tail -n 60 "$FUZZ/$target.log" >&2
        steps+=("$target=fail")
      fi
    done
    if wait "$importer_pid"; then
      say "fuzz_tflite_importer done"
      tail -n 15 "$FUZZ/fuzz.log" >&2
      steps+=(fuzz=pass)
    else
      tail -n 60 "$FUZZ/fuzz.log" >&2
      steps+=(fuzz=fail)
    fi
  else
    steps+=(build-fuzz=fail)
  fi
else
  say "fuzz: skipped, tests/fuzz has no fuzz_tflite_importer target yet"
  steps+=(fuzz=skip)
fi

# 4. ThreadSanitizer build of the co-scheduler tests (host thread vs the GPU queue and timeline
#    semaphores) and of the session tests (N sessions on N threads sharing one model, device faults).
#    One CPU thread: the system TBB is not instrumented (see co_scheduler_test.cpp). -g1 as for ASan.
TSAN="${HETSCHED_TSAN_DIR:-$ROOT/build-tsan}"
say "TSan build of co_scheduler_test, session_hardening_test in $TSAN"
if bash scripts/build.sh "$TSAN" -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" \
     -DHETSCHED_SANITIZE=thread \
     -DHETSCHED_BUILD_BENCH=OFF -- co_scheduler_test session_hardening_test; then
  for t in co_scheduler_test session_hardening_test; do
    HETSCHED_TEST_THREADS=1 TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" \
      "$TSAN/tests/$t" --gtest_output="xml:$REPORTS/tsan-${t%_test}.xml"
  done
else
  steps+=(build-tsan=fail)
fi

# 5. The public-API example, on the CPU, the GPU and a split plan.
for policy in cpu gpu ratio=0.5; do
  say "example_run_model ($policy)"
  if "$BUILD/examples/example_run_model" models/face_detection_short_range.tflite "$policy" >&2; then
    steps+=("example-${policy/=/-}=pass")
  else
    steps+=("example-${policy/=/-}=fail")
  fi
done

# 6. pytest (LiteRT conformance for every policy and split ratio on both axes, CLI errors, the Python package,
#    and tests/experiments: `experiments/run.sh --quick` end to end, ~2.5 min here, plus its load generators).
#    With this default list the split policies rotate (HETSCHED_SPLIT_ROTATION=2: each ratio on 2 models
#    per run, picked by the printed seed; tests/conformance/seeded_run.py); cpu, gpu, auto and ratio=0.5
#    (the Python package) run on every model. A user's HETSCHED_POLICIES runs on every model unless
#    HETSCHED_SPLIT_ROTATION is set too.
policies="cpu gpu auto"
for r in 0 0.1 0.25 0.5 0.75 0.9 1; do policies+=" ratio=$r ratio=$r:rows"; done
rotation="${HETSCHED_SPLIT_ROTATION:-}"
[[ -z "${HETSCHED_POLICIES:-}" && -z "$rotation" ]] && rotation=2
say "pytest tests/ (policies: ${HETSCHED_POLICIES:-$policies}; split rotation: ${rotation:-off})"
# HETSCHED_REQUIRE_PY=1: tests/python fail (not skip) when the set-up's `hetsched` package is missing.
HETSCHED_BIN="${HETSCHED_BIN:-$BUILD/hetsched}" HETSCHED_POLICIES="${HETSCHED_POLICIES:-$policies}" HETSCHED_REQUIRE_PY=1 \
  HETSCHED_SPLIT_ROTATION="$rotation" "$HETSCHED_PY" -m pytest tests/ --junitxml="$REPORTS/pytest.xml" -q --durations=15
[[ -f "$REPORTS/pytest.xml" ]] || steps+=(pytest=fail)

say "done"
step_args=()
for s in "${steps[@]}"; do step_args+=(--step "$s"); done
"$HETSCHED_PY" scripts/ci_summary.py "${step_args[@]}" "$REPORTS"/*.xml
