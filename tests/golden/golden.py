#!/usr/bin/python3
"""Golden packet tests: run aftr-dataplane on net_pcap ports over each case of
tests/golden/data/ and compare what it sends with the expected pcaps and its
counters with the expected ones (listed counters exactly, all others zero;
busy_ns, idle_sleeps and idle_ns, times, are not compared; created and
consumed only when listed), and checks that every packet is accounted for:
rx + created = tx + dropped + consumed + held (lib/shm/counters.h).

  golden.py DATAPLANE [--only NAME[,NAME...]] [--keep] [--fast-path off]

--fast-path off runs every case with dataplane.fast_path false: every packet
through the graph's nodes, none through the fast nodes (dataplane/fast/), to
the same expected output.

The cases, their input and expected output pcaps are made by cases.py
(python3 cases.py --regenerate), from the RFC behaviour, not from our output.
A case directory may hold an "options" file ("key value" lines):
  workers N    run N worker lcores (mapped onto the CPUs after the main
               lcore's with --lcores); each port then has one tx_pcap file
               per TX queue, and the frames of all of them are compared with
               the expected ones as a multiset (the order across queues is
               not defined)
  wait S       run at least S seconds (timers: retries, expiry)
  unordered 1  compare the frames of a port as a multiset (frames from the
               main lcore and from a worker have no defined order)
  one_port 1   both interfaces on the transport's net_pcap device: its
               frames count as either interface's (rx_transport + rx_wan)
The ports' own counters (port_*_rx_packets, port_*_tx_packets) must match the
frames fed and expected; the other port_* counters must be 0.
Exit status 0 when every case passes; ends with "N passed, N failed".
"""
import argparse
import glob
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


# Counters that measure time, not packets: never the same twice; and the
# buffers in use, which the receive queues' own fill.
TIMES = {"busy_ns", "idle_sleeps", "idle_ns", "mbufs_in_use"}
# Counters the conservation of packets pins (lib/shm/counters.h), not
# listed by each case: how many packets the AFTR made and consumed.
IMPLIED = {"created", "consumed"}
HELD = ("fragments_held_ip6", "fragments_held_in", "fragments_held_out", "neighbor_held")


def conservation(got):
    """Every packet accounted for once nothing moves: in (received, made)
    equals out (sent, dropped under one reason, consumed, still held)."""
    c = lambda k: got.get(k, 0)  # noqa: E731
    into = c("rx_transport") + c("rx_wan") + c("created")
    out = (c("tx_transport") + c("tx_wan") + c("consumed") + sum(c(k) for k in HELD)
           + sum(v for k, v in got.items() if k.startswith("drop_")))
    if into == out:
        return []
    return ["packets not accounted for: rx %d + created %d = %d in, but tx %d + dropped %d "
            "+ consumed %d + held %d = %d out"
            % (c("rx_transport") + c("rx_wan"), c("created"), into,
               c("tx_transport") + c("tx_wan"),
               sum(v for k, v in got.items() if k.startswith("drop_")), c("consumed"),
               sum(c(k) for k in HELD), out)]


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


def read_pairs(path):
    out = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.split("#")[0].strip()
                if line:
                    k, v = line.split()
                    out[k] = int(v)
    return out


def frames(path):
    return list(rdpcap(path)) if os.path.exists(path) and os.path.getsize(path) > 24 else []


def lcore_args(workers):
    """-l 0,1 for one worker; else the main lcore on CPU 0 and the workers
    spread over the other CPUs (slow when they share one, but correct)."""
    if workers == 1:
        return ["-l", "0,1"]
    cpus = max(1, (os.cpu_count() or 1) - 1)
    m = ["0@0"] + ["%d@%d" % (i, 1 + (i - 1) % cpus if os.cpu_count() > 1 else 0)
                   for i in range(1, workers + 1)]
    return ["--lcores=" + ",".join(m)]


def fast_path_off(cfg):
    """The configuration with dataplane.fast_path false."""
    lines = cfg.split("\n")
    if "dataplane:" in lines:
        lines.insert(lines.index("dataplane:") + 1, "  fast_path: false")
        return "\n".join(lines)
    return cfg.rstrip("\n") + "\ndataplane:\n  fast_path: false\n"


def run_case(dataplane, name, keep, fast):
    case_dir = os.path.join(DATA, name)
    opts = read_pairs(os.path.join(case_dir, "options"))
    workers, wait = opts.get("workers", 1), opts.get("wait", 0)
    tmp = tempfile.mkdtemp(prefix="golden-%s-" % name)
    with open(os.path.join(case_dir, "aftr.yaml")) as f:
        cfg = f.read().replace("@IN@", case_dir).replace("@OUT@", tmp)
    if not fast:
        cfg = fast_path_off(cfg)
    cfg_path = os.path.join(tmp, "aftr.yaml")
    with open(cfg_path, "w") as f:
        f.write(cfg)
    stats = os.path.join(tmp, "stats")
    want_rx = {p: len(frames(os.path.join(case_dir, p + "_in.pcap"))) for p in PORTS}
    cmd = [dataplane, "--no-huge", "-m", "256"] + lcore_args(workers) + [
        "--no-pci", "--file-prefix", "golden-%d" % os.getpid(), "--log-level=*:warning",
        "--no-telemetry", "--", "-c", cfg_path, "--stats-file", stats]
    log = open(os.path.join(tmp, "log"), "w")
    start = time.time()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    deadline = start + max(TIMEOUT, wait + 5)
    last, stable = None, 0
    # Done when every input packet was received, the counters stopped moving
    # and the case's minimum time is over.
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.1)
        c = read_counters(stats)
        rx_t, rx_w = c.get("rx_transport"), c.get("rx_wan")
        if (rx_t == want_rx["transport"] and rx_w == want_rx["wan"]) or (
                opts.get("one_port") and (rx_t or 0) + (rx_w or 0) == want_rx["transport"]):
            stable = stable + 1 if c == last else 0
            if stable >= 3 and time.time() - start >= wait:
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
    errors = compare(case_dir, tmp, proc.returncode, workers > 1 or opts.get("unordered"))
    if errors:
        with open(os.path.join(tmp, "log")) as f:
            errors.append("dataplane output:\n" + f.read()[-3000:])
    if not keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return errors, tmp


def describe(p):
    return "%s\n      %s" % (p.summary(), raw(p).hex())


def compare_frames(port, exp, got, unordered):
    errors = []
    if unordered:
        rest = [raw(g) for g in got]
        missing = []
        for e in exp:
            if raw(e) in rest:
                rest.remove(raw(e))
            else:
                missing.append(e)
        for e in missing:
            errors.append("%s: expected frame not sent: %s" % (port, describe(e)))
        for g in got:
            if raw(g) in rest:
                rest.remove(raw(g))
                errors.append("%s: unexpected frame: %s" % (port, describe(g)))
        return errors
    if len(exp) != len(got):
        errors.append("%s: %d frames sent, %d expected" % (port, len(got), len(exp)))
    for i, (e, g) in enumerate(zip(exp, got)):
        if raw(e) != raw(g):
            errors.append("%s frame %d differs:\n  expected %s\n  got      %s"
                          % (port, i, describe(e), describe(g)))
    for i in range(len(exp), len(got)):
        errors.append("%s frame %d unexpected: %s" % (port, i, describe(got[i])))
    return errors


def compare(case_dir, tmp, rc, unordered):
    errors = []
    if rc != 0:
        errors.append("aftr-dataplane exited with status %s" % rc)
    nframes = {}
    for p in PORTS:
        exp = frames(os.path.join(case_dir, p + "_out.pcap"))
        got = []
        # transport_out.pcap, then transport_out_q1.pcap, ... (one per TX queue)
        for path in sorted(glob.glob(os.path.join(tmp, p + "_out*.pcap"))):
            got += frames(path)
        nframes[p] = (len(frames(os.path.join(case_dir, p + "_in.pcap"))), len(exp))
        errors += compare_frames(p, exp, got, unordered)
    want = read_pairs(os.path.join(case_dir, "counters.txt"))
    for p in PORTS:
        want["port_%s_rx_packets" % p], want["port_%s_tx_packets" % p] = nframes[p]
    got = read_counters(os.path.join(tmp, "stats"))
    for k in sorted(set(want) | set(got)):
        if k in TIMES or (k in IMPLIED and k not in want):
            continue
        if k == "dropped" and "dropped" not in want:
            w = sum(v for n, v in want.items() if n.startswith("drop_"))
        else:
            w = want.get(k, 0)
        if got.get(k, 0) != w:
            errors.append("counter %s: %d, expected %d" % (k, got.get(k, 0), w))
    return errors + conservation(got)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dataplane")
    ap.add_argument("--only", help="comma-separated case names")
    ap.add_argument("--keep", action="store_true", help="keep the outputs of each case")
    ap.add_argument("--fast-path", choices=("on", "off"), default="on",
                    help="off: dataplane.fast_path false in every case")
    a = ap.parse_args()
    names = sorted(os.listdir(DATA))
    if a.only:
        only = a.only.split(",")
        unknown = [n for n in only if n not in names]
        if unknown:
            print("golden: no such case: %s" % ", ".join(unknown))
            return 2
        names = [n for n in names if n in only]
    print("golden: %d cases, fast path %s: %s" % (len(names), a.fast_path, " ".join(names)))
    sys.stdout.flush()
    passed = failed = 0
    t0 = time.time()
    for name in names:
        with open(os.path.join(DATA, name, "README")) as f:
            desc = f.readline().strip()
        t = time.time()
        errors, tmp = run_case(a.dataplane, name, a.keep, a.fast_path == "on")
        took = "(%.1fs)" % (time.time() - t)
        if errors:
            failed += 1
            print("FAIL %s: %s %s" % (name, desc, took))
            for e in errors:
                print("    " + e.replace("\n", "\n    "))
        else:
            passed += 1
            print("ok   %s: %s %s" % (name, desc, took))
        if a.keep:
            print("    outputs kept in " + tmp)
        sys.stdout.flush()
    print("golden: %d passed, %d failed in %.0fs" % (passed, failed, time.time() - t0))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
