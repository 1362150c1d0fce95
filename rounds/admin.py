"""The rounds in the admin: to look up, never to change.

Rounds and status updates change only through `rounds.services` (the pages under /runden/),
so the state tables, the locking and the history hold; the approval trail and the e-mail log
(Notification: who was told what, when) are records and stay as written.
"""

from django.contrib import admin

from measures.admin import ReadOnlyAdminMixin

from .models import Notification, ReportingRound, RoundEvent, StatusUpdate, StatusUpdateEvent


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False


class RoundEventInline(ReadOnlyInline):
    model = RoundEvent
    fields = ("at", "from_state", "to_state", "by", "reason")
    readonly_fields = fields


@admin.register(ReportingRound)
class ReportingRoundAdmin(ReadOnlyAdmin):
    list_display = ("name", "programme", "reporting_date", "update_deadline", "state")
    list_filter = ("state", "programme")
    inlines = [RoundEventInline]


class StatusUpdateEventInline(ReadOnlyInline):
    model = StatusUpdateEvent
    fields = ("at", "action", "from_state", "to_state", "by", "comment")
    readonly_fields = fields


@admin.register(StatusUpdate)
class StatusUpdateAdmin(ReadOnlyAdmin):
    list_display = ("measure", "round", "state", "traffic_light", "updated_at", "updated_by")
    list_filter = ("round", "state", "traffic_light", "measure__working_group")
    search_fields = ("measure__number", "measure__title")
    list_select_related = ("measure", "round", "updated_by")
    inlines = [StatusUpdateEventInline]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("sent_at", "kind", "email", "recipient", "round")
    list_filter = ("kind", "round", "sent_on")
    search_fields = ("email", "recipient__username")
    list_select_related = ("recipient", "round")
    date_hierarchy = "sent_on"
