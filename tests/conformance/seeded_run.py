# The conformance run's random seed and what it picks: the seeded rotation of split policies over models.
"""SEED: HETSCHED_SEED when set, else 32 random bits; conftest.py prints it (pytest's header and summary).

The split rotation (HETSCHED_SPLIT_ROTATION=N, N >= 1; scripts/test.sh sets 2 when it uses its own
policy list): each rotated policy runs on N of the models instead of on all of them. The models are
shuffled with random.Random(SEED) and dealt round-robin: rotated policy i gets the models at
positions i*N .. i*N+N-1 (mod the model count) of that order. So every rotated policy runs on N
distinct models each run (a wrong split variant still fails the run), the models get the rotated
policies in turns (with 14 variants x 2 over 20 models each model gets 1 or 2), and over runs with
different seeds every (model, policy) pair comes up: each with probability N/models per run.
The same seed gives the same assignment (HETSCHED_SEED reproduces a run's cases).
"""
import os
import random
import secrets

SEED = int(os.environ["HETSCHED_SEED"]) if os.environ.get("HETSCHED_SEED") else secrets.randbits(32)


def split_rotation_count() -> int:
    """HETSCHED_SPLIT_ROTATION as a count of models per rotated policy; 0 (unset or empty) = no rotation."""
    raw = os.environ.get("HETSCHED_SPLIT_ROTATION", "").strip()
    if not raw:
        return 0
    try:
        n = int(raw)
    except ValueError:
        raise ValueError(f"HETSCHED_SPLIT_ROTATION={raw!r}: expected a count of models (an integer >= 0)") from None
    if n < 0:
        raise ValueError(f"HETSCHED_SPLIT_ROTATION={raw!r}: expected a count of models (an integer >= 0)")
    return n


def is_rotated(policy: str, always: set) -> bool:
    """Split policies (ratio=R, ratio=R:rows) rotate, but for those in `always` (e.g. the Python
    package's policies); cpu, gpu, auto and any other policy run on every model."""
    return policy.startswith("ratio=") and policy not in always


def split_rotation(models: list, policies: list, per_policy: int, seed: int) -> dict:
    """{policy: [model, ...]}: the per_policy models (distinct, in shuffled order) each policy runs
    on, dealt round-robin from the models shuffled by `seed`; per_policy >= len(models) gives all."""
    if per_policy >= len(models):
        return {p: list(models) for p in policies}
    order = list(models)
    random.Random(seed).shuffle(order)
    return {p: [order[(i * per_policy + j) % len(order)] for j in range(per_policy)] for i, p in enumerate(policies)}


def cases(models: list, policies: list, always: set, per_policy: int, seed: int) -> list:
    """(model, policy) pairs to run, in model order then policy order: every policy on every model,
    but with per_policy > 0 the rotated policies (is_rotated) only on their split_rotation models."""
    rotated = [p for p in policies if is_rotated(p, always)] if per_policy > 0 else []
    chosen = split_rotation(models, rotated, per_policy, seed)
    return [(m, p) for m in models for p in policies if p not in chosen or m in chosen[p]]
