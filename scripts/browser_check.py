#!/usr/bin/env python3
"""Renders an HTML report in headless Chromium and checks it as a reader would see it.

Usage: browser_check.py REPORT.html [SCREENSHOT.png]

Fails (exit 1) unless every chart is an SVG that drew marks with a non-empty box and labels
its axes (a chart of one unit has one vertical axis label at most), the per-team table has rows
and shows the rework and AI-written line columns, and the browser logged no script or
Content-Security-Policy error.
"""
import sys

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service


def main() -> int:
    report, screenshot = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else None)
    options = Options()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,2200"):
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    problems = []
    try:
        driver.get("file://" + report)
        charts = driver.execute_script(
            """
            return Array.from(document.querySelectorAll('svg.chart')).map(svg => {
              const box = svg.getBoundingClientRect();
              const marks = Array.from(svg.querySelectorAll('rect.bar, circle, polyline.line, path.mark'))
                .filter(m => { const b = m.getBoundingClientRect(); return b.width > 0 || b.height > 0; });
              const labels = Array.from(svg.querySelectorAll('text.axis-label')).filter(t => t.getBoundingClientRect().width > 0);
              const vertical = labels.filter(t => (t.getAttribute('transform') || '').includes('rotate'));
              return {title: svg.getAttribute('aria-label'), width: box.width, height: box.height, marks: marks.length,
                      axisLabels: labels.length, verticalAxes: vertical.length};
            });
            """
        )
        if len(charts) < 4:
            problems.append(f"expected 4 charts, found {len(charts)}")
        for chart in charts:
            if chart["width"] <= 0 or chart["height"] <= 0 or chart["marks"] == 0:
                problems.append(f"chart did not draw: {chart}")
            if chart["axisLabels"] == 0 or chart["verticalAxes"] > 1:
                problems.append(f"chart axes are not labelled one unit each: {chart}")
        headers = driver.execute_script("return Array.from(document.querySelectorAll('table thead th')).map(th => th.textContent)")
        for wanted in ("rework", "AI lines", "AI line share", "coverage"):
            if wanted not in headers:
                problems.append(f"the tables have no '{wanted}' column: {headers}")
        rows = driver.execute_script("return document.querySelectorAll('table tbody tr').length")
        if rows < 2:
            problems.append(f"tables have {rows} rows")
        for entry in driver.get_log("browser"):
            if entry.get("level") in ("SEVERE", "ERROR") or "Refused" in entry.get("message", ""):
                problems.append(f"browser logged: {entry.get('message')}")
        if screenshot:
            height = driver.execute_script("return document.body.scrollHeight")
            driver.set_window_size(1280, max(900, min(height + 40, 6000)))
            driver.save_screenshot(screenshot)
        print(f"browser check: {len(charts)} charts drew, {rows} table rows, {len(problems)} problems")
    finally:
        driver.quit()
    for problem in problems:
        print("browser check: " + problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
