"""Forms for the community pages. They validate input; the services decide and act."""

from allauth.account.forms import LoginForm, SignupForm
from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.totp.forms import ActivateTOTPForm
from django import forms

from community.adapters import INVITATION_SESSION_KEY
from community.models import BoardRole, Network, Organisation, Visibility
from community.parsing import IdField


class SignInForm(LoginForm):
    """allauth's sign-in with the site's words: labels, no placeholders standing in for them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        self.fields["login"].label = "E-mail address"
        self.fields["password"].help_text = ""
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)


OTHER_ORGANISATION = "other"


class InvitedSignupForm(SignupForm):
    """allauth's sign-up, with the e-mail address fixed to the one the invitation went to, and
    the few facts peers need to know who they are talking to (DESIGN.md: one short flow)."""

    display_name = forms.CharField(
        label="Your name",
        max_length=80,
        help_text="As other members will see it, for example Margaret Ellison.",
    )
    board_role = forms.ChoiceField(
        label="Board role", choices=[("", "Choose one"), *BoardRole.choices]
    )
    organisation = forms.ChoiceField(label="Organisation", choices=())
    organisation_other = forms.CharField(
        label="Organisation, if it is not on the list",
        max_length=200,
        required=False,
    )
    pronouns = forms.CharField(
        label="Pronouns (optional)",
        max_length=40,
        required=False,
        help_text="For example she/her, he/him or they/them.",
    )

    field_order = [
        "email",
        "display_name",
        "board_role",
        "organisation",
        "organisation_other",
        "pronouns",
        "password1",
        "password2",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        request = context.request
        self.invited_email = request.session.get("account_verified_email") if request else None
        field = self.fields["email"]
        field.label = "E-mail address"
        if self.invited_email:
            field.initial = self.invited_email
            field.widget.attrs["readonly"] = True
            field.help_text = "The address your invitation was sent to. You sign in with it."
        self.fields["organisation"].choices = [
            ("", "Choose your organisation"),
            *((str(pk), name) for pk, name in Organisation.objects.values_list("pk", "name")),
            (OTHER_ORGANISATION, "Other (not on the list)"),
        ]
        self.fields["password1"].label = "Choose a password"
        self.fields[
            "password1"
        ].help_text = "At least 12 characters. A few words you will remember work well."
        if "password2" in self.fields:
            self.fields["password2"].label = "Type the password again"
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
        self.fields["display_name"].widget.attrs["autocomplete"] = "name"
        self.fields["organisation_other"].widget.attrs["autocomplete"] = "organization"

    def clean_email(self):
        from community import services

        email = self.cleaned_data.get("email", "")
        request = context.request
        token = request.session.get(INVITATION_SESSION_KEY) if request else None
        try:
            services.check_invitation(token or "", email)
        except services.InvitationProblem as problem:
            raise forms.ValidationError(str(problem)) from None
        return super().clean_email()

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("organisation")
        other = (cleaned.get("organisation_other") or "").strip()
        if choice == OTHER_ORGANISATION:
            if not other:
                self.add_error("organisation_other", "Type the name of your organisation.")
            cleaned["organisation"] = None
        elif choice:
            cleaned["organisation"] = Organisation.objects.filter(pk=choice).first()
            if cleaned["organisation"] is None:
                self.add_error("organisation", "Choose an organisation from the list.")
            other = ""
        cleaned["organisation_other"] = other
        return cleaned

    def profile_fields(self):
        """What the sign-up service writes to the new member's profile."""
        return {
            name: self.cleaned_data.get(name)
            for name in ("display_name", "board_role", "organisation", "organisation_other")
        } | {"pronouns": self.cleaned_data.get("pronouns", "").strip()}


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label="A note for the stewards (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ProfileForm(forms.Form):
    display_name = forms.CharField(label="Name shown to others", max_length=80)
    pronouns = forms.CharField(label="Pronouns (optional)", max_length=40, required=False)
    board_role = forms.ChoiceField(
        label="Board role", choices=[("", "Not given"), *BoardRole.choices], required=False
    )
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.all(),
        required=False,
        empty_label="Not given",
    )
    work_visibility = forms.ChoiceField(
        label="Who can see your board role and organisation",
        choices=Visibility.choices,
        initial=Visibility.NETWORKS,
        help_text="Shown on your profile and beside your name on posts you sign.",
        required=False,
    )
    organisation_other = forms.CharField(
        label="Organisation, if it is not on the list (optional)", max_length=200, required=False
    )
    bio = forms.CharField(
        label="About you (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="You can use Markdown: *emphasis*, **strong**, lists and links.",
    )
    ethnicity = forms.CharField(
        label="Ethnicity, in your own words (optional)", max_length=120, required=False
    )
    ethnicity_visibility = forms.ChoiceField(
        label="Who can see your ethnicity", choices=Visibility.choices
    )
    lived_experience = forms.CharField(
        label="Lived experience (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    lived_experience_visibility = forms.ChoiceField(
        label="Who can see your lived experience", choices=Visibility.choices
    )

    def clean_work_visibility(self):
        # Not sent (an older form): keep what members were always shown, their networks.
        return self.cleaned_data.get("work_visibility") or Visibility.NETWORKS


class InviteForm(forms.Form):
    emails = forms.CharField(
        label="E-mail addresses",
        help_text="One or more addresses, one a line or separated by commas.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
    )
    moderator = forms.BooleanField(label="Invite them as moderators", required=False)


class InvitationAnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])


class DecisionForm(forms.Form):
    request_id = IdField()
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])
    reply = forms.CharField(
        label="Message to the person (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NetworkForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120)
    description = forms.CharField(
        label="Description", required=False, max_length=4000, widget=forms.Textarea
    )
    listing = forms.ChoiceField(label="Who can find it", choices=Network.Listing.choices)
    requires_two_factor = forms.BooleanField(
        label="Members must use two-factor authentication", required=False
    )


class AgreementForm(forms.Form):
    text = forms.CharField(
        label="Safe-space agreement",
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Saving a change asks every member to accept the new version.",
    )


ERASE_PHRASE = "erase my account"


class EraseForm(forms.Form):
    confirmation = forms.CharField(
        label=f'Type "{ERASE_PHRASE}" to confirm',
        max_length=40,
    )
    remove_writing = forms.BooleanField(
        label='Also remove everything I wrote: my posts will read "removed by its author"',
        required=False,
    )

    def clean_confirmation(self):
        value = self.cleaned_data["confirmation"].strip().lower()
        if value != ERASE_PHRASE:
            raise forms.ValidationError(f'Type the words "{ERASE_PHRASE}" exactly.')
        return value


class AuditFilterForm(forms.Form):
    """Narrow an audit trail by kind of act and by date (GET; every field optional)."""

    kind = forms.ChoiceField(label="Kind", required=False)
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        from community import audit_text

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "All kinds"), *audit_text.kind_choices()]

    def filters(self):
        """The chosen filters, or none when the input does not parse (shown as errors)."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


# Two-factor forms: allauth's, with the same words on every page ("code from the app").
def _code_field(form, label):
    form.label_suffix = ""
    field = form.fields["code"]
    field.label = label
    field.widget.attrs.pop("placeholder", None)
    field.widget.attrs.update(inputmode="numeric", autocomplete="one-time-code")


class ActivateTwoFactorForm(ActivateTOTPForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(self, "Code from the app")
        self.fields["code"].help_text = "The six digits the app shows for Confide."


class TwoFactorSignInForm(AuthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(self, "Code from the app, or a recovery code")
        self.fields["code"].widget.attrs.pop("inputmode")


class TwoFactorConfirmForm(ReauthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(self, "Code from the app, or a recovery code")
        self.fields["code"].widget.attrs.pop("inputmode")
