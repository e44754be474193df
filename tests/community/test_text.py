import pytest
from django.utils.safestring import SafeString
from hypothesis import given
from hypothesis import strategies as st

from community.text import INLINE_TAGS, LINK_REL, plain_excerpt, render_inline, render_markdown
from tests.xss_corpus import DANGEROUS_MARKERS, PAYLOADS, assert_inert

REL = f'rel="{LINK_REL}"'

# Characters that make Markdown and HTML interesting, so hypothesis finds the tricky mixes.
MARKUP_ALPHABET = st.sampled_from(
    list("<>[]()!*_`&#;:/\\\"'= \n\t-+.|~")
    + [
        "javascript",
        "https",
        "data",
        "script",
        "onerror",
        "img",
        "svg",
        "&#106;",
        "&colon;",
        "\x00",
        "\x0b",
        "\r",
        "a",
        "x",
    ]
)


def _payload_id(payload: str) -> str:
    return payload[:40]


@pytest.mark.parametrize("payload", PAYLOADS, ids=_payload_id)
def test_payload_rendered_as_markdown_is_inert(payload):
    assert_inert(render_markdown(payload))


@pytest.mark.parametrize("payload", PAYLOADS, ids=_payload_id)
def test_payload_rendered_inline_is_inert(payload):
    assert_inert(render_inline(payload), tags=INLINE_TAGS)


@pytest.mark.parametrize("payload", PAYLOADS, ids=_payload_id)
def test_payload_in_markdown_link_text_and_quote_is_inert(payload):
    assert_inert(render_markdown(f"> [{payload}](https://example.org)\n>\n> - {payload}"))


def test_corpus_is_large_enough_and_markers_are_lowercase():
    assert len(PAYLOADS) >= 40
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    assert all(marker == marker.lower() for marker in DANGEROUS_MARKERS)


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<p onclick="x">hi</p>',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href="http://example.org">x</a>',
        '<a href="/relative">x</a>',
        '<a href="https://example.org" style="color:red">x</a>',
        '<p class="x">hi</p>',
        "<img src=x>",
        "<p>a <b",
    ],
)
def test_assert_inert_rejects_dangerous_html(html):
    with pytest.raises(AssertionError):
        assert_inert(html)


def test_assert_inert_accepts_escaped_text_and_custom_allow_lists():
    assert_inert("<p>&lt;script&gt;alert(1)&lt;/script&gt; javascript: onerror=</p>")
    assert_inert(
        '<nav class="menu"><a href="/forums/">Forums</a></nav>',
        tags={"nav", "a"},
        attributes={"*": {"class"}, "a": {"href"}},
        allow_relative_urls=True,
    )


def test_results_are_safe_strings():
    assert isinstance(render_markdown("x"), SafeString)
    assert isinstance(render_inline("x"), SafeString)
    assert render_markdown("") == ""


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("*quiet* and _also_", "<p><em>quiet</em> and <em>also</em></p>"),
        ("**loud**", "<p><strong>loud</strong></p>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("use `git status`", "<p>use <code>git status</code></p>"),
        ("```\na < b\n```", "<pre><code>a &lt; b\n</code></pre>"),
        ("first\nsecond", "<p>first<br>\nsecond</p>"),
        (
            "[NHS](https://www.england.nhs.uk/)",
            f'<p><a href="https://www.england.nhs.uk/" {REL}>NHS</a></p>',
        ),
        (
            "<https://example.org>",
            f'<p><a href="https://example.org" {REL}>https://example.org</a></p>',
        ),
        (
            "[write](mailto:lead@example.org)",
            f'<p><a href="mailto:lead@example.org" {REL}>write</a></p>',
        ),
    ],
)
def test_markdown_renders_the_allowed_elements(source, expected):
    assert render_markdown(source) == expected


def test_link_title_is_dropped_and_only_our_rel_is_set():
    html = render_markdown('[x](https://example.org "onmouseover=alert(1)")')
    assert html == f'<p><a href="https://example.org" {REL}>x</a></p>'


@pytest.mark.parametrize(
    "source",
    [
        "[the text](http://example.org)",
        "[the text](/admin/)",
        "[the text](#top)",
        "[the text](//evil.example)",
        "[the text](https:evil.example)",
        "[the text](ftp://example.org)",
    ],
)
def test_link_with_disallowed_url_loses_href_but_keeps_text(source):
    assert render_markdown(source) == "<p>the text</p>"
    assert render_inline(source) == "the text"


@pytest.mark.parametrize(
    "source",
    [
        "[the text](javascript:alert(1))",
        "[the text](JAVASCRIPT:alert(1))",
        "[the text](data:text/html;base64,PHNjcmlwdD4=)",
        "[the text](vbscript:msgbox(1))",
    ],
)
def test_script_and_data_links_never_become_links(source):
    html = render_markdown(source)
    assert "<a" not in html
    assert "the text" in html
    assert_inert(html)


def test_raw_html_is_shown_as_text():
    assert render_markdown("<b>bold</b> <script>x</script>") == (
        "<p>&lt;b&gt;bold&lt;/b&gt; &lt;script&gt;x&lt;/script&gt;</p>"
    )
    assert (
        render_markdown("<div>\nblock\n</div>") == "<p>&lt;div&gt;<br>\nblock<br>\n&lt;/div&gt;</p>"
    )


def test_headings_and_rules_stay_as_text():
    assert render_markdown("# Title\n\n***") == "<p># Title</p>\n<p>***</p>"


@pytest.mark.parametrize(
    "source",
    [
        "![chart](https://example.org/chart.png)",
        "![chart](data:image/png;base64,iVBORw0KGgo=)",
        "![chart][img]\n\n[img]: https://example.org/chart.png",
        "[![chart](https://example.org/c.png)](https://example.org)",
    ],
)
def test_images_never_render(source):
    for html in (render_markdown(source), render_inline(source)):
        assert "<img" not in html
        assert "chart" in html


def test_image_becomes_a_link_named_by_its_alt_text():
    assert render_markdown("![chart](https://example.org/c.png)") == (
        f'<p><a href="https://example.org/c.png" {REL}>chart</a></p>'
    )


def test_nul_and_control_characters_are_removed():
    assert render_markdown("a\x00b\x07c\x1bd\x7fe\x85f") == "<p>abcdef</p>"
    assert render_inline("a\x00b\x0cc") == "abc"


def test_windows_newlines_are_normalised_and_tabs_kept():
    assert render_markdown("one\r\ntwo\rthree\tfour") == "<p>one<br>\ntwo<br>\nthree\tfour</p>"


def test_inline_renders_emphasis_code_links_and_breaks_without_paragraph():
    html = render_inline("*a* **b** `c` [d](https://example.org)\nnext")
    assert html == (
        f'<em>a</em> <strong>b</strong> <code>c</code> <a href="https://example.org" {REL}>d</a>'
        "<br>\nnext"
    )


def test_inline_shows_block_syntax_as_text():
    html = render_inline("# title\n> quote\n- item\n1. item\n```\ncode\n```")
    for tag in ("<p", "<h1", "<blockquote", "<ul", "<ol", "<li", "<pre"):
        assert tag not in html
    assert "&gt; quote" in html


def test_inline_trims_surrounding_whitespace():
    assert render_inline("\n  hello  \n") == "hello"


def test_plain_excerpt_strips_markup_and_decodes_entities():
    source = "Hello **world** & <b>friends</b>\n\n- [link](https://example.org)\n- two"
    assert plain_excerpt(source) == "Hello world & <b>friends</b> link two"


def test_plain_excerpt_cuts_at_a_word_with_an_ellipsis():
    excerpt = plain_excerpt("word " * 100, length=30)
    assert len(excerpt) <= 30
    assert excerpt.endswith("word\u2026")


def test_plain_excerpt_is_not_safe_html():
    assert not isinstance(plain_excerpt("x"), SafeString)


@given(st.text())
def test_any_text_renders_to_inert_html(source):
    assert_inert(render_markdown(source))
    assert_inert(render_inline(source), tags=INLINE_TAGS)
    plain_excerpt(source)


@given(st.lists(MARKUP_ALPHABET, max_size=60).map("".join))
def test_any_markup_like_text_renders_to_inert_html(source):
    html = render_markdown(source)
    assert_inert(html)
    assert "\x00" not in html
    assert_inert(render_inline(source), tags=INLINE_TAGS)
