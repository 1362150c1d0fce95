from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = _("Kennzahlen")

    def ready(self):
        from measures.pageparts import register_page_part
        from measures.search import register_search_fields
        from measures.services import register_state_part

        from .pageparts import KPI_PAGE_PART
        from .services import KPI_STATE_PART

        register_state_part(KPI_STATE_PART)
        register_page_part(KPI_PAGE_PART)
        register_search_fields(related_name="kpis", fields=("name",))
