from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = _("Maßnahmen")

    def ready(self):
        from .text import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="sachstand_sqlite")
