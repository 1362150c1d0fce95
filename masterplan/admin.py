from django.contrib import admin

from .models import Programme, RatingLevel, RatingScale, WorkingGroup
from .services import public_data_changed


class WorkingGroupInline(admin.TabularInline):
    model = WorkingGroup
    extra = 0
    fields = ("number", "numeral", "name")


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "is_public")
    search_fields = ("name", "organisation")
    list_filter = ("organisation", "is_public")
    fields = ("name", "organisation", "numbering_note", "is_public")
    inlines = [WorkingGroupInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Its name and its groups are on the public pages; switching it off must empty them.
        public_data_changed(
            programme_ids=[form.instance.pk], always="is_public" in form.changed_data
        )


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "numeral", "number", "programme")
    list_filter = ("programme",)
    search_fields = ("name", "numeral", "editors__username", "editors__last_name")
    filter_horizontal = ("editors", "leads")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        public_data_changed(programme_ids=[obj.programme_id])


class LegendChangesPublicData:
    """The legend's texts stand on the public measure pages: a change renews them."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        public_data_changed(programme_ids=[self.programme_id(obj)])

    def delete_model(self, request, obj):
        programme_id = self.programme_id(obj)
        super().delete_model(request, obj)
        public_data_changed(programme_ids=[programme_id])


class RatingLevelInline(admin.TabularInline):
    model = RatingLevel
    extra = 0
    fields = ("order", "level", "definition", "upper_bound", "upper_inclusive")


@admin.register(RatingScale)
class RatingScaleAdmin(LegendChangesPublicData, admin.ModelAdmin):
    list_display = ("label", "kind", "programme", "order")
    list_filter = ("programme", "kind")
    search_fields = ("label", "note", "levels__definition")
    inlines = [RatingLevelInline]

    @staticmethod
    def programme_id(scale):
        return scale.programme_id


@admin.register(RatingLevel)
class RatingLevelAdmin(LegendChangesPublicData, admin.ModelAdmin):
    list_display = ("level", "definition", "scale", "upper_bound", "upper_inclusive")
    list_filter = ("scale__kind", "scale__programme")
    search_fields = ("level", "definition")

    @staticmethod
    def programme_id(level):
        return level.scale.programme_id
