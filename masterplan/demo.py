"""Demo accounts for trying Sachstand out. Never created by migrations, only on request."""

from django.contrib.auth.models import Group, User
from django.db import transaction

from .models import Programme
from .roles import STEERING_COMMITTEE_GROUP
from .services import public_data_changed

DEMO_PASSWORD = "demo"
DEMO_ACCOUNTS = (
    # username, full name, superuser, working groups edited, working groups led, committee
    ("admin", ("Ada", "Admin"), True, (), (), False),
    ("editor1", ("Erika", "Eins"), False, (1,), (), False),
    ("editor2", ("Emil", "Zwei"), False, (2,), (), False),
    # The lead of Arbeitsgruppe I reviews editor1's updates: the whole round can be tried out.
    ("lead1", ("Lars", "Leitung"), False, (), (1,), False),
    ("committee", ("Lena", "Lenkungskreis"), False, (), (), True),
)


@transaction.atomic
def demo_accounts_create(*, programme: Programme) -> list[User]:
    """Create or reset the demo accounts; safe to run again."""
    committee_group, _ = Group.objects.get_or_create(name=STEERING_COMMITTEE_GROUP)
    users = []
    for username, (first, last), superuser, edited, led, committee in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@example.org"
        user.is_superuser = user.is_staff = superuser
        user.set_password(DEMO_PASSWORD)
        user.save()
        for group in programme.working_groups.filter(number__in=edited):
            group.editors.add(user)
        for group in programme.working_groups.filter(number__in=led):
            group.leads.add(user)
        if committee:
            user.groups.add(committee_group)
        users.append(user)
    return users


def demo_programme_publish(*, programme: Programme) -> None:
    """The demo shows the public site at once: the seed programme is public (/oeffentlich/)."""
    if not programme.is_public:
        Programme.objects.filter(pk=programme.pk).update(is_public=True)
        programme.is_public = True
        public_data_changed(programme_ids=[programme.pk], always=True)
