#!/usr/bin/python3
"""Golden packet tests: run aftr-dataplane on net_pcap ports over each case of
tests/golden/data/ and compare what it sends with the expected pcaps and its
counters with the expected ones (listed counters exactly, all others zero).

  golden.py DATAPLANE [--only NAME] [--keep]

The cases, their input and expected output pcaps are made by cases.py
(python3 cases.py --regenerate), from the RFC behaviour, not from our output.
Exit status 0 when every case passes; ends with "N passed, N failed".
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from scapy.all import rdpcap, raw  # noqa: E402  (python3-scapy)

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
PORTS = ("transport", "wan")
TIMEOUT = 10.0


def read_counters(path):
    out = {}
    try:
        with open(path) as f:
            for line in f:
                k, v = line.split()
                out[k] = int(v)
    except (OSError, ValueError):
        pass
    return out


def expected_counters(case_dir):
    out = {}
    with open(os.path.join(case_dir, "counters.txt")) as f:
        for line in f:
            line = line.split("#")[0].strip()
            if line:
                k, v = line.split()
                out[k] = int(v)
    return out


def npkts(path):
    return len(rdpcap(path)) if os.path.getsize(path) > 24 else 0


def run_case(dataplane, name, keep):
    case_dir = os.path.join(DATA, name)
    tmp = tempfile.mkdtemp(prefix="golden-%s-" % name)
    with open(os.path.join(case_dir, "aftr.yaml")) as f:
        cfg = f.read().replace("@IN@", case_dir).replace("@OUT@", tmp)
    cfg_path = os.path.join(tmp, "aftr.yaml")
    with open(cfg_path, "w") as f:
        f.write(cfg)
    stats = os.path.join(tmp, "stats")
    want_rx = {p: npkts(os.path.join(case_dir, p + "_in.pcap")) for p in PORTS}
    cmd = [dataplane, "--no-huge", "-m", "256", "-l", "0,1", "--no-pci",
           "--file-prefix", "golden-%d" % os.getpid(), "--log-level=*:warning", "--no-telemetry",
           "--", "-c", cfg_path, "--stats-file", stats]
    log = open(os.path.join(tmp, "log"), "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + TIMEOUT
    last, stable = None, 0
    # Done when every input packet was received and the counters stopped moving.
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.1)
        c = read_counters(stats)
        if c.get("rx_transport") == want_rx["transport"] and c.get("rx_wan") == want_rx["wan"]:
            stable = stable + 1 if c == last else 0
            if stable >= 3:
                break
        last = c
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    log.close()
    errors = compare(case_dir, tmp, proc.returncode)
    if errors:
        with open(os.path.join(tmp, "log")) as f:
            errors.append("dataplane output:\n" + f.read()[-3000:])
    if not keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return errors


def compare(case_dir, tmp, rc):
    errors = []
    if rc != 0:
        errors.append("aftr-dataplane exited with status %s" % rc)
    for p in PORTS:
        exp_path = os.path.join(case_dir, p + "_out.pcap")
        got_path = os.path.join(tmp, p + "_out.pcap")
        exp = rdpcap(exp_path) if os.path.getsize(exp_path) > 24 else []
        got = rdpcap(got_path) if os.path.exists(got_path) and os.path.getsize(got_path) > 24 else []
        if len(exp) != len(got):
            errors.append("%s: %d frames sent, %d expected" % (p, len(got), len(exp)))
        for i, (e, g) in enumerate(zip(exp, got)):
            if raw(e) != raw(g):
                errors.append("%s frame %d differs:\n  expected %s\n  got      %s\n  expected %s\n  got      %s"
                              % (p, i, e.summary(), g.summary(), raw(e).hex(), raw(g).hex()))
    want = expected_counters(case_dir)
    got = read_counters(os.path.join(tmp, "stats"))
    for k in sorted(set(want) | set(got)):
        if k == "dropped" and "dropped" not in want:
            w = sum(v for n, v in want.items() if n.startswith("drop_"))
        else:
            w = want.get(k, 0)
        if got.get(k, 0) != w:
            errors.append("counter %s: %d, expected %d" % (k, got.get(k, 0), w))
    return errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dataplane")
    ap.add_argument("--only")
    ap.add_argument("--keep", action="store_true", help="keep the outputs of each case")
    a = ap.parse_args()
    names = sorted(os.listdir(DATA))
    if a.only:
        names = [n for n in names if n == a.only]
    passed = failed = 0
    for name in names:
        with open(os.path.join(DATA, name, "README")) as f:
            desc = f.readline().strip()
        errors = run_case(a.dataplane, name, a.keep)
        if errors:
            failed += 1
            print("FAIL %s: %s" % (name, desc))
            for e in errors:
                print("    " + e.replace("\n", "\n    "))
        else:
            passed += 1
            print("ok   %s: %s" % (name, desc))
        sys.stdout.flush()
    print("golden: %d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
