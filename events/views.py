"""Thin adapters: fetch through the policy, act through the service, render."""

import csv

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from community.policies import networks_visible_in
from events import policies, services
from events.calendar import event_ics
from events.forms import AttendanceForm, CapacityForm, EventForm
from events.live import policies as live_policies
from events.models import ACTIVE_STATUSES, Event, Registration

Status = Registration.Status


def _with_counts(qs):
    return qs.annotate(
        confirmed=Count("registrations", filter=Q(registrations__status=Status.CONFIRMED)),
        waiting=Count("registrations", filter=Q(registrations__status=Status.WAITLISTED)),
    )


def _with_my_registration(qs, user):
    return qs.prefetch_related(
        Prefetch(
            "registrations",
            queryset=Registration.objects.filter(user=user, status__in=ACTIVE_STATUSES),
            to_attr="mine",
        )
    )


def _decorate(events):
    for event in events:
        event.seats_left = max(event.capacity - event.confirmed, 0)
        event.my_registration = event.mine[0] if getattr(event, "mine", None) else None
    return events


def event_list(request):
    events = _decorate(
        list(
            _with_my_registration(
                _with_counts(policies.upcoming_events_to_attend(request.user)), request.user
            )
        )
    )
    managed = list(
        policies.managed_events(request.user)
        .filter(ends_at__gt=timezone.now())
        .exclude(status=Event.Status.CANCELLED)
    )
    return render(
        request,
        "events/event_list.html",
        {
            "events": events,
            "managed": managed,
            "can_create": policies.can_create_events(request.user),
        },
    )


def network_events(request, slug):
    network = policies.get_network_for_events(request.user, slug)
    events = _decorate(
        list(
            _with_my_registration(
                _with_counts(policies.upcoming_events_to_attend(request.user, network)),
                request.user,
            )
        )
    )
    return render(request, "events/event_network.html", {"network": network, "events": events})


def network_section(request, network):
    """The events part of a network's home page (a hook on EventsConfig)."""
    events = list(policies.upcoming_events_to_attend(request.user, network)[:5])
    return render_to_string(
        "events/partials/network_section.html",
        {"network": network, "events": events},
        request=request,
    )


def my_registrations(request):
    registrations = list(
        Registration.objects.filter(user=request.user)
        .exclude(status=Status.CANCELLED)
        .filter(event__in=policies.visible_events(request.user))
        .select_related("event")
        .order_by("-event__starts_at")
    )
    now = timezone.now()
    upcoming = [r for r in registrations if r.event.ends_at > now]
    upcoming.reverse()
    past = [r for r in registrations if r.event.ends_at <= now]
    return render(request, "events/registration_list.html", {"upcoming": upcoming, "past": past})


def _detail_context(request, event):
    registration = (
        Registration.objects.filter(
            event=event, user=request.user, status__in=ACTIVE_STATUSES
        ).first()
        or Registration.objects.filter(event=event, user=request.user, status=Status.DECLINED)
        .order_by("-pk")
        .first()
    )
    confirmed = services.confirmed_count(event)
    return {
        "event": event,
        "registration": registration,
        "position": registration and services.waitlist_position(registration),
        "seats_left": max(event.capacity - confirmed, 0),
        "waiting": Registration.objects.filter(event=event, status=Status.WAITLISTED).count(),
        "window_error": policies.registration_window_error(event),
        "can_register": policies.can_register(request.user, event),
        "can_manage": policies.can_manage_event(request.user, event),
        "can_edit": policies.can_edit_event(request.user, event),
        # Only the networks this person may know of: an unlisted one stays unnamed.
        "networks": list(networks_visible_in(request.user, event.networks.all()).order_by("name")),
        "live_entry": live_policies.live_entry(request.user, event),
    }


def event_detail(request, pk):
    event = policies.get_event_for_viewing(request.user, pk)
    template = "events/event_detail.html"
    if request.GET.get("partial") == "place":
        template += "#place"  # re-fetched by static/js/events.js when a notice arrives
    return render(request, template, _detail_context(request, event))


@require_POST
def register(request, pk):
    event = policies.get_event_for_viewing(request.user, pk)
    try:
        registration = services.register(actor=request.user, event=event)
    except services.EventError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _registration_message(registration))
    return redirect("events:detail", pk=event.pk)


def _registration_message(registration):
    if registration.status == Status.CONFIRMED:
        return "You have a seat. We will remind you a day before."
    if registration.status == Status.WAITLISTED:
        position = services.waitlist_position(registration)
        return (
            f"The event is full, so you are on the waiting list (number {position}). "
            "If a seat becomes free, it is yours and we will tell you."
        )
    if registration.status == Status.AWAITING_APPROVAL:
        return "Thank you. A facilitator will look at your request."
    return "A facilitator has already answered your request for this event."


@require_POST
def cancel_registration(request, pk):
    event = policies.get_event_for_viewing(request.user, pk)
    try:
        services.cancel_registration(actor=request.user, event=event)
    except services.EventError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your registration is cancelled. Thank you for letting us know.")
    return redirect("events:detail", pk=event.pk)


def event_calendar(request, pk):
    event = policies.get_event_for_viewing(request.user, pk)
    url = request.build_absolute_uri(reverse("events:detail", args=[event.pk]))
    response = HttpResponse(event_ics(event, url=url), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="confide-event-{event.pk}.ics"'
    return response


# Facilitator page ---------------------------------------------------------------------------


def _manage_context(request, event, capacity_form=None):
    registrations = list(
        event.registrations.exclude(status=Status.CANCELLED)
        .select_related("user__profile")
        .order_by("created_at", "pk")
    )
    confirmed = [r for r in registrations if r.status == Status.CONFIRMED]
    waitlist = sorted(
        (r for r in registrations if r.status == Status.WAITLISTED),
        key=lambda r: (r.waitlisted_at, r.pk),
    )
    awaiting = [r for r in registrations if r.status == Status.AWAITING_APPROVAL]
    declined = [r for r in registrations if r.status == Status.DECLINED]
    attendance = AttendanceForm(
        registrations=confirmed,
        initial={"attended": [r.user_id for r in confirmed if r.attended]},
    )
    return {
        "event": event,
        "confirmed": confirmed,
        "waitlist": waitlist,
        "awaiting": awaiting,
        "declined": declined,
        "seats_left": max(event.capacity - len(confirmed), 0),
        "capacity_form": capacity_form or CapacityForm(initial={"capacity": event.capacity}),
        "attendance_form": attendance,
        "can_edit": policies.can_edit_event(request.user, event),
        "live_entry": live_policies.live_entry(request.user, event),
    }


def event_manage(request, pk):
    event = policies.get_event_for_facilitator(request.user, pk)
    return render(request, "events/event_manage.html", _manage_context(request, event))


@require_POST
def change_capacity(request, pk):
    event = policies.get_event_for_facilitator(request.user, pk)
    form = CapacityForm(request.POST)
    if form.is_valid():
        try:
            _event, promoted = services.change_capacity(
                actor=request.user, event=event, capacity=form.cleaned_data["capacity"]
            )
        except services.EventError as error:
            form.add_error("capacity", str(error))
        else:
            note = f" {len(promoted)} people moved from the waiting list." if promoted else ""
            messages.success(request, f"Capacity is now {form.cleaned_data['capacity']}.{note}")
            return redirect("events:manage", pk=event.pk)
    event.refresh_from_db()
    return render(
        request,
        "events/event_manage.html",
        _manage_context(request, event, capacity_form=form),
        status=400,
    )


@require_POST
def decide(request, pk, registration_pk):
    event = policies.get_event_for_facilitator(request.user, pk)
    registration = get_object_or_404(Registration, pk=registration_pk, event=event)
    action = request.POST.get("decision")
    if action not in ("approve", "decline"):
        raise Http404("No such decision.")
    service = (
        services.approve_registration if action == "approve" else services.decline_registration
    )
    try:
        service(actor=request.user, registration=registration)
    except services.EventError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Approved." if action == "approve" else "Declined.")
    return redirect("events:manage", pk=event.pk)


@require_POST
def mark_attendance(request, pk):
    event = policies.get_event_for_facilitator(request.user, pk)
    confirmed = list(
        event.registrations.filter(status=Status.CONFIRMED).select_related("user__profile")
    )
    form = AttendanceForm(request.POST, registrations=confirmed)
    if form.is_valid():
        services.mark_attendance(
            actor=request.user, event=event, attended_user_ids=form.cleaned_data["attended"]
        )
        messages.success(request, "Attendance saved.")
    else:
        messages.error(request, "That attendance list did not match the registrations.")
    return redirect("events:manage", pk=event.pk)


def attendance_csv(request, pk):
    event = policies.get_event_for_facilitator(request.user, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="attendance-event-{event.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(["Name", "Organisation", "Status", "Attended"])
    for r in (
        event.registrations.exclude(status=Status.CANCELLED)
        .select_related("user__profile__organisation")
        .order_by("status", "created_at", "pk")
    ):
        profile = getattr(r.user, "profile", None)
        organisation = profile.organisation.name if profile and profile.organisation else ""
        writer.writerow(
            [
                _csv_safe(r.user.display_name),
                _csv_safe(organisation),
                r.get_status_display(),
                "yes" if r.attended else "no",
            ]
        )
    return response


def _csv_safe(value):
    """Stop a spreadsheet from treating a name as a formula."""
    return "'" + value if value and value[0] in "=+-@\t\r" else value


# Steward pages ------------------------------------------------------------------------------


def _steward_only(request):
    if not policies.can_create_events(request.user):
        raise Http404("No such page.")


def event_create(request):
    _steward_only(request)
    form = EventForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.create_event(
                actor=request.user,
                networks=form.cleaned_data["networks"],
                facilitators=form.cleaned_data["facilitators"],
                publish="publish" in request.POST,
                **form.service_fields(),
            )
        except services.EventError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "The event is published." if event.is_published else "The draft is saved.",
            )
            return redirect("events:detail", pk=event.pk)
    return render(request, "events/event_form.html", {"form": form, "event": None})


def event_edit(request, pk):
    event = policies.get_event_for_steward(request.user, pk)
    form = EventForm(request.POST or None, instance=event, actor=request.user)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        fields.pop("facilitators", None)
        try:
            services.update_event(
                actor=request.user,
                event=Event.objects.get(pk=event.pk),
                networks=form.cleaned_data["networks"],
                facilitators=form.cleaned_data["facilitators"],
                **fields,
            )
        except services.EventError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The event is updated. Registered people are told.")
            return redirect("events:detail", pk=event.pk)
    return render(request, "events/event_form.html", {"form": form, "event": event})


@require_POST
def publish(request, pk):
    event = policies.get_event_for_steward(request.user, pk)
    try:
        services.publish_event(actor=request.user, event=event)
    except services.EventError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The event is published. Members of its networks can register.")
    return redirect("events:detail", pk=event.pk)


def cancel_event(request, pk):
    event = policies.get_event_for_steward(request.user, pk)
    if request.method == "POST":
        services.cancel_event(actor=request.user, event=event)
        messages.success(request, "The event is cancelled. Everyone registered has been told.")
        return redirect("events:detail", pk=event.pk)
    return render(request, "events/event_cancel.html", {"event": event})
