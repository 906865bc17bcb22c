"""Steps several clinic browser tests take the same way: an invitation link from `psoas
clinic` or from the invite page, joining from it, the first admin's start with the second
factor, a patient joining, a staff page checked on a laptop and at 375 px, a program edit
sent with its reason, and a patient's intake on a phone."""

from __future__ import annotations

import base64
from collections.abc import Callable

from django_otp.oath import totp

from tests.clinic_seed import PASSWORD
from tests.e2e.check import check_page, main_text


def staff_logs_in(page, url: str, email: str, password: str, key_hex: str) -> None:
    """A member of staff whose second factor is set up (its key in hex) logs in and lands
    on the worklist."""
    page.goto(url + "login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/clinic/second-factor/**")
    page.get_by_label("Code").fill(f"{totp(bytes.fromhex(key_hex)):06d}")
    page.keyboard.press("Enter")
    page.wait_for_url("**/clinic/")


def invite(server, *args: str) -> str:
    """`psoas clinic ARGS` on the server's data; the link it printed."""
    r = server.cli("clinic", *args, "--origin", server.url.rstrip("/"))
    assert r.returncode == 0, r.stderr
    return r.stdout.strip().splitlines()[-1]


def invite_on_page(page, email: str, name: str | None = None) -> str:
    """Invite a patient from the invite page, from the keyboard, with the clinician the
    page offers (the one logged in); the link the page shows once. With `name`, the page
    with the link is checked on a laptop and at 375 px."""
    page.goto(page.url.split("/clinic/")[0] + "/clinic/invite/")
    page.get_by_label("Their email").fill(email)
    page.get_by_label("Their email").press("Enter")
    page.wait_for_selector("#invite_url")
    assert "This page shows the link once." in main_text(page)
    if name:
        check_wide_and_narrow(page, name)
    return page.locator("#invite_url").input_value()


def join(page, link: str, name: str) -> None:
    """Open an invitation link to North Physio and set a password from the keyboard."""
    page.goto(link)
    assert "Join North Physio" in main_text(page)
    check_page(page, name)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.keyboard.press("Enter")


def shown_key(page) -> bytes:
    """The authenticator key of the second-factor setup page, from the secret it shows (as
    an authenticator app reads it)."""
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def admin_joins(server, page, name: str) -> None:
    """`psoas clinic init` for North Physio with ann@north.example as its admin; Ann opens
    the link, sets her password and sets up the second factor from the secret the page
    shows (the code computed here, as an authenticator app would), and lands on /clinic/."""
    link = invite(server, "init", "--name", "North Physio", "--admin-email", "ann@north.example")
    join(page, link, name)
    page.wait_for_url("**/clinic/second-factor/")
    page.get_by_label("Code").fill(f"{totp(shown_key(page)):06d}")
    page.keyboard.press("Enter")
    page.wait_for_url("**/clinic/")


def patient_joins(server, phone, name: str) -> None:
    """pat@mail.example, invited by `psoas clinic invite` as Ann's patient, opens the link
    on the phone, sets a password and lands on the intake's first page."""
    link = invite(
        server, "invite", "--email", "pat@mail.example", "--role", "patient",
        "--clinician", "ann@north.example",
    )  # fmt: skip
    join(phone, link, name)
    phone.wait_for_url("**/start/about/")


def check_wide_and_narrow(page, name: str) -> None:
    """A laptop page, then the same page at a phone's 375 px."""
    check_page(page, name)
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 800})
    check_page(page, f"{name}-375")
    page.set_viewport_size(size)


def send_form(page, form: str, reason: str) -> None:
    """Type the reason in the program editor's form (`dose`, `swap`...) and send the form
    from the keyboard."""
    page.locator(f"#{form}_reason").fill(reason)
    page.locator(f"#{form}_reason").press("Tab")
    page.keyboard.press("Enter")


def intake(phone, name: str, on_health: Callable[[], None] | None = None) -> None:
    """The intake's pages from "About you" to the plan, answered as a 58-year-old with no
    warning sign, a chair and good balance; `on_health` answers the health page (by
    default: none of the conditions, no hip replacement). Each page is checked as
    `name`-step."""
    phone.wait_for_url("**/start/about/")
    check_page(phone, f"{name}-about")
    phone.get_by_label("How old are you?").fill("58")
    phone.locator("#group_pregnant").get_by_text("No", exact=True).click()
    phone.locator("#group_birth").get_by_text("No", exact=True).click()
    phone.get_by_role("button", name="Next").click()
    phone.wait_for_url("**/start/safety/")
    check_page(phone, f"{name}-safety")
    for group in phone.locator("fieldset.field").all():
        group.get_by_role("radio", name="No", exact=True).check()
    phone.get_by_role("button", name="Next").click()
    phone.wait_for_url("**/start/health/")
    if on_health:
        on_health()
    else:
        phone.get_by_label("None of these").check()
        phone.locator("#group_hip").get_by_text("No", exact=True).click()
    check_page(phone, f"{name}-health")
    phone.get_by_role("button", name="Next").click()
    phone.wait_for_url("**/start/limits/")
    check_page(phone, f"{name}-limits")
    phone.get_by_label("a sturdy chair").check()
    phone.locator("#group_balance").get_by_text("Yes, I can do both").click()
    phone.get_by_role("button", name="Next").click()
    phone.wait_for_url("**/start/routine/")
    check_page(phone, f"{name}-routine")
    phone.get_by_label("About how many hours a day do you sit?").fill("6")
    phone.locator(".scale").get_by_text("3", exact=True).click()
    phone.get_by_role("button", name="Next").click()
    phone.wait_for_url("**/start/self-tests/")
    check_page(phone, f"{name}-self-tests")
    phone.get_by_label("Hold test, left side, seconds").fill("25")
    phone.get_by_label("Hold test, right side, seconds").fill("26")
    phone.get_by_role("button", name="Make my plan", exact=True).click()
    phone.wait_for_url("**/plan/")
