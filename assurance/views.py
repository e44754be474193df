"""HTTP adapters for board assurance: parse, ask the policies, call the services, render."""

import csv

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from assurance import forms, policies, questionnaire, selectors, services
from assurance.models import BoardAnswer, Milestone, WresFigure
from community.models import AuditEvent, Organisation
from community.policies import audit_rows


def _board_or_404(user):
    organisation_id = policies.board_of(user)
    if organisation_id is None:
        raise Http404("No board.")
    return Organisation.objects.get(pk=organisation_id)


def home(request):
    """My board's rounds; for people with no board, a short explanation."""
    user = request.user
    organisation_id = policies.board_of(user)
    context = {"organisation": None}
    if organisation_id is not None:
        rounds = list(policies.board_rounds(user))
        context = {
            "organisation": Organisation.objects.get(pk=organisation_id),
            "rounds": rounds,
            "can_open": policies.can_run_rounds(user, organisation_id)
            and not any(r.is_open for r in rounds),
            "min_responses": policies.min_responses(),
        }
    return render(request, "assurance/home_page.html", context)


@require_http_methods(["GET", "POST"])
def round_create(request):
    organisation = _board_or_404(request.user)
    if not policies.can_run_rounds(request.user, organisation.pk):
        raise Http404("No such page.")
    form = forms.OpenRoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.open_round(actor=request.user, closes_at=form.closes_at())
        except services.AssuranceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The round is open. Every board member has been told.")
            return redirect("assurance:round", pk=round_.pk)
    return render(
        request, "assurance/round_form.html", {"form": form, "organisation": organisation}
    )


def _board_answers(round_, version):
    answers = {a.question: a for a in BoardAnswer.objects.filter(round=round_)}
    return [(question, answers.get(code)) for code, question in version.assurance_questions]


@require_http_methods(["GET", "POST"])
def round_detail(request, pk):
    user = request.user
    round_ = policies.get_round_for_board_member(user, pk)
    if request.method == "POST":
        if request.POST.get("action") == "close" and policies.can_close_round(user, round_):
            services.close_round(actor=user, round_=round_)
            messages.success(request, "The round is closed.")
        return redirect("assurance:round", pk=round_.pk)
    version = questionnaire.version(round_.questionnaire_version)
    result = policies.results_for(user, round_)
    context = {
        "round": round_,
        "organisation": round_.organisation,
        "version": version,
        "own": policies.own_response(user, round_),
        "can_answer": policies.can_answer(user, round_),
        "can_close": policies.can_close_round(user, round_),
        "can_plan": policies.can_plan(user, round_),
        "board_answers": _board_answers(round_, version),
        "min_responses": policies.min_responses(),
        "scale": dict(questionnaire.PROGRESS_SCALE),
    }
    if round_.is_open:
        context["answered"] = round_.responses.count()
        context["board_size"] = policies.board_members(round_.organisation_id).count()
    if result is not None:
        context.update(selectors.results_page(round_, result))
    return render(request, "assurance/round_detail.html", context)


@require_http_methods(["GET", "POST"])
def round_answer(request, pk):
    user = request.user
    round_ = policies.get_round_for_board_member(user, pk)
    if not policies.can_answer(user, round_):
        messages.info(request, "This round has closed: answers can no longer change.")
        return redirect("assurance:round", pk=round_.pk)
    version = questionnaire.version(round_.questionnaire_version)
    own = policies.own_response(user, round_)
    form = forms.ResponseForm(
        request.POST or None, version=version, initial=forms.ResponseForm.initial_from(own)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_response(
                actor=user,
                round_=round_,
                overall=form.cleaned_data["overall"],
                progress=form.progress(),
            )
        except services.AssuranceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your answers are saved. Only you can see them.")
            return redirect("assurance:round", pk=round_.pk)
    return render(
        request,
        "assurance/round_answer.html",
        {"round": round_, "form": form, "own": own, "organisation": round_.organisation},
    )


@require_http_methods(["GET", "POST"])
def round_questions(request, pk):
    """The board's shared answers to its key assurance questions."""
    user = request.user
    round_ = policies.get_round_for_board_member(user, pk)
    version = questionnaire.version(round_.questionnaire_version)
    if not policies.can_answer(user, round_):
        return redirect("assurance:round", pk=round_.pk)
    initial = {a.question: a.text for a in BoardAnswer.objects.filter(round=round_)}
    form = forms.BoardAnswersForm(request.POST or None, version=version, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_board_answers(actor=user, round_=round_, answers=form.cleaned_data)
        messages.success(request, "The board's answers are saved.")
        return redirect("assurance:round", pk=round_.pk)
    return render(
        request,
        "assurance/round_questions.html",
        {"round": round_, "form": form, "organisation": round_.organisation},
    )


def _closed_results(user, pk):
    round_ = policies.get_round_for_board_member(user, pk)
    result = policies.results_for(user, round_)
    if result is None:
        raise Http404("No results.")
    return round_, result


def round_paper(request, pk):
    """The board paper: one printable A4 page of the round's aggregates and plan."""
    round_, result = _closed_results(request.user, pk)
    page = selectors.results_page(round_, result)
    version = page["version"]
    actions = list(
        policies.board_actions(request.user, round_.organisation_id)
        .filter(round=round_)
        .select_related("owner__profile")
        .prefetch_related("milestones")
    )
    return render(
        request,
        "assurance/round_paper.html",
        {
            **page,
            "round": round_,
            "organisation": round_.organisation,
            "actions": actions,
            "board_answers": _board_answers(round_, version),
        },
    )


def round_csv(request, pk):
    round_, result = _closed_results(request.user, pk)
    page = selectors.results_page(round_, result)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="board-assessment-{round_.pk}.csv"'
    writer = csv.writer(response)
    for row in selectors.csv_rows(round_, page):
        writer.writerow(row)
    return response


@require_http_methods(["GET", "POST"])
def round_plan(request, pk):
    """The action plan from a closed round, with suggestions for the weakest areas."""
    user = request.user
    round_, result = _closed_results(user, pk)
    version = questionnaire.version(round_.questionnaire_version)
    can_plan = policies.can_plan(user, round_)
    members = list(policies.board_members(round_.organisation_id))
    weakest = selectors.weakest_items(result, version)
    form = None
    if can_plan:
        initial = {"area": weakest[0].code} if weakest else None
        form = forms.ActionForm(
            request.POST or None, version=version, members=members, initial=initial
        )
    if request.method == "POST":
        if form is None:
            raise Http404("No such page.")
        if form.is_valid():
            try:
                services.create_action(
                    actor=user,
                    round_=round_,
                    title=form.cleaned_data["title"],
                    area=form.cleaned_data["area"],
                    owner=form.owner_user(),
                    milestones=form.milestones(),
                )
            except services.AssuranceError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "The action is in the plan; its owner has been told.")
                return redirect("assurance:plan", pk=round_.pk)
    actions = list(
        policies.board_actions(user, round_.organisation_id)
        .filter(round=round_)
        .select_related("owner__profile")
        .prefetch_related("milestones")
    )
    return render(
        request,
        "assurance/round_plan.html",
        {
            "round": round_,
            "organisation": round_.organisation,
            "version": version,
            "result": result,
            "actions": actions,
            "form": form,
            "suggestions": selectors.suggestions(user, weakest),
        },
    )


@require_http_methods(["GET", "POST"])
def action_detail(request, pk):
    user = request.user
    action = policies.get_action_for_board_member(user, pk)
    can_update = policies.can_update_action(user, action)
    members = list(policies.board_members(action.organisation_id))
    update_form = forms.ActionUpdateForm(
        members=members,
        initial={
            "status": action.status,
            "owner": str(action.owner_id or ""),
            "evidence_url": action.evidence_url,
            "evidence_note": action.evidence_note,
        },
    )
    milestone_form = forms.MilestoneForm()
    if request.method == "POST":
        if not can_update:
            raise Http404("No such page.")
        what = request.POST.get("form")
        try:
            if what == "update":
                update_form = forms.ActionUpdateForm(request.POST, members=members)
                if update_form.is_valid():
                    services.update_action(
                        actor=user,
                        action=action,
                        status=update_form.cleaned_data["status"],
                        evidence_url=update_form.cleaned_data["evidence_url"],
                        evidence_note=update_form.cleaned_data["evidence_note"],
                        owner=update_form.owner_user(),
                    )
                    messages.success(request, "The action is updated.")
                    return redirect("assurance:action", pk=action.pk)
            elif what == "milestone":
                milestone_form = forms.MilestoneForm(request.POST)
                if milestone_form.is_valid():
                    services.add_milestone(actor=user, action=action, **milestone_form.cleaned_data)
                    messages.success(request, "The milestone is added.")
                    return redirect("assurance:action", pk=action.pk)
            elif what == "done":
                milestone = Milestone.objects.filter(
                    pk=request.POST.get("milestone") or 0, action=action
                ).first()
                if milestone is not None:
                    services.complete_milestone(actor=user, milestone=milestone)
                    messages.success(request, "The milestone is marked done.")
                return redirect("assurance:action", pk=action.pk)
        except services.AssuranceError as error:
            messages.error(request, str(error))
    history = audit_rows(
        request.user,
        AuditEvent.objects.filter(target_type="assurance.action", target_id=action.pk)[:50],
    )
    version = questionnaire.version(action.round.questionnaire_version)
    return render(
        request,
        "assurance/action_detail.html",
        {
            "action": action,
            "area_label": version.item_label(action.area),
            "milestones": list(action.milestones.all()),
            "can_update": can_update,
            "update_form": update_form,
            "milestone_form": milestone_form,
            "history": history,
        },
    )


@require_http_methods(["GET", "POST"])
def wres(request):
    """The trust's WRES figures, per year (optional), for the board's own use."""
    user = request.user
    organisation = _board_or_404(user)
    form = forms.WresForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.save_wres_figures(actor=user, year=form.cleaned_data["year"], values=form.values())
        messages.success(request, "The figures are saved.")
        return redirect("assurance:wres")
    labels = dict(questionnaire.WRES_INDICATORS)
    figures = [
        (figure.year, labels.get(figure.indicator, figure.indicator), figure.value)
        for figure in WresFigure.objects.filter(organisation=organisation)
    ]
    return render(
        request,
        "assurance/wres_page.html",
        {"organisation": organisation, "form": form, "figures": figures},
    )
