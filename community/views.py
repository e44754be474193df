from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from community import health


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
