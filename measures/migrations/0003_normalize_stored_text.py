"""Stored text as every write path now stores it (see `measures.text`).

- Line breaks: web saves stored Windows line endings (CRLF), so every later save, the
  conflict notice and a re-import showed unchanged descriptions as changed. Characters are
  composed (NFC), as `measures.text.normalize_text` stores them.
- Descriptions: the seed escaped gender stars for Markdown ("Bürger\\*innen"); Markdown
  emphasis is no longer rendered, so the stars stay without the backslash and look the same.
"""

import unicodedata

from django.db import migrations

TEXT_FIELDS = {
    "Measure": ("title", "description", "responsible_units"),
    "Goal": ("category", "text", "target", "progress_note"),
}
UNESCAPED = {"Measure": ("description",)}


def _normalized(model_name: str, field: str, value: str) -> str:
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    if field in UNESCAPED.get(model_name, ()):
        value = value.replace("\\*", "*").replace("\\_", "_")
    return value


def normalize(apps, schema_editor):
    for model_name, fields in TEXT_FIELDS.items():
        model = apps.get_model("measures", model_name)
        changed = []
        for row in model.objects.only("pk", *fields).iterator(chunk_size=500):
            dirty = False
            for field in fields:
                value = getattr(row, field)
                new = _normalized(model_name, field, value)
                if new != value:
                    setattr(row, field, new)
                    dirty = True
            if dirty:
                changed.append(row)
        model.objects.bulk_update(changed, fields, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("measures", "0002_long_text_limits")]

    operations = [migrations.RunPython(normalize, migrations.RunPython.noop)]
