from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import ReportState, StatusReport
from .services import ReportNotRetryable, report_publish, report_retry, report_withdraw


@admin.register(StatusReport)
class StatusReportAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "report_date",
        "state",
        "is_public",
        "page_count",
        "created_by",
        "created_at",
    )
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
        "published_at",
        "withdrawn_at",
    )
    list_select_related = ("created_by",)
    actions = ["retry_failed", "publish", "withdraw"]

    @admin.display(boolean=True, description=_("Öffentlich"))
    def is_public(self, report):
        return report.is_public

    def _each(self, request, queryset, service, done_message) -> None:
        """Run the publish or withdraw service on each report; say which were refused and why."""
        done = 0
        for report in queryset.order_by("pk"):
            try:
                service(report=report, by=request.user)
            except (ValidationError, PermissionDenied) as error:
                reason = " ".join(getattr(error, "messages", [str(error)]))
                self.message_user(request, f"{report}: {reason}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Ausgewählte Berichte veröffentlichen"))
    def publish(self, request, queryset):
        self._each(request, queryset, report_publish, _("%(count)d Bericht(e) veröffentlicht."))

    @admin.action(description=_("Ausgewählte Berichte zurückziehen"))
    def withdraw(self, request, queryset):
        self._each(request, queryset, report_withdraw, _("%(count)d Bericht(e) zurückgezogen."))

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
