"""The plan overview, an exercise page and an education page in a real browser: readable on
a phone and a laptop, accessible, plain enough to read (grade 8; exercise steps and cues
grade 6), with the exercise's animated figure on screen."""

from __future__ import annotations

from tests.e2e.check import check_page, grade


def visible_text(page, selector: str = "main") -> str:
    """The text a person sees in `selector`, without the sources (exempt from grade rules)."""
    return page.evaluate(
        """(sel) => {
            const root = document.querySelector(sel).cloneNode(true);
            root.querySelectorAll('.sources').forEach((el) => el.remove());
            document.body.appendChild(root);
            root.style.position = 'absolute';
            const text = root.innerText;
            root.remove();
            return text;
        }""",
        selector,
    )


def test_plan_page_shows_today_the_weeks_and_the_why(server, phone, page):
    seeded = server.cli("init", "--profile", "examples/desk_worker.json")
    assert seeded.returncode == 0, seeded.stderr
    phone.goto(server.url + "plan/")
    assert phone.title() == "Your plan · psoas"
    assert phone.get_by_role("heading", name="Today: Strength and stretch").is_visible()
    start = phone.get_by_role("link", name="Start today's session").first
    assert start.is_visible() and start.get_attribute("href") == "/today/"
    # this week is open, the later weeks are closed until tapped
    week5 = phone.locator("details.week").nth(4)
    assert not week5.evaluate("d => d.open")
    week5.locator("summary").click()
    assert week5.get_by_text("moves on to marching bridge").is_visible()
    assert phone.get_by_role("heading", name="Swapped for you").is_visible()
    assert phone.get_by_role("heading", name="Left out").is_visible()
    assert grade(visible_text(phone)) <= 8
    check_page(phone, "programs-plan-phone")
    page.goto(server.url + "plan/")
    check_page(page, "programs-plan-page")


def test_exercise_page_shows_the_moving_figure_and_plain_steps(server, phone, page):
    phone.goto(server.url + "exercises/")
    check_page(phone, "programs-exercises-phone")
    phone.get_by_role("link", name="Glute bridge", exact=True).click()
    phone.wait_for_url("**/exercises/glute_bridge/")
    figure = phone.locator("figure.ex-figure svg[role=img]")
    assert figure.is_visible()
    assert figure.locator("animate").count() > 0
    box = figure.bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    moving = figure.locator("g.moving").first
    assert moving.evaluate("g => getComputedStyle(g).display") != "none"
    assert grade(visible_text(phone, "#steps") + "\n" + visible_text(phone, "#cues")) <= 6
    assert grade(visible_text(phone)) <= 8
    sources = phone.locator("details.sources")
    assert not sources.evaluate("d => d.open")
    check_page(phone, "programs-exercise-phone")
    # people who ask for less motion get the still end pose
    page.emulate_media(reduced_motion="reduce")
    page.goto(server.url + "exercises/glute_bridge/")
    still = page.locator("figure.ex-figure svg g.still").first
    assert still.evaluate("g => getComputedStyle(g).display") != "none"
    check_page(page, "programs-exercise-page")
    page.goto(server.url + "exercises/not_an_exercise/")
    assert page.get_by_role("heading", name="We could not find that page").is_visible()


def test_learn_topic_marks_each_claim_with_its_evidence(server, phone):
    phone.goto(server.url + "learn/")
    check_page(phone, "programs-learn-phone")
    phone.get_by_role("link", name="Psoas claims, checked").click()
    phone.wait_for_url("**/learn/claims/")
    claim = phone.locator("#tight_psoas_causes_back_pain")
    assert claim.locator(".badge--unsupported").inner_text().strip().endswith("Not supported")
    assert phone.locator(".badge--supported").first.is_visible()
    assert grade(visible_text(phone)) <= 8
    check_page(phone, "programs-learn-claims-phone")
