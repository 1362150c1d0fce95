from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from measures.markup import render_description

register = template.Library()


@register.filter
def markdown(text: str):
    """A measure description (Markdown) as safe HTML; see measures.markup."""
    return render_description(text)


@register.simple_tag
def measure_links(cell: list[dict], prefix: str, quick_win_label: str):
    """The measure numbers of one overview matrix cell as links, quick-wins starred and named.

    Built here rather than in a template loop: with a thousand measures the loop dominated
    the overview's rendering time.
    """
    return format_html_join(
        " ",
        '<a href="{}{}/" title="{}"{}>{}{}{}</a>',
        (
            (
                prefix,
                m["pk"],
                m["title"],
                mark_safe(' class="quickwin"') if m["is_quick_win"] else "",
                mark_safe('<span aria-hidden="true">★ </span>') if m["is_quick_win"] else "",
                m["number"],
                format_html('<span class="visually-hidden"> ({})</span>', quick_win_label)
                if m["is_quick_win"]
                else "",
            )
            for m in cell
        ),
    )


@register.simple_tag
def select_options(bound_field):
    """The <option>s of a filter's select, without a template per option (the list is hot)."""
    current = bound_field.value()
    current = "" if current is None else str(current)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) == current else "", label)
            for value, label in bound_field.field.choices
        ),
    )
