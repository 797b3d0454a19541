#!/usr/bin/python3
"""The live status page in headless Chromium (ui_live.sh runs it):
ui_check.py URL TOKEN B4 MODE, MODE "nodp" (aftr-control alone) or "live"
(a dataplane with traffic). Checks what a person would see: the page asks
for the token, then fills its panels from the API (compared with the API's
own answers), draws the rates chart, answers a B4 lookup and shows a bad
lookup's error; and nothing went wrong in the browser (no script error, no
Content-Security-Policy violation, no request failing other than the ones
the checks cause). Prints "ok"/"FAIL" lines; exit status 1 on a failure.
$UI_SHOT: a file to save a screenshot of the page to at the end."""
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

url, token, b4, mode = sys.argv[1:5]
dropper = sys.argv[5] if len(sys.argv) > 5 else ""
live = mode == "live"
failed = 0


def check(what, ok, detail=""):
    global failed
    print(("ok   " if ok else "FAIL ") + what + ("" if ok or not detail else ": " + str(detail)))
    failed += 0 if ok else 1


def api(path):
    """The API's answer to GET path, with the token: (status, JSON)."""
    req = urllib.request.Request(url.rstrip("/") + path,
                                 headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def text(d, css):
    return " ".join(e.text for e in d.find_elements(By.CSS_SELECTOR, css))


def wait(d, what, cond, seconds=20):
    try:
        WebDriverWait(d, seconds, poll_frequency=0.2).until(lambda _: cond())
        check(what, True)
        return True
    except TimeoutException:
        check(what, False, "not within %d s" % seconds)
        return False


def unit(s):
    """A number as the page prints it ("15.66 M") back to a float."""
    m = re.fullmatch(r"(-?[0-9.]+)(?: ([kMG]))?", s.strip())
    return float(m.group(1)) * {None: 1, "k": 1e3, "M": 1e6, "G": 1e9}[m.group(2)] if m else None


# Pixels of the chart drawn in the received line's colour (the plot is
# white otherwise: grid lines and labels are grey).
CHART_PIXELS = """
const c = document.getElementById('rates-chart');
const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
let n = 0;
for (let i = 0; i < d.length; i += 4)
  if (d[i + 3] > 200 && d[i + 2] > 120 && d[i] < 90) n++;
return n;
"""


def check_header(d):
    st, v = api("/api/v1/version")
    wait(d, "header: the version", lambda: v["version"] in text(d, "#version"))
    want = "up (pid" if live else "DOWN: no dataplane"
    wait(d, "header: dataplane " + ("up" if live else "down"),
         lambda: text(d, "#dataplane").startswith(want))
    if live:
        wait(d, "header: the dataplane's uptime", lambda: re.match(r"\d\d:\d\d:\d\d",
                                                                  text(d, "#uptime")))


def check_rates(d):
    if not live:
        wait(d, "rates: the panel says no dataplane", lambda: "no dataplane" in text(d, "#rates-note"))
        return
    wait(d, "rates: the table filled", lambda: d.find_elements(By.CSS_SELECTOR, "#rates-table tbody tr"))
    # Four polls at least: a line, not a point.
    time.sleep(4)
    n = d.execute_script(CHART_PIXELS)
    check("rates: the chart drawn with data (%d pixels of the received line)" % n, n > 20)
    label = d.find_element(By.ID, "rates-chart").get_attribute("aria-label")
    check("rates: the chart's label says the rate now", re.search(r"now [0-9.]+( [kMG])? received", label), label)
    cell = d.find_element(By.CSS_SELECTOR, "#rates-table tbody tr:first-child td[data-key='1min']")
    shown, value = unit(cell.text), float(cell.get_attribute("data-value"))
    st, r = api("/api/v1/rates")
    want = r["rates"]["rx_transport"]["1min"] + r["rates"]["rx_wan"]["1min"]
    check("rates: packets received a second (1 min) shown as the API says: %s, API %.0f" % (cell.text, want),
          want > 0 and shown is not None and abs(shown - value) <= 0.01 * value and abs(value - want) <= 0.3 * want)


def check_drops(d):
    if not live:
        wait(d, "drops: the panel says no dataplane", lambda: "no dataplane" in text(d, "#drops-note"))
        return
    st, j = api("/api/v1/counters/drops")
    reasons = [x["reason"] for x in j["drops"] if x["count"] > 0]
    check("drops: the API counts some (%s)" % ", ".join(reasons), reasons)
    wait(d, "drops: the table lists " + ", ".join(reasons),
         lambda: all(r in text(d, "#drops-table .reason") for r in reasons))


def check_pools(d):
    if not live:
        wait(d, "pools: the panel says no dataplane", lambda: "no dataplane" in text(d, "#pools-note"))
        return
    st, j = api("/api/v1/pools/usage")
    addr = j["pools"][0]["address"]
    wait(d, "pools: the table shows " + addr, lambda: addr in text(d, "#pools-table tbody"))
    wait(d, "pools: the blocks in use as bars", lambda: d.find_elements(By.CSS_SELECTOR, "#pools-table meter"))


def check_top(d):
    if not live:
        wait(d, "top B4s: the panel says no dataplane", lambda: "no dataplane" in text(d, "#top-note"))
        return
    st, j = api("/api/v1/b4s?top=10")
    check("top B4s: the API lists %s dropping for acl6" % dropper,
          st == 200 and j["b4s"] and j["b4s"][0]["b4"] == dropper
          and "acl6" in j["b4s"][0]["reasons"], j)
    wait(d, "top B4s: the table lists it, its reason and its count",
         lambda: dropper in text(d, "#top-table tbody") and "acl6" in text(d, "#top-table tbody")
         and re.search(r"\d", text(d, "#top-table tbody td:nth-child(2)")))
    d.find_element(By.CSS_SELECTOR, "#top-table tbody button").click()
    wait(d, "top B4s: a click looks it up, its drops shown",
         lambda: dropper in text(d, "#b4-result h3") and "acl6" in text(d, "#b4-result .drops"))


def check_lookup(d):
    st, j = api("/api/v1/b4s/" + b4)
    field = d.find_element(By.ID, "b4")
    field.clear()
    field.send_keys(b4)
    d.find_element(By.CSS_SELECTOR, "#lookup-form button").click()
    wait(d, "lookup of %s: its mode (%s)" % (b4, j["mode"]),
         lambda: "Mode: " + j["mode"] in text(d, "#b4-result .mode"))
    if live:
        wait(d, "lookup: its sessions and limits", lambda: re.search(
            r"udp %d %d" % (j["limits"]["udp"]["sessions"], j["limits"]["udp"]["sessions_max"]),
            text(d, "#b4-result table")))
    st, bad = api("/api/v1/b4s/nonsense")
    field.clear()
    field.send_keys("nonsense")
    d.find_element(By.CSS_SELECTOR, "#lookup-form button").click()
    wait(d, "lookup of nonsense: the API's 422 and its detail",
         lambda: st == 422 and "422" in text(d, "#b4-result [role=alert]")
         and bad["detail"] in text(d, "#b4-result [role=alert]"))


def check_logs(d):
    # The requests the checks make fail: 401 before the token, 422 for the
    # bad lookup, 503 for what needs a dataplane while none runs.
    allowed = {"401", "422"} | (set() if live else {"503"})
    bad = []
    for e in d.get_log("browser"):
        m = re.search(r"status of (\d+)", e["message"])
        if e["source"] == "network" and m and m.group(1) in allowed:
            continue
        if e["level"] in ("SEVERE", "WARNING") or "Content Security Policy" in e["message"]:
            bad.append(e)
    check("no script error, no failed request but the expected ones", not bad, bad)
    csp = d.execute_script("return window.__csp || []")
    check("no Content-Security-Policy violation", not csp, csp)


def main():
    o = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1400,1400"):
        o.add_argument(a)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    try:
        # Violations the page reports, counted from its first script on.
        d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": (
            "window.__csp = []; document.addEventListener('securitypolicyviolation',"
            " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")})
        d.get(url)
        wait(d, "the page loads without the token and asks for it",
             lambda: d.find_element(By.ID, "login").is_displayed()
             and not d.find_element(By.ID, "panels").is_displayed())
        d.find_element(By.ID, "token").send_keys(token)
        d.find_element(By.CSS_SELECTOR, "#login button").click()
        wait(d, "with the token, the panels show", lambda: d.find_element(By.ID, "panels").is_displayed())
        check("the token kept in the tab's session storage",
              d.execute_script("return sessionStorage.getItem('aftr-token')") == token)
        check_header(d)
        check_rates(d)
        check_drops(d)
        check_pools(d)
        check_top(d)
        check_lookup(d)
        d.refresh()
        wait(d, "reloaded: the kept token used, no question", lambda: text(d, "#version") != "-"
             and not d.find_element(By.ID, "login").is_displayed())
        check_logs(d)
        if os.environ.get("UI_SHOT"):
            d.save_screenshot(os.environ["UI_SHOT"])
    finally:
        d.quit()
    return 1 if failed else 0


sys.exit(main())
