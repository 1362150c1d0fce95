"""Staff pages: overview, measure list, detail with history, edit, restore.

Views stay thin: permission check → form → service → redirect or render. Parts that other
apps hang on a measure (KPIs) come in through `measures.pageparts`, never by import.
"""

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
from .models import ChangeRecord, Measure
from .pageparts import page_parts
from .permissions import (
    can_create_measure,
    can_edit_measure,
    can_restore_measure,
    editable_working_group_ids,
)
from .selectors import (
    current_programme,
    describe_diff,
    describe_records,
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
    MeasureConflict,
    measure_create,
    measure_restore,
    measure_restore_preview,
    measure_update,
)

PAGE_SIZE = 50


def _url_if_installed(name: str) -> str | None:
    """The URL of a page of an app above measures, or None when that app is not installed."""
    try:
        return reverse(name)
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
        for part in page_parts()
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
        registered = page_parts() if measure.pk else []
        if data is None:
            initial = {"version": measure.version} if measure.pk else {"version": 1}
            self.form = MeasureForm(instance=measure, initial=initial, may_move=may_move)
            goals = [goal_initial(goal) for goal in measure.goals.all()] if measure.pk else []
            self.goals = GoalFormSet(initial=goals, prefix="goals")
            self.parts = [(part, part.formset(measure=measure)) for part in registered]
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

    def save_parts(self):
        """One callable for measure_update(extra=...): every part's rows, same transaction."""
        rows = [(part, formset.items()) for part, formset in self.parts]

        def save(measure: Measure) -> None:
            for part, items in rows:
                part.save(measure, items)

        return save

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


@require_http_methods(["GET", "POST"])
def measure_edit(request, pk: int):
    measure = get_object_or_404(Measure.objects.select_related("working_group", "programme"), pk=pk)
    if not can_edit_measure(request.user, measure):
        raise PermissionDenied(_("Sie dürfen diese Maßnahme nicht bearbeiten."))
    if request.method == "GET":
        page = EditPage(request, measure)
        return render(request, "measures/edit.html", page.context())

    page = EditPage(request, measure, data=request.POST)
    add = _add_row_request(request)
    if add:
        page.add_row(add)
        return render(request, "measures/edit.html", page.context(errors=[], added=add))
    if not page.is_valid():
        return render(request, "measures/edit.html", page.context(), status=422)
    try:
        measure_update(
            measure=measure,
            data=page.form.measure_data(),
            expected_version=page.form.cleaned_data["version"],
            goals=page.goals.items(),
            extra=page.save_parts(),
            by=request.user,
            source=ChangeRecord.Source.WEB,
        )
    except MeasureConflict as conflict:
        # Keep what the user typed, but base it on the current version: saving again (after
        # checking the other changes shown) is a deliberate decision, not a silent overwrite.
        data = request.POST.copy()
        data["version"] = str(conflict.measure.version)
        page = EditPage(request, measure, data=data)
        page.is_valid()
        context = page.context(
            conflict=describe_records(conflict.changes), conflict_version=conflict.measure.version
        )
        context["errors"] = []
        return render(request, "measures/edit.html", context, status=409)
    except ValidationError as error:
        page.add_service_errors(error)
        return render(request, "measures/edit.html", page.context(), status=422)
    saved = _("Die Maßnahme %(number)s wurde gespeichert.") % {"number": measure.number}
    messages.success(request, saved)
    return redirect("measures:detail", pk=measure.pk)


@require_http_methods(["GET", "POST"])
def measure_new(request):
    if not can_create_measure(request.user):
        raise PermissionDenied(_("Nur Administrator*innen legen Maßnahmen an."))
    programme = current_programme()
    if programme is None:
        raise PermissionDenied(_("Es ist noch kein Programm angelegt."))
    measure = Measure(programme=programme)
    if request.method == "GET":
        return render(request, "measures/edit.html", EditPage(request, measure).context())
    page = EditPage(request, measure, data=request.POST)
    add = _add_row_request(request)
    if add:
        page.add_row(add)
        return render(request, "measures/edit.html", page.context(errors=[], added=add))
    if not page.is_valid():
        return render(request, "measures/edit.html", page.context(), status=422)
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
