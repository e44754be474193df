from django.apps import AppConfig

from confide.protocol import SiteApp

# How the audit trail words the forums' acts ({where} is the forum's name at the time).
AUDIT_SENTENCES = {
    "forum.create": "{actor} created the forum {where}",
    "forum.post_hide": "{actor} hid a post in {where}",
    "forum.post_unhide": "{actor} showed a hidden post again in {where}",
    "forum.anonymous_reveal": "{actor} saw who wrote an anonymous post in {where}, with a reason",
    "forum.flag_uphold": "{actor} upheld a flag on a post in {where}",
    "forum.flag_dismiss": "{actor} dismissed a flag on a post in {where}",
    "forum.topic_lock": "{actor} locked a topic in {where}",
    "forum.topic_unlock": "{actor} unlocked a topic in {where}",
    "forum.topic_pin": "{actor} pinned a topic in {where}",
    "forum.topic_unpin": "{actor} unpinned a topic in {where}",
    "forum.topic_approve": "{actor} approved a new topic in {where}",
    "forum.topic_move": "{actor} moved a topic to {where}",
    "forum.member_suspend": "{actor} paused {subject}'s posting",
    "forum.moderator_revisions_view": "{actor} read the earlier versions of a post in {where}",
}


class ForumsConfig(SiteApp, AppConfig):
    name = "forums"
    verbose_name = "Forums"
    nav = [("Practice library", "forums:library"), ("Search", "forums:search")]

    def ready(self):
        from community import audit_text, notices

        for verb, sentence in AUDIT_SENTENCES.items():
            audit_text.register(verb, sentence)

        notices.register("forum_reply", "A new reply in a discussion you follow.")
        notices.register("forum_mention", "Someone mentioned you in a forum discussion.")
        notices.register("forum_flag", "A post in a network you moderate has been flagged.")
        notices.register(
            "forum_topic_pending", "A new topic is waiting for approval in a network you moderate."
        )
        notices.register("forum_topic_approved", "A moderator approved your new topic.")
        notices.register("forum_post_hidden", "A moderator hid one of your posts.")
        notices.register(
            "forum_reveal", "A moderator has seen who wrote one of your anonymous posts, and why."
        )
        notices.register(
            "forum_suspended", "A moderator has paused your posting in a network for a while."
        )

    # Hooks read by the community app -------------------------------------------------------

    def network_section(self, request, network):
        from forums.views import network_section

        return network_section(request, network)

    def export_user_data(self, user):
        from forums.data import export_user_data

        return export_user_data(user)

    def erase_user_data(self, user):
        from forums.data import erase_user_data

        erase_user_data(user)

    def network_overview(self, network):
        from community.overview import by_month
        from forums.models import Post, Topic

        topics = Topic.objects.filter(forum__network=network, is_approved=True)
        posts = Post.objects.filter(topic__forum__network=network, deleted_at__isnull=True)
        replies = posts.exclude(pk__in=_first_posts(topics))
        return [
            ("Active members (who posted), by month", by_month(posts, distinct="author")),
            ("Topics started, by month", by_month(topics)),
            ("Replies, by month", by_month(replies)),
        ]

    def remove_user_writing(self, user):
        from forums.data import remove_user_writing

        remove_user_writing(user)

    def notification_target_querysets(self):
        from forums.models import Post, Reveal, Topic

        return [
            Post.objects.select_related("topic__forum", "author__profile"),
            Topic.objects.select_related("forum"),
            Reveal.objects.select_related("post"),
        ]

    def can_see_notification_target(self, user, target):
        from forums.policies import can_see_notification_target

        return can_see_notification_target(user, target)

    def describe_notification(self, viewer, notification):
        from forums.policies import describe_notification

        return describe_notification(viewer, notification)

    def has_revealed(self, viewer, content):
        from forums.policies import has_revealed

        return has_revealed(viewer, content)


def _first_posts(topics):
    """The opening post of each topic (the earliest), as a subquery of ids."""
    from django.db.models import Min

    return topics.annotate(first=Min("posts__id")).values("first")
