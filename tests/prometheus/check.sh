#!/bin/sh
# The sample alerting rules (deploy/prometheus/aftr-alerts.yml): promtool
# checks them, then runs their unit tests (aftr-alerts.test.yml: each
# alert fires on the series it is for, after its "for", and not on
# healthy ones). promtool comes with Debian's prometheus package.
# Usage: check.sh   Exit 0 pass, 1 fail, 77 skip (no promtool).
set -u
here=$(cd "$(dirname "$0")" && pwd)
command -v promtool >/dev/null || { echo "SKIP: promtool is missing (apt-get install prometheus)"; exit 77; }
promtool check rules "$here/../../deploy/prometheus/aftr-alerts.yml" || exit 1
cd "$here" && promtool test rules aftr-alerts.test.yml
