from celery import shared_task

from .models import Programme
from .retention import personal_data_prune


@shared_task
def programme_summary(programme_id: int) -> dict:
    """Counts of a programme as the worker sees them; used to check a worker end to end."""
    programme = Programme.objects.get(pk=programme_id)
    return {
        "programme": programme.name,
        "working_groups": programme.working_groups.count(),
        "measures": programme.measures.count(),
    }


@shared_task
def prune_personal_data_task() -> dict:
    """Daily (beat): delete or anonymise personal data past its retention (masterplan.retention)."""
    return personal_data_prune()
