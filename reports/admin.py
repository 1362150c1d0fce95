from django.contrib import admin

from .models import StatusReport


@admin.register(StatusReport)
class StatusReportAdmin(admin.ModelAdmin):
    list_display = ("__str__", "report_date", "state", "page_count", "created_by", "created_at")
    list_filter = ("state", "programme", "pdf_variant", "report_date")
    search_fields = ("title", "ds_number", "created_by__username")
    readonly_fields = (
        "state",
        "error",
        "file",
        "page_count",
        "attempts",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
    )
    list_select_related = ("created_by",)
