"""Content-free sentences for notifications (DESIGN.md rule 2).

A notice says only that something happened; the page behind the link, which needs sign-in,
says what. Apps register their kinds in AppConfig.ready().
"""

SENTENCES = {
    "join_request": "Someone has asked to join a network you run.",
    "join_approved": "Your request to join a network was approved.",
    "join_declined": "Your request to join a network was answered.",
    "added_to_network": "You have been added to a network.",
    "removed_from_network": "Your membership of a network has ended.",
    "agreement_changed": "A network you belong to has updated its safe-space agreement.",
    "role_changed": "Your role in a network has changed.",
}


def register(kind, sentence):
    SENTENCES[kind] = sentence


def sentence(kind):
    return SENTENCES.get(kind, "Something new is waiting for you.")
