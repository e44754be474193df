"""The board self-assessment questionnaire, versioned (a data module, no database rows).

A round stores the version it was opened with; a new version is added below as a new entry
and never rewrites a round that was answered on an older one.
"""

from dataclasses import dataclass

from community.models import PracticeArea

CURRENT_VERSION = 1

# The short scale for "where has your board made progress?". "Not sure" counts as an answer
# but not as progress.
PROGRESS_SCALE = [
    ("none", "No progress yet"),
    ("started", "Started"),
    ("progressing", "Progressing"),
    ("embedded", "Embedded"),
    ("not_sure", "Not sure"),
]
PROGRESS_LEVELS = {"started", "progressing", "embedded"}

OVERALL_LOW = "Early in our journey"
OVERALL_HIGH = "Fully embedded"


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    # The area of good practice whose case studies, mentors and events help with this item.
    practice_area: str
    # Words that mark an event as being about this item (events carry no area of their own).
    event_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    code: str
    label: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Version:
    number: int
    groups: tuple[Group, ...]
    assurance_questions: tuple[tuple[str, str], ...]

    @property
    def items(self):
        return [item for group in self.groups for item in group.items]

    def item(self, code):
        return next((item for item in self.items if item.code == code), None)

    def item_label(self, code):
        item = self.item(code)
        return item.label if item else code


A = PracticeArea

VERSIONS = {
    1: Version(
        number=1,
        groups=(
            Group(
                "leadership",
                "Leadership and governance",
                (
                    Item(
                        "staff_networks",
                        "Focus on staff networks and their feedback",
                        A.STAFF_NETWORKS,
                        ("staff network",),
                    ),
                    Item(
                        "diverse_board", "A more diverse board", A.HR_PROCESSES, ("diverse board",)
                    ),
                    Item(
                        "assurance_framework",
                        "Race equality in the board assurance framework",
                        A.ACCOUNTABILITY,
                        ("assurance", "accountab"),
                    ),
                    Item(
                        "inclusive_leadership",
                        "Inclusive leadership development",
                        A.PERSONAL_VALUES,
                        ("inclusive leadership", "leadership"),
                    ),
                    Item(
                        "board_development",
                        "Board development on race",
                        A.EDUCATION_ON_RACE,
                        ("board development", "learning"),
                    ),
                ),
            ),
            Group(
                "workforce",
                "Workforce",
                (
                    Item("wellbeing", "Wellbeing", A.SAFE_SPACES, ("wellbeing",)),
                    Item(
                        "retention",
                        "Retention of ethnic minority staff",
                        A.HR_PROCESSES,
                        ("retention",),
                    ),
                    Item(
                        "recruitment_promotion",
                        "Inclusive recruitment and promotion",
                        A.HR_PROCESSES,
                        ("recruitment", "promotion"),
                    ),
                    Item(
                        "disciplinary",
                        "Fair disciplinary and grievance processes",
                        A.HR_PROCESSES,
                        ("disciplinary", "grievance"),
                    ),
                    Item(
                        "bullying",
                        "Bullying and harassment",
                        A.CHALLENGING_DISCRIMINATION,
                        ("bullying", "harassment", "discrimination"),
                    ),
                    Item(
                        "workforce_data",
                        "Workforce data by ethnicity",
                        A.USE_OF_DATA,
                        ("wres", "data"),
                    ),
                ),
            ),
            Group(
                "system",
                "System, community and services",
                (
                    Item(
                        "system_partners",
                        "Anti-racist approach with system partners",
                        A.CULTURE_OF_CHALLENGE,
                        ("system partner", "anti-racis"),
                    ),
                    Item(
                        "community_engagement",
                        "Engaging ethnic minority communities",
                        A.STAFF_NETWORKS,
                        ("communit", "listening"),
                    ),
                    Item(
                        "service_redesign",
                        "Service redesign with data on local communities",
                        A.HEALTH_INEQUALITIES,
                        ("service", "inequalit"),
                    ),
                    Item(
                        "procurement",
                        "Procurement and suppliers",
                        A.ACCOUNTABILITY,
                        ("procurement", "supplier"),
                    ),
                    Item(
                        "patient_data",
                        "Patient data by ethnicity, such as waiting lists",
                        A.USE_OF_DATA,
                        ("waiting list", "patient data", "data"),
                    ),
                ),
            ),
        ),
        assurance_questions=(
            (
                "disciplinary_fair",
                "How do we know our disciplinary process is fair to ethnic minority staff?",
            ),
            (
                "wres_changed",
                "What did our WRES data tell us this year, and what changed because of it?",
            ),
            (
                "network_heard",
                "How do we hear from our ethnic minority staff network, and what have we done "
                "with what they told us?",
            ),
            (
                "patients_by_ethnicity",
                "Which services have we looked at by patients' ethnicity, such as waiting lists, "
                "and what did we find?",
            ),
        ),
    ),
}


def version(number):
    return VERSIONS[number]


# WRES indicators a board may enter for its trust, per year (optional), as published.
WRES_INDICATORS = [
    (
        "shortlisting",
        "Relative likelihood of white applicants being appointed from shortlisting compared "
        "with ethnic minority applicants (indicator 2)",
    ),
    (
        "disciplinary",
        "Relative likelihood of ethnic minority staff entering the formal disciplinary process "
        "compared with white staff (indicator 3)",
    ),
    (
        "bullying_from_staff",
        "Percentage of ethnic minority staff experiencing harassment, bullying or abuse from "
        "staff in the last 12 months (indicator 6)",
    ),
    (
        "board_representation",
        "Percentage point difference between the board's voting membership and the overall "
        "workforce from ethnic minority backgrounds (indicator 9)",
    ),
]
