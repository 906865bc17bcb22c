"""The break settings form on the Settings page: what a person typed, read into the store's
JSON and checked by the same codec as the API and the CLI, every wrong field at once.

Working hours are one box per weekday ("09:00-12:30, 13:30-17:30"; empty for a day off),
fixed times one box ("10:30, 15:00"). What was typed is kept and shown again with the
errors, so nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psoas.core.breaks.model import (
    BREAK_MAX,
    BREAK_MIN,
    INTERVAL_MAX,
    INTERVAL_MIN,
    WEEKDAYS,
    BreakSettings,
)
from psoas.web.breaks.codec import (
    NATURAL_RANGE,
    SNOOZE_MIN_RANGE,
    SNOOZES_RANGE,
    FieldError,
    hhmm,
    settings_from_json,
)

DAY_NAMES = dict(
    zip(
        WEEKDAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)
NUMBERS = {  # the form's number boxes: name -> label
    "interval_min": "Minutes between reminders",
    "break_min": "Minutes a break takes",
    "snooze_min": "Minutes a snooze waits",
    "snoozes": "Snoozes for one reminder",
    "natural_break_min": "Minutes away that count as a break",
}
LABELS = {
    **NUMBERS,
    "zone": "Time zone",
    "fixed_times": "Also remind me at",
    **{f"hours_{d}": name for d, name in DAY_NAMES.items()},
}


HINTS = {
    "interval_min": "From 20 to 60. Every 30 minutes is a good start.",
    "break_min": "From 1 to 5.",
    "snooze_min": "From 1 to 30. You can snooze only in the first minute after a reminder.",
    "snoozes": "From 0 to 5. After that, take the break or skip it.",
    "natural_break_min": "From 1 to 60. Empty: as long as a break. psoas sees time away only "
    "while psoas breaks run is going.",
    "fixed_times": "Set times, like 10:30, 15:00. They come on top of the usual reminders.",
    "zone": "A name like Europe/Berlin or America/New_York. Empty: this device's time zone.",
}
RANGES = {  # the number boxes' min and max, the codec's own limits
    "interval_min": (INTERVAL_MIN, INTERVAL_MAX),
    "break_min": (BREAK_MIN, BREAK_MAX),
    "snooze_min": SNOOZE_MIN_RANGE,
    "snoozes": SNOOZES_RANGE,
    "natural_break_min": NATURAL_RANGE,
}
OPTIONAL = ("natural_break_min", "fixed_times")
HOURS_HINT = (
    "Reminders come only in these hours. Write them like 09:00-17:00, or 09:00-12:30, "
    "13:30-17:30 with a lunch break. Leave a day empty for a day off."
)


@dataclass
class SettingsForm:
    values: dict[str, str]  # what the boxes show
    errors: dict[str, str]  # box name -> message naming the box

    def fields(self, names: Any) -> list[dict[str, Any]]:
        """The boxes to draw, in order: id, label, hint, value, error, number range."""
        out = []
        for name in names:
            low, high = RANGES.get(name, (None, None))
            label = LABELS[name] + (" (you can leave it empty)" if name in OPTIONAL else "")
            out.append(
                {
                    "name": name,
                    "id": f"breaks_{name}",
                    "label": label,
                    "hint": HINTS.get(name, ""),
                    "value": self.values.get(name, ""),
                    "error": self.errors.get(name, ""),
                    "min": low,
                    "max": high,
                }
            )
        return out

    def error_list(self) -> list[dict[str, str]]:
        """For the page's error summary: each links to its box (id "breaks_<name>")."""
        return [{"id": f"breaks_{k}", "message": m} for k, m in self.errors.items()]


def spans_text(spans: Any) -> str:
    return ", ".join(f"{hhmm(s.start)}-{hhmm(s.end)}" for s in spans)


def form_values(s: BreakSettings, zone: str | None = None) -> dict[str, str]:
    """The boxes for saved settings; `zone` overrides the zone (empty: the browser's)."""
    values = {name: str(getattr(s, name)) for name in NUMBERS}
    values["natural_break_min"] = "" if s.natural_break_min is None else values["natural_break_min"]
    values["zone"] = s.zone if zone is None else zone
    values["fixed_times"] = ", ".join(hhmm(t) for t in s.fixed_times)
    for day in WEEKDAYS:
        values[f"hours_{day}"] = spans_text(s.working_hours.get(day, ()))
    return values


def _number(text: str) -> Any:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) < 6 else text


def _spans(name: str, text: str) -> list[list[str]]:
    """ "09:00-12:30, 13:30-17:30" as [[start, end], ...]; "" or "off" is a day off."""
    text = text.strip().lower()
    if text in ("", "off"):
        return []
    out = []
    for part in text.split(","):
        start, dash, end = part.strip().partition("-")
        if not dash:
            raise FieldError(
                name,
                f"'{part.strip()}' is not start-end; write it like 09:00-17:00",
            )
        out.append([start.strip(), end.strip()])
    return out


def _to_json(name: str, text: str) -> tuple[str, Any]:
    if name.startswith("hours_"):
        return "working_hours", {name.removeprefix("hours_"): _spans(name, text)}
    if name == "fixed_times":
        parts = [t.strip() for t in text.split(",")]
        return name, [t for t in parts if t]
    if name == "natural_break_min" and not text.strip():
        return name, None
    if name in NUMBERS:
        return name, _number(text)
    return name, text.strip()


def read_form(post: Any, base: BreakSettings) -> tuple[BreakSettings | None, SettingsForm]:
    """The settings the form holds (None when a box is wrong) and the form to show again."""
    values = {name: str(post.get(name, ""))[:200] for name in LABELS}
    errors: dict[str, str] = {}
    data: dict[str, Any] = {"working_hours": {}}
    for name, text in values.items():
        try:
            key, value = _to_json(name, text)
            settings_from_json({key: value})
        except FieldError as exc:
            errors[name] = f"{LABELS[name]}: {exc.message}."
            continue
        if key == "working_hours":
            data["working_hours"].update(value)
        else:
            data[key] = value
    form = SettingsForm(values, errors)
    if errors:
        return None, form
    return settings_from_json(data, base), form
