"""The 2022 national reference figures shown beside every board's results. One file, one source.

Source: the national survey of NHS trust board members on race equality (254 respondents, with 18
follow-up interviews, 2022) that Confide was built from (docs/DESIGN.md "Why it exists"; issue 14
quotes the figures). They describe respondents, not boards, so they are a reference point, never a
peer group: a board is compared with other boards only through the peer groups on Confide.
"""

SOURCE = (
    "National survey of NHS trust board members on race equality, 2022 "
    "(254 respondents, 18 interviews)"
)
YEAR = 2022

# Overall position on the 0 to 10 scale.
OVERALL_AVERAGE = 5.6
OVERALL_AVERAGE_CHAIRS = 6.2
SHARE_8_TO_10 = 22  # per cent scoring 8 to 10
SHARE_FULLY_EMBEDDED = 4  # per cent saying race equality is fully embedded

# Per cent reporting progress, by questionnaire item (assurance/questionnaire.py codes).
# Items the survey did not report are absent: the page says "not reported", never a guess.
PROGRESS = {
    "staff_networks": 85,
    "diverse_board": 63,
    "assurance_framework": 32,
    "wellbeing": 77,
    "retention": 22,
    "system_partners": 48,
    "community_engagement": 42,
    "service_redesign": 39,
    "procurement": 6,
}
