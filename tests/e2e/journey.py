"""A person's way through the app in a real browser, and the checks every page of it gets.

`Journey.look(step)` is called on every page a journey reaches: it runs axe-core (no serious or
critical violation), saves the page at desktop and phone size, and records how long the server
took. At the end of a journey every page the browser landed on must have been looked at, and the
browser must have reported no script or Content-Security-Policy error.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from schoolpeers.accounts import two_factor
from schoolpeers.accounts.models import User
from schoolpeers.extensions import db
from tests.e2e.timings import Timing

AXE_SOURCE = (Path(__file__).parent / "assets" / "axe.min.js").read_text()
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
BLOCKING_IMPACTS = ("serious", "critical")
MAX_TABS = 200

# True when the element (or, for a visually hidden radio or checkbox, its label) shows a focus ring.
FOCUS_IS_VISIBLE = """el => {
  if (el !== document.activeElement || !el.matches(':focus-visible')) return false;
  const ringed = node => { const s = getComputedStyle(node);
    return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; };
  const label = el.id ? document.querySelector(`label[for="${el.id}"]`) : null;
  return ringed(el) || (label !== null && ringed(label));
}"""
SERVER_MS = """() => { const n = performance.getEntriesByType('navigation')[0];
  return n ? n.responseStart - n.requestStart : null; }"""


@dataclass
class Person:
    """Someone seeded in the server's database, who signs in as a person would."""
    app: Flask
    username: str
    password: str
    given_name: str

    def totp_code(self) -> str:
        with self.app.app_context():
            user = db.session.scalar(select(User).where(User.username == self.username))
            assert user.totp_secret, f"{self.username} was asked for a code but has no authenticator secret"
            secret = two_factor.secret_of(user)
        return pyotp.TOTP(secret).now()


@dataclass
class Journey:
    name: str
    page: Page
    base_url: str
    screenshots: Path
    viewport: dict
    timings: list[Timing]
    server_errors: list[str]
    visited: set[str] = field(default_factory=set)
    looked_at: set[str] = field(default_factory=set)
    browser_errors: list[str] = field(default_factory=list)
    steps: int = 0
    server_errors_before: int = 0

    def __post_init__(self) -> None:
        self.server_errors_before = len(self.server_errors)
        self.page.on("framenavigated", self._record_navigation)
        self.page.on("console", lambda msg: msg.type == "error" and self.browser_errors.append(msg.text))
        self.page.on("pageerror", lambda exc: self.browser_errors.append(str(exc)))

    def _record_navigation(self, frame) -> None:
        if frame == self.page.main_frame and frame.url.startswith(self.base_url):
            self.visited.add(urlsplit(frame.url).path)

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def path(self) -> str:
        return urlsplit(self.page.url).path

    def look(self, step: str) -> None:
        """Check the page the browser is on: accessibility at both sizes, screenshots, server time."""
        self.page.wait_for_load_state("load")
        self.steps += 1
        other = PHONE if self.viewport == DESKTOP else DESKTOP
        for viewport in (self.viewport, other):
            self.page.set_viewport_size(viewport)
            size = "desktop" if viewport == DESKTOP else "phone"
            self.page.screenshot(path=self.screenshots / f"{self.steps:02d}-{step}-{size}.png", full_page=True)
            self.assert_accessible(f"{step} ({size})")
        self.page.set_viewport_size(self.viewport)
        self.looked_at.add(self.path)
        server_ms = self.server_ms()
        if server_ms is not None:
            self.timings.append(Timing(self.name, step, self.path, server_ms))

    def assert_accessible(self, where: str) -> None:
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE_SOURCE)
        violations = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))")
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"accessibility on {self.path}, {where}:\n" + "\n".join(
            f"  {v['impact']} {v['id']}: {v['help']} at {v['targets']}" for v in blocking)

    def server_ms(self) -> float | None:
        return self.page.evaluate(SERVER_MS)

    def tab_to(self, target: Locator) -> None:
        """Move the focus with Tab only until it reaches `target`, which must show a focus ring."""
        target.wait_for()
        for _ in range(MAX_TABS):
            if target.evaluate("el => el === document.activeElement"):
                break
            self.page.keyboard.press("Tab")
        else:
            raise AssertionError(f"Tab never reached {target} on {self.path}")
        assert target.evaluate(FOCUS_IS_VISIBLE), f"{target} has the focus but no visible focus ring"

    def press(self, target: Locator, key: str = "Enter") -> None:
        """Operate `target` from the keyboard alone: Tab to it, then press `key`."""
        self.tab_to(target)
        self.page.keyboard.press(key)

    def finish(self) -> None:
        unchecked = self.visited - self.looked_at
        assert not unchecked, f"pages reached but never checked: {sorted(unchecked)}"
        assert not self.browser_errors, f"the browser reported errors: {self.browser_errors}"
        new_server_errors = self.server_errors[self.server_errors_before:]
        assert not new_server_errors, f"the server failed: {new_server_errors}"


def sign_in(journey: Journey, person: Person) -> None:
    """Sign in with the password, then pass the two-factor step if the app asks for it:
    a code from the person's authenticator, or enrolment (secret, code, recovery codes)."""
    page = journey.page
    page.goto(journey.url("/login"))
    journey.look("sign-in")
    page.get_by_label("Username or email").fill(person.username)
    page.get_by_label("Password", exact=True).fill(person.password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
    if journey.path == "/login/code":
        journey.look("sign-in-code")
        submit_code(page, person.totp_code())
    elif journey.path == "/account/two-factor/setup":
        journey.look("two-factor-setup")
        # Until it is on, only sign-out leads anywhere; the key can be copied with a button.
        expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
        expect(page.get_by_role("button", name="Copy the key")).to_be_visible()
        secret = re.sub(r"\s", "", page.locator("#totp-secret").inner_text())
        submit_code(page, pyotp.TOTP(secret).now())
        journey.look("recovery-codes")
        expect(page.get_by_role("button", name="Print them")).to_be_visible()
        with page.expect_download() as saved:
            page.get_by_role("button", name="Save them as a file").click()
        assert saved.value.suggested_filename == "schoolpeers-recovery-codes.txt"
        codes = Path(saved.value.path()).read_text().split()
        assert len(codes) == 10 and codes[0] in page.locator("#recovery-codes").inner_text()
        page.get_by_role("button", name="Continue").or_(page.get_by_role("link", name="Continue")).first.click()
        page.wait_for_load_state()
    signed_in = page.get_by_role("button", name="Sign out").is_visible()
    assert signed_in, f"{person.username} is not signed in (at {journey.path})"


def submit_code(page: Page, code: str) -> None:
    code_field = page.locator("input[name=code]")
    code_field.fill(code)
    code_field.locator("xpath=ancestor::form").locator("[type=submit]").first.click()
    page.wait_for_load_state()
