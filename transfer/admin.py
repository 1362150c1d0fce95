from django.contrib import admin

from .models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("file_name", "state", "created_by", "created_at", "finished_at")
    list_filter = ("state", "dry_run", "programme")
    search_fields = ("file_name", "created_by__username")
    readonly_fields = [field.name for field in ImportRun._meta.fields]

    def has_add_permission(self, request):
        return False
