import json

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.decorators import reauthentication_required
from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from community import data as community_data
from community import health, policies, services
from community.adapters import INVITATION_SESSION_KEY, WELCOME_SESSION_KEY
from community.forms import (
    AgreementForm,
    AuditFilterForm,
    DecisionForm,
    EraseForm,
    InvitationAnswerForm,
    InviteForm,
    JoinRequestForm,
    NetworkForm,
    ProfileForm,
)
from community.models import NetworkRole
from confide.protocol import site_apps


@login_not_required
@never_cache
async def healthz(request):
    database = await sync_to_async(health.check_database)()
    channel_layer = await health.check_channel_layer()
    ok = database and channel_layer
    return JsonResponse(
        {
            "status": "ok" if ok else "unavailable",
            "database": database,
            "channel_layer": channel_layer,
        },
        status=200 if ok else 503,
    )


@login_not_required
def privacy(request):
    return render(request, "community/privacy.html")


@login_not_required
def accessibility(request):
    return render(request, "community/accessibility.html")


def dashboard(request):
    user = request.user
    join_requests, answered_requests = policies.my_join_requests(user)
    return render(
        request,
        "community/dashboard.html",
        {
            "networks": list(policies.visible_networks(user).order_by("name")),
            "invitations": list(policies.pending_invitations_for(user)),
            "join_requests": join_requests,
            "answered_requests": answered_requests,
            "requests_to_answer": list(policies.networks_with_pending_requests(user)),
            "notices": policies.visible_notifications(user, 10)[:5],
        },
    )


def network_home(request, slug):
    network = policies.get_network_for_member(request.user, slug)
    if policies.needs_agreement(request.user, network):
        return redirect("community:agreement", slug=network.slug)
    sections = [
        section for app in site_apps() if (section := app.network_section(request, network))
    ]
    return render(
        request,
        "community/network_home.html",
        {
            "network": network,
            "is_steward": policies.is_steward(request.user, network),
            "is_moderator": policies.is_moderator(request.user, network),
            "sections": sections,
        },
    )


def agreement(request, slug):
    network = policies.get_network_for_member(request.user, slug)
    if request.method == "POST":
        try:
            services.accept_agreement(actor=request.user, network=network)
        except services.CommunityError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Thank you. Welcome to the network.")
            if request.session.get(WELCOME_SESSION_KEY):
                return redirect("community:welcome")
            return redirect("community:network", slug=network.slug)
    return render(
        request,
        "community/network_agreement.html",
        {
            "network": network,
            "accepted": policies.has_accepted_agreement(request.user, network),
            "is_member": policies.is_member(request.user, network),
        },
    )


def notifications(request):
    if request.method == "POST":
        services.mark_all_notifications_read(actor=request.user)
        return redirect("community:notifications")
    items = policies.visible_notifications(request.user, 100)
    return render(request, "community/notification_list.html", {"items": items})


def notification_open(request, pk):
    notification = get_object_or_404(request.user.notifications, pk=pk)
    if not policies.can_see_notification_target(request.user, notification):
        raise Http404("No such notice.")
    services.mark_notification_read(actor=request.user, notification=notification)
    return redirect(notification.url or "community:notifications")


# Invitations ----------------------------------------------------------------------------------


@login_not_required
@never_cache
def invitation(request, token):
    """The e-mailed link: check it, then let the person say yes or no.

    A used, expired, unknown or mismatched invitation gets a page saying what to do, never an
    error. Someone new signs up with the invited address (signing up is their yes). An existing
    account signs in first, then accepts or declines here: nobody joins without saying yes.
    """
    user = request.user
    try:
        invitation = services.check_invitation(token, user.email if user.is_authenticated else None)
    except services.InvitationProblem as problem:
        return render(request, "community/invitation_problem.html", {"problem": str(problem)})
    if user.is_authenticated:
        return _answer_invitation(request, invitation)
    if policies.invited_address_has_account(invitation):
        return redirect_to_login(request.get_full_path())
    request.session[INVITATION_SESSION_KEY] = invitation.token
    get_account_adapter(request).stash_verified_email(request, invitation.email)
    return redirect("account_signup")


def _answer_invitation(request, invitation):
    form = InvitationAnswerForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if form.cleaned_data["answer"] == "accept":
            services.accept_invitation(invitation=invitation, user=request.user)
            messages.success(request, "Invitation accepted.")
        else:
            services.decline_invitation(invitation=invitation, user=request.user)
            messages.success(request, "Invitation declined. Nobody has been told.")
        return redirect("community:dashboard")
    return render(
        request,
        "community/invitation_answer.html",
        {
            "invitation": invitation,
            # Invited networks are named to the person invited (networks_visible_in allows it).
            "networks": list(policies.networks_visible_in(request.user, invitation.networks.all())),
        },
        status=400 if request.method == "POST" else 200,
    )


# The first five minutes -----------------------------------------------------------------------

TWO_FACTOR_OFFERED_SESSION_KEY = "confide_two_factor_offered"


def welcome(request):
    """After sign-up: each step in turn (agreement, two-factor), then the network's home page.

    Every step's page leads back here while the welcome lasts, so the newcomer only ever
    follows buttons. Nothing is decided here: policies.welcome_step answers.
    """
    step, network = policies.welcome_step(
        request.user, two_factor_offered=request.session.get(TWO_FACTOR_OFFERED_SESSION_KEY, False)
    )
    if step == "agreement":
        return redirect("community:agreement", slug=network.slug)
    if step == "enrol":
        return redirect("mfa_activate_totp")
    if step == "offer":
        return redirect("community:welcome_two_factor")
    request.session.pop(WELCOME_SESSION_KEY, None)
    request.session.pop(TWO_FACTOR_OFFERED_SESSION_KEY, None)
    if network is not None:
        return redirect("community:network", slug=network.slug)
    return redirect("community:dashboard")


def welcome_two_factor(request):
    """Two-factor offered to someone who need not use it: set it up now, or not now."""
    if request.method == "POST":
        request.session[TWO_FACTOR_OFFERED_SESSION_KEY] = True
        return redirect("community:welcome")
    return render(request, "community/welcome_two_factor.html")


# Networks -------------------------------------------------------------------------------------


def networks(request):
    return render(
        request,
        "community/network_list.html",
        {
            "mine": list(policies.visible_networks(request.user).order_by("name")),
            "listed": list(policies.discoverable_networks(request.user).order_by("name")),
            "pending_ids": set(
                policies.my_pending_join_requests(request.user).values_list("network_id", flat=True)
            ),
            "form": JoinRequestForm(),
        },
    )


def network_join(request, slug):
    network = policies.get_network_for_joining(request.user, slug)
    if not policies.may_ask_to_join(request.user, network):
        # Members and the network's own stewards are never offered "Ask to join".
        if policies.is_steward(request.user, network):
            return redirect("community:steward_members", slug=network.slug)
        return redirect("community:network", slug=network.slug)
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_to_join(
                actor=request.user, network=network, message=form.cleaned_data["message"]
            )
        except services.CommunityError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Your request has been sent to the network's stewards.")
        return redirect("community:networks")
    return render(request, "community/network_join.html", {"network": network, "form": form})


def _entered_network(request, slug):
    """A network page: 404 unless the user may enter; None plus a redirect to the agreement."""
    network = policies.get_network_for_member(request.user, slug)
    if policies.needs_agreement(request.user, network):
        return network, redirect("community:agreement", slug=network.slug)
    return network, None


def member_directory(request, slug):
    network, response = _entered_network(request, slug)
    if response:
        return response
    return render(
        request,
        "community/member_list.html",
        {
            "network": network,
            "members": policies.visible_members(request.user, network),
            "is_steward": policies.is_steward(request.user, network),
        },
    )


def member_profile(request, slug, user_id):
    network, response = _entered_network(request, slug)
    if response:
        return response
    member = policies.get_member_of_network(request.user, network, user_id)
    profile = getattr(member, "profile", None)
    fields = policies.visible_profile_fields(request.user, profile) if profile else {}
    return render(
        request,
        "community/member_detail.html",
        {
            "network": network,
            "member": member,
            "member_label": policies.person_label(request.user, member),
            "profile": profile,
            **fields,
        },
    )


def profile_edit(request):
    profile = policies.own_profile(request.user)
    initial = {name: getattr(profile, name, "") for name in services.PROFILE_FIELDS}
    if profile is not None:
        initial["organisation"] = profile.organisation_id
    else:
        initial.update(
            ethnicity_visibility="only_me",
            lived_experience_visibility="only_me",
            work_visibility="networks",
        )
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.update_profile(actor=request.user, **form.cleaned_data)
        messages.success(request, "Your profile has been saved.")
        return redirect("community:profile")
    return render(request, "community/profile_form.html", {"form": form, "profile": profile})


# Stewards -------------------------------------------------------------------------------------


def steward_invite(request, slug):
    network = policies.get_network_for_steward(request.user, slug)
    form = InviteForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        role = NetworkRole.MODERATOR if form.cleaned_data["moderator"] else NetworkRole.MEMBER
        try:
            results = services.invite_many(
                actor=request.user,
                emails_text=form.cleaned_data["emails"],
                networks=[network],
                role=role,
            )
        except services.CommunityError as error:
            messages.error(request, str(error))
        else:
            form = InviteForm()
    return render(
        request,
        "community/steward_invite.html",
        {"network": network, "form": form, "results": results},
    )


def steward_requests(request, slug):
    network = policies.get_network_for_steward(request.user, slug)
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            join_request = policies.get_join_request_for_steward(
                request.user, network, form.cleaned_data["request_id"]
            )
            try:
                services.decide_join_request(
                    actor=request.user,
                    join_request=join_request,
                    approve=form.cleaned_data["decision"] == "approve",
                    reply=form.cleaned_data["reply"],
                )
            except services.CommunityError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, "Your answer has been sent.")
        return redirect("community:steward_requests", slug=network.slug)
    return render(
        request,
        "community/steward_requests.html",
        {"network": network, "requests": list(policies.pending_join_requests(network))},
    )


def steward_overview(request, slug):
    """Counts by month for the network's stewards: aggregates only, small numbers hidden."""
    from community.overview import SMALL, figures

    network = policies.get_network_for_steward(request.user, slug)
    return render(
        request,
        "community/steward_overview.html",
        {"network": network, "charts": figures(network), "small": SMALL},
    )


def steward_members(request, slug):
    network = policies.get_network_for_steward(request.user, slug)
    if request.method == "POST":
        member = policies.get_member_of_network(request.user, network, request.POST.get("user"))
        try:
            services.set_moderator(
                actor=request.user,
                network=network,
                user=member,
                moderator=request.POST.get("moderator") == "1",
            )
        except services.CommunityError as error:
            messages.error(request, str(error))
        else:
            name = policies.person_label(request.user, member)
            messages.success(request, f"{name}'s role has been changed.")
        return redirect("community:steward_members", slug=network.slug)
    return render(
        request,
        "community/steward_members.html",
        {"network": network, "members": list(policies.members_with_roles(network))},
    )


def steward_remove(request, slug, user_id):
    network = policies.get_network_for_steward(request.user, slug)
    member = policies.get_member_of_network(request.user, network, user_id)
    if request.method == "POST":
        try:
            services.remove_member(actor=request.user, network=network, user=member)
        except services.CommunityError as error:
            messages.error(request, str(error))
        else:
            name = policies.person_label(request.user, member)
            messages.success(request, f"{name} is no longer a member.")
        return redirect("community:steward_members", slug=network.slug)
    return render(request, "community/steward_remove.html", {"network": network, "member": member})


def steward_edit(request, slug):
    network = policies.get_network_for_steward(request.user, slug)
    details = NetworkForm(
        request.POST if "save_details" in request.POST else None,
        initial={
            "name": network.name,
            "description": network.description,
            "listing": network.listing,
            "requires_two_factor": network.requires_two_factor,
        },
        prefix="details",
    )
    agreement = AgreementForm(
        request.POST if "save_agreement" in request.POST else None,
        initial={"text": network.agreement},
        prefix="agreement",
    )
    if request.method == "POST":
        try:
            if "save_details" in request.POST and details.is_valid():
                services.update_network(actor=request.user, network=network, **details.cleaned_data)
                messages.success(request, "The network's details have been saved.")
                return redirect("community:steward_edit", slug=network.slug)
            if "save_agreement" in request.POST and agreement.is_valid():
                services.update_agreement(
                    actor=request.user, network=network, text=agreement.cleaned_data["text"]
                )
                messages.success(request, "The new agreement is saved; members will accept it.")
                return redirect("community:steward_edit", slug=network.slug)
        except services.CommunityError as error:
            messages.error(request, str(error))
    return render(
        request,
        "community/steward_edit.html",
        {"network": network, "details": details, "agreement": agreement},
    )


def steward_audit(request, slug):
    network = policies.get_network_for_steward(request.user, slug)
    form = AuditFilterForm(request.GET)
    events = policies.audit_trail_for_steward(request.user, network, **form.filters())
    return render(
        request,
        "community/steward_audit.html",
        {"network": network, "events": events, "filter_form": form},
    )


# My data --------------------------------------------------------------------------------------


def my_activity(request):
    form = AuditFilterForm(request.GET)
    events = policies.audit_events_about(request.user, **form.filters())
    return render(
        request,
        "community/activity_list.html",
        {"events": events, "filter_form": form},
    )


def my_data(request):
    return render(request, "community/my_data.html")


@reauthentication_required
def my_data_export(request):
    data = community_data.export_user_data(actor=request.user)
    response = JsonResponse(data, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="confide-my-data.json"'
    return response


@reauthentication_required
def my_data_summary(request):
    """The export beside the JSON, as a page a person can read."""
    from community.summary import sections

    data = json.loads(
        DjangoJSONEncoder().encode(community_data.export_user_data(actor=request.user))
    )
    return render(request, "community/my_data_summary.html", {"sections": sections(data)})


@reauthentication_required
def my_data_erase(request):
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        community_data.erase_user(
            actor=request.user, remove_writing=form.cleaned_data["remove_writing"]
        )
        logout(request)
        return redirect("community:erased")
    return render(request, "community/erase_form.html", {"form": form})


@login_not_required
def erased(request):
    return render(request, "community/erased.html")
