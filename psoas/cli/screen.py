"""`psoas screen`: the safety screen and self-tests as questions in the terminal.

Every answer can also come from a flag, so scripts can write a profile with `--no-input`.
Red flags are the one thing a script cannot leave out: it must name each yes with
`--red-flag ID` or say `--no-red-flags`, because a missing answer must never read as "no".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from rich.padding import Padding
from rich.prompt import Confirm, IntPrompt, Prompt

from psoas.cli.app import EXIT_REFER, contradiction, fail
from psoas.cli.render import console, render_referral, render_self_test
from psoas.cli.tables import bullets
from psoas.core.content.loader import Catalog, catalog
from psoas.core.profile import (
    ACTIVITIES,
    BALANCE_QUESTION,
    HIP_APPROACHES,
    HIP_CONDITIONS,
    HIP_WEEKS_MAX,
    ProfileError,
    parse_profile,
)
from psoas.core.profile import build_profile_data as profile_data
from psoas.core.screening.referral import questions_to_ask, referral_for
from psoas.core.screening.restrictions import EQUIPMENT_NAMES, restrictions_for

HIP_ANSWERS = {  # the terminal says "not sure" where the pages say "unsure"
    ("not sure" if k == "unsure" else k): v for k, v in HIP_APPROACHES.items()
}
BALANCE_ANSWERS = {"yes": "good", "no": "poor", "not sure": "unknown"}
BALANCE_VALUES = ("good", "poor", "unknown")  # unknown: not sure, left out of the profile


@dataclass
class Answers:
    age: int | None = None
    pregnancy_weeks: int | None = None
    postpartum_weeks: int | None = None
    not_pregnant: bool = False
    red_flags: list[str] | None = None
    no_red_flags: bool = False
    conditions: list[str] | None = None
    no_conditions: bool = False
    limits: list[str] | None = None
    no_limits: bool = False
    equipment: list[str] | None = None
    no_equipment: bool = False
    minutes: int | None = None
    sitting_hours: float | None = None
    activities: list[str] | None = None
    thomas_left: str | None = None
    thomas_right: str | None = None
    hold_left: float | None = None
    hold_right: float | None = None
    skip_tests: bool = False
    pain: int | None = None
    balance: str | None = None
    hip_replacement_weeks: int | None = None


def _pick_many(title: str, options: list[tuple[str, str]]) -> list[str]:
    console.print(f"\n[bold]{title}[/]")
    console.print(Padding(bullets((label for _, label in options), numbered=True), (0, 0, 0, 2)))
    while True:
        raw = Prompt.ask(
            "Type the numbers that apply, with commas (or press Enter for none)",
            default="",
            show_default=False,
            console=console,
        )
        try:
            nums = [int(x) for x in raw.replace(" ", "").split(",") if x]
        except ValueError:
            console.print("[red]Please type numbers like 1,3[/]")
            continue
        if all(1 <= n <= len(options) for n in nums):
            return list(dict.fromkeys(options[n - 1][0] for n in nums))
        console.print(f"[red]Please use numbers from 1 to {len(options)}[/]")


def _ask_int(question: str, low: int, high: int, default: int | None = None) -> int | None:
    while True:
        value = IntPrompt.ask(question, default=default, console=console)
        if value is None or low <= value <= high:
            return value
        console.print(f"[red]Please give a number from {low} to {high}[/]")


def _ask_float(question: str, low: float, high: float) -> float | None:
    while True:
        raw = Prompt.ask(
            question + " (Enter to skip)", default="", show_default=False, console=console
        )
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            console.print("[red]Please give a number[/]")
            continue
        if low <= value <= high:
            return value
        console.print(f"[red]Please give a number from {low:g} to {high:g}[/]")


def _pregnancy(a: Answers, interactive: bool) -> None:
    if a.not_pregnant or a.pregnancy_weeks is not None or a.postpartum_weeks is not None:
        return
    if not interactive:
        return
    if Confirm.ask("Are you pregnant now?", default=False, console=console):
        a.pregnancy_weeks = _ask_int("How many weeks pregnant are you?", 0, 42)
    elif Confirm.ask("Have you given birth in the last 12 months?", default=False, console=console):
        a.postpartum_weeks = _ask_int("How many weeks ago?", 0, 104)


def _conditions(a: Answers, cat: Catalog, interactive: bool) -> None:
    if a.conditions is not None or a.no_conditions:
        a.conditions = a.conditions or []
        return
    if not interactive:
        a.conditions = []
        return
    options = [(c.id, c.question) for c in cat.conditions.values() if c.id not in HIP_CONDITIONS]
    chosen = _pick_many("Do any of these apply to you?", options)
    hip = Prompt.ask(
        "Have you had a hip replacement whose rules you still follow? If yes, where was the cut?",
        choices=list(HIP_ANSWERS),
        default="no",
        console=console,
    )
    chosen += HIP_ANSWERS[hip]
    if hip != "no" and a.hip_replacement_weeks is None:
        a.hip_replacement_weeks = _ask_int(
            "How many weeks ago was your hip replacement? (Leave empty if your surgeon's "
            "rules have no end date, or if you do not know)",
            0,
            HIP_WEEKS_MAX,
        )
    a.conditions = chosen


def _check_flags(a: Answers) -> None:
    """Bad values of the newer flags and contradictory flags fail before any question,
    naming the flags."""
    contradiction(
        [
            ("--not-pregnant", a.not_pregnant, "--pregnancy-weeks", a.pregnancy_weeks),
            ("--not-pregnant", a.not_pregnant, "--postpartum-weeks", a.postpartum_weeks),
            ("--no-red-flags", a.no_red_flags, "--red-flag", a.red_flags),
            ("--no-conditions", a.no_conditions, "--condition", a.conditions),
            ("--no-limits", a.no_limits, "--limit", a.limits),
            ("--no-equipment", a.no_equipment, "--equipment", a.equipment),
            *(
                ("--skip-tests", a.skip_tests, f"--{name.replace('_', '-')}", getattr(a, name))
                for name in ("thomas_left", "thomas_right", "hold_left", "hold_right")
            ),
        ]
    )
    _balance_value(a.balance)
    weeks = a.hip_replacement_weeks
    if weeks is not None and not 0 <= weeks <= HIP_WEEKS_MAX:
        raise fail(
            f"--hip-replacement-weeks: '{weeks}' is not allowed; "
            f"give a whole number from 0 to {HIP_WEEKS_MAX}"
        )


def _check_hip_weeks(a: Answers) -> None:
    if a.hip_replacement_weeks is None:
        return
    if not any(c in HIP_CONDITIONS for c in a.conditions or []):
        raise fail(
            "--hip-replacement-weeks: goes with a hip replacement; add --condition "
            + ", ".join(HIP_CONDITIONS[:-1])
            + f" or {HIP_CONDITIONS[-1]}"
        )


def _balance(a: Answers, interactive: bool) -> None:
    if a.balance is not None or not interactive:
        return
    console.print(
        "\n[bold]Your balance.[/] Hold on to nothing while you stand. "
        "If you can do one but not the other, say no."
    )
    answer = Prompt.ask(
        BALANCE_QUESTION, choices=list(BALANCE_ANSWERS), case_sensitive=False, console=console
    )
    a.balance = BALANCE_ANSWERS[answer.strip().lower()]


def _balance_value(value: str | None) -> str | None:
    if value is None or value == "unknown":
        return None
    if value not in BALANCE_VALUES:
        raise fail(f"--balance: '{value}' is not allowed; use good, poor or unknown")
    return value


def _red_flags(a: Answers, cat: Catalog, interactive: bool) -> None:
    if a.red_flags or a.no_red_flags:
        a.red_flags = a.red_flags or []
        return
    if not interactive:
        raise fail("red_flags: not answered; give --red-flag ID for each yes, or --no-red-flags")
    partial = SimpleNamespace(
        age=a.age,
        conditions=a.conditions or [],
        pregnancy_weeks=a.pregnancy_weeks,
        postpartum_weeks=a.postpartum_weeks,
    )
    console.print("\n[bold]Safety questions.[/] Answer each one. These keep you safe.")
    a.red_flags = []
    for flag in sorted(
        questions_to_ask(partial, cat),
        key=lambda f: ("emergency", "urgent", "routine").index(f.level),
    ):
        if Confirm.ask(flag.question, default=False, console=console):
            a.red_flags.append(flag.id)
            return  # one yes is enough to refer; do not keep asking


def _choose_list(
    current: list[str] | None,
    none_flag: bool,
    interactive: bool,
    title: str,
    options: list[tuple[str, str]],
) -> list[str]:
    if current is not None or none_flag:
        return current or []
    return _pick_many(title, options) if interactive else []


def _self_tests(a: Answers, cat: Catalog, profile_so_far: Any, interactive: bool) -> None:
    have_results = any(
        v is not None for v in (a.thomas_left, a.thomas_right, a.hold_left, a.hold_right)
    )
    if a.skip_tests or have_results or not interactive:
        return
    if not Confirm.ask(
        "\nDo the two self-tests now? They take about 10 minutes.", default=True, console=console
    ):
        return
    skip = restrictions_for(profile_so_far, cat).skip_self_tests
    if "modified_thomas_test" in skip:
        console.print("We skip the Thomas test for you: it is not safe with what you told us.")
    else:
        render_self_test(cat.self_tests["modified_thomas_test"])
        for side in ("left", "right"):
            ans = Prompt.ask(
                f"Thomas test, {side} side: did the thigh stay above level?",
                choices=["positive", "negative", "skip"],
                console=console,
            )
            setattr(a, f"thomas_{side}", ans)
    if "hip_flexor_hold_test" in skip:
        console.print("We skip the hold test for you: it is not safe with what you told us.")
    else:
        render_self_test(cat.self_tests["hip_flexor_hold_test"])
        for side in ("left", "right"):
            setattr(a, f"hold_{side}", _ask_float(f"Hold test, {side} side: seconds held", 0, 300))


def _thomas_value(value: str | None, side: str) -> str | None:
    if value in (None, "skip"):
        return None
    if value not in ("positive", "negative"):
        raise fail(f"--thomas-{side}: '{value}' is not allowed; use positive, negative or skip")
    return value


def build_profile_data(a: Answers) -> dict[str, Any]:
    """The answers as a profile dict: the one shared function in psoas.core.profile."""
    return profile_data(
        age=a.age,
        pregnancy_weeks=a.pregnancy_weeks,
        postpartum_weeks=a.postpartum_weeks,
        red_flags=a.red_flags,
        conditions=a.conditions,
        limits=a.limits,
        equipment=a.equipment,
        minutes=a.minutes,
        sitting_hours=a.sitting_hours,
        activities=a.activities,
        thomas_left=_thomas_value(a.thomas_left, "left"),
        thomas_right=_thomas_value(a.thomas_right, "right"),
        hold_left=a.hold_left,
        hold_right=a.hold_right,
        pain=a.pain,
        balance=_balance_value(a.balance),
        hip_replacement_weeks=a.hip_replacement_weeks,
    )


def write_atomically(path: Path, data: dict[str, Any]) -> None:
    """Write beside the target and rename (psoas.files), so a crash never leaves half a
    file and a folder or a device at the path is refused with exit 2, never replaced."""
    from psoas.files import Refused, write

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(path, (json.dumps(data, indent=2) + "\n").encode("utf-8"))
    except Refused as exc:
        raise fail(f"--out: {exc}") from None
    except OSError as exc:
        raise fail(f"--out: cannot write '{path}': {exc.strerror or exc}") from None


def _collect(a: Answers, cat: Catalog, interactive: bool) -> None:
    if a.age is None and interactive:
        a.age = _ask_int("How old are you?", 0, 120)
    _pregnancy(a, interactive)
    _conditions(a, cat, interactive)
    _check_hip_weeks(a)
    _red_flags(a, cat, interactive)
    if a.red_flags:
        return
    a.limits = _choose_list(
        a.limits,
        a.no_limits,
        interactive,
        "Do any of these apply?",
        [(lim.id, lim.question) for lim in cat.limits.values()],
    )
    a.equipment = _choose_list(
        a.equipment,
        a.no_equipment,
        interactive,
        "What do you have at home?",
        list(EQUIPMENT_NAMES.items()),
    )
    _balance(a, interactive)
    if interactive:
        if a.minutes is None:
            a.minutes = _ask_int("How many minutes can you spend per session?", 5, 120, 15)
        if a.sitting_hours is None:
            a.sitting_hours = _ask_float("About how many hours a day do you sit?", 0, 24)
        if a.activities is None:
            a.activities = _pick_many(
                "Which of these do you do?", [(x, x.replace("_", " ")) for x in ACTIVITIES]
            )
    partial = parse_profile(build_profile_data(a))
    _self_tests(a, cat, partial, interactive)
    if a.pain is None and interactive:
        a.pain = _ask_int("How bad is your pain right now, from 0 (none) to 10 (worst)?", 0, 10)


def collect_profile(a: Answers, *, interactive: bool) -> Any:
    """Ask (or take from flags) every answer and return the validated profile."""
    cat = catalog()
    _check_flags(a)
    try:
        _collect(a, cat, interactive)
        return parse_profile(build_profile_data(a))
    except ProfileError as exc:
        raise fail(str(exc).replace("profile: field ", "")) from None
    except EOFError:
        raise fail("input ended before every question was answered; nothing was saved") from None


def run_screen(a: Answers, out: Path, *, interactive: bool) -> int:
    if (
        interactive
        and out.exists()
        and not Confirm.ask(f"{out} exists. Replace it?", default=False, console=console)
    ):
        raise fail(f"--out: '{out}' exists and was kept; choose another file with --out")
    profile = collect_profile(a, interactive=interactive)
    write_atomically(out, profile.model_dump(mode="json", by_alias=True, exclude_none=True))
    referral = referral_for(profile, catalog())
    if referral is not None:
        render_referral(referral.as_dict())
        console.print(f"Your answers were saved to {out}.")
        return EXIT_REFER
    console.print(
        f"\nSaved your profile to [bold]{out}[/]. Next: [bold]psoas plan --profile {out}[/]"
    )
    return 0
