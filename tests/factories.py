"""factory_boy factories for data that is not about the seed.

A measure is created through `measure_create` (with its goals and KPIs), as on every write
path, so it starts at version 1 with its "created" history entry.
"""

from datetime import date, timedelta

import factory
from django.contrib.auth.models import User
from factory.django import DjangoModelFactory

from masterplan.models import Programme, WorkingGroup
from masterplan.services import legend_create
from measures.models import ChangeRecord, Measure
from measures.services import measure_create
from rounds.models import ReportingRound
from rounds.services import round_create, round_open
from transfer.seed import read_seed

NUMERALS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"]


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Masterplan {n}")


class WorkingGroupFactory(DjangoModelFactory):
    class Meta:
        model = WorkingGroup

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n % len(NUMERALS) + 1)
    numeral = factory.LazyAttribute(lambda group: NUMERALS[group.number - 1])
    name = factory.Sequence(lambda n: f"Arbeitsgruppe {n}")


class MeasureFactory(factory.Factory):
    """`MeasureFactory(kpis=[{"name": ...}], goals=[{"text": ..., "target": ...}])`."""

    class Meta:
        model = Measure

    programme = factory.SubFactory(ProgrammeFactory)
    working_group = factory.SubFactory(
        WorkingGroupFactory, programme=factory.SelfAttribute("..programme")
    )
    # The running number stays within the three digits a measure number allows.
    number = factory.LazyAttributeSequence(lambda m, n: f"{m.working_group.number}.{n % 999 + 1}")
    title = factory.Sequence(lambda n: f"Maßnahme {n}")
    goals = factory.List([])
    kpis = factory.List([])

    @classmethod
    def _create(cls, model_class, *, programme, goals, kpis, **data):
        return measure_create(
            programme=programme,
            data=data,
            goals=goals,
            kpis=kpis,
            source=ChangeRecord.Source.SEED,
        )


class ReportingRoundFactory(factory.Factory):
    """A round made through `round_create`, planned; `ReportingRoundFactory(open=True, by=admin)`
    opens it as well. The deadlines follow the Stichtag by 15 and 30 days unless given."""

    class Meta:
        model = ReportingRound

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Sachstand {n + 1}/2027")
    reporting_date = date(2027, 3, 31)
    update_deadline = factory.LazyAttribute(lambda r: r.reporting_date + timedelta(days=15))
    review_deadline = factory.LazyAttribute(lambda r: r.reporting_date + timedelta(days=30))

    @classmethod
    def _create(cls, model_class, *, open=False, by=None, **data):
        round_ = round_create(**data)
        return round_open(round=round_, by=by) if open else round_


def small_programme_create() -> Programme:
    """Some programme with some measures, for tests that are not about the seed: working
    groups I–IV like the seed (the personas of tests/conftest.py edit I and II), measures 1.1,
    1.2 and 1.3 in group I and one each in the others (2.1, 3.1, 4.1), each with two goals and
    two KPIs, and the legend (the rating scales every programme has; the seed file's, as the
    import uses them)."""
    programme = ProgrammeFactory(name="Masterplan Test", organisation="Stadt Teststadt")
    legend_create(programme=programme, legend=read_seed()["legend"])
    group_1 = WorkingGroupFactory(programme=programme, number=1, name="Arbeitsgruppe I")
    group_2 = WorkingGroupFactory(programme=programme, number=2, name="Arbeitsgruppe II")
    group_3 = WorkingGroupFactory(programme=programme, number=3, name="Arbeitsgruppe III")
    group_4 = WorkingGroupFactory(programme=programme, number=4, name="Arbeitsgruppe IV")
    for group, number, title in [
        (group_1, "1.1", "Mobiles Arbeiten"),
        (group_1, "1.2", "Digitale Akte"),
        (group_1, "1.3", "Telefonie im Browser"),
        (group_2, "2.1", "Fortbildung Digitalkompetenz"),
        (group_3, "3.1", "Offene Daten"),
        (group_4, "4.1", "Bürgerkonto"),
    ]:
        MeasureFactory(
            programme=programme,
            working_group=group,
            number=number,
            title=title,
            description=f"Beschreibung der Maßnahme {number}.",
            cost_rating="gering",
            personnel_rating="gering",
            timeframe_rating="kurzfristig",
            quick_win="ja",
            goals=[
                {"category": "", "text": f"Konzept für {number}", "target": "bis Ende 2030"},
                {"category": "", "text": f"Umsetzung von {number}", "target": "bis Ende 2031"},
            ],
            kpis=[{"name": f"Teilnehmende in {number}"}, {"name": f"Anträge in {number}"}],
        )
    return programme
