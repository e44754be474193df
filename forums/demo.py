"""Demo forums, topics and replies (DOMAIN.md): invented, plausible and respectful."""

from django.contrib.auth.models import Group
from django.db import transaction

from forums import services
from forums.models import Forum, Topic

TOPICS = [
    # (network, forum slug, author key, anonymous, kind, areas, title, body, replies)
    (
        "chairs",
        "leading",
        "chair",
        False,
        "discussion",
        [],
        "Moving our board conversations from inclusion to discrimination",
        "Our board is comfortable talking about inclusion. It goes quiet when anyone names "
        "discrimination. How have other chairs moved the conversation on?",
        [
            (
                "chair2",
                False,
                "We started with our own WRES figures on disciplinary cases. "
                "The numbers made it impossible to stay general.",
            ),
            (
                "chair3",
                True,
                "I asked our staff network chair to speak to the board without "
                "slides. It was uncomfortable, and it changed the tone for a year.",
            ),
        ],
    ),
    (
        "chairs",
        "leading",
        "chair3",
        True,
        "discussion",
        [],
        "When a board member dismisses lived experience",
        "A colleague on our board said that a staff story was 'anecdote'. I did not challenge "
        "it well in the moment. How would you handle it?",
        [
            (
                "chair",
                False,
                "I have found it helps to agree beforehand, as a board, how we "
                "respond when this happens, so it is not left to one person.",
            ),
        ],
    ),
    (
        "learning",
        "practice",
        "edi",
        False,
        "case_study",
        ["use_of_data", "health_inequalities"],
        "Case study: cutting our waiting-list data by ethnicity",
        "We split our elective waiting list by ethnicity and deprivation. Three specialties "
        "showed longer waits for Black and Asian patients. **What we did next:**\n\n"
        "- took the figures to the board, not only the committee;\n"
        "- asked each specialty for a plan with dates;\n"
        "- reported progress every quarter.",
        [
            ("ned", False, "Thank you. Which data quality problems did you have to fix first?"),
            (
                "edi",
                False,
                "Mostly missing ethnicity codes. We worked with clinics to ask "
                "patients again, and explained why.",
            ),
        ],
    ),
    (
        "learning",
        "practice",
        "director",
        False,
        "case_study",
        ["hr_processes", "accountability"],
        "Case study: making our disciplinary process fairer",
        "We introduced a pre-formal review by a trained panel before any case goes to a "
        "formal investigation. Referrals of ethnic minority staff fell by a third in a year.",
        [("ned2", True, "Did the panel include people from outside HR?")],
    ),
    (
        "learning",
        "practice",
        "ceo",
        False,
        "case_study",
        ["education_on_race", "personal_values"],
        "Case study: a board development programme on race, led by the chair",
        "Our board spent a year learning together about racism in the NHS: sessions with an "
        "outside educator, reading between meetings, and each member writing down one thing "
        "they would do differently. We review those commitments in every appraisal.",
        [("ned", False, "How did you keep it going once the sessions stopped?")],
    ),
    (
        "learning",
        "practice",
        "edi",
        False,
        "case_study",
        ["staff_networks", "safe_spaces"],
        "Case study: our staff network chair now attends the board",
        "The chair of our ethnic minority staff network has a standing place at public board "
        "meetings and protected time to do the role. Before each meeting the network holds a "
        "confidential space where staff can raise what they would not say in the open.",
        [("director", False, "Was the protected time written into the job plan?")],
    ),
    (
        "learning",
        "practice",
        "director",
        False,
        "case_study",
        ["challenging_discrimination", "culture_of_challenge"],
        "Case study: agreeing how our board challenges bias in the room",
        "After a difficult meeting we agreed, as a whole board, what any member does when a "
        "remark or a decision seems biased: name it, pause the item, and come back to it. "
        "The chair checks at the end of each meeting whether it happened and how it felt.",
        [("ned2", True, "Has anyone used it against a senior colleague yet?")],
    ),
    (
        "learning",
        "general",
        "ceo",
        False,
        "discussion",
        [],
        "Reading list for new board members",
        "What would you give a new non-executive director to read before their first board "
        "seminar on race equality?",
        [],
    ),
]


def ensure_forum(network, slug, **fields):
    forum = Forum.objects.filter(network=network, slug=slug).first()
    return forum or services.create_forum(actor=None, network=network, slug=slug, **fields)


@transaction.atomic
def seed(context):
    """Create what is missing; a second run changes nothing."""
    people, networks = context["people"], context["networks"]
    chairs, learning = networks["chairs"], networks["learning"]
    forums = {
        ("chairs", "leading"): ensure_forum(
            chairs,
            "leading",
            name="Leading on race equality as a chair",
            description="Honest conversations between chairs. Anonymous posts are allowed.",
            allow_anonymous=True,
        ),
        ("learning", "practice"): ensure_forum(
            learning,
            "practice",
            name="Good practice and case studies",
            description="Share what worked, what did not, and what you would do differently.",
            allow_anonymous=True,
            position=1,
        ),
        ("learning", "general"): ensure_forum(
            learning, "general", name="General discussion", position=2, slow_mode_seconds=30
        ),
    }
    circle, _ = Group.objects.get_or_create(name="network:learning:ethnic-minority-members")
    for key in ("ned", "edi", "ned2"):
        people[key].groups.add(circle)
    ensure_forum(
        learning,
        "circle",
        name="Ethnic minority board members",
        description="A space visible only to its own members (and the network's moderators).",
        audience=circle,
        allow_anonymous=True,
        position=3,
    )
    for network, slug, author, anonymous, kind, areas, title, body, replies in TOPICS:
        forum = forums[(network, slug)]
        if Topic.objects.filter(forum=forum, title=title).exists():
            continue
        topic = services.create_topic(
            actor=people[author],
            forum=forum,
            title=title,
            body=body,
            anonymous=anonymous,
            kind=kind,
            areas=areas,
            organisation_kind=(
                people[author].profile.organisation.kind
                if kind == "case_study" and not anonymous
                else ""
            ),
        )
        for key, reply_anonymously, text in replies:
            services.reply(actor=people[key], topic=topic, body=text, anonymous=reply_anonymously)
