from django import forms

from community.models import OrganisationKind, PracticeArea
from forums.models import FlagReason, ReactionKind, TopicKind


class TopicForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        label="First post",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        help_text="Markdown: *emphasis*, **strong**, lists, quotes and https links.",
    )
    kind = forms.ChoiceField(
        label="Kind of topic",
        choices=TopicKind.choices,
        initial=TopicKind.DISCUSSION,
        widget=forms.RadioSelect,
    )
    areas = forms.MultipleChoiceField(
        label="Areas of good practice (case studies)",
        choices=PracticeArea.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisation_kind = forms.ChoiceField(
        label="Kind of organisation (case studies, optional)",
        choices=[("", "Not given"), *OrganisationKind.choices],
        required=False,
    )
    anonymous = forms.BooleanField(
        label="Post anonymously",
        required=False,
        help_text="Others see 'Anonymous member'. A moderator can learn who you are only by "
        "writing a reason, and you will be told.",
    )

    def __init__(self, *args, allow_anonymous=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_anonymous:
            del self.fields["anonymous"]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
        help_text="Markdown: *emphasis*, **strong**, lists, quotes and https links. "
        "Mention someone with @ and their name.",
    )
    anonymous = forms.BooleanField(label="Reply anonymously", required=False)

    def __init__(self, *args, allow_anonymous=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_anonymous:
            del self.fields["anonymous"]


class EditForm(forms.Form):
    body = forms.CharField(
        label="Your post", widget=forms.Textarea(attrs={"rows": 8}), max_length=20000
    )


class FlagForm(forms.Form):
    reason = forms.ChoiceField(choices=FlagReason.choices, widget=forms.RadioSelect)
    detail = forms.CharField(
        label="Anything the moderators should know (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(choices=ReactionKind.choices)


class SuspendForm(forms.Form):
    member = forms.ChoiceField(label="Member")
    days = forms.IntegerField(label="For how many days", min_value=1, max_value=365, initial=7)
    reason = forms.CharField(label="Reason", max_length=500)

    def __init__(self, *args, members=(), **kwargs):
        """`members`: (id, label) pairs, labelled by the view through person_label."""
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = list(members)


class SearchForm(forms.Form):
    q = forms.CharField(label="Search words", max_length=200, required=False)
    network = forms.ModelChoiceField(
        label="Where",
        queryset=None,
        required=False,
        empty_label="All my networks",
    )
    case_studies = forms.BooleanField(label="Case studies only", required=False)

    def __init__(self, *args, networks, **kwargs):
        """`networks`: the networks whose content the viewer may see now (the gate's answer)."""
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = networks


class LibraryForm(forms.Form):
    area = forms.ChoiceField(
        label="Area of good practice",
        choices=[("", "All areas"), *PracticeArea.choices],
        required=False,
    )
    organisation_kind = forms.ChoiceField(
        label="Kind of organisation",
        choices=[("", "All kinds"), *OrganisationKind.choices],
        required=False,
    )
    order = forms.ChoiceField(
        label="Order",
        choices=[("newest", "Newest first"), ("helpful", "Most helpful first")],
        required=False,
    )
