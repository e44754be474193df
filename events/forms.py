from django import forms

from community.models import User
from community.parsing import IdsChoiceField
from community.policies import managed_networks
from events import policies
from events.models import Event

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TIME_HELP = "UK time (Europe/London)."


class PersonChoiceField(IdsChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class EventForm(forms.ModelForm):
    """Times are typed and shown in UK time; Django stores them in UTC."""

    networks = IdsChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members of these networks may register.",
    )
    facilitators = PersonChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Chosen from the members of the networks you run. They must use two-step "
        "sign-in.",
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "description",
            "networks",
            "starts_at",
            "ends_at",
            "format",
            "location",
            "capacity",
            "registration_opens_at",
            "registration_closes_at",
            "approval_required",
            "chatham_house",
            "chat_retention",
            "chat_retention_days",
        ]
        labels = {
            "starts_at": "Starts",
            "ends_at": "Ends",
            "registration_opens_at": "Registration opens (optional)",
            "registration_closes_at": "Registration closes (optional)",
            "approval_required": "Registrations need approval by a facilitator",
            "chatham_house": "Under the Chatham House rule",
            "chat_retention": "Live chat",
            "chat_retention_days": "Keep the chat for this many days",
        }
        help_texts = {
            "description": "You can use Markdown.",
            "starts_at": TIME_HELP,
            "ends_at": TIME_HELP,
            "registration_opens_at": TIME_HELP,
            "registration_closes_at": TIME_HELP,
            "location": "For events in person.",
        }
        widgets = {
            "starts_at": DATETIME_WIDGET,
            "ends_at": DATETIME_WIDGET,
            "registration_opens_at": DATETIME_WIDGET,
            "registration_closes_at": DATETIME_WIDGET,
            "description": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        networks = managed_networks(actor)
        self.fields["networks"].queryset = networks
        self.fields["facilitators"].queryset = (
            policies.facilitator_candidates(networks)
            .select_related("profile")
            .order_by("profile__display_name", "pk")
        )
        if self.instance.pk:
            self.fields["networks"].initial = self.instance.networks.filter(
                pk__in=networks.values("pk")
            )
            self.fields["facilitators"].initial = User.objects.filter(
                pk__in=policies.facilitator_ids(self.instance)
            )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The event must end after it starts.")
        if data.get("format") in (Event.Format.IN_PERSON, Event.Format.BOTH) and not data.get(
            "location"
        ):
            self.add_error("location", "Say where the event takes place.")
        return data

    def service_fields(self):
        data = dict(self.cleaned_data)
        return {name: data[name] for name in self.Meta.fields if name != "networks"}


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label="Seats", min_value=1, max_value=10000)


class AttendanceForm(forms.Form):
    attended = forms.TypedMultipleChoiceField(
        label="Attended", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(r.user_id, r.user.display_name) for r in registrations]
