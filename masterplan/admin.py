from django.contrib import admin

from .models import Programme, RatingLevel, RatingScale, WorkingGroup


class WorkingGroupInline(admin.TabularInline):
    model = WorkingGroup
    extra = 0
    fields = ("number", "numeral", "name")


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation")
    search_fields = ("name", "organisation")
    list_filter = ("organisation",)
    inlines = [WorkingGroupInline]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "numeral", "number", "programme")
    list_filter = ("programme",)
    search_fields = ("name", "numeral", "editors__username", "editors__last_name")
    filter_horizontal = ("editors", "leads")


class RatingLevelInline(admin.TabularInline):
    model = RatingLevel
    extra = 0
    fields = ("order", "level", "definition", "upper_bound", "upper_inclusive")


@admin.register(RatingScale)
class RatingScaleAdmin(admin.ModelAdmin):
    list_display = ("label", "kind", "programme", "order")
    list_filter = ("programme", "kind")
    search_fields = ("label", "note", "levels__definition")
    inlines = [RatingLevelInline]


@admin.register(RatingLevel)
class RatingLevelAdmin(admin.ModelAdmin):
    list_display = ("level", "definition", "scale", "upper_bound", "upper_inclusive")
    list_filter = ("scale__kind", "scale__programme")
    search_fields = ("level", "definition")
