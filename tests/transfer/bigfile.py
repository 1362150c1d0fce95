"""A large but valid import file, for tests that need an import to take a while."""

import csv
import io

from transfer.services import programme_export


def measures_csv_with_new_measures(programme, *, per_group: int) -> bytes:
    """The programme's measures as CSV plus `per_group` new measures in each working group,
    copied from the group's first measure."""
    text = programme_export(programme=programme, file_format="csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, body = rows[0], rows[1:]
    number = header.index("Nummer")
    title = header.index("Titel")
    firsts = {}
    for row in body:
        firsts.setdefault(row[number].split(".")[0], row)
    for group, template in firsts.items():
        for index in range(per_group):
            row = list(template)
            row[number] = f"{group}.{100 + index}"
            row[title] = f"Neue Maßnahme {group}.{100 + index}"
            body.append(row)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue().encode("utf-8-sig")
