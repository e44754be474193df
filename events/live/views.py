"""The live session page: a shell the WebSocket fills in (static/js/live_session.js)."""

from django.shortcuts import render

from events.live import policies


def session_page(request, event_id):
    event, session = policies.get_session_for_attendee(request.user, event_id)
    role = policies.live_role(request.user, event)
    return render(
        request,
        "live/session_page.html",
        {
            "event": event,
            "session": session,
            "is_facilitator": role == policies.FACILITATOR,
            "socket_path": f"/ws/events/{event.pk}/live/",
        },
    )
