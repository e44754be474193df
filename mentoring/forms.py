from django import forms
from django.utils import timezone

from community.models import BoardRole, OrganisationKind, PracticeArea, Region, User
from community.parsing import IdField, IdsChoiceField, parse_id
from mentoring.models import MAX_CAPACITY, EndFeedback, Format, MentorProfile

CHECKBOXES = forms.CheckboxSelectMultiple


class MentorProfileForm(forms.Form):
    expertise = forms.MultipleChoiceField(
        label="Areas you can help with",
        choices=PracticeArea.choices,
        widget=CHECKBOXES,
    )
    roles_held = forms.MultipleChoiceField(
        label="Board roles you have held", choices=BoardRole.choices, widget=CHECKBOXES
    )
    organisation_kinds = forms.MultipleChoiceField(
        label="Kinds of organisation you have worked in",
        choices=OrganisationKind.choices,
        widget=CHECKBOXES,
        required=False,
    )
    region = forms.ChoiceField(
        label="Your region", choices=[("", "Not given"), *Region.choices], required=False
    )
    formats = forms.MultipleChoiceField(
        label="How you can meet",
        choices=Format.choices,
        widget=CHECKBOXES,
        required=False,
        help_text="Leave all unticked if any way suits you.",
    )
    capacity = forms.TypedChoiceField(
        label="How many mentees you can take at once",
        coerce=int,
        choices=[(n, str(n)) for n in range(1, MAX_CAPACITY + 1)],
        initial=1,
    )
    bio = forms.CharField(
        label="A short introduction",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        required=False,
        help_text="Shown in the mentor directory. Markdown works.",
    )
    lived_experience = forms.CharField(
        label="Lived experience of racism (optional)",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        help_text="Only if you choose to share it. It is never shown in the directory.",
    )
    lived_experience_consent = forms.BooleanField(
        label="Use the fact that I offer lived experience when matching me with mentees",
        required=False,
    )

    @classmethod
    def for_profile(cls, profile, **kwargs):
        initial = None
        if profile is not None:
            initial = {
                name: getattr(profile, name)
                for name in (
                    "expertise",
                    "roles_held",
                    "organisation_kinds",
                    "region",
                    "formats",
                    "capacity",
                    "bio",
                    "lived_experience",
                    "lived_experience_consent",
                )
            }
        return cls(initial=initial, **kwargs)


class RequestForm(forms.Form):
    goals = forms.CharField(
        label="What would you like help with?",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=3000,
        help_text="In your own words. Only the mentors you ask will read this.",
    )
    focus_1 = forms.ChoiceField(label="Most important focus area", choices=PracticeArea.choices)
    focus_2 = forms.ChoiceField(
        label="Second focus area (optional)",
        choices=[("", "None"), *PracticeArea.choices],
        required=False,
    )
    focus_3 = forms.ChoiceField(
        label="Third focus area (optional)",
        choices=[("", "None"), *PracticeArea.choices],
        required=False,
    )
    wants_lived_experience = forms.BooleanField(
        label="I would like a mentor with lived experience of racism", required=False
    )
    wants_same_org_kind = forms.BooleanField(
        label="I would like a mentor who has worked in my kind of organisation", required=False
    )
    wants_different_region = forms.BooleanField(
        label="I would prefer a mentor from a different region, for confidentiality",
        required=False,
    )
    wants_role = forms.ChoiceField(
        label="A board role my mentor has held (optional)",
        choices=[("", "No preference"), *BoardRole.choices],
        required=False,
    )
    formats = forms.MultipleChoiceField(
        label="How you would like to meet",
        choices=Format.choices,
        widget=CHECKBOXES,
        required=False,
        help_text="Leave all unticked if any way suits you.",
    )
    excluded_users = IdsChoiceField(
        label="Mentors you would rather not be matched with",
        queryset=User.objects.none(),
        widget=CHECKBOXES,
        required=False,
        help_text="They are not told.",
    )

    def __init__(self, *args, mentors=None, **kwargs):
        super().__init__(*args, **kwargs)
        if mentors is not None:
            self.fields["excluded_users"].queryset = User.objects.filter(
                pk__in=mentors.values("user_id")
            ).select_related("profile")
            self.fields["excluded_users"].label_from_instance = lambda u: u.display_name

    def clean(self):
        data = super().clean()
        areas = [data.get(f"focus_{i}") for i in (1, 2, 3)]
        areas = [a for a in areas if a]
        if len(set(areas)) != len(areas):
            raise forms.ValidationError("Choose each focus area once.")
        data["focus_areas"] = areas
        return data


class ChosenMentorForm(forms.Form):
    """A mentor picked by a button on the page (their profile's id)."""

    mentor = IdField(required=False)


class ProposalAnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])
    reason = forms.CharField(
        label="Why not, if you would like to say (seen by stewards only, never the mentee)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
    )


class GoalForm(forms.Form):
    text = forms.CharField(label="A goal you agreed", max_length=300)


class GoalProgressForm(forms.Form):
    goal = IdField()
    progress = forms.TypedChoiceField(
        label="Progress",
        coerce=int,
        choices=[(n, f"{n}%") for n in range(0, 101, 25)],
    )


class MeetingForm(forms.Form):
    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    minutes = forms.IntegerField(label="Length in minutes", min_value=5, max_value=600, initial=60)
    summary = forms.CharField(
        label="Shared summary (both of you can read it)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        required=False,
    )

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("Log meetings that have happened.")
        return date


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Private note (only you will ever see it)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class EndForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="How useful was this mentoring for you? (private: stewards see only totals)",
        coerce=int,
        choices=[("", "I would rather not say"), *EndFeedback.Rating.choices],
        required=False,
        empty_value=None,
    )
    goals_met = forms.BooleanField(label="We met the goals we agreed", required=False)


class DirectoryFilterForm(forms.Form):
    area = forms.ChoiceField(
        label="Area", choices=[("", "Any area"), *PracticeArea.choices], required=False
    )
    role = forms.ChoiceField(
        label="Board role held", choices=[("", "Any role"), *BoardRole.choices], required=False
    )
    region = forms.ChoiceField(
        label="Region", choices=[("", "Any region"), *Region.choices], required=False
    )
    format = forms.ChoiceField(
        label="Format", choices=[("", "Any format"), *Format.choices], required=False
    )


class CohortForm(forms.Form):
    mode = forms.ChoiceField(
        label="Aim for",
        choices=[
            ("best_total", "The best total score"),
            ("most_matched", "As many people matched as possible, then the best score"),
        ],
        initial="best_total",
        widget=forms.RadioSelect,
    )
    min_score = forms.IntegerField(
        label="Minimum score (percent)",
        min_value=0,
        max_value=100,
        initial=0,
        help_text="Pairs below this are not made, except pairs you fix by hand.",
    )
    fixed = forms.CharField(
        label="Pairs fixed by hand",
        required=False,
        widget=forms.HiddenInput,
        max_length=20000,
    )

    FIX_PREFIX = "fix_"
    BAD_PAIR = "That list of pairs fixed by hand could not be read. Start again from the preview."

    def clean_fixed(self):
        """The confirm form's "request:mentor,request:mentor" list, as (id, id) pairs."""
        pairs = []
        for item in filter(None, self.cleaned_data["fixed"].split(",")):
            request_id, _, mentor_id = item.partition(":")
            pair = (parse_id(request_id), parse_id(mentor_id))
            if None in pair:
                raise forms.ValidationError(self.BAD_PAIR)
            pairs.append(pair)
        return pairs

    def clean(self):
        """The preview's `fix_<request id>=<mentor's user id>` choices ("" lets the matcher
        choose), read through the same id parser as every other id."""
        cleaned = super().clean()
        chosen = []
        for key in self.data:
            if not key.startswith(self.FIX_PREFIX):
                continue
            value = self.data.get(key, "")
            if value == "":
                continue
            pair = (parse_id(key[len(self.FIX_PREFIX) :]), parse_id(value))
            if None in pair:
                raise forms.ValidationError(self.BAD_PAIR)
            chosen.append(pair)
        self.chosen_pairs = chosen
        return cleaned

    def fixed_pairs(self):
        return [*(self.cleaned_data.get("fixed") or []), *getattr(self, "chosen_pairs", [])]


MENTOR_STATUS_CHANGES = {
    "pause": MentorProfile.Status.PAUSED,
    "resume": MentorProfile.Status.APPROVED,
    "retire": MentorProfile.Status.RETIRED,
}
