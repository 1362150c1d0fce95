from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kpis.models import KPIValue
from kpis.services import kpi_value_record
from masterplan.models import Programme, WorkingGroup
from masterplan.numbers import format_decimal
from masterplan.roles import is_admin
from measures.models import Measure
from measures.services import MeasureConflict, measure_update

from .forms import (
    CloseForm,
    GoalProgressForm,
    KPIValueForm,
    ReopenForm,
    RoundForm,
    StatusUpdateForm,
    TransitionForm,
)
from .models import ReportingRound, StatusUpdate, UpdateAction, UpdateState
from .selectors import measure_rounds, overview_rounds, round_progress, tasks_for
from .services import (
    UpdateConflict,
    can_edit_round_updates,
    can_edit_update,
    round_create,
    round_open,
    round_reopen,
    round_start_review,
    update_allowed_actions,
    update_save,
    update_transition,
)


def _require_admin(user) -> None:
    if not is_admin(user):
        raise PermissionDenied(_("Nur die Programmleitung (Admins) steuert Berichtsrunden."))


def round_list(request):
    rounds = ReportingRound.objects.select_related("programme")
    return render(
        request, "rounds/round_list.html", {"rounds": rounds, "can_manage": is_admin(request.user)}
    )


def round_new(request):
    _require_admin(request.user)
    programme = Programme.objects.current()
    if programme is None:
        raise Http404(_("Es gibt noch kein Programm."))
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = round_create(programme=programme, **form.cleaned_data, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Die Berichtsrunde ist angelegt."))
            return redirect("rounds:detail", pk=round_.pk)
    return render(request, "rounds/round_form.html", {"form": form, "programme": programme})


def round_detail(request, pk: int):
    round_ = get_object_or_404(
        ReportingRound.objects.select_related("programme").prefetch_related("reports"), pk=pk
    )
    groups = WorkingGroup.objects.filter(programme=round_.programme)
    group = None
    group_number = request.GET.get("gruppe", "")
    if group_number.isdigit():
        group = groups.filter(number=int(group_number)).first()
    state = request.GET.get("status", "")
    if state not in UpdateState.values:
        state = ""
    context = {
        "round": round_,
        "progress": round_progress(round=round_, working_group=group, state=state),
        "working_groups": groups,
        "selected_group": group,
        "selected_state": state,
        "states": UpdateState.choices,
        "can_manage": is_admin(request.user),
        "can_upload": can_edit_round_updates(request.user, round_),
        "close_form": CloseForm(),
        "reopen_form": ReopenForm(),
    }
    return render(request, "rounds/round_detail.html", context)


@require_POST
def round_step(request, pk: int, step: str):
    _require_admin(request.user)
    round_ = get_object_or_404(ReportingRound, pk=pk)
    try:
        if step == "oeffnen":
            round_open(round=round_, by=request.user)
            messages.success(
                request,
                _("Die Runde ist geöffnet; die Bearbeiter*innen werden per E-Mail informiert."),
            )
        elif step == "pruefen":
            round_start_review(round=round_, by=request.user)
            messages.success(request, _("Die Runde ist in Prüfung."))
        elif step == "wieder-oeffnen":
            form = ReopenForm(request.POST)
            if not form.is_valid():
                raise ValidationError(
                    _("Bitte begründen Sie, warum die Runde wieder geöffnet wird.")
                )
            round_reopen(round=round_, reason=form.cleaned_data["reason"], by=request.user)
            messages.success(request, _("Die Runde ist wieder geöffnet."))
        else:
            raise Http404
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("rounds:detail", pk=round_.pk)


def _goal_forms(update, data=None) -> list:
    return [
        (
            goal,
            GoalProgressForm(
                data,
                prefix=f"goal-{goal.pk}",
                initial={"status": goal.status, "progress_note": goal.progress_note},
            ),
        )
        for goal in update.measure.goals.order_by("order", "id")
    ]


def _kpi_forms(update, data=None) -> list:
    """Each KPI with its value as of the Stichtag (the last known then) and a form for it."""
    day = update.round.reporting_date
    kpis = list(update.measure.kpis.order_by("order", "id"))
    known = {}
    for value in KPIValue.objects.filter(kpi__in=kpis).as_of(day):
        known[value.kpi_id] = value  # oldest first: the last one stays
    rows = []
    for kpi in kpis:
        current = known.get(kpi.pk)
        if current is not None:
            current.display = format_decimal(current.value)
        on_day = current if current is not None and current.date == day else None
        initial = {"value": on_day.value, "note": on_day.note} if on_day else {}
        rows.append((kpi, current, KPIValueForm(data, prefix=f"kpi-{kpi.pk}", initial=initial)))
    return rows


def _update_context(request, update, form, transition_form=None, goal_forms=None, kpi_forms=None):
    user = request.user
    editable = can_edit_update(user, update)
    return {
        "goal_forms": goal_forms or _goal_forms(update),
        "kpi_forms": kpi_forms or _kpi_forms(update),
        "measure_version": update.measure.version,
        "update": update,
        "round": update.round,
        "measure": update.measure,
        "form": form,
        "can_edit": editable,
        "actions": [
            (action, UpdateAction(action).label) for action in update_allowed_actions(user, update)
        ],
        "transition_form": transition_form or TransitionForm(initial={"version": update.version}),
        "events": update.events.select_related("by"),
        "previous": (
            StatusUpdate.objects.approved()
            .filter(measure=update.measure, round__reporting_date__lt=update.round.reporting_date)
            .select_related("round")
            .order_by("-round__reporting_date")
            .first()
        ),
    }


def update_detail(request, pk: int):
    update = get_object_or_404(
        StatusUpdate.objects.select_related("round__programme", "measure__working_group"), pk=pk
    )
    form = StatusUpdateForm(request.POST or None, instance=update)
    if request.method == "POST":
        if not can_edit_update(request.user, update):
            raise PermissionDenied(_("Diese Sachstandsmeldung können Sie nicht bearbeiten."))
        if form.is_valid():
            try:
                update_save(
                    update=update,
                    data=form.service_data(),
                    expected_version=form.cleaned_data["version"],
                    by=request.user,
                )
            except UpdateConflict:
                messages.error(
                    request,
                    _(
                        "Jemand hat die Meldung inzwischen gespeichert. Bitte laden Sie die Seite "
                        "neu und übernehmen Sie Ihre Änderungen erneut."
                    ),
                )
                update.refresh_from_db()
                return render(
                    request,
                    "rounds/update_detail.html",
                    _update_context(request, update, form),
                    status=409,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Die Meldung ist gespeichert."))
                return redirect("rounds:update", pk=update.pk)
    elif not can_edit_update(request.user, update):
        form = None
    return render(request, "rounds/update_detail.html", _update_context(request, update, form))


@require_POST
def update_transition_view(request, pk: int, action: str):
    update = get_object_or_404(
        StatusUpdate.objects.select_related("round", "measure__working_group"), pk=pk
    )
    if action not in UpdateAction.values:
        raise Http404
    transition_form = TransitionForm(request.POST)
    if not transition_form.is_valid():
        messages.error(request, _("Die Anfrage war unvollständig; bitte erneut versuchen."))
        return redirect("rounds:update", pk=update.pk)
    try:
        update_transition(
            update=update,
            action=action,
            by=request.user,
            comment=transition_form.cleaned_data["comment"],
            expected_version=transition_form.cleaned_data["version"],
        )
    except UpdateConflict:
        messages.error(
            request, _("Die Meldung wurde inzwischen geändert; bitte prüfen Sie sie erneut.")
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        form = StatusUpdateForm(instance=update) if can_edit_update(request.user, update) else None
        return render(
            request,
            "rounds/update_detail.html",
            _update_context(request, update, form, transition_form),
            status=400,
        )
    else:
        done = {
            UpdateAction.SUBMIT: _("Die Meldung ist eingereicht."),
            UpdateAction.RETURN: _("Die Meldung ist zurückgegeben."),
            UpdateAction.APPROVE: _("Die Meldung ist freigegeben."),
        }
        messages.success(request, done[action])
    return redirect("rounds:update", pk=update.pk)


def my_tasks(request):
    return render(request, "rounds/my_tasks.html", tasks_for(request.user))


def _part(request, template: str, title: str, context: dict):
    """A part of a page of another app, swapped in by htmx; a whole page when followed as a
    plain link (without JavaScript)."""
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, template, context)
    return render(
        request, "rounds/part_page.html", {**context, "part_template": template, "title": title}
    )


@require_GET
def measure_part(request, measure_pk: int):
    """The measure page's "Sachstand": current update and the Ampel of every round."""
    measure = get_object_or_404(Measure, pk=measure_pk)
    context = {"measure": measure, **measure_rounds(measure=measure)}
    return _part(
        request,
        "rounds/_measure_part.html",
        _("Sachstand von %(number)s") % {"number": measure.number},
        context,
    )


@require_GET
def overview_part(request):
    """The overview's part: my tasks, the running round's progress, the Ampel distribution."""
    context = overview_rounds(programme=Programme.objects.current(), user=request.user)
    return _part(request, "rounds/_overview_part.html", _("Berichtsrunde"), context)


def _editable_update(request, pk: int) -> StatusUpdate:
    update = get_object_or_404(
        StatusUpdate.objects.select_related("round__programme", "measure__working_group"), pk=pk
    )
    if not can_edit_update(request.user, update):
        raise PermissionDenied(_("Diese Sachstandsmeldung können Sie nicht bearbeiten."))
    return update


def _update_page_again(request, update, status: int, **forms):
    form = StatusUpdateForm(instance=update)
    return render(
        request,
        "rounds/update_detail.html",
        _update_context(request, update, form, **forms),
        status=status,
    )


@require_POST
def update_goals(request, pk: int):
    """The goals' status and progress notes, saved through `measure_update` (one history
    entry, the measure's version checked) while the update is editable."""
    update = _editable_update(request, pk)
    goal_forms = _goal_forms(update, request.POST)
    version = request.POST.get("measure_version", "")
    if not version.isdigit() or not all(form.is_valid() for _goal, form in goal_forms):
        messages.error(request, _("Bitte prüfen Sie die markierten Angaben der Ziele."))
        return _update_page_again(request, update, 400, goal_forms=goal_forms)
    goals = [
        {
            "id": goal.pk,
            "order": goal.order,
            "target_date": goal.target_date,
            "target_open_ended": goal.target_open_ended,
            **form.cleaned_data,
        }
        for goal, form in goal_forms
    ]
    try:
        measure_update(
            measure=update.measure,
            data={},
            goals=goals,
            expected_version=int(version),
            by=request.user,
        )
    except MeasureConflict:
        messages.error(
            request,
            _(
                "Jemand hat die Maßnahme inzwischen geändert. Bitte prüfen Sie die Ziele und "
                "übernehmen Sie Ihre Änderungen erneut."
            ),
        )
        update.measure.refresh_from_db()
        return _update_page_again(request, update, 409, goal_forms=goal_forms)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _update_page_again(request, update, 400, goal_forms=goal_forms)
    messages.success(request, _("Die Ziele sind gespeichert."))
    return redirect("rounds:update", pk=update.pk)


@require_POST
def update_kpis(request, pk: int):
    """KPI values as of the round's Stichtag through `kpi_value_record`; all or none."""
    update = _editable_update(request, pk)
    kpi_forms = _kpi_forms(update, request.POST)
    if not all(form.is_valid() for _kpi, _current, form in kpi_forms):
        messages.error(request, _("Bitte prüfen Sie die markierten Werte."))
        return _update_page_again(request, update, 400, kpi_forms=kpi_forms)
    try:
        with transaction.atomic():
            for kpi, _current, form in kpi_forms:
                if form.cleaned_data["value"] is None:
                    continue
                try:
                    kpi_value_record(
                        kpi=kpi,
                        date=update.round.reporting_date,
                        value=form.cleaned_data["value"],
                        note=form.cleaned_data["note"],
                        by=request.user,
                    )
                except ValidationError as error:
                    raise ValidationError(
                        [f"{kpi.name}: {message}" for message in error.messages]
                    ) from None
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _update_page_again(request, update, 400, kpi_forms=kpi_forms)
    messages.success(request, _("Die Kennzahlen sind gespeichert."))
    return redirect("rounds:update", pk=update.pk)
