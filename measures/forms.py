"""Forms of the measure edit page: the measure, its goals, and the shared formset behaviour."""

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT
from django.utils.translation import gettext_lazy as _

from masterplan.numbers import NumberField

from .history import GOAL_FIELDS, MEASURE_FIELDS
from .models import Goal, Measure
from .text import TextLengthValidator, normalize_texts

# Admins may renumber a measure and move it to another group; editors may not, or they could
# move a measure out of their own reach.
ADMIN_ONLY_FIELDS = ("number", "working_group")


def add_text_limits(form: forms.BaseForm, model) -> None:
    """Give the form's text fields the model's length limits, so the form says it first."""
    for name, field in form.fields.items():
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        limits = [v for v in model_field.validators if isinstance(v, TextLengthValidator)]
        field.validators = [*field.validators, *limits]


class PlainTextFormMixin:
    """Cleaned text as every write path stores it (`measures.text.normalize_text`): for forms
    that save without a service, such as the admin's."""

    def clean(self):
        return normalize_texts(super().clean())


class MeasureForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # The state the form was loaded with (JSON, see measures.merge) and the version whose
    # changes the editor has seen on the conflict page.
    base = forms.CharField(widget=forms.HiddenInput, required=False)
    seen = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    class Meta:
        model = Measure
        fields = MEASURE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 12}),
        }
        # Estimates as people type them ("1.000.000", "2,5"), not as <input type=number>.
        field_classes = dict.fromkeys(
            ("cost_estimate", "personnel_estimate", "duration_estimate"), NumberField
        )

    def __init__(self, *args, may_move: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_move:
            for name in ADMIN_ONLY_FIELDS:
                del self.fields[name]
        if "working_group" in self.fields and self.instance.programme_id:
            self.fields["working_group"].queryset = self.instance.programme.working_groups.all()
        add_text_limits(self, Measure)

    def _post_clean(self):
        # The service validates the measure as a whole (number against group, derived levels);
        # here only the fields themselves are checked, so the instance stays untouched.
        pass

    def measure_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name in MEASURE_FIELDS}


class OrderedItemForm(forms.Form):
    """One row of an ordered child list (a goal, a KPI) with its id and position."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    order = forms.IntegerField(
        label=_("Position"),
        min_value=1,
        max_value=999,
        required=False,
        widget=forms.NumberInput(attrs={"data-reorder-order": "", "class": "input--narrow"}),
    )
    # A new row counts as filled in once one of these has a value; the position (renumbered
    # by the reorder script) and preselected choices alone do not make a row.
    main_fields: tuple[str, ...] = ()

    def has_changed(self):
        if self["id"].data or not self.main_fields:
            return super().has_changed()
        return any(self[name].data not in (None, "") for name in self.main_fields)


class OrderedItemFormSet(forms.BaseFormSet):
    """Rows in the order given by their position fields; deleted and untouched new rows drop.

    The row counts a browser sends (the management form) are checked: a negative, oversized
    or inconsistent count is refused as a whole instead of read as "no rows" (which would
    delete every goal), and no more than `max_num` rows are ever built.
    """

    def total_form_count(self):
        return max(0, min(super().total_form_count(), self.max_num))

    def clean(self):
        super().clean()
        if not self.is_bound:
            return
        counts = self.management_form.cleaned_data
        total = counts.get(TOTAL_FORM_COUNT) or 0
        initial = counts.get(INITIAL_FORM_COUNT) or 0
        if not 0 <= initial <= total <= self.max_num:
            raise ValidationError(
                _(
                    "Die Zeilenzahl des Formulars ist ungültig (%(total)s Zeilen, davon "
                    "%(initial)s bestehende; höchstens %(max)s möglich). Es wurde nichts "
                    "gespeichert; bitte laden Sie die Seite neu."
                ),
                code="row_count",
                params={"total": total, "initial": initial, "max": self.max_num},
            )

    @property
    def forms_in_order(self) -> list[forms.Form]:
        """The rows as the user ordered them, to show again (after an error, an added row)."""
        if not self.is_bound:
            return list(self.forms)

        def position(entry):
            index, form = entry
            try:
                return (int(form["order"].data), index)
            except (TypeError, ValueError):
                return (index + 1, index)

        return [form for _index, form in sorted(enumerate(self.forms), key=position)]

    def items(self) -> list[dict]:
        kept = []
        for index, form in enumerate(self.forms):
            if self.can_delete and self._should_delete_form(form):
                continue
            is_new = not form.cleaned_data.get("id") if form.cleaned_data else True
            if not form.cleaned_data or (is_new and not form.has_changed()):
                continue
            kept.append((form.cleaned_data.get("order") or index + 1, index, form))
        kept.sort(key=lambda entry: (entry[0], entry[1]))
        self.saved_forms = [entry[2] for entry in kept]
        items = []
        for position, form in enumerate(self.saved_forms, start=1):
            item = {k: v for k, v in form.cleaned_data.items() if k not in ("DELETE", "ORDER")}
            item["order"] = position
            if not item.get("id"):
                item.pop("id", None)
            items.append(item)
        return items

    def add_service_errors(self, error: ValidationError) -> bool:
        """Put errors the service reported as "<prefix>-<position>-<field>" next to the field."""
        matched = False
        for key, messages in error.message_dict.items():
            if key == self.prefix:
                self._non_form_errors = self.error_class(messages, renderer=self.renderer)
                matched = True
                continue
            parts = key.split("-", 2)
            if len(parts) != 3 or parts[0] != self.prefix or not parts[1].isdigit():
                continue
            position = int(parts[1])
            forms_in_order = getattr(self, "saved_forms", self.forms)
            if position >= len(forms_in_order):
                continue
            form = forms_in_order[position]
            field = parts[2] if parts[2] in form.fields else None
            for message in messages:
                form.add_error(field, message)
            matched = True
        return matched


class GoalForm(OrderedItemForm):
    main_fields = ("text", "target", "category", "progress_note")
    category = Goal._meta.get_field("category").formfield()
    text = Goal._meta.get_field("text").formfield(widget=forms.Textarea(attrs={"rows": 3}))
    target = Goal._meta.get_field("target").formfield()
    status = Goal._meta.get_field("status").formfield()
    progress_note = Goal._meta.get_field("progress_note").formfield(
        widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_text_limits(self, Goal)


GoalFormSet = forms.formset_factory(
    GoalForm, formset=OrderedItemFormSet, extra=0, can_delete=True, max_num=200
)


def goal_initial(goal: Goal) -> dict:
    return {"id": goal.pk, **{name: getattr(goal, name) for name in GOAL_FIELDS}}


def formset_with_added_row(formset_class, data, prefix: str, **kwargs):
    """The bound formset again, with one more empty row: the no-JavaScript "add" button."""
    data = data.copy()
    total_key = f"{prefix}-TOTAL_FORMS"
    count = row_count(data, total_key)
    data[total_key] = str(count + 1 if count >= 0 else count)
    return formset_class(data, prefix=prefix, **kwargs), data


def row_count(data, key: str) -> int:
    """A posted row count as a number; anything else counts as -1, which the formset refuses."""
    try:
        return int(data.get(key, 0))
    except (TypeError, ValueError):
        return -1


def error_summary(form: forms.BaseForm, *formsets) -> list[dict]:
    """Every error on the page, each with the id of the input it belongs to (for the summary)."""
    entries = []

    def add(form, item_label: str = ""):
        for error in form.non_field_errors():
            entries.append({"id": None, "label": item_label, "message": error})
        for name, errors in form.errors.items():
            if name == "__all__":
                continue
            bound = form[name]
            label = f"{item_label}: {bound.label}" if item_label else bound.label
            for error in errors:
                entries.append({"id": bound.auto_id, "label": label, "message": error})

    add(form)
    for formset, noun in formsets:
        for error in formset.non_form_errors():
            entries.append({"id": None, "label": str(noun), "message": error})
        rows = getattr(formset, "forms_in_order", formset.forms)
        for index, item_form in enumerate(rows, start=1):
            add(item_form, f"{noun} {index}")
    return entries


class RestoreForm(forms.Form):
    """The admin's confirmation of a restore preview: the version the preview was made against."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
