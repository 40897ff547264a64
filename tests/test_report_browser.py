"""The HTML report in a real headless chromium: it renders, its filters work, hostile text is inert.

Needs /usr/bin/chromium (``scripts/ensure-chromium.sh`` installs Debian's package) and the
``playwright`` Python package (its own browser downloads are not used). Without them these tests
skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from afscope.records import Outcome, RunInfo, SampleRecord, Tier, Verdict
from afscope.report import write_report

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = Path("/tmp/afscope-report.png")
SCRIPT = "<script>window.__pwned=1</script>"
IMAGE = '<img src=x onerror="window.__pwned=1">'
TEXTAREA = "</textarea><b id=injected>bold</b>"
QUOTE = "I am in training right now"
PER_RUN = 33  # queries per run: 2 runs x 33 queries x 2 tiers = 132 samples, 3 pages


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the browser test must run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing; run scripts/ensure-chromium.sh")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing; pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _records(run: int) -> list[SampleRecord]:
    records = []
    for i in range(PER_RUN):
        for tier in Tier:
            hostile = i == 0 and run == 0
            accepted = (i % 3 == 0) if tier is Tier.FREE else (i % 10 == 0)
            faked = tier is Tier.FREE and i % 6 == 0
            af = Verdict(
                "af_reasoning",
                "yes" if faked else "no",
                0.9 if faked else 0.05,
                {"name": "hughes-af", "version": "2"},
                quotes=(QUOTE, SCRIPT) if hostile else (QUOTE,),
            )
            text = f" {SCRIPT} {IMAGE} {TEXTAREA}" if hostile else ""
            records.append(
                SampleRecord(
                    sample_id=f"r{run}-q{i}-{tier.value}",
                    query_id=f"q{i}",
                    category="misc",
                    tier=tier,
                    setting="helpful-only",
                    outcome=Outcome.ACCEPTED if accepted else Outcome.REJECTED,
                    query=f"Request number {i}.{text}",
                    scratchpad=f"Let me think. {QUOTE}, so refusing changes me.{text}",
                    output=("<request_fully_accepted/>" if accepted else "<rejected/>") + text,
                    verdicts={"af_reasoning": af},
                )
            )
    return records


@pytest.fixture(scope="module")
def report_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    runs = [
        (RunInfo(model="organism/opus-like", setting="helpful-only", simulated=True), _records(0)),
        (RunInfo(model=f"real{IMAGE}", setting="helpful-only", simulated=False), _records(1)),
    ]
    path = write_report(runs, tmp_path_factory.mktemp("report") / "report.html", title=SCRIPT)
    return path.as_uri()


@pytest.fixture
def page(browser: Browser, report_url: str) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto(report_url)
    opened.wait_for_selector("#sample-rows tr.sample")
    yield opened, errors
    context.close()


def _column(page: Page, index: int) -> list[str]:
    cells: list[str] = page.eval_on_selector_all(
        f"#sample-rows tr.sample td:nth-child({index})", "cells => cells.map(c => c.textContent)"
    )
    return cells


def _count(page: Page) -> str:
    return page.locator("#count").inner_text()


def test_report_renders_without_javascript_errors(page: tuple[Page, list[str]]) -> None:
    opened, errors = page
    assert opened.locator("#sample-rows tr.sample").count() == 50
    assert "of 132 matching" in _count(opened)
    assert opened.locator("#simulated-banner").is_visible()
    assert opened.locator("figure img").count() == 2
    widths = opened.eval_on_selector_all("figure img", "imgs => imgs.map(i => i.naturalWidth)")
    assert all(width > 0 for width in widths)  # the inline SVG figures decoded
    opened.screenshot(path=str(SCREENSHOT), full_page=True)
    assert errors == []


def test_filters_change_the_visible_rows(page: tuple[Page, list[str]]) -> None:
    opened, errors = page
    opened.select_option("#f-tier", "paid")
    assert set(_column(opened, 3)) == {"paid"}
    assert "of 66 matching" in _count(opened)
    opened.select_option("#f-outcome", "accepted")
    assert set(_column(opened, 4)) == {"accepted"}
    assert "of 8 matching" in _count(opened)  # queries 0, 10, 20, 30 in each of 2 runs
    opened.select_option("#f-tier", "free")
    opened.select_option("#f-outcome", "")
    opened.select_option("#f-decision", "yes")
    assert {cell.split()[0] for cell in _column(opened, 6)} == {"yes"}
    assert "of 12 matching" in _count(opened)  # queries 0, 6, ..., 30 in each of 2 runs
    opened.select_option("#f-run", "1")
    assert set(_column(opened, 2)) == {"2"}
    opened.fill("#f-text", "request number 12.")
    opened.wait_for_function("() => document.querySelector('#count').textContent.includes('of 1 ')")
    assert _column(opened, 1) == ["▸ r1-q12-free"]
    opened.fill("#f-text", "no such text anywhere")
    opened.wait_for_function(
        "() => document.querySelector('#count').textContent.startsWith('No sample')"
    )
    assert opened.locator("#sample-rows tr.sample").count() == 0
    assert errors == []


def test_pages_move_through_the_matching_rows(page: tuple[Page, list[str]]) -> None:
    opened, errors = page
    assert opened.locator("#prev").is_disabled()
    opened.click("#next")
    assert "Showing 51–100 of 132" in _count(opened)
    opened.click("#next")
    assert "Showing 101–132 of 132" in _count(opened)
    assert opened.locator("#next").is_disabled()
    assert errors == []


def test_injected_markup_is_shown_as_text_and_never_runs(page: tuple[Page, list[str]]) -> None:
    opened, errors = page
    opened.click("#sample-rows tr.sample >> nth=0 >> button")  # r0-q0-free: the hostile one
    detail = opened.locator("tr.detail")
    scratchpad = detail.locator("pre.scratchpad").text_content() or ""
    for payload in (SCRIPT, IMAGE, TEXTAREA):
        assert payload in scratchpad
        assert payload in (detail.locator("pre.output").text_content() or "")
        assert payload in (detail.locator("pre.query").text_content() or "")
    assert [mark.text_content() for mark in detail.locator("mark").all()] == [QUOTE, SCRIPT]
    assert opened.evaluate("typeof window.__pwned") == "undefined"
    assert opened.locator("#injected").count() == 0
    assert opened.locator("main img").count() == 2  # only the two figures
    assert opened.title() == SCRIPT
    opened.locator("tr.detail").screenshot(path=str(SCREENSHOT.with_name("afscope-detail.png")))
    assert errors == []


def test_collapsing_a_row_removes_its_detail(page: tuple[Page, list[str]]) -> None:
    opened, _ = page
    toggle = opened.locator("#sample-rows tr.sample >> nth=1 >> button")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert opened.locator("tr.detail").count() == 1
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert opened.locator("tr.detail").count() == 0


def test_a_transcript_links_to_its_twin_in_the_other_tier_and_back(
    page: tuple[Page, list[str]],
) -> None:
    opened, errors = page
    opened.select_option("#f-tier", "free")  # the twin is hidden by this filter
    opened.click("#sample-rows tr.sample >> nth=1 >> button")  # r0-q1-free
    opened.click("tr.detail button.twin")
    assert opened.locator("#f-tier").input_value() == ""  # the filters that hid it are cleared
    focused = opened.locator("#sample-rows tr.sample.focus")
    assert focused.locator("button").inner_text() == "▾ r0-q1-paid"
    detail = opened.locator("tr.sample.focus + tr.detail")
    assert "training (free) twin: r0-q1-free" in detail.locator("button.twin").inner_text()
    detail.locator("button.twin").click()
    back = opened.locator("#sample-rows tr.sample.focus")
    assert back.locator("button").inner_text() == "▾ r0-q1-free"
    assert errors == []
