from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("file_name", "state", "created_by", "created_at", "finished_at")
    list_filter = ("state", "dry_run", "programme")
    search_fields = ("file_name", "created_by__username")
    # The stored file by name only: a link would point into the media storage, past the
    # permission checks (see masterplan.media).
    exclude = ("file",)
    readonly_fields = [field.name for field in ImportRun._meta.fields if field.name != "file"] + [
        "stored_file"
    ]

    @admin.display(description=_("Datei"))
    def stored_file(self, run: ImportRun) -> str:
        return run.file.name or "–"

    def has_add_permission(self, request):
        return False
