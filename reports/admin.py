from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import ReportState, StatusReport
from .services import ReportNotRetryable, report_retry


@admin.register(StatusReport)
class StatusReportAdmin(admin.ModelAdmin):
    list_display = ("__str__", "report_date", "state", "page_count", "created_by", "created_at")
    list_filter = ("state", "programme", "pdf_variant", "report_date")
    search_fields = ("title", "ds_number", "created_by__username")
    readonly_fields = (
        "state",
        "error",
        "download",
        "page_count",
        "attempts",
        "timings",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
    )
    list_select_related = ("created_by",)
    actions = ["retry_failed"]

    @admin.display(description=_("Datei"))
    def download(self, report: StatusReport) -> str:
        """Through the download view (permission-checked), never a storage URL."""
        if report.state != ReportState.DONE or not report.file:
            return "–"
        url = reverse("reports:download", args=[report.pk])
        return format_html('<a href="{}">{}</a>', url, report.download_name)

    @admin.action(description=_("Fehlgeschlagene Berichte erneut erstellen"))
    def retry_failed(self, request, queryset):
        retried = 0
        for report in queryset.filter(state=ReportState.FAILED):
            try:
                report_retry(report=report, by=request.user)
            except ReportNotRetryable:
                continue
            retried += 1
        self.message_user(
            request, _("%(count)d Bericht(e) neu eingereiht.") % {"count": retried}, messages.INFO
        )
