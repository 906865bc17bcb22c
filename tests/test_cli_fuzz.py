"""A Hypothesis fuzz of the CLI over its arguments and its input files (issue 11): whatever
it is given, `psoas` ends with exit 0, 2 or 3, a 2 says why in one line on stderr, and
nothing ends in a traceback.

Each example calls the entry point, `psoas.cli.app.main()`, in this process with the
arguments, an input file (a profile: valid, hostile JSON, cut off, binary, not UTF-8)
and whatever is typed at the prompts; a subprocess per example would cost a second each.
The store is the test database, seeded with a plan. Left out: `serve` (it would serve),
`backup`, `restore` and `delete` (they replace or erase the store under the test; their
hostile files have their own tests), and `--database-url` (Django is set up once per
process; tests/test_cli.py runs the bad URLs as real processes).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from psoas.core.content.loader import catalog
from tests.strategies import profile_dicts

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = 400
ROOT = Path(__file__).resolve().parents[1]
DESK = ROOT / "examples" / "desk_worker.json"
_cat = catalog()
TODAY = date.today()

FLAG = st.just(None)  # an option that takes no value
HOSTILE = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "-",
            "--",
            "-1",
            "0",
            "1",
            "11",
            "10001",
            "1e400",
            "nan",
            "inf",
            "-inf",
            "1" + "0" * 30,
            "9999-12-31",
            "0001-01-01",
            "2026-02-30",
            "yesterday",
            "25:61",
            "/dev/null",
            "/dev/zero",
            "/",
            ".",
            "..",
            "x" * 5000,
            "\u202egnp.exe",
            "ü",
            "🦴",
            "a=b",
            "=",
            "walking=4",
            "walking=11",
            "saddle_numbness",
            "chair",
            "too_easy",
        ]
    ),
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=20).filter(lambda s: "\x00" not in s),  # argv cannot carry a NUL
)


def dates() -> st.SearchStrategy[str]:
    near = st.integers(-400, 400).map(lambda d: (TODAY + timedelta(days=d)).isoformat())
    return near | HOSTILE


def ids(values) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(values)) | HOSTILE


SCORE = st.integers(-2, 12).map(str) | HOSTILE
EQUIPMENT = ["mat", "pad", "chair", "table", "stability_ball", "foam_roller", "ankle_weights"]
EFFORTS = ["too_easy", "about_right", "too_hard"]
PSFS = st.builds("{}={}".format, st.sampled_from(["walking", "stairs", ""]), SCORE) | HOSTILE
PROFILE = st.just("@profile") | HOSTILE  # @profile: this example's input file
OUT = st.sampled_from(["@out", "@folder", "out.json", "", "/dev/null"]) | HOSTILE

# command -> option -> values (None: a flag without a value); "ARG" is a positional one
COMMANDS: dict[str, dict[str, st.SearchStrategy]] = {
    "plan": {"--profile": PROFILE, "--json": FLAG},
    "exercises": {"--kind": st.sampled_from(["stretch", "strength", "release"]) | HOSTILE},
    "exercise": {"ARG": ids(_cat.exercises), "--json": FLAG},
    "learn": {"ARG": ids([*_cat.topics, *_cat.self_tests]), "--json": FLAG},
    "schema": {"ARG": st.sampled_from(["profile", "plan", "analysis"]) | HOSTILE},
    "screen": {
        "--no-input": FLAG, "--out": OUT, "--age": SCORE, "--pregnancy-weeks": SCORE,
        "--postpartum-weeks": SCORE, "--not-pregnant": FLAG, "--red-flag": ids(_cat.red_flags),
        "--no-red-flags": FLAG, "--condition": ids(_cat.conditions), "--no-conditions": FLAG,
        "--limit": ids(_cat.limits), "--no-limits": FLAG, "--equipment": ids(EQUIPMENT),
        "--no-equipment": FLAG, "--minutes": SCORE, "--sitting-hours": HOSTILE,
        "--activity": ids(["walking", "running", "cycling"]),
        "--thomas-left": ids(["positive", "negative", "skip"]),
        "--hold-right": HOSTILE, "--skip-tests": FLAG, "--pain": SCORE,
        "--balance": ids(["good", "poor", "unknown"]), "--hip-replacement-weeks": SCORE,
    },
    "init": {"--profile": PROFILE, "--start": dates(), "--json": FLAG},
    "today": {"--date": dates(), "--json": FLAG},
    "log": {
        "--date": dates(), "--exercise": ids(_cat.exercises), "--effort": ids(EFFORTS),
        "--pain-during": SCORE, "--pain-before": SCORE, "--pain-after": SCORE,
        "--notes": HOSTILE, "--json": FLAG,
    },
    "checkin": {
        "--pain": SCORE, "--red-flag": ids(_cat.red_flags), "--no-red-flags": FLAG,
        "--note": HOSTILE, "--date": dates(), "--no-input": FLAG, "--psfs": PSFS,
        "--json": FLAG,
    },
    "history": {"--limit": SCORE, "--json": FLAG},
    "progress": {"--json": FLAG},
    "session": {
        "--date": dates(), "--no-red-flags": FLAG, "--pain-before": SCORE,
        "--pain-after": SCORE, "--effort": ids(EFFORTS), "--json": FLAG,
    },
    "export": {
        "--format": st.sampled_from(["csv", "fhir", "ics"]) | HOSTILE, "--out": OUT,
        "--from": dates(), "--to": dates(), "--time": st.just("07:30") | HOSTILE,
        "--alarm-minutes": SCORE,
    },
    "report": {"--out": OUT, "--from": dates(), "--to": dates()},
    "user add": {"ARG": st.just("alice") | HOSTILE, "--password-stdin": FLAG},
}  # fmt: skip
# A session always runs fast (a real one takes 15 minutes) and never waits for keys.
SESSION_FAST = st.sampled_from(["1000", "0", "-1", "nan", "inf", "1001", "fast"])


@st.composite
def invocations(draw) -> list[str]:
    command = draw(st.sampled_from(sorted(COMMANDS)))
    options = COMMANDS[command]
    argv = command.split()
    if "ARG" in options and draw(st.integers(0, 4)):  # mostly given
        argv.append(draw(options["ARG"]))
    names = [n for n in options if n != "ARG"]
    for name in draw(st.lists(st.sampled_from(names), max_size=6)) if names else []:
        argv += [name, draw(options[name])]  # a flag draws None, dropped below
    if command == "session":
        argv += ["--no-input", "--fast", draw(SESSION_FAST)]
    if draw(st.integers(0, 9)) == 0:  # now and then a stray token
        argv.insert(draw(st.integers(1, len(argv))), draw(HOSTILE))
    return [a for a in argv if a is not None]


def input_files() -> st.SearchStrategy[bytes]:
    as_json = st.builds(lambda d: json.dumps(d).encode(), profile_dicts(red_flags=None))
    hostile_json = st.sampled_from(
        [
            b'{"schema": "psoas.profile/1", "assessment": ' + b"[" * 5000 + b"]" * 5000 + b"}",
            b'{"a":' * 3000 + b"1" + b"}" * 3000,
            b'{"schema": "psoas.profile/1", "age": 1e400}',
            b'{"schema": "psoas.profile/1", "age": NaN}',
            b'{"schema": "psoas.profile/1", "pain": {"nprs": "\\u0000"}}',
            b'{"schema": "psoas.profile/1", "age": 40, "age": "x"}',
            b"\xef\xbb\xbf{}",
            '{"schema": "psoas.profile/1"}'.encode("utf-16"),
            b"",
            b"null",
            b"[]",
        ]
    )
    return as_json | hostile_json | as_json.map(lambda b: b[: len(b) // 2]) | st.binary()


def call(argv: list[str], typed: str) -> tuple[object, str]:
    """Run `psoas ARGV` in this process: its exit code and what it wrote on stderr."""
    from psoas.cli.app import main

    err = io.StringIO()
    saved_argv, saved_stdin, saved_env = sys.argv, sys.stdin, dict(os.environ)
    sys.argv, sys.stdin = ["psoas", *argv], io.StringIO(typed)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            main()
    except SystemExit as exc:
        return exc.code, err.getvalue()
    finally:
        sys.argv, sys.stdin = saved_argv, saved_stdin
        os.environ.clear()
        os.environ.update(saved_env)
    raise AssertionError("main() returned without exiting")


def test_no_argument_or_input_file_ends_in_a_traceback(tmp_path):
    folder = tmp_path / "afolder"
    folder.mkdir()
    here = os.getcwd()
    os.chdir(tmp_path)  # default outputs (profile.json, psoas-export/) land here
    try:
        start = (TODAY - timedelta(days=5)).isoformat()
        assert call(["init", "--profile", str(DESK), "--start", start], "")[0] == 0

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(argv=invocations(), content=input_files(), typed=st.text(max_size=40))
        def fuzz(argv, content, typed):
            profile = tmp_path / "profile-in.json"
            profile.write_bytes(content)
            places = {"@profile": str(profile), "@out": str(tmp_path / "o.out")}
            places["@folder"] = str(folder)
            argv = [places.get(a, a) for a in argv]
            code, err = call(argv, typed)
            assert code in (0, 2, 3), (argv, code, err)
            assert "Traceback" not in err, (argv, err)
            if code == 2:
                assert "psoas: " in err, (argv, err)  # says why

        fuzz()
    finally:
        os.chdir(here)
