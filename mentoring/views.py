"""HTTP adapters for mentoring: parse, ask the policies, call the services, render."""

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render

from community.models import PracticeArea
from mentoring import charts, forms, policies, selectors, services
from mentoring.models import (
    Goal,
    MentoringRequest,
    MentorProfile,
    PrivateNote,
    Proposal,
)


def home(request):
    """My mentoring: as mentee and as mentor."""
    user = request.user
    participant = policies.is_participant(user)
    profile = MentorProfile.objects.filter(user=user).first()
    context = {
        "participant": participant,
        "is_steward": policies.is_mentoring_steward(user),
        "profile": profile,
        "requests": list(
            MentoringRequest.objects.filter(mentee=user).exclude(
                status__in=[MentoringRequest.Status.WITHDRAWN, MentoringRequest.Status.CLOSED]
            )
        ),
        "relationships": list(policies.my_relationships(user)),
        "proposals": list(
            Proposal.objects.filter(mentor__user=user, status=Proposal.Status.PENDING)
            .select_related("request__mentee__profile")
            .order_by("expires_at")
        )
        if profile
        else [],
    }
    return render(request, "mentoring/home_page.html", context)


def directory(request):
    policies.require_participant(request.user)
    form = forms.DirectoryFilterForm(request.GET or None)
    mentors = policies.visible_mentors(request.user).order_by("user__profile__display_name")
    if form.is_valid():
        data = form.cleaned_data
        # JSON lists of codes, matched as quoted strings: works on SQLite and PostgreSQL.
        if data["area"]:
            mentors = mentors.filter(expertise__icontains=f'"{data["area"]}"')
        if data["role"]:
            mentors = mentors.filter(roles_held__icontains=f'"{data["role"]}"')
        if data["region"]:
            mentors = mentors.filter(region=data["region"])
        if data["format"]:
            mentors = mentors.filter(Q(formats=[]) | Q(formats__icontains=f'"{data["format"]}"'))
    return render(
        request,
        "mentoring/mentor_directory.html",
        {"form": form, "mentors": list(mentors[:200])},
    )


def mentor_detail(request, pk):
    profile = policies.get_mentor_for_viewing(request.user, pk)
    return render(
        request,
        "mentoring/mentor_detail.html",
        {"mentor": profile, "is_own": policies.is_own_mentor_profile(request.user, profile)},
    )


def mentor_profile_edit(request):
    policies.require_participant(request.user)
    profile = MentorProfile.objects.filter(user=request.user).first()
    if request.method == "POST":
        action = request.POST.get("status_change")
        if action in forms.MENTOR_STATUS_CHANGES:
            try:
                services.set_mentor_availability(
                    actor=request.user, status=forms.MENTOR_STATUS_CHANGES[action]
                )
            except services.MentoringError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, "Your mentor profile has been updated.")
            return redirect("mentoring:profile")
        form = forms.MentorProfileForm(request.POST)
        if form.is_valid():
            try:
                services.save_mentor_profile(actor=request.user, **form.cleaned_data)
            except services.MentoringError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    "Your mentor profile is saved."
                    if profile
                    else "Thank you. A steward will look at your offer to mentor soon.",
                )
                return redirect("mentoring:home")
    else:
        form = forms.MentorProfileForm.for_profile(profile)
    return render(request, "mentoring/profile_form.html", {"form": form, "profile": profile})


def request_create(request):
    policies.require_participant(request.user)
    mentors = policies.visible_mentors(request.user).exclude(user=request.user)
    if request.method == "POST":
        form = forms.RequestForm(request.POST, mentors=mentors)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.create_request(
                    actor=request.user,
                    goals=data["goals"],
                    focus_areas=data["focus_areas"],
                    wants_lived_experience=data["wants_lived_experience"],
                    wants_same_org_kind=data["wants_same_org_kind"],
                    wants_different_region=data["wants_different_region"],
                    wants_role=data["wants_role"],
                    formats=data["formats"],
                    excluded_users=list(data["excluded_users"]),
                )
            except services.MentoringError as error:
                form.add_error(None, str(error))
            else:
                return redirect("mentoring:request", pk=created.pk)
    else:
        form = forms.RequestForm(mentors=mentors)
    return render(request, "mentoring/request_form.html", {"form": form})


def request_detail(request, pk):
    """The mentee's request, with explained suggestions; propose or withdraw here."""
    mentoring_request = policies.get_request_for_mentee(request.user, pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "withdraw":
                services.withdraw_request(actor=request.user, request=mentoring_request)
                messages.success(request, "Your request has been withdrawn.")
                return redirect("mentoring:home")
            chosen = forms.ChosenMentorForm(request.POST)
            if not chosen.is_valid():
                raise BadRequest("Malformed mentor id.")
            mentor_id = chosen.cleaned_data["mentor"]
            mentor = MentorProfile.objects.filter(pk=mentor_id).first() if mentor_id else None
            if mentor is None:
                raise services.MentoringError("Choose a mentor from the suggestions.")
            services.propose_mentor(actor=request.user, request=mentoring_request, mentor=mentor)
        except services.MentoringError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"We have asked {mentor.user.display_name}. They have 14 days to answer; "
                "we will tell you when they do.",
            )
        return redirect("mentoring:request", pk=mentoring_request.pk)
    mentoring_request.refresh_from_db()
    return render(
        request,
        "mentoring/request_detail.html",
        {
            "req": mentoring_request,
            "suggestions": selectors.suggestions_for(actor=request.user, request=mentoring_request),
            "proposals": list(mentoring_request.proposals.select_related("mentor__user__profile")),
        },
    )


def proposal_detail(request, pk):
    """The mentor reads the mentee's goals and public profile, and answers."""
    proposal = policies.get_proposal_for_mentor(request.user, pk)
    if request.method == "POST":
        form = forms.ProposalAnswerForm(request.POST)
        if form.is_valid():
            try:
                if form.cleaned_data["answer"] == "accept":
                    relationship = services.accept_proposal(actor=request.user, proposal=proposal)
                    messages.success(request, "You are now mentoring together.")
                    return redirect("mentoring:relationship", pk=relationship.pk)
                services.decline_proposal(
                    actor=request.user, proposal=proposal, reason=form.cleaned_data["reason"]
                )
                messages.success(request, "Thank you for answering. The mentee has been told.")
                return redirect("mentoring:home")
            except services.MentoringError as error:
                messages.error(request, str(error))
                return redirect("mentoring:proposal", pk=proposal.pk)
    else:
        form = forms.ProposalAnswerForm()
    return render(
        request,
        "mentoring/proposal_detail.html",
        {"proposal": proposal, "mentee": proposal.request.mentee, "form": form},
    )


RELATIONSHIP_ACTIONS = {"goal", "progress", "meeting", "note", "pause", "resume", "end"}


def relationship_detail(request, pk):
    relationship = policies.get_relationship_for_party(request.user, pk)
    user = request.user
    forms_by_action = {
        "goal": forms.GoalForm(prefix="goal"),
        "meeting": forms.MeetingForm(prefix="meeting"),
        "note": forms.NoteForm(prefix="note"),
        "end": forms.EndForm(prefix="end"),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in RELATIONSHIP_ACTIONS:
            raise Http404("No such action.")
        form = None
        if action in forms_by_action:
            form = type(forms_by_action[action])(request.POST, prefix=action)
            forms_by_action[action] = form
        elif action == "progress":
            form = forms.GoalProgressForm(request.POST)
        if form is None or form.is_valid():
            data = form.cleaned_data if form is not None else {}
            try:
                _relationship_action(user, relationship, action, data)
            except services.MentoringError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, RELATIONSHIP_DONE[action])
                return redirect("mentoring:relationship", pk=relationship.pk)
    mentor_user = relationship.mentor.user
    return render(
        request,
        "mentoring/relationship_detail.html",
        {
            "relationship": relationship,
            "other": relationship.mentee if mentor_user.pk == user.pk else mentor_user,
            "is_mentor": mentor_user.pk == user.pk,
            "goals": list(relationship.goals.all()),
            "progress_choices": forms.GoalProgressForm.base_fields["progress"].choices,
            "meetings": list(relationship.meetings.select_related("logged_by__profile")),
            # Private notes: the viewer's own, and nobody else's, ever.
            "notes": list(PrivateNote.objects.filter(relationship=relationship, writer=user)),
            "forms": forms_by_action,
            "can_change": policies.can_change_relationship(user, relationship),
        },
    )


RELATIONSHIP_DONE = {
    "goal": "Goal added.",
    "progress": "Progress saved.",
    "meeting": "Meeting logged.",
    "note": "Private note saved. Only you can see it.",
    "pause": "The relationship is paused.",
    "resume": "The relationship is active again.",
    "end": "The relationship has ended. Thank you.",
}


def _relationship_action(user, relationship, action, data):
    if action == "goal":
        services.add_goal(actor=user, relationship=relationship, text=data["text"])
    elif action == "progress":
        goal = Goal.objects.filter(pk=data["goal"], relationship=relationship).first()
        if goal is None:
            raise services.MentoringError("That goal is not part of this relationship.")
        services.update_goal_progress(actor=user, goal=goal, progress=data["progress"])
    elif action == "meeting":
        services.log_meeting(actor=user, relationship=relationship, **data)
    elif action == "note":
        services.add_private_note(actor=user, relationship=relationship, body=data["body"])
    elif action == "pause":
        services.pause_relationship(actor=user, relationship=relationship)
    elif action == "resume":
        services.resume_relationship(actor=user, relationship=relationship)
    elif action == "end":
        services.end_relationship(
            actor=user,
            relationship=relationship,
            rating=data["rating"],
            goals_met=data["goals_met"],
        )


# Stewards ------------------------------------------------------------------------------------


def steward_mentors(request):
    policies.require_steward(request.user)
    if request.method == "POST":
        chosen = forms.ChosenMentorForm(request.POST)
        if not chosen.is_valid() or chosen.cleaned_data["mentor"] is None:
            raise BadRequest("Malformed mentor id.")
        profile = (
            policies.mentors_awaiting_approval(request.user)
            .filter(pk=chosen.cleaned_data["mentor"])
            .first()
        )
        if profile is None:
            raise Http404("No such mentor.")
        try:
            services.approve_mentor(actor=request.user, profile=profile)
        except services.MentoringError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{profile.user.display_name} is now an approved mentor.")
        return redirect("mentoring:steward_mentors")
    return render(
        request,
        "mentoring/steward_mentors.html",
        {"awaiting": list(policies.mentors_awaiting_approval(request.user))},
    )


def steward_requests(request):
    policies.require_steward(request.user)
    requests = list(policies.open_requests(request.user).order_by("created_at"))
    declined = list(
        Proposal.objects.filter(status=Proposal.Status.DECLINED)
        .exclude(decline_reason="")
        .order_by("-answered_at")
        .values_list("answered_at", "decline_reason")[:50]
    )
    return render(
        request,
        "mentoring/steward_requests.html",
        {"requests": requests, "decline_reasons": declined},
    )


def steward_cohort(request):
    policies.require_steward(request.user)
    if request.method == "POST":
        form = forms.CohortForm(request.POST)
        if not form.is_valid():
            # A tampered or stale confirmation: the page again, with the form's error (400).
            return _cohort_page(request, form, status=400)
        try:
            proposals = services.confirm_cohort(
                actor=request.user,
                mode=form.cleaned_data["mode"],
                min_score=form.cleaned_data["min_score"] / 100,
                fixed_pairs=form.fixed_pairs(),
            )
        except services.MentoringError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"{len(proposals)} proposals sent. Each mentor has 14 days to answer.",
            )
        return redirect("mentoring:steward_cohort")
    if "mode" not in request.GET:
        return _cohort_page(request, forms.CohortForm({"mode": "best_total", "min_score": 0}))
    form = forms.CohortForm(request.GET)
    if not form.is_valid():
        return _cohort_page(request, form, status=400)
    fixed = form.fixed_pairs()
    preview = None
    try:
        preview = selectors.preview_cohort(
            actor=request.user,
            mode=form.cleaned_data["mode"],
            min_score=form.cleaned_data["min_score"] / 100,
            fixed_pairs=fixed,
        )
    except services.MentoringError as error:
        messages.error(request, str(error))
    return _cohort_page(request, form, preview=preview, fixed=fixed)


def _cohort_page(request, form, *, preview=None, fixed=(), status=200):
    open_requests = list(
        MentoringRequest.objects.filter(status=MentoringRequest.Status.OPEN)
        .select_related("mentee__profile")
        .order_by("pk")
    )
    mentors = [
        m
        for m in MentorProfile.objects.filter(status=MentorProfile.Status.APPROVED)
        .select_related("user__profile")
        .order_by("user__profile__display_name")
        if m.places_left > 0
    ]
    fixed_map = dict(fixed)
    return render(
        request,
        "mentoring/steward_cohort.html",
        {
            "form": form,
            "preview": preview,
            "open_requests": [(r, fixed_map.get(r.pk)) for r in open_requests],
            "mentors": mentors,
            "fixed_value": ",".join(f"{r}:{m}" for r, m in fixed),
            "areas": dict(PracticeArea.choices),
        },
        status=status,
    )


def steward_figures(request):
    policies.require_steward(request.user)
    figures = selectors.figures(actor=request.user)
    bars = [
        ("Open requests", figures["open_requests"], ""),
        ("Active relationships", figures["active_relationships"], ""),
        ("Paused relationships", figures["paused_relationships"], ""),
        ("Ended relationships", figures["ended_relationships"], ""),
        ("Mentor places taken", figures["places_taken"], ""),
        ("Mentor places in all", figures["capacity"], ""),
    ]
    return render(
        request,
        "mentoring/steward_figures.html",
        {
            "figures": figures,
            "chart": charts.bar_chart(bars, title="Mentoring at a glance"),
            "bars": bars,
        },
    )
