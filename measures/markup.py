"""Measure descriptions are text written by staff, with a little structure; this turns them
into safe HTML.

Structure: paragraphs (a blank line), line breaks, sub-headings ("### "), lists ("- ", "1. ")
and links. Everything else shows as typed: no emphasis, so "Bürger*innen und
Mitarbeiter*innen" keeps its gender stars, "_" and "**" stay; no backslash escapes, so
"\\server\\share" stays; no link reference lines that vanish. Nobody has to learn escaping.

The web pages and the PDF call the same function, so both show the same text. Raw HTML in
the source is escaped before Markdown sees it, and the result is cleaned by nh3 with an
allow-list, so no markup the author typed (or pasted) reaches the page as markup.
"""

import html

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension

# Inline and block rules of Markdown that would change ordinary text as staff type it.
LITERAL_INLINE = ("escape", "em_strong", "em_strong2", "not_strong", "strong", "emphasis")
LITERAL_BLOCK = ("reference",)


class PlainTextExtension(Extension):
    """Markdown with only the structure staff use; see the module's docstring."""

    def extendMarkdown(self, md):  # noqa: N802 - the name Python-Markdown calls
        for name in LITERAL_INLINE:
            md.inlinePatterns.deregister(name, strict=False)
        for name in LITERAL_BLOCK:
            md.parser.blockprocessors.deregister(name, strict=False)


ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "b", "i",
    "blockquote", "code", "pre", "hr", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
# "### " starts a sub-heading inside a measure; the page already has h1 and h2 above it.
HEADING_SHIFT = {"<h1>": "<h3>", "</h1>": "</h3>", "<h2>": "<h3>", "</h2>": "</h3>"}


def render_description(markdown_text: str) -> SafeString:
    """Markdown (as measures store it) to HTML that is safe to put into a page or PDF."""
    if not markdown_text or not markdown_text.strip():
        return mark_safe("")
    escaped = html.escape(markdown_text, quote=False)
    rendered = markdown.markdown(
        escaped, extensions=["sane_lists", "nl2br", PlainTextExtension()], output_format="html"
    )
    for old, new in HEADING_SHIFT.items():
        rendered = rendered.replace(old, new)
    cleaned = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 with an allow-list above
