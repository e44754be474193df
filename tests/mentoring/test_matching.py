"""The pure matching algorithm: hard rules, scores and reasons, suggestions, cohorts."""

import itertools
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.matching import (
    BELOW_MIN_SCORE,
    NO_ELIGIBLE_MENTOR,
    PLACES_TAKEN,
    WEIGHTS,
    Mentor,
    Request,
    eligible,
    greedy_cohort,
    match_cohort,
    score,
    suggest,
    why_ineligible,
)

TOL = 1e-6  # totals may differ from brute force by the tiny per-match nudge

# Strategies: few codes and ids, so that rule clashes and score ties are common.
AREAS = ["use_of_data", "hr_processes", "safe_spaces", "accountability"]
ROLES = ["chair", "ned", "edi_lead"]
KINDS = ["acute", "combined", "icb"]
REGIONS = ["london", "midlands", "north_west"]
FORMATS = ["video", "phone"]
USER_IDS = st.integers(1, 8)


def subsets(items):
    return st.frozensets(st.sampled_from(items))


@st.composite
def mentors(draw, max_size=3, max_capacity=2):
    ids = draw(st.lists(USER_IDS, max_size=max_size, unique=True))
    return [
        Mentor(
            id=uid,
            organisation_id=draw(st.sampled_from([1, 2, 3, None])),
            expertise=draw(subsets(AREAS)),
            roles_held=draw(subsets(ROLES)),
            organisation_kinds=draw(subsets(KINDS)),
            region=draw(st.sampled_from(REGIONS)),
            formats=draw(subsets(FORMATS)),
            capacity_left=draw(st.integers(0, max_capacity)),
            approved_active=draw(st.sampled_from([True, True, True, False])),
            lived_experience=draw(st.booleans()),
            excluded_user_ids=draw(st.frozensets(USER_IDS, max_size=1)),
        )
        for uid in ids
    ]


@st.composite
def requests(draw, max_size=5):
    ids = draw(st.lists(st.integers(1, 50), max_size=max_size, unique=True))
    return [
        Request(
            id=rid,
            mentee_id=draw(USER_IDS),
            organisation_id=draw(st.sampled_from([1, 2, 3, None])),
            organisation_kind=draw(st.sampled_from(KINDS)),
            region=draw(st.sampled_from(REGIONS)),
            focus_areas=tuple(draw(st.lists(st.sampled_from(AREAS), max_size=3, unique=True))),
            wants_lived_experience=draw(st.booleans()),
            wants_same_org_kind=draw(st.booleans()),
            wants_different_region=draw(st.booleans()),
            wants_role=draw(st.none() | st.sampled_from(ROLES)),
            formats=draw(subsets(FORMATS)),
            excluded_user_ids=draw(st.frozensets(USER_IDS, max_size=1)),
            blocked_mentor_ids=draw(st.frozensets(USER_IDS, max_size=1)),
        )
        for rid in ids
    ]


MIN_SCORES = st.sampled_from([0.0, 0.0, 0.3, 0.6])
MODES = st.sampled_from(["best_total", "most_matched"])
FEW = settings(max_examples=60, deadline=None)


def brute_force(reqs, ments, min_score=0.0):
    """Every feasible assignment, as (matched count, total score)."""
    totals = {(r.id, m.id): score(r, m).total for r in reqs for m in ments if eligible(r, m)}
    options = [
        [None, *(m for m in ments if totals.get((r.id, m.id), -1.0) >= min_score)] for r in reqs
    ]
    outcomes = []
    for choice in itertools.product(*options):
        used = Counter(m.id for m in choice if m is not None)
        if all(used[m.id] <= m.capacity_left for m in ments):
            picked = [totals[r.id, m.id] for r, m in zip(reqs, choice, strict=True) if m]
            outcomes.append((len(picked), sum(picked)))
    return outcomes


def all_results(reqs, ments, min_score=0.0):
    return [
        match_cohort(reqs, ments, mode="best_total", min_score=min_score),
        match_cohort(reqs, ments, mode="most_matched", min_score=min_score),
        greedy_cohort(reqs, ments, min_score=min_score),
    ]


# Properties of every matcher --------------------------------------------------------------


@FEW
@given(requests(), mentors(), MIN_SCORES)
def test_no_hard_rule_is_ever_broken(reqs, ments, min_score):
    by_id = {r.id: r for r in reqs} | {("m", m.id): m for m in ments}
    for result in all_results(reqs, ments, min_score):
        for pair in result.pairs:
            assert eligible(by_id[pair.request_id], by_id[("m", pair.mentor_id)])


@FEW
@given(requests(), mentors(), MIN_SCORES)
def test_capacity_never_exceeded(reqs, ments, min_score):
    for result in all_results(reqs, ments, min_score):
        used = Counter(p.mentor_id for p in result.pairs)
        assert all(used[m.id] <= m.capacity_left for m in ments)


@FEW
@given(requests(), mentors(), MIN_SCORES)
def test_each_request_is_matched_at_most_once_and_accounted_for(reqs, ments, min_score):
    for result in all_results(reqs, ments, min_score):
        matched = [p.request_id for p in result.pairs]
        assert len(matched) == len(set(matched))
        unmatched = [u.request_id for u in result.unmatched]
        assert sorted(matched + unmatched) == sorted(r.id for r in reqs)


@FEW
@given(requests(), mentors(), MIN_SCORES)
def test_min_score_respected(reqs, ments, min_score):
    for result in all_results(reqs, ments, min_score):
        assert all(p.score >= min_score for p in result.pairs)


@FEW
@given(requests(), mentors())
def test_pair_scores_and_reasons_are_those_of_score(reqs, ments):
    by_id = {r.id: r for r in reqs} | {("m", m.id): m for m in ments}
    for result in all_results(reqs, ments):
        for pair in result.pairs:
            expected = score(by_id[pair.request_id], by_id[("m", pair.mentor_id)])
            assert pair.score == expected.total
            assert pair.reasons == expected.reasons


# Optimality --------------------------------------------------------------------------------


@FEW
@given(requests(), mentors(), MIN_SCORES)
def test_best_total_equals_brute_force(reqs, ments, min_score):
    best = max(total for _, total in brute_force(reqs, ments, min_score))
    result = match_cohort(reqs, ments, mode="best_total", min_score=min_score)
    assert result.total_score == pytest.approx(best, abs=TOL)


@FEW
@given(requests(), mentors(), MIN_SCORES)
def test_most_matched_matches_the_maximum_possible_then_best_total(reqs, ments, min_score):
    count, total = max(brute_force(reqs, ments, min_score), key=lambda o: (o[0], o[1]))
    result = match_cohort(reqs, ments, mode="most_matched", min_score=min_score)
    assert result.matched_count == count
    assert result.total_score == pytest.approx(total, abs=TOL)


@FEW
@given(requests(max_size=8), mentors(max_size=4, max_capacity=3), MIN_SCORES)
def test_optimal_total_is_at_least_greedy_total(reqs, ments, min_score):
    greedy = greedy_cohort(reqs, ments, min_score=min_score)
    best = match_cohort(reqs, ments, mode="best_total", min_score=min_score)
    most = match_cohort(reqs, ments, mode="most_matched", min_score=min_score)
    assert best.total_score >= greedy.total_score - TOL
    assert most.matched_count >= greedy.matched_count


@FEW
@given(requests(max_size=8), mentors(max_size=4, max_capacity=3), MODES, st.randoms())
def test_result_is_the_same_under_shuffled_input(reqs, ments, mode, rnd):
    expected = match_cohort(reqs, ments, mode=mode)
    reqs, ments = list(reqs), list(ments)
    rnd.shuffle(reqs)
    rnd.shuffle(ments)
    greedy = greedy_cohort(reqs, ments)
    assert match_cohort(reqs, ments, mode=mode) == expected
    rnd.shuffle(reqs)
    rnd.shuffle(ments)
    assert greedy_cohort(reqs, ments) == greedy


@FEW
@given(requests(), mentors(), MODES, st.data())
def test_fixed_pairs_are_honoured(reqs, ments, mode, data):
    possible = [(r.id, m.id) for r in reqs for m in ments if eligible(r, m)]
    if not possible:
        return
    fixed = data.draw(st.sampled_from(possible))
    result = match_cohort(reqs, ments, mode=mode, min_score=0.99, fixed_pairs=[fixed])
    pair = next(p for p in result.pairs if p.request_id == fixed[0])
    assert (pair.request_id, pair.mentor_id, pair.fixed) == (*fixed, True)
    used = Counter(p.mentor_id for p in result.pairs)
    assert all(used[m.id] <= m.capacity_left for m in ments)
    assert all(p.score >= 0.99 for p in result.pairs if not p.fixed)


# Scores and reasons ------------------------------------------------------------------------


def make_request(**kwargs):
    defaults = dict(
        id=1,
        mentee_id=100,
        organisation_id=10,
        organisation_kind="combined_trust",
        region="london",
        focus_areas=("use_of_data", "hr_processes", "safe_spaces"),
    )
    return Request(**(defaults | kwargs))


def make_mentor(**kwargs):
    defaults = dict(id=1, organisation_id=20, region="london", capacity_left=2)
    return Mentor(**(defaults | kwargs))


def test_score_reasons_read_as_plain_language():
    request = make_request(
        wants_role="chair",
        wants_lived_experience=True,
        wants_different_region=True,
        formats=frozenset({"video"}),
    )
    mentor = make_mentor(
        expertise=frozenset({"use_of_data", "hr_processes", "accountability"}),
        roles_held=frozenset({"chair", "ned"}),
        organisation_kinds=frozenset({"combined_trust", "acute_trust"}),
        formats=frozenset({"video", "phone"}),
        lived_experience=True,
        region="midlands",
    )
    result = score(request, mentor, labels={"hr_processes": "HR processes"})
    assert result.reasons == (
        "covers 2 of your 3 focus areas: use of data, HR processes",
        "has been a chair",
        "has worked in a combined trust",
        "offers lived experience of racism",
        "offers video",
        "is in a different region",
    )
    # Everything met except a third of the focus-area points (safe spaces ranks third: 1/6).
    focus_share = WEIGHTS["focus_areas"] * (5 / 6)
    assert result.total == pytest.approx(
        (sum(WEIGHTS.values()) - WEIGHTS["focus_areas"] + focus_share) / sum(WEIGHTS.values())
    )
    assert sum(c for _, c in result.contributions) == pytest.approx(result.total)


def test_first_focus_area_counts_most():
    request = make_request()
    first = score(request, make_mentor(expertise=frozenset({"use_of_data"})))
    third = score(request, make_mentor(expertise=frozenset({"safe_spaces"})))
    assert first.total > third.total
    assert first.reasons[0] == "covers 1 of your 3 focus areas: use of data"


def test_focus_area_reason_for_one_and_for_all_areas():
    one = make_request(focus_areas=("use_of_data",))
    assert score(one, make_mentor(expertise=frozenset({"use_of_data"}))).reasons[0] == (
        "covers your focus area: use of data"
    )
    both = make_request(focus_areas=("use_of_data", "safe_spaces"))
    everything = make_mentor(expertise=frozenset({"use_of_data", "safe_spaces"}))
    assert score(both, everything).reasons[0] == (
        "covers all 2 of your focus areas: use of data, safe spaces"
    )


def test_preferences_not_expressed_do_not_count():
    request = make_request(focus_areas=("use_of_data",), organisation_kind="acute_trust")
    mentor = make_mentor(
        expertise=frozenset({"use_of_data"}), organisation_kinds=frozenset({"acute_trust"})
    )
    result = score(request, mentor)
    assert result.total == 1.0
    assert [f for f, _ in result.contributions] == ["focus_areas", "organisation_kind"]


def test_lived_experience_only_scores_when_asked_for():
    mentor = make_mentor(lived_experience=True)
    assert "offers lived experience of racism" not in score(make_request(), mentor).reasons
    asked = make_request(wants_lived_experience=True)
    without = make_mentor(lived_experience=False)
    assert score(asked, mentor).total > score(asked, without).total


def test_same_org_kind_asked_for_weighs_more_than_not_asked():
    other_kind = make_mentor(organisation_kinds=frozenset({"icb"}))
    asked = score(make_request(wants_same_org_kind=True), other_kind)
    not_asked = score(make_request(), other_kind)
    assert asked.total < not_asked.total


def test_role_reason_uses_an_before_a_vowel():
    request = make_request(wants_role="edi_lead")
    mentor = make_mentor(roles_held=frozenset({"edi_lead"}))
    assert "has been an edi lead" in score(request, mentor).reasons


# Hard rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_kwargs", "mentor_kwargs", "reason"),
    [
        ({}, {"approved_active": False}, "the mentor is not approved and active"),
        ({}, {"capacity_left": 0}, "the mentor has no capacity left"),
        ({"mentee_id": 1}, {}, "the mentor and the mentee are the same person"),
        ({"organisation_id": 20}, {}, "the mentor is in the mentee's organisation"),
        (
            {"excluded_user_ids": frozenset({1})},
            {},
            "one of them asked not to be matched with the other",
        ),
        (
            {},
            {"excluded_user_ids": frozenset({100})},
            "one of them asked not to be matched with the other",
        ),
        (
            {"blocked_mentor_ids": frozenset({1})},
            {},
            "this pairing was declined or expired before",
        ),
        ({}, {}, None),
    ],
)
def test_why_ineligible_names_the_rule_broken(request_kwargs, mentor_kwargs, reason):
    request, mentor = make_request(**request_kwargs), make_mentor(**mentor_kwargs)
    assert why_ineligible(request, mentor) == reason
    assert eligible(request, mentor) is (reason is None)


def test_unknown_organisations_are_never_the_same():
    assert eligible(make_request(organisation_id=None), make_mentor(organisation_id=None))


# Suggestions -------------------------------------------------------------------------------


def test_suggest_returns_top_five_eligible_by_score_then_id():
    request = make_request(focus_areas=("use_of_data", "hr_processes"))
    both = frozenset({"use_of_data", "hr_processes"})
    ments = [
        make_mentor(id=9, expertise=both),
        make_mentor(id=3, expertise=both),
        make_mentor(id=2, expertise=frozenset({"hr_processes"})),
        make_mentor(id=4, expertise=frozenset({"use_of_data"})),
        make_mentor(id=5, expertise=frozenset()),
        make_mentor(id=6, expertise=frozenset()),
        make_mentor(id=7, expertise=both, capacity_left=0),
        make_mentor(id=8, expertise=both, organisation_id=10),
    ]
    random.Random(1).shuffle(ments)
    suggestions = suggest(request, ments)
    assert [s.mentor_id for s in suggestions] == [3, 9, 4, 2, 5]
    assert suggestions[0].reasons[0] == (
        "covers all 2 of your focus areas: use of data, hr processes"
    )
    assert [s.mentor_id for s in suggest(request, ments, limit=2)] == [3, 9]


# Cohort examples ---------------------------------------------------------------------------


def test_optimal_beats_greedy_when_the_best_pair_blocks_two_good_ones():
    # Greedy gives the one place with mentor 1 to request 1 (its best), leaving request 2
    # with nobody; the optimum sends request 1 to mentor 2 instead.
    r1 = make_request(id=1, mentee_id=101, focus_areas=("use_of_data", "hr_processes"))
    r2 = make_request(id=2, mentee_id=102, focus_areas=("use_of_data", "hr_processes"))
    m1 = make_mentor(id=1, capacity_left=1, expertise=frozenset({"use_of_data", "hr_processes"}))
    m2 = make_mentor(
        id=2,
        capacity_left=1,
        expertise=frozenset({"use_of_data"}),
        excluded_user_ids=frozenset({102}),
    )
    greedy = greedy_cohort([r1, r2], [m1, m2])
    optimal = match_cohort([r1, r2], [m1, m2])
    assert [(p.request_id, p.mentor_id) for p in greedy.pairs] == [(1, 1)]
    assert [(p.request_id, p.mentor_id) for p in optimal.pairs] == [(1, 2), (2, 1)]
    assert optimal.total_score > greedy.total_score


def test_most_matched_trades_score_for_another_match():
    # One strong pair against two weaker ones that together score less.
    r1 = make_request(id=1, mentee_id=101, focus_areas=("use_of_data",), wants_role="chair")
    r2 = make_request(id=2, mentee_id=102, focus_areas=("accountability",))
    strong = make_mentor(
        id=1, capacity_left=1, expertise=frozenset({"use_of_data"}), roles_held=frozenset({"chair"})
    )
    weak = make_mentor(id=2, capacity_left=1, excluded_user_ids=frozenset({102}))
    best = match_cohort([r1, r2], [strong, weak], mode="best_total", min_score=0.0)
    most = match_cohort([r1, r2], [strong, weak], mode="most_matched")
    assert [(p.request_id, p.mentor_id) for p in best.pairs] == [(1, 1)]
    assert [(p.request_id, p.mentor_id) for p in most.pairs] == [(1, 2), (2, 1)]
    assert most.total_score < best.total_score


def test_unmatched_requests_say_why():
    no_one = make_request(id=1, mentee_id=101, organisation_id=20)
    too_low = make_request(id=2, mentee_id=102, focus_areas=("accountability",))
    crowded_out = make_request(id=3, mentee_id=103, focus_areas=("safe_spaces", "accountability"))
    winner = make_request(id=4, mentee_id=104, focus_areas=("use_of_data",))
    mentor = make_mentor(
        id=1,
        capacity_left=1,
        expertise=frozenset({"use_of_data", "safe_spaces"}),
        organisation_kinds=frozenset({"combined_trust"}),
    )
    result = match_cohort([no_one, too_low, crowded_out, winner], [mentor], min_score=0.5)
    assert [(p.request_id, p.mentor_id) for p in result.pairs] == [(4, 1)]
    assert {u.request_id: u.reason for u in result.unmatched} == {
        1: NO_ELIGIBLE_MENTOR,
        2: BELOW_MIN_SCORE,
        3: PLACES_TAKEN,
    }


def test_fixed_pairs_use_up_capacity():
    r1 = make_request(id=1, mentee_id=101)
    r2 = make_request(id=2, mentee_id=102, focus_areas=("use_of_data",))
    mentor = make_mentor(id=1, capacity_left=1, expertise=frozenset({"use_of_data"}))
    result = match_cohort([r1, r2], [mentor], fixed_pairs=[(1, 1)])
    assert [(p.request_id, p.fixed) for p in result.pairs] == [(1, True)]
    assert result.unmatched[0].reason == NO_ELIGIBLE_MENTOR


@pytest.mark.parametrize(
    ("fixed", "message"),
    [
        ([(1, 1)], "breaks a matching rule: the mentor is in the mentee's organisation"),
        ([(2, 2), (3, 2)], "breaks a matching rule: the mentor has no capacity left"),
        ([(9, 2)], "there is no request 9"),
        ([(2, 9)], "there is no mentor 9"),
        ([(2, 2), (2, 3)], "request 2 already has a fixed mentor"),
    ],
)
def test_fixed_pair_breaking_a_rule_is_refused(fixed, message):
    reqs = [
        make_request(id=1, mentee_id=101, organisation_id=20),
        make_request(id=2, mentee_id=102),
        make_request(id=3, mentee_id=103),
    ]
    ments = [make_mentor(id=1), make_mentor(id=2, capacity_left=1), make_mentor(id=3)]
    with pytest.raises(ValueError, match=message):
        match_cohort(reqs, ments, fixed_pairs=fixed)


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError, match="Two mentors have the id 1"):
        match_cohort([make_request()], [make_mentor(id=1), make_mentor(id=1)])


def test_empty_cohort_gives_an_empty_result():
    assert match_cohort([], []).pairs == ()
    assert greedy_cohort([make_request()], []).unmatched[0].reason == NO_ELIGIBLE_MENTOR
