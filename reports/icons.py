"""The report's icons."""

# Icons: static SVG files below static/reports/icons/, read from disk by the PDF's URL fetcher
# (relative to its base URL, the static folder). Each one is an <img> with an alternative text:
# PDF/UA-1 wants every figure described (see README, "Markup for PDF/UA").
ICON_FILES = {
    ("cost", "gering"): "arrow-down",
    ("cost", "mittel"): "arrow-right",
    ("cost", "hoch"): "arrow-up",
    ("personnel", "gering"): "arrow-down",
    ("personnel", "mittel"): "arrow-right",
    ("personnel", "hoch"): "arrow-up",
    ("timeframe", "kurzfristig"): "pie-quarter",
    ("timeframe", "mittelfristig"): "pie-half",
    ("timeframe", "langfristig"): "pie-full",
    ("quick_win", "ja"): "star-full",
    ("quick_win", "teilweise"): "star-half",
    ("quick_win", "nein"): "star-empty",
}


def icon_src(name: str) -> str:
    """The URL of a report icon, relative to the PDF's base URL (the static folder)."""
    return f"reports/icons/{name}.svg"


def rating_icon(kind: str, level: str, label: str) -> dict | None:
    """The icon of a rating level as `{"src", "alt"}`; None for a level without an icon."""
    name = ICON_FILES.get((kind, level))
    return {"src": icon_src(name), "alt": label} if name else None


def traffic_light_icon(light: str, label: str) -> dict | None:
    """The Ampel's icon (`static/reports/icons/ampel-<value>.svg`, shapes and colours as on the
    web pages) as `{"src", "alt"}`, the Ampel word as its text; None without an Ampel."""
    return {"src": icon_src(f"ampel-{light}"), "alt": label} if light else None
