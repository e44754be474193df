"""Mentor matching: plain data in, plain data out (no Django, no ORM).

The services turn profiles and requests into `Mentor` and `Request` values, call `suggest`
for one mentee or `match_cohort` for a batch run by a steward, and store the result.

Scores are a weighted sum of factors, each in [0, 1], divided by the weights of the factors
that apply to the request: a factor the mentee expressed no preference about is left out
rather than counted as met, so a score reads as "how well this mentor fits what you asked for"
and scores of different requests are comparable.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.optimize import linear_sum_assignment

# Factor weights: the one place to tune matching. They need not sum to 1 (see the module doc).
WEIGHTS: dict[str, float] = {
    "focus_areas": 0.40,
    "role": 0.15,
    "organisation_kind": 0.15,
    "lived_experience": 0.15,
    "format": 0.10,
    "region": 0.05,
}

# Experience in the mentee's kind of organisation helps even when not asked for; when it was
# not asked for, a mentor without it loses only half the factor.
UNASKED_KIND_VALUE = 0.5

# In "best_total" a match with score 0 is worth as much as no match; this nudge makes the
# solver use spare places for such pairs. Far below any real difference between two scores.
MATCH_NUDGE = 1e-9

NO_ELIGIBLE_MENTOR = "no eligible mentor with capacity left"
BELOW_MIN_SCORE = "no mentor above the minimum score"
PLACES_TAKEN = "others scored higher for the remaining places"

Mode = Literal["best_total", "most_matched"]


@dataclass(frozen=True)
class Mentor:
    """A mentor; `id` is the mentor's user id."""

    id: int
    organisation_id: int | None
    expertise: frozenset[str] = frozenset()
    roles_held: frozenset[str] = frozenset()
    # Kinds of organisation the mentor has worked in, the current one included.
    organisation_kinds: frozenset[str] = frozenset()
    region: str = ""
    formats: frozenset[str] = frozenset()  # empty = any format
    capacity_left: int = 1
    approved_active: bool = True
    # True only when the mentor offered lived experience of racism AND consented to its use
    # in matching; the caller must never set it from unconsented data.
    lived_experience: bool = False
    excluded_user_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Request:
    """A mentee's request for a mentor."""

    id: int
    mentee_id: int
    organisation_id: int | None
    organisation_kind: str
    region: str
    focus_areas: tuple[str, ...] = ()  # up to 3, most important first
    wants_lived_experience: bool = False
    wants_same_org_kind: bool = False
    wants_different_region: bool = False
    wants_role: str | None = None
    formats: frozenset[str] = frozenset()  # empty = any format
    excluded_user_ids: frozenset[int] = frozenset()
    blocked_mentor_ids: frozenset[int] = frozenset()  # declined or expired before


@dataclass(frozen=True)
class Score:
    total: float  # in [0, 1]
    contributions: tuple[tuple[str, float], ...]  # (factor, share of total), applicable only
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    mentor_id: int
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Pair:
    request_id: int
    mentor_id: int
    score: float
    reasons: tuple[str, ...]
    fixed: bool = False  # chosen by a steward by hand


@dataclass(frozen=True)
class Unmatched:
    request_id: int
    reason: str


@dataclass(frozen=True)
class CohortResult:
    pairs: tuple[Pair, ...]  # sorted by request id
    unmatched: tuple[Unmatched, ...]  # sorted by request id

    @property
    def matched_count(self) -> int:
        return len(self.pairs)

    @property
    def total_score(self) -> float:
        return sum(p.score for p in self.pairs)


# Hard rules -----------------------------------------------------------------------------------


def why_ineligible(request: Request, mentor: Mentor) -> str | None:
    """The first hard rule the pair breaks, in words, or None if the pair is allowed."""
    if not mentor.approved_active:
        return "the mentor is not approved and active"
    if mentor.capacity_left <= 0:
        return "the mentor has no capacity left"
    if mentor.id == request.mentee_id:
        return "the mentor and the mentee are the same person"
    if mentor.organisation_id is not None and mentor.organisation_id == request.organisation_id:
        return "the mentor is in the mentee's organisation"
    # One message for both directions: who excluded whom is not for the steward to learn.
    if mentor.id in request.excluded_user_ids or request.mentee_id in mentor.excluded_user_ids:
        return "one of them asked not to be matched with the other"
    if mentor.id in request.blocked_mentor_ids:
        return "this pairing was declined or expired before"
    return None


def eligible(request: Request, mentor: Mentor) -> bool:
    return why_ineligible(request, mentor) is None


# Scoring one pair -----------------------------------------------------------------------------


def _labeller(labels: Mapping[str, str] | None) -> Callable[[str], str]:
    labels = labels or {}
    return lambda code: labels.get(code, code.replace("_", " "))


def _with_article(text: str) -> str:
    return ("an " if text[:1].lower() in "aeiou" else "a ") + text


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _focus_points(areas: Sequence[str]) -> dict[str, int]:
    """Rank points: with n areas the first gets n, the last 1 (integers keep sums exact)."""
    unique = list(dict.fromkeys(areas))
    return {area: len(unique) - i for i, area in enumerate(unique)}


def _factor_values(request: Request, mentor: Mentor) -> dict[str, float | None]:
    """Each factor's value in [0, 1], or None when the request expresses no preference.

    Must agree exactly with `_score_matrix`, which computes the same in bulk.
    """
    points = _focus_points(request.focus_areas)
    focus = None
    if points:
        covered = sum(p for area, p in points.items() if area in mentor.expertise)
        focus = covered / sum(points.values())
    role = None
    if request.wants_role is not None:
        role = 1.0 if request.wants_role in mentor.roles_held else 0.0
    if request.organisation_kind in mentor.organisation_kinds:
        kind = 1.0
    else:
        kind = 0.0 if request.wants_same_org_kind else UNASKED_KIND_VALUE
    lived = None
    if request.wants_lived_experience:
        lived = 1.0 if mentor.lived_experience else 0.0
    fmt = None
    if request.formats:
        fmt = 1.0 if not mentor.formats or request.formats & mentor.formats else 0.0
    region = None
    if request.wants_different_region:
        region = 1.0 if mentor.region != request.region else 0.0
    return {
        "focus_areas": focus,
        "role": role,
        "organisation_kind": kind,
        "lived_experience": lived,
        "format": fmt,
        "region": region,
    }


def _reasons(request: Request, mentor: Mentor, label: Callable[[str], str]) -> list[str]:
    reasons = []
    areas = list(dict.fromkeys(request.focus_areas))
    covered = [a for a in areas if a in mentor.expertise]
    if covered:
        names = ", ".join(label(a) for a in covered)
        if len(areas) == 1:
            reasons.append(f"covers your focus area: {names}")
        elif len(covered) == len(areas):
            reasons.append(f"covers all {len(areas)} of your focus areas: {names}")
        else:
            reasons.append(f"covers {len(covered)} of your {len(areas)} focus areas: {names}")
    if request.wants_role is not None and request.wants_role in mentor.roles_held:
        reasons.append(f"has been {_with_article(label(request.wants_role))}")
    if request.organisation_kind in mentor.organisation_kinds:
        reasons.append(f"has worked in {_with_article(label(request.organisation_kind))}")
    if request.wants_lived_experience and mentor.lived_experience:
        reasons.append("offers lived experience of racism")
    if request.formats:
        if not mentor.formats:
            reasons.append("is open to any format")
        elif shared := sorted(request.formats & mentor.formats):
            reasons.append(f"offers {_join([label(f) for f in shared])}")
    if request.wants_different_region and mentor.region != request.region:
        reasons.append("is in a different region")
    return reasons


def score(request: Request, mentor: Mentor, labels: Mapping[str, str] | None = None) -> Score:
    """How well `mentor` fits `request`, with per-factor shares and reasons in plain words.

    Hard rules are not checked here; see `eligible`.
    """
    values = _factor_values(request, mentor)
    # Accumulate in WEIGHTS order, as `_score_matrix` does, so both give the same float.
    applied = 0.0
    weighted = 0.0
    for factor, weight in WEIGHTS.items():
        if values[factor] is not None:
            applied += weight
            weighted += weight * values[factor]
    total = weighted / applied if applied else 0.0
    contributions = tuple(
        (f, w * values[f] / applied) for f, w in WEIGHTS.items() if values[f] is not None
    )
    return Score(total, contributions, tuple(_reasons(request, mentor, _labeller(labels))))


def suggest(
    request: Request,
    mentors: Iterable[Mentor],
    limit: int = 5,
    *,
    labels: Mapping[str, str] | None = None,
) -> list[Suggestion]:
    """The best `limit` eligible mentors for one request; ties go to the lower mentor id."""
    scored = [(score(request, m, labels), m.id) for m in mentors if eligible(request, m)]
    scored.sort(key=lambda s: (-s[0].total, s[1]))
    return [Suggestion(mid, s.total, s.reasons) for s, mid in scored[:limit]]


# Scoring in bulk ------------------------------------------------------------------------------


def _index(values: Iterable[str]) -> dict[str, int]:
    return {v: i for i, v in enumerate(sorted(set(values)))}


def _incidence(sets: Sequence[Iterable[str]], index: dict[str, int]) -> np.ndarray:
    """Rows x len(index)+1 0/1 matrix; the extra last column stays 0 (target of index -1)."""
    out = np.zeros((len(sets), len(index) + 1))
    for row, items in enumerate(sets):
        cols = [index[x] for x in items if x in index]
        out[row, cols] = 1.0
    return out


def _score_matrix(requests: Sequence[Request], mentors: Sequence[Mentor]) -> np.ndarray:
    """Scores of every request (rows) against every mentor (columns), equal to `score().total`.

    Same operations in the same order as `score`, so the floats match bit for bit.
    """
    n_req, n_men = len(requests), len(mentors)
    applied = np.zeros(n_req)
    weighted = np.zeros((n_req, n_men))

    def add(factor: str, values: np.ndarray, applies: np.ndarray) -> None:
        nonlocal applied, weighted
        w = WEIGHTS[factor]
        applied = applied + w * applies
        weighted = weighted + (w * values) * applies[:, None]

    # Focus areas: integer rank points, so the matrix product is exact.
    areas = _index(a for r in requests for a in r.focus_areas)
    points = np.zeros((n_req, len(areas)))
    for row, r in enumerate(requests):
        for area, p in _focus_points(r.focus_areas).items():
            points[row, areas[area]] = p
    expertise = _incidence([m.expertise for m in mentors], areas)[:, :-1]
    point_totals = points.sum(axis=1)
    focus = (points @ expertise.T) / np.maximum(point_totals, 1.0)[:, None]
    add("focus_areas", focus, (point_totals > 0).astype(float))

    roles = _index(r.wants_role for r in requests if r.wants_role is not None)
    held = _incidence([m.roles_held for m in mentors], roles)
    role_col = np.array([roles.get(r.wants_role, -1) for r in requests], dtype=int)
    add("role", held[:, role_col].T, (role_col >= 0).astype(float))

    kinds = _index(r.organisation_kind for r in requests)
    worked = _incidence([m.organisation_kinds for m in mentors], kinds)
    kind_col = np.array([kinds[r.organisation_kind] for r in requests], dtype=int)
    asked = np.array([r.wants_same_org_kind for r in requests], dtype=bool)
    miss = np.where(asked, 0.0, UNASKED_KIND_VALUE)[:, None]
    add("organisation_kind", np.where(worked[:, kind_col].T > 0, 1.0, miss), np.ones(n_req))

    lived = np.array([1.0 if m.lived_experience else 0.0 for m in mentors])
    wants_lived = np.array([1.0 if r.wants_lived_experience else 0.0 for r in requests])
    add("lived_experience", np.broadcast_to(lived, (n_req, n_men)), wants_lived)

    formats = _index(f for r in requests for f in r.formats)
    offered = _incidence([m.formats for m in mentors], formats)[:, :-1]
    wanted = _incidence([r.formats for r in requests], formats)[:, :-1]
    any_format = np.array([not m.formats for m in mentors], dtype=bool)
    fmt = np.where(((wanted @ offered.T) > 0) | any_format[None, :], 1.0, 0.0)
    add("format", fmt, np.array([1.0 if r.formats else 0.0 for r in requests]))

    regions = _index([r.region for r in requests] + [m.region for m in mentors])
    req_region = np.array([regions[r.region] for r in requests], dtype=int)
    men_region = np.array([regions[m.region] for m in mentors], dtype=int)
    different = np.where(req_region[:, None] != men_region[None, :], 1.0, 0.0)
    wants_diff = np.array([1.0 if r.wants_different_region else 0.0 for r in requests])
    add("region", different, wants_diff)

    with np.errstate(invalid="ignore", divide="ignore"):
        totals = weighted / applied[:, None]
    return np.where(applied[:, None] > 0, totals, 0.0)


def _eligibility_matrix(requests: Sequence[Request], mentors: Sequence[Mentor]) -> np.ndarray:
    """`eligible()` for every pair, without a Python call per pair."""
    ok = np.ones((len(requests), len(mentors)), dtype=bool)
    open_ = np.array([m.approved_active and m.capacity_left > 0 for m in mentors], dtype=bool)
    ok &= open_[None, :]

    # Unknown organisations never count as the same one.
    orgs: dict[object, int] = {}
    req_org = np.array(
        [
            -1 if r.organisation_id is None else orgs.setdefault(r.organisation_id, len(orgs))
            for r in requests
        ],
        dtype=int,
    )
    men_org = np.array(
        [
            -2 if m.organisation_id is None else orgs.setdefault(m.organisation_id, len(orgs))
            for m in mentors
        ],
        dtype=int,
    )
    ok &= req_org[:, None] != men_org[None, :]

    # The remaining rules involve few ids per person: walk them instead of every pair.
    mentor_col = {m.id: col for col, m in enumerate(mentors)}
    rows_of_mentee: dict[int, list[int]] = {}
    for row, r in enumerate(requests):
        rows_of_mentee.setdefault(r.mentee_id, []).append(row)
        for uid in {r.mentee_id} | r.excluded_user_ids | r.blocked_mentor_ids:
            if uid in mentor_col:
                ok[row, mentor_col[uid]] = False
    for col, m in enumerate(mentors):
        for uid in m.excluded_user_ids:
            for row in rows_of_mentee.get(uid, ()):
                ok[row, col] = False
    return ok


# Cohorts --------------------------------------------------------------------------------------


def _sorted_unique(items: Iterable, what: str) -> list:
    items = sorted(items, key=lambda x: x.id)
    for a, b in zip(items, items[1:], strict=False):
        if a.id == b.id:
            raise ValueError(f"Two {what} have the id {a.id}.")
    return items


def _take_fixed_pairs(
    requests: list[Request], mentors: list[Mentor], fixed_pairs: Iterable[tuple[int, int]]
) -> tuple[list[tuple[Request, Mentor]], dict[int, int]]:
    """Check the steward's pairs against the hard rules; return them and the capacity used."""
    by_request = {r.id: r for r in requests}
    by_mentor = {m.id: m for m in mentors}
    used: dict[int, int] = {}
    taken: list[tuple[Request, Mentor]] = []
    seen: set[int] = set()
    for request_id, mentor_id in sorted(fixed_pairs):
        where = f"Fixed pair (request {request_id}, mentor {mentor_id})"
        if request_id not in by_request:
            raise ValueError(f"{where}: there is no request {request_id} in this cohort.")
        if mentor_id not in by_mentor:
            raise ValueError(f"{where}: there is no mentor {mentor_id} in this cohort.")
        if request_id in seen:
            raise ValueError(f"{where}: request {request_id} already has a fixed mentor.")
        mentor = by_mentor[mentor_id]
        left = dataclasses.replace(
            mentor, capacity_left=mentor.capacity_left - used.get(mentor_id, 0)
        )
        reason = why_ineligible(by_request[request_id], left)
        if reason:
            raise ValueError(f"{where} breaks a matching rule: {reason}.")
        seen.add(request_id)
        used[mentor_id] = used.get(mentor_id, 0) + 1
        taken.append((by_request[request_id], mentor))
    return taken, used


def _unmatched_reason(row_ok: np.ndarray, row_allowed: np.ndarray) -> str:
    if not row_ok.any():
        return NO_ELIGIBLE_MENTOR
    if not row_allowed.any():
        return BELOW_MIN_SCORE
    return PLACES_TAKEN


def _result(
    requests: list[Request],
    mentors: list[Mentor],
    chosen: dict[int, int],
    scores: np.ndarray,
    ok: np.ndarray,
    allowed: np.ndarray,
    fixed: list[tuple[Request, Mentor]],
    labels: Mapping[str, str] | None,
) -> CohortResult:
    """Build the result; reasons are worked out only for the pairs chosen."""
    label = _labeller(labels)
    pairs = [
        Pair(r.id, m.id, score(r, m).total, tuple(_reasons(r, m, label)), fixed=True)
        for r, m in fixed
    ]
    unmatched = []
    for row, r in enumerate(requests):
        if row in chosen:
            m = mentors[chosen[row]]
            pairs.append(
                Pair(r.id, m.id, float(scores[row, chosen[row]]), tuple(_reasons(r, m, label)))
            )
        else:
            unmatched.append(Unmatched(r.id, _unmatched_reason(ok[row], allowed[row])))
    pairs.sort(key=lambda p: p.request_id)
    return CohortResult(tuple(pairs), tuple(unmatched))


def _prepare(requests, mentors, min_score, fixed_pairs):
    requests = _sorted_unique(requests, "requests")
    mentors = _sorted_unique(mentors, "mentors")
    fixed, used = _take_fixed_pairs(requests, mentors, fixed_pairs)
    fixed_ids = {r.id for r, _ in fixed}
    requests = [r for r in requests if r.id not in fixed_ids]
    mentors = [
        dataclasses.replace(m, capacity_left=m.capacity_left - used[m.id]) if m.id in used else m
        for m in mentors
    ]
    scores = _score_matrix(requests, mentors)
    ok = _eligibility_matrix(requests, mentors)
    allowed = ok & (scores >= min_score)
    return requests, mentors, fixed, scores, ok, allowed


def match_cohort(
    requests: Iterable[Request],
    mentors: Iterable[Mentor],
    *,
    mode: Mode = "best_total",
    min_score: float = 0.0,
    fixed_pairs: Iterable[tuple[int, int]] = (),
    labels: Mapping[str, str] | None = None,
) -> CohortResult:
    """Match a batch of requests to mentors, optimally.

    "best_total" maximises the sum of scores; "most_matched" maximises the number of requests
    matched, then the sum of scores. Fixed pairs `(request_id, mentor_id)` are taken first and
    use up capacity (they are exempt from `min_score`); a fixed pair that breaks a hard rule
    raises ValueError. The same input in any order gives the same result.
    """
    if mode not in ("best_total", "most_matched"):
        raise ValueError(f"Unknown matching mode: {mode!r}.")
    requests, mentors, fixed, scores, ok, allowed = _prepare(
        requests, mentors, min_score, fixed_pairs
    )
    # Only rows and mentors that can take part; a mentor needs no more copies than the
    # requests that could use them.
    rows = np.flatnonzero(allowed.any(axis=1))
    capacity = np.array([m.capacity_left for m in mentors], dtype=int)
    caps = np.minimum(capacity, allowed.sum(axis=0)).clip(min=0)
    chosen: dict[int, int] = {}
    if len(rows) and caps.sum():
        col_mentor = np.repeat(np.arange(len(mentors)), caps)
        sub_allowed = allowed[rows][:, col_mentor]
        sub_scores = scores[rows][:, col_mentor]
        # "most_matched": one more match always beats any gain in total score (<= len(rows)).
        bonus = len(rows) + 1.0 if mode == "most_matched" else MATCH_NUDGE
        # Forbidden cells are negative and every row has its own free "unmatched" column
        # worth 0, so an optimal assignment never uses a forbidden cell.
        weights = np.where(sub_allowed, sub_scores + bonus, -1.0)
        weights = np.hstack([weights, np.zeros((len(rows), len(rows)))])
        row_ind, col_ind = linear_sum_assignment(weights, maximize=True)
        for r, c in zip(row_ind, col_ind, strict=True):
            if c < len(col_mentor) and sub_allowed[r, c]:
                chosen[int(rows[r])] = int(col_mentor[c])
    return _result(requests, mentors, chosen, scores, ok, allowed, fixed, labels)


def greedy_cohort(
    requests: Iterable[Request],
    mentors: Iterable[Mentor],
    min_score: float = 0.0,
    *,
    labels: Mapping[str, str] | None = None,
) -> CohortResult:
    """Baseline: take the best remaining pair while capacity lasts (ties: lower ids first)."""
    requests, mentors, _, scores, ok, allowed = _prepare(requests, mentors, min_score, ())
    rows, cols = np.nonzero(allowed)
    order = np.lexsort((cols, rows, -scores[rows, cols]))
    capacity = [m.capacity_left for m in mentors]
    chosen: dict[int, int] = {}
    for row, col in zip(rows[order].tolist(), cols[order].tolist(), strict=True):
        if row not in chosen and capacity[col] > 0:
            chosen[row] = col
            capacity[col] -= 1
    return _result(requests, mentors, chosen, scores, ok, allowed, [], labels)
