from django import template

from measures.markup import render_description

register = template.Library()


@register.filter
def markdown(text: str):
    """A measure description (Markdown) as safe HTML; see measures.markup."""
    return render_description(text)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()
