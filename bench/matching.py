"""Benchmark the mentor matcher on synthetic cohorts: `python bench/matching.py`.

Cohorts are seeded, so every run sees the same data. Prints runtime (best of 3), requests
matched and total score for the optimal matcher (both modes) and the greedy baseline.
"""

import random
import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mentoring.matching import Mentor, Request, greedy_cohort, match_cohort  # noqa: E402

AREAS = [
    "accountability",
    "education_on_race",
    "safe_spaces",
    "personal_values",
    "challenging_discrimination",
    "culture_of_challenge",
    "staff_networks",
    "hr_processes",
    "use_of_data",
    "health_inequalities",
]
# Mentees ask more often about data, HR and discrimination than about safe spaces.
AREA_WEIGHTS = [8, 6, 4, 5, 9, 5, 6, 9, 10, 7]
ROLES = ["chair", "chief_executive", "ned", "executive_director", "governor", "edi_lead", "other"]
MENTOR_ROLE_WEIGHTS = [20, 15, 30, 15, 5, 12, 3]
REGIONS = [
    "london",
    "south_east",
    "south_west",
    "east_of_england",
    "midlands",
    "north_west",
    "north_east_and_yorkshire",
]
REGION_WEIGHTS = [20, 15, 10, 11, 18, 13, 13]
KINDS = [
    "acute",
    "mental_health",
    "community",
    "ambulance",
    "combined",
    "icb",
    "national_body",
    "other",
]
KIND_WEIGHTS = [45, 15, 8, 5, 10, 12, 3, 2]
FORMATS = ["video", "phone", "in_person"]
COHORTS = [(50, 20), (300, 100), (1000, 300)]


def sample(rng, population, weights, k):
    """k distinct items, drawn by weight."""
    chosen: list[str] = []
    while len(chosen) < k:
        item = rng.choices(population, weights)[0]
        if item not in chosen:
            chosen.append(item)
    return chosen


def cohort(n_requests, n_mentors, seed):
    rng = random.Random(seed)
    organisations = [
        (rng.choices(KINDS, KIND_WEIGHTS)[0], rng.choices(REGIONS, REGION_WEIGHTS)[0])
        for _ in range(max(20, n_requests // 4))
    ]
    mentor_ids = list(range(1, n_mentors + 1))
    mentee_ids = list(range(100_000, 100_000 + n_requests))

    mentors = []
    for uid in mentor_ids:
        org = rng.randrange(len(organisations))
        kind, region = organisations[org]
        past = sample(rng, KINDS, KIND_WEIGHTS, rng.choice([0, 0, 1, 2]))
        mentors.append(
            Mentor(
                id=uid,
                organisation_id=org,
                expertise=frozenset(sample(rng, AREAS, AREA_WEIGHTS, rng.randint(2, 5))),
                roles_held=frozenset(
                    sample(rng, ROLES, MENTOR_ROLE_WEIGHTS, rng.choice([1, 1, 2, 3]))
                ),
                organisation_kinds=frozenset([kind, *past]),
                region=region,
                formats=frozenset(rng.sample(FORMATS, rng.randint(1, 3))),
                capacity_left=rng.choices([1, 2, 3, 4, 5], [35, 35, 20, 6, 4])[0],
                approved_active=rng.random() < 0.95,
                lived_experience=rng.random() < 0.4,
                excluded_user_ids=frozenset(
                    rng.sample(mentee_ids, 1) if rng.random() < 0.05 else []
                ),
            )
        )

    requests = []
    for i, uid in enumerate(mentee_ids):
        org = rng.randrange(len(organisations))
        kind, region = organisations[org]
        requests.append(
            Request(
                id=i + 1,
                mentee_id=uid,
                organisation_id=org,
                organisation_kind=kind,
                region=region,
                focus_areas=tuple(sample(rng, AREAS, AREA_WEIGHTS, rng.choice([1, 2, 3, 3]))),
                wants_lived_experience=rng.random() < 0.3,
                wants_same_org_kind=rng.random() < 0.3,
                wants_different_region=rng.random() < 0.15,
                wants_role=rng.choice([None, None, "chair", "chief_executive", "ned", "edi_lead"]),
                formats=frozenset(rng.sample(FORMATS, rng.choice([0, 0, 1, 2]))),
                excluded_user_ids=frozenset(
                    rng.sample(mentor_ids, 2) if rng.random() < 0.05 else []
                ),
                blocked_mentor_ids=frozenset(
                    rng.sample(mentor_ids, 1) if rng.random() < 0.05 else []
                ),
            )
        )
    return requests, mentors


def best_of_3(run):
    best, result = float("inf"), None
    for _ in range(3):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best * 1000, result


def main():
    header = f"{'cohort':>10} | {'mode':<12} | {'ms':>8} | {'matched':>7} | {'total':>8}"
    print(header)
    print("-" * len(header))
    ratios = []
    for n_requests, n_mentors in COHORTS:
        requests, mentors = cohort(n_requests, n_mentors, seed=n_requests * 7919 + n_mentors)
        label = f"{n_requests}x{n_mentors}"
        runs = {
            "best_total": partial(match_cohort, requests, mentors, mode="best_total"),
            "most_matched": partial(match_cohort, requests, mentors, mode="most_matched"),
            "greedy": partial(greedy_cohort, requests, mentors),
        }
        results = {}
        for mode, run in runs.items():
            ms, result = best_of_3(run)
            results[mode] = result
            print(
                f"{label:>10} | {mode:<12} | {ms:8.1f} | {result.matched_count:7d} | "
                f"{result.total_score:8.2f}"
            )
        greedy = results["greedy"]
        for mode in ("best_total", "most_matched"):
            ratios.append(
                (
                    label,
                    mode,
                    results[mode].total_score / greedy.total_score,
                    results[mode].matched_count / greedy.matched_count,
                )
            )
    print()
    print(f"{'cohort':>10} | {'optimal mode':<12} | {'total/greedy':>12} | {'matched/greedy':>14}")
    print("-" * 60)
    for label, mode, total, matched in ratios:
        print(f"{label:>10} | {mode:<12} | {total:12.4f} | {matched:14.4f}")


if __name__ == "__main__":
    main()
