"""The one place where text written by members becomes HTML (confidentiality rule 5).

Markdown is rendered by markdown-it-py with raw HTML off, so anything a member types as HTML
is escaped as text. The result then goes through bleach against a short allow-list, so that
even a mistake in the Markdown layer cannot let a tag, attribute, style or URL scheme through
that is not on the list. Both layers are configured once, at import.
"""

import re
from html.parser import HTMLParser

import bleach
from bleach.html5lib_shim import Filter
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_PROTOCOLS",
    "ALLOWED_TAGS",
    "INLINE_TAGS",
    "LINK_REL",
    "plain_excerpt",
    "render_inline",
    "render_markdown",
]

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "pre", "a"}
)
# Live chat is one line of conversation: no paragraphs, lists, quotes or code blocks.
INLINE_TAGS = frozenset({"br", "em", "strong", "code", "a"})
# `rel` is never taken from the source; _LinkFilter writes it on every link.
ALLOWED_ATTRIBUTES = {"a": frozenset({"href", "rel"})}
# Plain http would leak the page a member came from on some browsers and invites phishing
# look-alikes; relative URLs could point members at actions inside Confide itself.
ALLOWED_PROTOCOLS = frozenset({"https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"

# C0 and C1 control characters except tab and newline; \r is normalised away before this.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_WHITESPACE = re.compile(r"\s+")


def _clean_source(source: str) -> str:
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARS.sub("", source)


def _is_allowed_href(value: str) -> bool:
    """Allow only absolute https: URLs with a host, and mailto:.

    Browsers ignore tabs and newlines inside a scheme ("java\tscript:"), so any whitespace or
    control character at all disqualifies the URL; markdown-it percent-encodes real spaces.
    """
    if not value or any(c.isspace() or ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in value):
        return False
    scheme, _, rest = value.partition(":")
    scheme = scheme.lower()
    if scheme == "https":
        return rest.startswith("//") and rest[2:3] not in ("", "/", "?", "#", "\\")
    if scheme == "mailto":
        return bool(rest)
    return False


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    # A callable for every tag, so no attribute survives on anything else (class, style,
    # title, start, on*...).
    return tag == "a" and name == "href" and _is_allowed_href(value)


class _LinkFilter(Filter):
    """Runs after bleach's sanitiser: every surviving link gets our rel and nothing else;
    a link whose href was dropped is unwrapped so that only its text remains."""

    def __iter__(self):
        unwrapped: list[bool] = []  # one entry per open <a>, True if we dropped its tag
        for token in super().__iter__():
            if token["type"] == "StartTag" and token["name"] == "a":
                href = token["data"].get((None, "href"))
                unwrapped.append(href is None)
                if href is None:
                    continue
                token["data"] = {(None, "href"): href, (None, "rel"): LINK_REL}
            elif token["type"] == "EndTag" and token["name"] == "a":
                if unwrapped and unwrapped.pop():
                    continue
            yield token


def _image_as_link(self, tokens, idx, options, env) -> str:
    # Images would load from other origins (rule 4) and could track who read a post, so an
    # image becomes a plain link to it, named by its alt text; bleach then checks the URL.
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env) or src
    return f'<a href="{escapeHtml(src)}">{escapeHtml(alt)}</a>'


def _build_block_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
    # Headings and rules are not on the allow-list: their source stays visible as text.
    md.disable(["heading", "lheading", "hr", "html_block", "html_inline"])
    md.add_render_rule("image", _image_as_link)
    return md


def _build_inline_parser() -> MarkdownIt:
    # "zero" enables only paragraphs and text; renderInline skips the paragraph entirely.
    md = MarkdownIt("zero", {"html": False, "linkify": False, "breaks": True})
    md.enable(["newline", "escape", "backticks", "emphasis", "link", "image", "autolink"])
    md.enable("entity")
    md.add_render_rule("image", _image_as_link)
    return md


def _build_cleaner(tags: frozenset[str]) -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=tags,
        attributes=_allow_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,  # drop tags that are not allowed, keep their text
        strip_comments=True,
        filters=[_LinkFilter],
    )


_block_md = _build_block_parser()
_inline_md = _build_inline_parser()
_block_cleaner = _build_cleaner(ALLOWED_TAGS)
_inline_cleaner = _build_cleaner(INLINE_TAGS)


def render_markdown(source: str) -> SafeString:
    """Block Markdown (posts, bios, descriptions) to HTML that is safe to output as is."""
    html = _block_md.render(_clean_source(source))
    # The one sanctioned mark_safe on user text: bleach has just cleaned it.
    return mark_safe(_block_cleaner.clean(html).strip())  # noqa: S308


def render_inline(source: str) -> SafeString:
    """Markdown-lite for live chat: emphasis, strong, code, links and line breaks, unwrapped."""
    html = _inline_md.renderInline(_clean_source(source).strip())
    return mark_safe(_inline_cleaner.clean(html).strip())  # noqa: S308


class _TextExtractor(HTMLParser):
    _BREAKS = frozenset({"p", "br", "li", "blockquote", "pre", "ul", "ol"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self._BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag) -> None:
        self.handle_starttag(tag, [])

    def handle_data(self, data) -> None:
        self.parts.append(data)


def plain_excerpt(source: str, length: int = 160) -> str:
    """Plain text of the rendered source, whitespace collapsed, at most `length` characters.

    The result is NOT HTML: entities are decoded, so templates must escape it (they do by
    default). Rule 2 still applies: never put it in anything that leaves the site.
    """
    extractor = _TextExtractor()
    extractor.feed(render_markdown(source))
    extractor.close()
    text = _WHITESPACE.sub(" ", "".join(extractor.parts)).strip()
    if len(text) <= length:
        return text
    if length <= 1:
        return text[:length]
    cut = text[: length - 1]
    # Prefer ending at a word boundary, unless that would throw away most of the excerpt.
    space = cut.rfind(" ")
    if space > length // 2:
        cut = cut[:space]
    return cut.rstrip() + "\u2026"
