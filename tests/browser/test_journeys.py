"""What a Product Owner does with a mouse and a keyboard, in Chromium, on a real server."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.browser.live import ADMIN_EMAIL, ADMIN_NAME, PASSWORD, ApiSeed, LiveServer

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CAMILLE = "camille@example.com"  # switches to French: her language is saved on her account
PRODUCT_URL = re.compile(r"/products/(\d+)$")


@pytest.fixture(scope="module")
def server(live: ApiSeed) -> LiveServer:
    """The shared server: its administrator, and the products each test makes."""
    return live.server


@pytest.fixture(scope="module")
def camille(live: ApiSeed) -> str:
    """An ordinary user of this module's own (her language changes)."""
    return live.user(CAMILLE, "Camille")


def sign_in(page: Page, server: LiveServer, email: str = ADMIN_EMAIL) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/products")


def create_product(
    page: Page, server: LiveServer, name: str, *, vision: str = "", goal: str = ""
) -> str:
    """Fill the new-product form; return the product page's URL."""
    page.goto(f"{server.url}/products/new")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Vision").fill(vision)
    page.get_by_label("Product Goal").fill(goal)
    page.get_by_role("button", name="Create product").click()
    expect(page).to_have_url(PRODUCT_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    return page.url


def sign_out_button(page: Page) -> Locator:
    return page.locator("header").get_by_role("button", name="Sign out")


# --- first run and signing in ------------------------------------------------------------


def test_first_run_setup_creates_the_administrator_and_signs_in(
    blank_server: LiveServer, page: Page
) -> None:
    page.goto(f"{blank_server.url}/")
    expect(page).to_have_url(f"{blank_server.url}/setup")
    expect(page.get_by_role("heading", name="Welcome to Jalon")).to_be_visible()

    page.get_by_label("Your name").fill(ADMIN_NAME)
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create the administrator").click()
    expect(page).to_have_url(f"{blank_server.url}/setup")
    expect(page.locator("#e-password")).to_be_visible()
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("E-mail")).to_have_value(ADMIN_EMAIL)

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create the administrator").click()
    expect(page).to_have_url(f"{blank_server.url}/products/new")
    expect(page.locator("header .who")).to_have_text(ADMIN_NAME)
    expect(sign_out_button(page)).to_be_visible()

    page.goto(f"{blank_server.url}/setup")  # setup is over: it cannot run twice
    expect(page).to_have_url(f"{blank_server.url}/products")


def test_sign_in_with_a_wrong_password_shows_an_error_then_succeeds(
    server: LiveServer, page: Page
) -> None:
    page.goto(f"{server.url}/")
    expect(page).to_have_url(f"{server.url}/login")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_have_text("Wrong e-mail or password.")
    expect(page.get_by_label("E-mail")).to_have_value(ADMIN_EMAIL)
    expect(page.get_by_label("Password")).to_have_value("")
    expect(sign_out_button(page)).to_have_count(0)

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/products")
    expect(page.locator("header .who")).to_have_text(ADMIN_NAME)


# --- products ----------------------------------------------------------------------------

VISION = """We help **small teams** ship what matters.

- one backlog
- one goal

<script>window.__pwned = 1</script>
"""


def test_create_a_product_renders_markdown_and_never_runs_scripts(
    server: LiveServer, page: Page
) -> None:
    sign_in(page, server)
    page.get_by_role("link", name="New product").click()
    expect(page).to_have_url(f"{server.url}/products/new")
    create_product(page, server, "Atlas", vision=VISION, goal="Reach *100* paying teams by June.")

    vision = page.locator("section[aria-labelledby=h-vision] .prose").first
    expect(vision.locator("strong")).to_have_text("small teams")
    expect(vision.locator("li")).to_have_text(["one backlog", "one goal"])
    expect(vision.locator("script")).to_have_count(0)
    expect(vision).to_contain_text("<script>window.__pwned = 1</script>")
    assert page.evaluate("window.__pwned") is None
    expect(page.locator(".prose em")).to_have_text("100")
    expect(page.locator(".page-head .badge")).to_have_text("Idea")

    path = page.url.removeprefix(server.url)
    page.get_by_role("link", name="Products", exact=True).click()
    card = page.locator(f'.product-card[href="{path}"]')  # other modules have an Atlas too
    expect(card).to_contain_text("Atlas")
    expect(card).to_contain_text("Reach *100* paying teams by June.")
    expect(card.locator(".badge").first).to_have_text("Idea")


def test_change_stage_updates_the_stepper_and_the_timeline(server: LiveServer, page: Page) -> None:
    sign_in(page, server)
    url = create_product(page, server, "Beacon")
    lifecycle = page.locator("#lifecycle")
    expect(lifecycle.locator("[aria-current=step]")).to_have_text("Idea")
    expect(lifecycle.locator(".timeline > li")).to_have_count(1)

    lifecycle.get_by_label("Move to").select_option(label="Discovery")
    lifecycle.get_by_role("button", name="Change stage").click()
    # HTMX swapped #lifecycle in place: the notice only exists in the fragment's answer.
    expect(lifecycle.get_by_role("status")).to_have_text("Stage changed.")
    assert page.url == url
    expect(lifecycle.locator("[aria-current=step]")).to_have_text("Discovery")
    expect(lifecycle.locator(".stepper li.done")).to_have_text(["Idea"])
    expect(lifecycle.locator(".timeline > li")).to_have_count(2)
    expect(lifecycle.locator(".timeline > li").first).to_contain_text("Idea → Discovery")
    expect(lifecycle.locator(".timeline > li").first).to_contain_text(ADMIN_NAME)

    lifecycle.get_by_label("Move to").select_option(label="Sunsetting")
    lifecycle.get_by_role("button", name="Change stage").click()
    error = lifecycle.get_by_role("alert")
    expect(error).to_have_text("Say why the product enters the Sunsetting stage.")
    expect(lifecycle.get_by_label("Reason")).to_have_attribute(
        "aria-describedby", re.compile(r"\bstage-error\b")
    )
    expect(lifecycle.locator("[aria-current=step]")).to_have_text("Discovery")
    expect(lifecycle.locator(".timeline > li")).to_have_count(2)

    expect(lifecycle.get_by_label("Move to")).to_have_value("sunsetting")
    lifecycle.get_by_label("Reason").fill("The market moved to a bundled offer.")
    lifecycle.get_by_role("button", name="Change stage").click()
    expect(lifecycle.get_by_role("status")).to_have_text("Stage changed.")
    expect(lifecycle.get_by_role("alert")).to_have_count(0)
    expect(lifecycle.locator("[aria-current=step]")).to_have_text("Sunsetting")
    latest = lifecycle.locator(".timeline > li").first
    expect(latest).to_contain_text("Discovery → Sunsetting")
    expect(latest.locator(".reason")).to_have_text("The market moved to a bundled offer.")

    page.reload()  # the change is stored, not only shown
    expect(page.locator(".page-head .badge")).to_have_text("Sunsetting")
    expect(page.locator("#lifecycle .timeline > li")).to_have_count(3)


def test_invite_a_member_shows_a_link_the_invitee_can_use(
    server: LiveServer, page: Page, browser: Browser
) -> None:
    sign_in(page, server)
    url = create_product(page, server, "Compass")
    members = page.locator("#members")
    members.get_by_label("E-mail").fill("newcomer@example.com")
    members.get_by_label("Role", exact=True).select_option(label="Stakeholder")
    members.get_by_role("button", name="Add member").click()

    notice = members.get_by_role("status")
    expect(notice).to_contain_text("newcomer@example.com has no account yet")
    link = notice.locator("code.secret")
    expect(link).to_have_text(re.compile(rf"^{re.escape(server.url)}/invite/\S+$"))
    row = members.locator("li.member", has_text="newcomer@example.com")
    expect(row.locator(".badge")).to_have_text("invited")
    expect(row.get_by_role("combobox")).to_have_value("stakeholder")

    invitee = browser.new_context(locale="en-US")
    try:
        other = invitee.new_page()
        other.goto(link.inner_text())
        expect(other.get_by_role("heading", name="Join Jalon")).to_be_visible()
        other.get_by_label("Your name").fill("Nadia")
        other.get_by_label("Password").fill(PASSWORD)
        other.get_by_role("button", name="Join").click()
        expect(other).to_have_url(f"{server.url}/products")
        other.get_by_role("link", name=re.compile("Compass")).click()
        expect(other).to_have_url(url)
        expect(other.locator(".page-head .sub")).to_contain_text("Your role: Stakeholder")
        expect(other.get_by_role("button", name="Change stage")).to_have_count(0)
    finally:
        invitee.close()


def test_sign_out_returns_to_sign_in_and_protects_product_pages(
    server: LiveServer, page: Page
) -> None:
    sign_in(page, server)
    url = create_product(page, server, "Dune")
    sign_out_button(page).click()
    expect(page).to_have_url(f"{server.url}/login")
    expect(page.get_by_role("heading", name="Sign in to Jalon")).to_be_visible()

    page.goto(url)
    path = url.removeprefix(server.url)
    expect(page).to_have_url(f"{server.url}/login?next={path}")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(url)


# --- language ----------------------------------------------------------------------------

FRENCH = {"Products": "Produits", "Sign out": "Se déconnecter", "New product": "Nouveau produit"}


def test_the_language_menu_switches_to_french_and_remembers_it(
    server: LiveServer, camille: str, page: Page, browser: Browser
) -> None:
    sign_in(page, server, camille)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Language").select_option("fr")  # applies on change, with no click

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_url(f"{server.url}/products")
    expect(page.get_by_role("navigation").get_by_role("link", name="Produits")).to_be_visible()
    expect(page.locator("header").get_by_role("button", name="Se déconnecter")).to_be_visible()
    expect(page.get_by_role("link", name="Nouveau produit").first).to_be_visible()
    expect(page.get_by_text("Sign out")).to_have_count(0)

    page.get_by_role("link", name="Nouveau produit").first.click()
    page.locator("#f-name").fill("Éclair")
    page.locator("form.card button[type=submit]").click()
    expect(page).to_have_url(PRODUCT_URL)
    expect(page.locator("#h-lifecycle")).to_have_text("Cycle de vie")
    expect(page.get_by_role("button", name="Changer d'étape")).to_be_visible()

    fresh = browser.new_context(locale="en-US")  # her choice is saved on her account
    try:
        again = fresh.new_page()
        again.goto(f"{server.url}/login")
        expect(again.locator("html")).to_have_attribute("lang", "en")
        again.get_by_label("E-mail").fill(camille)
        again.get_by_label("Password").fill(PASSWORD)
        again.get_by_role("button", name="Sign in").click()
        expect(again.locator("html")).to_have_attribute("lang", "fr")
        expect(again.get_by_role("heading", level=1)).to_have_text("Produits")
    finally:
        fresh.close()


def test_the_language_button_works_without_javascript(server: LiveServer, browser: Browser) -> None:
    context = browser.new_context(locale="en-US", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/login")
        page.get_by_label("Language").select_option("fr")
        page.get_by_role("button", name="Switch").click()
        expect(page).to_have_url(f"{server.url}/login")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.locator("#language-select")).to_have_value("fr")
    finally:
        context.close()


# --- keyboard ----------------------------------------------------------------------------


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(
    server: LiveServer, page: Page
) -> None:
    page.goto(f"{server.url}/login")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Skip to content")
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0, "the focused skip link must be on screen"

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is inside main, past the header
    assert page.evaluate("document.activeElement.closest('main') !== null")


def _tab_to(page: Page, selector: str, *, limit: int = 12) -> int:
    """Press Tab until `selector` has the focus; return how many presses it took."""
    target = page.locator(selector)
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return presses
    raise AssertionError(f"{selector} never received the focus in {limit} Tab presses")


def test_sign_in_with_the_keyboard_only(server: LiveServer, page: Page) -> None:
    page.goto(f"{server.url}/login")
    _tab_to(page, "#f-email")
    page.keyboard.type(ADMIN_EMAIL)
    page.keyboard.press("Tab")
    expect(page.locator("#f-password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server.url}/products")
    expect(page.locator("header .who")).to_have_text(ADMIN_NAME)


# --- accessibility and layout ------------------------------------------------------------

AXE_RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}});
  if (result.passes.length === 0) throw new Error("axe checked nothing");
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
  }));
}"""


def serious_violations(page: Page) -> list[dict[str, object]]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations: list[dict[str, object]] = page.evaluate(AXE_RUN)
    return [v for v in violations if v["impact"] in ("serious", "critical")]


@pytest.fixture
def axe_context(browser: Browser) -> Iterator[BrowserContext]:
    """Pages forbid inline scripts (CSP); only this context may inject axe-core."""
    if not AXE.exists():
        missing = f"{AXE} is missing: run `make assets` (npm ci)"
        if os.environ.get("JALON_REQUIRE_BROWSER"):
            pytest.fail(missing, pytrace=False)
        pytest.skip(missing)
    context = browser.new_context(locale="en-US", bypass_csp=True)
    try:
        yield context
    finally:
        context.close()


def test_pages_have_no_serious_accessibility_violations(
    blank_server: LiveServer, axe_context: BrowserContext
) -> None:
    page = axe_context.new_page()
    base = blank_server.url
    found: dict[str, list[dict[str, object]]] = {}

    def check(name: str) -> None:
        if violations := serious_violations(page):
            found[name] = violations

    page.goto(f"{base}/setup")
    check("setup")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create the administrator").click()
    check("setup with errors")
    page.get_by_label("Your name").fill(ADMIN_NAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create the administrator").click()
    expect(page).to_have_url(f"{base}/products/new")
    check("new product")
    create_product(page, blank_server, "Atlas", vision=VISION, goal="Reach *100* teams.")
    page.locator("#members").get_by_label("E-mail").fill("newcomer@example.com")
    page.get_by_role("button", name="Add member").click()
    expect(page.locator("#members code.secret")).to_be_visible()
    page.get_by_label("Move to").select_option("sunsetting")
    page.get_by_role("button", name="Change stage").click()
    expect(page.locator("#stage-error")).to_be_visible()
    check("product")
    page.goto(f"{base}/products")
    check("products")
    page.goto(f"{base}/account")
    check("account")
    sign_out_button(page).click()
    expect(page).to_have_url(f"{base}/login")
    check("sign-in")
    page.get_by_label("E-mail").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check("sign-in with an error")
    assert found == {}

    # The check can fail: an image with no text alternative is reported as critical.
    page.evaluate("document.querySelector('main').append(document.createElement('img'))")
    assert [v["id"] for v in serious_violations(page)] == ["image-alt"]


@pytest.mark.parametrize(("width", "height"), [(768, 1024), (360, 740)], ids=["tablet", "phone"])
def test_pages_have_no_horizontal_scroll_on_narrow_screens(
    server: LiveServer, browser: Browser, width: int, height: int
) -> None:
    """WCAG 1.4.10 (reflow): wide parts (the stepper, tables) scroll inside, not the page."""
    context = browser.new_context(locale="en-US", viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        sign_in(page, server)
        create_product(page, server, f"Narrow {width}", vision=VISION, goal="Fit every screen.")
        page.locator("#members").get_by_label("E-mail").fill(f"narrow-{width}@example.com")
        page.get_by_role("button", name="Add member").click()
        expect(page.locator("#members code.secret")).to_be_visible()
        widths = {"product": _page_width(page)}
        for path in ("/products", "/account", "/academy", "/academy/scenarios", "/academy/quiz"):
            page.goto(f"{server.url}{path}")
            widths[path] = _page_width(page)
        too_wide = {name: w for name, w in widths.items() if w > width}
        assert too_wide == {}, f"wider than the {width}px window"
    finally:
        context.close()


def _page_width(page: Page) -> int:
    """The document's width, larger than the window when the page scrolls sideways."""
    assert page.evaluate("innerWidth") > 0
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width
