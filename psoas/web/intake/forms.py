"""The intake wizard's steps and the self-test result forms.

Every error message starts with the question it is about, so a person (and a screen
reader reading the error summary) knows which answer to fix. Red-flag questions have no
default: a missing answer is an error, never a "no" (the same rule as `psoas screen`).
"""

from __future__ import annotations

from typing import Any

from django import forms

from psoas.core.content.loader import catalog
from psoas.core.profile import (
    ACTIVITIES,
    BALANCE_QUESTION,
    HIP_APPROACHES,
    HIP_CONDITIONS,
    HIP_WEEKS_MAX,
    MAX_MINUTES,
    MIN_MINUTES,
)
from psoas.core.screening.restrictions import EQUIPMENT_NAMES

YES_NO = [("yes", "Yes"), ("no", "No")]
HIP_CHOICES = [
    ("no", "No"),
    ("front", "Yes, cut at the front (anterior)"),
    ("side", "Yes, cut at the side (lateral)"),
    ("back", "Yes, cut at the back (posterior)"),
    ("unsure", "Yes, but I am not sure which"),
]
BALANCE_CHOICES = [
    ("yes", "Yes, I can do both"),
    ("no", "No, or only with help"),
    ("unsure", "Not sure"),
]
BALANCE_TO_PROFILE = {"yes": "good", "no": "poor", "unsure": None}
PROFILE_TO_BALANCE = {"good": "yes", "poor": "no"}  # not given: asked again, never guessed
NONE = "none"
THOMAS_CHOICES = [
    ("negative", "Negative: the thigh dropped to level or below"),
    ("positive", "Positive: the thigh stayed above level"),
    ("", "I did not do this side"),
]
ACTIVITY_NAMES = {a: a.replace("_", " ").capitalize() for a in ACTIVITIES}
SELF_TEST_FIELDS = ("thomas_left", "thomas_right", "hold_left", "hold_right")


def said(label: str, text: str) -> str:
    """An error message that starts with its question: "Age: ..." or "Are you ...? ..."."""
    if label.endswith("?"):
        return f"{label} {text[0].upper()}{text[1:]}"
    return f"{label}: {text}"


def _bounded(field: type[forms.Field], label: str, low, high, wrong: str, required: bool):
    return field(
        label=label,
        required=required,
        min_value=low,
        max_value=high,
        error_messages={
            "required": f"{label}: please give a number.",
            "invalid": wrong,
            "min_value": wrong,
            "max_value": wrong,
        },
    )


def whole_number(label: str, low: int, high: int, *, required: bool = True) -> forms.Field:
    wrong = f"{label}: give a whole number from {low} to {high}."
    return _bounded(forms.IntegerField, label, low, high, wrong, required)


def number(label: str, low: float, high: float, *, required: bool = False) -> forms.Field:
    wrong = f"{label}: give a number from {low:g} to {high:g}, like 22."
    return _bounded(forms.FloatField, label, low, high, wrong, required)


def one_of(label: str, choices: list[tuple[str, str]], *, required: bool = True) -> forms.Field:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        error_messages={
            "required": said(label, "please choose an answer."),
            "invalid_choice": said(label, "please choose one of the answers shown."),
        },
    )


def any_of(label: str, choices: list[tuple[str, str]]) -> forms.Field:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        error_messages={"invalid_choice": f"{label}: please choose from the answers shown."},
    )


class StepForm(forms.Form):
    """A wizard step: `for_session()` is what the session keeps for this step."""

    def for_session(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class AboutForm(StepForm):
    age = whole_number("Age", 0, 120)
    pregnant = one_of("Are you pregnant now?", YES_NO)
    pregnancy_weeks = whole_number("Weeks pregnant", 0, 42, required=False)
    birth = one_of("Have you given birth in the last 12 months?", YES_NO, required=False)
    postpartum_weeks = whole_number("Weeks since the birth", 0, 52, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("pregnant") == "yes":
            if data.get("pregnancy_weeks") is None and "pregnancy_weeks" not in self.errors:
                self.add_error("pregnancy_weeks", "Weeks pregnant: please give a number.")
            data["birth"], data["postpartum_weeks"] = "", None  # pregnancy comes first
        elif data.get("pregnant") == "no":
            data["pregnancy_weeks"] = None
            if not data.get("birth") and "birth" not in self.errors:
                self.add_error(
                    "birth", said(self.fields["birth"].label, "please choose an answer.")
                )
            elif data.get("birth") == "yes":
                if data.get("postpartum_weeks") is None and "postpartum_weeks" not in self.errors:
                    self.add_error(
                        "postpartum_weeks", "Weeks since the birth: please give a number."
                    )
            else:
                data["postpartum_weeks"] = None
        return data


class SafetyForm(StepForm):
    """One Yes/No per red-flag question that applies. One yes is enough to refer, so the
    other answers may then stay blank; with no yes, every question needs its answer."""

    def __init__(self, *args: Any, questions: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for flag in questions:
            self.fields[f"flag_{flag.id}"] = one_of(flag.question, YES_NO, required=False)

    def question_fields(self) -> list:
        return [self[f"flag_{q.id}"] for q in self.questions]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        answers = {f.id: data.get(f"flag_{f.id}") or "" for f in self.questions}
        if "yes" not in answers.values():
            for fid, answer in answers.items():
                if not answer:
                    field = f"flag_{fid}"
                    self.add_error(field, f"Please answer Yes or No: {self.fields[field].label}")
        return data

    def for_session(self) -> dict[str, Any]:
        return {
            "answers": {
                f.id: self.cleaned_data[f"flag_{f.id}"]
                for f in self.questions
                if self.cleaned_data.get(f"flag_{f.id}")
            }
        }


class HealthForm(StepForm):
    """Health conditions (plain names), a hip replacement (which approach), and the
    red-flag questions that depend on a condition (a past cancer)."""

    def __init__(self, *args: Any, follow_ups: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cat = catalog()
        choices = [(c.id, c.name) for c in cat.conditions.values() if c.id not in HIP_CONDITIONS]
        self.hints = {c.id: c.question for c in cat.conditions.values()}
        self.fields["conditions"] = any_of("Health conditions", [*choices, (NONE, "None of these")])
        self.fields["hip"] = one_of(
            "Have you had a hip replacement whose rules you still follow?", HIP_CHOICES
        )
        self.fields["hip_replacement_weeks"] = whole_number(
            "Weeks since the hip replacement", 0, HIP_WEEKS_MAX, required=False
        )
        self.follow_ups = follow_ups
        for flag in follow_ups:
            self.fields[f"flag_{flag.id}"] = one_of(flag.question, YES_NO, required=False)

    def follow_up_fields(self) -> list:
        return [self[f"flag_{q.id}"] for q in self.follow_ups]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = data.get("conditions") or []
        if "conditions" not in self.errors:
            if not chosen:
                self.add_error(
                    "conditions",
                    "Health conditions: tick each one that applies, or tick “None of these”.",
                )
            elif NONE in chosen and len(chosen) > 1:
                self.add_error(
                    "conditions",
                    "Health conditions: you ticked “None of these” and a condition. "
                    "Please untick one.",
                )
        for flag in self.follow_ups:
            field = f"flag_{flag.id}"
            if flag.ask_when == "had_cancer" and "cancer" in chosen and not data.get(field):
                self.add_error(field, f"Please answer Yes or No: {self.fields[field].label}")
        if data.get("hip") == "no":  # the weeks go with a hip replacement only: a stale
            self.errors.pop("hip_replacement_weeks", None)  # entry in a hidden box is dropped
            data["hip_replacement_weeks"] = None
        return data

    def conditions(self) -> list[str]:
        chosen = [c for c in self.cleaned_data["conditions"] if c != NONE]
        return chosen + HIP_APPROACHES[self.cleaned_data["hip"]]

    def for_session(self) -> dict[str, Any]:
        chosen = self.cleaned_data["conditions"]
        return {
            "conditions": chosen,
            "hip": self.cleaned_data["hip"],
            "hip_replacement_weeks": self.cleaned_data.get("hip_replacement_weeks"),
            "answers": {
                f.id: self.cleaned_data[f"flag_{f.id}"]
                for f in self.follow_ups
                if "cancer" in chosen and self.cleaned_data.get(f"flag_{f.id}")
            },
        }


class LimitsForm(StepForm):
    """What the person can do and has. Balance has no default: "not sure" is an answer
    of its own (then the planner's age rule decides), never a silent "yes"."""

    limits = any_of("Things you cannot do", [])
    balance = one_of(BALANCE_QUESTION, BALANCE_CHOICES)
    equipment = any_of("What you have at home", list(EQUIPMENT_NAMES.items()))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["limits"].choices = [(x.id, x.name) for x in catalog().limits.values()]
        self.hints = {x.id: x.question for x in catalog().limits.values()}


class RoutineForm(StepForm):
    minutes = whole_number("Minutes per session", MIN_MINUTES, MAX_MINUTES)
    sitting_hours = number("Hours sitting per day", 0, 24)
    activities = any_of("Activities", list(ACTIVITY_NAMES.items()))
    pain = one_of("Pain right now", [(str(n), str(n)) for n in range(11)])

    def for_session(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["pain"] = int(data["pain"])
        return data


def thomas_field(side: str) -> forms.Field:
    return one_of(f"Thomas test, {side} side", THOMAS_CHOICES, required=False)


def hold_field(side: str) -> forms.Field:
    return number(f"Hold test, {side} side, seconds", 0, 300)


class SelfTestsStepForm(StepForm):
    """The wizard's last step: results of the self-tests that are safe for this person,
    all optional ("skip the self-tests" leaves them out)."""

    def __init__(self, *args: Any, skip: frozenset[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.skip = skip
        if "modified_thomas_test" not in skip:
            self.fields["thomas_left"] = thomas_field("left")
            self.fields["thomas_right"] = thomas_field("right")
        if "hip_flexor_hold_test" not in skip:
            self.fields["hold_left"] = hold_field("left")
            self.fields["hold_right"] = hold_field("right")

    def for_session(self) -> dict[str, Any]:
        return {k: self.cleaned_data.get(k) or None for k in SELF_TEST_FIELDS}


class ThomasForm(forms.Form):
    """The Thomas test result on its own page: at least one side."""

    left = thomas_field("left")
    right = thomas_field("right")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not data.get("left") and not data.get("right"):
            self.add_error("left", "Thomas test, left side: choose a result for at least one side.")
        return data


class HoldForm(forms.Form):
    """The hold test result on its own page: at least one side, in seconds."""

    left = hold_field("left")
    right = hold_field("right")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and data.get("left") is None and data.get("right") is None:
            self.add_error(
                "left", "Hold test, left side, seconds: give the seconds for at least one side."
            )
        return data
