from asgiref.sync import sync_to_async
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from community import health, policies, services


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
    return render(request, "community/dashboard.html")


def network_home(request, slug):
    network = policies.get_network_for_member(request.user, slug)
    if policies.needs_agreement(request.user, network):
        return redirect("community:agreement", slug=network.slug)
    sections = [
        section
        for config in apps.get_app_configs()
        if (section := getattr(config, "network_section", None)) is not None
    ]
    return render(
        request,
        "community/network_home.html",
        {
            "network": network,
            "is_steward": policies.is_steward(request.user, network),
            "is_moderator": policies.is_moderator(request.user, network),
            "sections": [section(request, network) for section in sections],
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
    items = list(request.user.notifications.select_related("target_type")[:100])
    visible = [n for n in items if policies.can_see_notification_target(request.user, n)]
    if request.method == "POST":
        services.mark_all_notifications_read(actor=request.user)
        return redirect("community:notifications")
    return render(request, "community/notification_list.html", {"items": visible})


def notification_open(request, pk):
    notification = get_object_or_404(request.user.notifications, pk=pk)
    if not policies.can_see_notification_target(request.user, notification):
        raise Http404("No such notice.")
    services.mark_notification_read(actor=request.user, notification=notification)
    return redirect(notification.url or "community:notifications")
