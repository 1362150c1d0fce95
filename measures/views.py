"""Staff pages: overview, measure list, detail with history, edit, restore.

Views stay thin: permission check → form → service → redirect or render. The KPIs of a
measure are part of its aggregate: their section of the detail and edit pages is
`kpis.pageparts.KPI_PAGE_PART`, saved with the measure by `measure_update(kpis=...)`.
"""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kpis.pageparts import KPI_PAGE_PART
from masterplan.models import Programme

from .filters import SORT_LABELS, MeasureFilter
from .forms import (
    GoalFormSet,
    MeasureForm,
    RestoreForm,
    error_summary,
    formset_with_added_row,
    goal_initial,
    row_count,
)
from .merge import merge_edit, plain, plain_snapshot
from .models import ChangeRecord, Measure
from .permissions import (
    can_create_measure,
    can_edit_measure,
    can_restore_measure,
    editable_working_group_ids,
)
from .selectors import (
    GOAL_CHOICES,
    MEASURE_CHOICES,
    describe_diff,
    describe_records,
    display_value,
    group_names,
    measure_history,
    measure_legend,
    measure_list_queryset,
    measure_list_rows,
    measures_for_detail,
)
from .selectors import (
    overview as overview_data,
)
from .services import (
    MEASURE_FIELDS,
    MeasureConflict,
    measure_create,
    measure_restore,
    measure_restore_preview,
    measure_update,
)

PAGE_SIZE = 50

# The sections of the measure pages beyond its own fields and goals.
PAGE_PARTS = [KPI_PAGE_PART]


def _url_if_installed(name: str, *args) -> str | None:
    """The URL of a page of an app above measures, or None when that app is not installed."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@require_GET
def overview(request):
    today = timezone.localdate()
    context = {
        "overview": overview_data(today=today),
        "today": today,
        "detail_prefix": reverse("measures:list"),
        "changes_url": _url_if_installed("reports:changes_since_last"),
        "rounds_url": _url_if_installed("rounds:overview_part"),
    }
    return render(request, "measures/overview.html", context)


def _sort_columns(query: QueryDict, current: str) -> list[dict]:
    """Header links that sort by a column; a second click reverses the order."""
    columns = []
    for key, label in SORT_LABELS.items():
        params = query.copy()
        params.pop("page", None)
        active = current.removeprefix("-") == key or (not current and key == "number")
        descending = active and current.startswith("-")
        params["sort"] = key if not active or descending else f"-{key}"
        columns.append(
            {
                "key": key,
                "label": label,
                "url": f"?{params.urlencode()}",
                "aria_sort": ("descending" if descending else "ascending") if active else None,
            }
        )
    return columns


@require_GET
def measure_list(request):
    today = timezone.localdate()
    measure_filter = MeasureFilter(request.GET, queryset=measure_list_queryset())
    page = Paginator(measure_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    editable = editable_working_group_ids(request.user)
    context = {
        "filter": measure_filter,
        "page": page,
        "measures": measure_list_rows(
            rows=page.object_list, today=today, editable_group_ids=editable
        ),
        "detail_prefix": reverse("measures:list"),
        "columns": _sort_columns(request.GET, request.GET.get("sort", "")),
        "may_create": can_create_measure(request.user),
        "is_filtered": any(v for k, v in request.GET.items() if k not in ("sort", "page")),
    }
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    context["partial"] = partial
    template = "measures/_results.html" if partial else "measures/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def measure_detail(request, pk: int):
    measure = get_object_or_404(measures_for_detail(), pk=pk)
    parts = [
        {
            "template": part.detail_template,
            "context": part.detail_context(measure, user=request.user),
        }
        for part in PAGE_PARTS
    ]
    today = timezone.localdate()
    goals = [{"goal": goal, "overdue": goal.is_overdue(today)} for goal in measure.goals.all()]
    may_edit = can_edit_measure(request.user, measure)
    return render(
        request,
        "measures/detail.html",
        {
            "measure": measure,
            "goals": goals,
            "ratings": measure_legend(measure=measure),
            "parts": parts,
            "history": measure_history(measure=measure),
            "may_edit": may_edit,
            "may_restore": can_restore_measure(request.user),
            "rounds_url": _url_if_installed("rounds:measure_part", measure.pk),
        },
    )


class EditPage:
    """The measure form, the goals formset and each registered part's formset, together."""

    def __init__(self, request, measure: Measure, data=None):
        self.request = request
        self.measure = measure
        self.data = data
        may_move = can_create_measure(request.user)
        # A new measure starts with its goals; KPIs are added once it exists.
        registered = PAGE_PARTS if measure.pk else []
        if data is None:
            initial = {"version": measure.version} if measure.pk else {"version": 1}
            self.form = MeasureForm(instance=measure, initial=initial, may_move=may_move)
            goals = [goal_initial(goal) for goal in measure.goals.all()] if measure.pk else []
            self.goals = GoalFormSet(initial=goals, prefix="goals")
            self.parts = [(part, part.formset(measure=measure)) for part in registered]
            if measure.pk:
                # The state the form was loaded with: after a conflict, the editor's own
                # changes are told apart from everybody else's against it (measures.merge).
                self.form.initial["base"] = json.dumps(plain_snapshot(self.loaded_snapshot()))
        else:
            self.form = MeasureForm(data, instance=measure, may_move=may_move)
            self.goals = GoalFormSet(data, prefix="goals")
            self.parts = [(part, part.formset(measure=measure, data=data)) for part in registered]

    def add_row(self, prefix: str) -> None:
        if prefix == "goals":
            self.goals, self.data = formset_with_added_row(GoalFormSet, self.data, "goals")
            self._focus_new_row(self.goals)
            self.form = MeasureForm(
                self.data, instance=self.measure, may_move=can_create_measure(self.request.user)
            )
        for index, (part, _formset) in enumerate(self.parts):
            if part.name == prefix:
                data = self.data.copy()
                key = f"{prefix}-TOTAL_FORMS"
                count = row_count(data, key)
                data[key] = str(count + 1 if count >= 0 else count)
                self.data = data
                self.parts[index] = (part, part.formset(measure=self.measure, data=data))
                self._focus_new_row(self.parts[index][1])

    @staticmethod
    def _focus_new_row(formset) -> None:
        if not formset.forms:  # a refused row count builds no rows
            return
        new_row = formset.forms[-1]
        first = new_row.main_fields[0] if new_row.main_fields else "order"
        new_row.fields[first].widget.attrs["autofocus"] = True

    def is_valid(self) -> bool:
        results = [self.form.is_valid(), self.goals.is_valid()]
        results += [formset.is_valid() for _part, formset in self.parts]
        return all(results)

    def loaded_snapshot(self) -> dict:
        """What the unbound page shows: the measure's fields and each list's rows."""
        names = [name for name in self.form.fields if name in MEASURE_FIELDS]
        snapshot = {"measure": {name: self.form.initial.get(name) for name in names}}
        for name, formset in [("goals", self.goals), *((p.name, f) for p, f in self.parts)]:
            fields = [key for key in formset.form.base_fields if key != "DELETE"]
            snapshot[name] = [
                {key: row.get(key) for key in fields} for row in formset.initial or []
            ]
        return snapshot

    def posted_snapshot(self) -> dict:
        """What the editor posted (after `is_valid`), in the shape of `loaded_snapshot`."""
        snapshot = {"measure": self.form.measure_data(), "goals": self.goals.items()}
        for part, formset in self.parts:
            snapshot[part.name] = formset.items()
        return snapshot

    def base_snapshot(self) -> dict | None:
        """The state the form was loaded with, as kept in the form; None if missing or bad."""
        try:
            base = json.loads(self.form.cleaned_data.get("base") or "null")
        except ValueError:
            return None
        if not isinstance(base, dict) or not isinstance(base.get("measure", {}), dict):
            return None
        lists = [items for key, items in base.items() if key != "measure"]
        if not all(isinstance(items, list) for items in lists):
            return None
        if not all(isinstance(item, dict) for items in lists for item in items):
            return None
        return base

    def show_merged(self, merge, *, base: str, version: int, seen: int) -> None:
        """Show the merged state (theirs with this editor's changes) as the form's values,
        still based on the version first loaded, and mark what the others changed."""
        may_move = can_create_measure(self.request.user)
        initial = {**merge.measure, "version": version, "base": base, "seen": seen}
        self.data = None
        self.form = MeasureForm(instance=self.measure, initial=initial, may_move=may_move)
        self.goals = GoalFormSet(initial=merge.lists.get("goals", []), prefix="goals")
        self.parts = [
            (part, type(formset)(initial=merge.lists.get(part.name, []), prefix=part.name))
            for part, formset in self.parts
        ]
        for name, value in merge.theirs_changed.items():
            if isinstance(name, str) and name in self.form.fields:
                self.form.fields[name].their_change = _shown(value, name)
        for list_name, formset in [("goals", self.goals), *((p.name, f) for p, f in self.parts)]:
            for row in formset.forms:
                changes = merge.theirs_changed.get((list_name, row.initial.get("id")), {})
                for name, value in changes.items():
                    if name in row.fields:
                        row.fields[name].their_change = _shown(value, name, list_name=list_name)

    def kpi_rows(self, items: dict[str, list[dict]] | None = None) -> list[dict] | None:
        """The KPI rows for measure_update(kpis=...); None on a new measure (none yet).

        `items` replaces the posted rows (by list name), e.g. with the rows of a merge."""
        items = items or {}
        for part, formset in self.parts:
            if part.name == "kpis":
                return items.get(part.name, formset.items())
        return None

    def add_service_errors(self, error: ValidationError) -> None:
        unplaced = []
        for key, messages_ in error.message_dict.items():
            single = ValidationError({key: messages_})
            if key in self.form.fields:
                self.form.add_error(key, messages_)
            elif not self._place_in_formsets(single):
                unplaced.extend(messages_)
        for message in unplaced:
            self.form.add_error(None, message)

    def _place_in_formsets(self, error: ValidationError) -> bool:
        formsets = [self.goals, *(formset for _part, formset in self.parts)]
        return any(formset.add_service_errors(error) for formset in formsets)

    def context(self, **extra) -> dict:
        formsets = [(self.goals, _("Ziel"))]
        formsets += [(formset, part.item_label) for part, formset in self.parts]
        return {
            "measure": self.measure,
            "form": self.form,
            "goals": self.goals,
            "parts": [
                {"part": part, "formset": formset, "template": part.edit_template}
                for part, formset in self.parts
            ],
            "errors": error_summary(self.form, *formsets) if self.data is not None else [],
            **extra,
        }


def _add_row_request(request) -> str | None:
    return request.POST.get("add") or None


def _posted_page(request, measure: Measure):
    """The posted edit page, and the answer when it is not saved yet: a row was added, or
    the forms have errors (422)."""
    page = EditPage(request, measure, data=request.POST)
    add = _add_row_request(request)
    if add:
        page.add_row(add)
        return page, render(request, "measures/edit.html", page.context(errors=[], added=add))
    if not page.is_valid():
        return page, render(request, "measures/edit.html", page.context(), status=422)
    return page, None


@require_http_methods(["GET", "POST"])
def measure_edit(request, pk: int):
    measure = get_object_or_404(Measure.objects.select_related("working_group", "programme"), pk=pk)
    if not can_edit_measure(request.user, measure):
        raise PermissionDenied(_("Sie dürfen diese Maßnahme nicht bearbeiten."))
    if request.method == "GET":
        page = EditPage(request, measure)
        return render(request, "measures/edit.html", page.context())

    page, answer = _posted_page(request, measure)
    if answer is not None:
        return answer
    try:
        measure_update(
            measure=measure,
            data=page.form.measure_data(),
            expected_version=page.form.cleaned_data["version"],
            goals=page.goals.items(),
            kpis=page.kpi_rows(),
            by=request.user,
            source=ChangeRecord.Source.WEB,
        )
    except MeasureConflict:
        return _edit_conflict(request, measure, page)
    except ValidationError as error:
        page.add_service_errors(error)
        return render(request, "measures/edit.html", page.context(), status=422)
    saved = _("Die Maßnahme %(number)s wurde gespeichert.") % {"number": measure.number}
    messages.success(request, saved)
    return redirect("measures:detail", pk=measure.pk)


def _shown(value, name: str, *, list_name: str = "") -> str:
    """A value the others saved, as the history shows it."""
    if isinstance(value, dict):  # a whole row, for "removed by one, changed by the other"
        value = value.get("text") or value.get("name")
    choices = MEASURE_CHOICES if not list_name else GOAL_CHOICES if list_name == "goals" else {}
    groups = group_names() if name == "working_group" else {}
    return display_value(plain(value), name, choices, groups)


def _base_from_history(measure: Measure, version: int) -> dict | None:
    """The fallback base: the state the history kept for that version."""
    record = measure.changes.filter(measure_version=version).first()
    if record is None or not record.state:
        return None
    state = record.state
    base = {"measure": {name: state.get(name) for name in MEASURE_FIELDS}}
    for name, items in state.items():
        if isinstance(items, list):
            base[name] = items
    return base


def _edit_conflict(request, measure: Measure, page: EditPage):
    """Someone saved since the editor loaded the page (version N).

    The editor's own changes (against the state loaded with the form) are merged into the
    current state. The merge is saved once the editor has seen the current state (the form's
    `seen` is the current version), or right away if the others changed nothing the form shows
    (a KPI value, say), and only if no value was changed by both differently, unless the
    editor chose their own value for it. Otherwise the page shows the merged form,
    still based on N, with the other changes beside the fields, and the overlaps to decide.
    """
    cleaned = page.form.cleaned_data
    version = cleaned["version"]
    seen = cleaned.get("seen") or version
    for _attempt in range(10):  # each retry follows a save that landed in between
        current = Measure.objects.select_related("working_group", "programme").get(pk=measure.pk)
        theirs = EditPage(request, current).loaded_snapshot()
        base = page.base_snapshot() or _base_from_history(current, version) or {}
        keep = set(request.POST.getlist("keep_mine")) if current.version == seen else set()
        merge = merge_edit(base=base, mine=page.posted_snapshot(), theirs=theirs, keep_mine=keep)
        # Changes the form does not show (a KPI value entered meanwhile) need no second look.
        unseen = current.version != seen and plain_snapshot(theirs) != base
        if unseen or merge.overlaps:
            break
        try:
            measure_update(
                measure=current,
                data=merge.measure,
                goals=merge.lists.get("goals"),
                kpis=page.kpi_rows(merge.lists),
                expected_version=current.version,
                by=request.user,
                source=ChangeRecord.Source.WEB,
            )
        except MeasureConflict:
            continue  # yet another save in between: merge again
        except ValidationError as error:
            page.add_service_errors(error)
            return render(request, "measures/edit.html", page.context(), status=422)
        messages.success(
            request,
            _(
                "Die Maßnahme %(number)s wurde gespeichert: Ihre Änderungen, zusammen mit den "
                "zwischenzeitlichen Änderungen der anderen."
            )
            % {"number": current.number},
        )
        return redirect("measures:detail", pk=measure.pk)
    changes = current.changes.filter(measure_version__gt=version).select_related("changed_by")
    page.measure = current
    page.show_merged(merge, base=cleaned.get("base") or "", version=version, seen=current.version)
    overlaps = [
        {
            "key": overlap.key,
            "label": _overlap_label(page, overlap),
            "mine": _shown(overlap.mine, overlap.field, list_name=overlap.list_name),
            "theirs": _shown(overlap.theirs, overlap.field, list_name=overlap.list_name),
        }
        for overlap in merge.overlaps
    ]
    context = page.context(
        conflict=describe_records(changes), conflict_version=current.version, overlaps=overlaps
    )
    context["errors"] = []
    return render(request, "measures/edit.html", context, status=409)


def _overlap_label(page: EditPage, overlap) -> str:
    if not overlap.list_name:
        field = page.form.fields.get(overlap.field)
        return str(field.label if field else overlap.field)
    noun = (
        _("Ziel")
        if overlap.list_name == "goals"
        else next(
            (str(p.item_label) for p, _f in page.parts if p.name == overlap.list_name),
            overlap.list_name,
        )
    )
    if overlap.field == "order":
        return _("Reihenfolge: %(noun)s") % {"noun": noun}
    if overlap.field == "removed":
        return _("%(noun)s entfernt bzw. geändert") % {"noun": noun}
    formsets = [("goals", page.goals), *((p.name, f) for p, f in page.parts)]
    formset = dict(formsets).get(overlap.list_name)
    field = formset.form.base_fields.get(overlap.field) if formset is not None else None
    return f"{noun}: {field.label if field else overlap.field}"


@require_http_methods(["GET", "POST"])
def measure_new(request):
    if not can_create_measure(request.user):
        raise PermissionDenied(_("Nur Administrator*innen legen Maßnahmen an."))
    programme = Programme.objects.current()
    if programme is None:
        raise PermissionDenied(_("Es ist noch kein Programm angelegt."))
    measure = Measure(programme=programme)
    if request.method == "GET":
        return render(request, "measures/edit.html", EditPage(request, measure).context())
    page, answer = _posted_page(request, measure)
    if answer is not None:
        return answer
    try:
        created = measure_create(
            programme=programme,
            data=page.form.measure_data(),
            goals=page.goals.items(),
            by=request.user,
            source=ChangeRecord.Source.WEB,
        )
    except ValidationError as error:
        page.add_service_errors(error)
        return render(request, "measures/edit.html", page.context(), status=422)
    saved = _("Die Maßnahme %(number)s wurde angelegt.") % {"number": created.number}
    messages.success(request, saved)
    return redirect("measures:detail", pk=created.pk)


@require_http_methods(["GET", "POST"])
def measure_restore_view(request, pk: int, record_pk: int):
    """GET shows what restoring the version would change; POST (with the version the preview
    was made against) restores it, or shows the preview again if the measure moved since."""
    if not can_restore_measure(request.user):
        raise PermissionDenied(_("Nur Administrator*innen stellen frühere Stände wieder her."))
    measure = get_object_or_404(Measure, pk=pk)
    record = get_object_or_404(ChangeRecord, pk=record_pk, measure=measure)
    params = request.POST if request.method == "POST" else request.GET
    remove_later = params.get("remove_later") == "1"
    context = {"measure": measure, "record": record, "remove_later": remove_later}
    status = 200
    if request.method == "POST":
        form = RestoreForm(request.POST)
        if not form.is_valid():
            context["refused"] = _("Die Wiederherstellung wurde nicht bestätigt; bitte erneut.")
            status = 400
        else:
            try:
                restored = measure_restore(
                    measure=measure,
                    change_record=record,
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                    remove_later=remove_later,
                )
            except MeasureConflict as conflict:
                context["conflict"] = describe_records(conflict.changes)
                status = 409
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("measures:detail", pk=measure.pk)
            else:
                if restored is None:
                    messages.info(request, _("Die Maßnahme entspricht bereits diesem Stand."))
                else:
                    messages.success(
                        request,
                        _("Der Stand von Version %(version)s wurde wiederhergestellt.")
                        % {"version": record.measure_version},
                    )
                return redirect("measures:detail", pk=measure.pk)
    try:
        preview = measure_restore_preview(
            measure=measure, change_record=record, remove_later=remove_later
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("measures:detail", pk=measure.pk)
    measure.refresh_from_db()
    context.update(
        preview=preview,
        lines=describe_diff(preview.diff, groups=group_names()),
    )
    return render(request, "measures/restore.html", context, status=status)
