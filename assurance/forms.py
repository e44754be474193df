from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from assurance import questionnaire
from assurance.models import ActionStatus

RADIOS = forms.RadioSelect


class OpenRoundForm(forms.Form):
    closes_on = forms.DateField(
        label="Closing date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Board members can answer and change their answers until the end of this day.",
    )

    def clean_closes_on(self):
        value = self.cleaned_data["closes_on"]
        if value < timezone.localdate():
            raise forms.ValidationError("Choose today or a later date.")
        if value > timezone.localdate() + timedelta(days=120):
            raise forms.ValidationError("Choose a date within four months.")
        return value

    def closes_at(self):
        day = self.cleaned_data["closes_on"]
        return timezone.make_aware(datetime.combine(day, time(23, 59)))


class ResponseForm(forms.Form):
    """One person's answers: the overall position, then each progress item in its group."""

    overall = forms.TypedChoiceField(
        label="Where is your board on its race equality journey? "
        f"(0: {questionnaire.OVERALL_LOW.lower()}, 10: {questionnaire.OVERALL_HIGH.lower()})",
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        widget=RADIOS(attrs={"class": "scale"}),
    )

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        for item in version.items:
            self.fields[f"progress_{item.code}"] = forms.ChoiceField(
                label=item.label, choices=questionnaire.PROGRESS_SCALE, widget=RADIOS
            )

    def groups(self):
        return [
            (group.label, [self[f"progress_{item.code}"] for item in group.items])
            for group in self.version.groups
        ]

    def progress(self):
        return {
            item.code: self.cleaned_data[f"progress_{item.code}"] for item in self.version.items
        }

    @staticmethod
    def initial_from(response):
        if response is None:
            return None
        return {
            "overall": response.overall,
            **{f"progress_{code}": value for code, value in response.progress.items()},
        }


class BoardAnswersForm(forms.Form):
    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        for code, question in version.assurance_questions:
            self.fields[code] = forms.CharField(
                label=question,
                required=False,
                max_length=6000,
                widget=forms.Textarea(attrs={"rows": 4}),
            )


class WresForm(forms.Form):
    year = forms.TypedChoiceField(label="Year", coerce=int, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, str(y)) for y in range(this_year, this_year - 6, -1)]
        for code, label in questionnaire.WRES_INDICATORS:
            self.fields[code] = forms.DecimalField(
                label=label, required=False, max_digits=7, decimal_places=2
            )

    def values(self):
        return {code: self.cleaned_data.get(code) for code, _ in questionnaire.WRES_INDICATORS}


def _member_choices(members):
    return [(str(m.pk), m.display_name) for m in members]


class ActionForm(forms.Form):
    title = forms.CharField(label="Action", max_length=200)
    area = forms.ChoiceField(label="Area")
    owner = forms.ChoiceField(label="Owner (a board member)")
    milestone_1 = forms.CharField(label="First milestone", max_length=200)
    due_1 = forms.DateField(
        label="First milestone due", widget=forms.DateInput(attrs={"type": "date"})
    )
    milestone_2 = forms.CharField(
        label="Second milestone (optional)", max_length=200, required=False
    )
    due_2 = forms.DateField(
        label="Second milestone due", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, version, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.pk): m for m in members}
        self.fields["area"].choices = [(item.code, item.label) for item in version.items]
        self.fields["owner"].choices = _member_choices(members)

    def clean(self):
        data = super().clean()
        if data.get("milestone_2") and not data.get("due_2"):
            self.add_error("due_2", "Give the second milestone a due date.")
        return data

    def owner_user(self):
        return self.members[self.cleaned_data["owner"]]

    def milestones(self):
        data = self.cleaned_data
        out = [(data["milestone_1"], data["due_1"])]
        if data.get("milestone_2"):
            out.append((data["milestone_2"], data["due_2"]))
        return out


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices)
    owner = forms.ChoiceField(label="Owner")
    evidence_url = forms.URLField(
        label="Evidence link (optional)", required=False, max_length=500, assume_scheme="https"
    )
    evidence_note = forms.CharField(
        label="Evidence note (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.pk): m for m in members}
        self.fields["owner"].choices = _member_choices(members)

    def owner_user(self):
        return self.members[self.cleaned_data["owner"]]


class MilestoneForm(forms.Form):
    title = forms.CharField(label="Milestone", max_length=200)
    due_on = forms.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}))
