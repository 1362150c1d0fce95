"""Parts that other apps add to the measure pages (KPIs, for example).

`measures` must not import the apps above it, yet the measure's page shows its KPIs and the
edit page edits them in the same save. An app registers a PagePart in its `ready()`; the
measure views show its detail template and edit its formset, and pass its `save` to
`measure_update(extra=...)`, so everything is saved in one transaction with one history entry.

`detail_context(measure, user=...)` gets the viewing user, so a part can offer its own actions
(entering a KPI value) only to those who may use them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.forms import BaseFormSet

from .models import Measure


@dataclass(frozen=True)
class PagePart:
    name: str  # formset prefix, and the key of the part in the measure's history state
    detail_template: str
    detail_context: Callable[..., dict]  # detail_context(measure, *, user) -> template context
    edit_template: str
    formset: Callable[..., BaseFormSet]  # formset(measure=..., data=None) -> bound or unbound
    save: Callable[[Measure, list[dict]], None]
    field_labels: dict[str, str] = field(default_factory=dict)
    item_label: str = ""


_page_parts: dict[str, PagePart] = {}


def register_page_part(part: PagePart) -> None:
    _page_parts[part.name] = part


def page_parts() -> list[PagePart]:
    return list(_page_parts.values())
