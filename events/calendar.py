"""The .ics file of one event, made with the icalendar package."""

from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone

LONDON = ZoneInfo("Europe/London")


def event_ics(event, *, url):
    """A VCALENDAR with a stable UID; SEQUENCE rises with every change, STATUS says cancelled."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Confide//Events//EN")
    calendar.add("version", "2.0")
    # A download, not an iTIP message: always PUBLISH; a cancellation is STATUS:CANCELLED with a
    # higher SEQUENCE, which calendar programs apply to the copy they already hold (same UID).
    calendar.add("method", "PUBLISH")
    item = icalendar.Event()
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    item.add("uid", f"event-{event.uid}@{host}")
    item.add("sequence", event.sequence)
    item.add("dtstamp", timezone.now().astimezone(ZoneInfo("UTC")))
    item.add("last-modified", event.updated_at.astimezone(ZoneInfo("UTC")))
    item.add("dtstart", event.starts_at.astimezone(LONDON))
    item.add("dtend", event.ends_at.astimezone(LONDON))
    item.add("summary", event.title)
    item.add("url", url)
    item.add("description", f"Details and joining: {url}")
    if event.location:
        item.add("location", event.location)
    item.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    item.add("class", "PRIVATE")
    calendar.add_component(item)
    calendar.add_missing_timezones()
    return calendar.to_ical()
