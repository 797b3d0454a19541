#!/usr/bin/python3
"""The README's tables of the latest figures, from the newest JSON of each
scenario in bench/results/ (so the tables say what a run measured, never
what someone typed).

  bench/tables.py            print them (Markdown)
  bench/tables.py --update   rewrite them in bench/README.md, between the
                             "<!-- tables -->" and "<!-- end tables -->" lines
"""
import glob
import json
import os
import sys

RES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def newest(scenario):
    files = sorted(glob.glob(os.path.join(RES, scenario + "-*.json")))
    return (os.path.basename(files[-1]), json.load(open(files[-1]))) if files else (None, None)


def phases(run):
    return {p["phase"]: p for p in run["phases"]}


def cell(p, per_packet=True):
    if p is None:
        return "-"
    if per_packet:
        return "%.0f cycles, %.1f Mpps" % (p["cycles_per_packet"], p["mpps"])
    return "%.3f Mpps, %.1f%% lost" % (p["mpps"], 100.0 * p["lost"] / p["sent"] if p["sent"] else 0)


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def order(name):
    """Sizes, then table sizes, then protocols; numbers in order, IMIX last."""
    kind, _, what = name.rpartition("_")
    return (["size", "sessions", "proto"].index(kind) if kind in ("size", "sessions", "proto")
            else 3, kind, int(what) if what.isdigit() else 1 << 40, what)


def napt_mem():
    f, j = newest("napt_mem")
    if not j:
        return ""
    rows = []
    for name in sorted(j["runs"], key=order):
        run, p = j["runs"][name], phases(j["runs"][name])
        kind, what = name.split("_")
        what = "IMIX" if what == "imix" else what
        label = {"size": ("%s B" if what != "IMIX" else "%s") % what + ", 8K sessions", "sessions": "%s sessions, 100 B" % what,
                 "proto": "%s, 100 B, 8K sessions" % what.upper()}[kind]
        rows.append([label, cell(p.get("up")), cell(p.get("down")), cell(p.get("both")),
                     "%.0f" % p["setup"]["cycles_per_packet"] if "setup" in p else "-",
                     "%.0f" % p["expire"]["cycles_per_packet"] if "expire" in p else "-"])
    return ("NAPT in memory, one worker (`%s`; cycles per packet in the worker, and the "
            "packets per second one core forwards at that cost):\n\n" % f
            + table(["NAPT", "B4 -> Internet", "Internet -> B4", "both at once",
                     "set-up, cycles/session", "expiry, cycles/session"], rows))


def napt_scale():
    f, j = newest("napt_scale")
    if not j:
        return ""
    rows = []
    for name, run in sorted(j["runs"].items(), key=lambda kv: int(kv[0].split("_")[1])):
        p = phases(run)
        rows.append([name.split("_")[1], cell(p.get("up")), cell(p.get("down")),
                     cell(p.get("both")), "%.0f (%.2f M/s)" % (p["setup"]["cycles_per_packet"],
                                                             p["setup"]["mpps"]),
                     "%.0f" % p["expire"]["cycles_per_packet"],
                     str(run.get("bytes_per_session", "-"))])
    return ("NAPT table scale, one worker, 100-byte frames (`%s`):\n\n" % f
            + table(["sessions", "B4 -> Internet", "Internet -> B4", "both at once",
                     "set-up, cycles/session (new/s)", "expiry, cycles/session",
                     "bytes/session"], rows))


def stateless():
    f, j = newest("lw4o6_mem")
    if not j:
        return ""
    rows = []
    for name in sorted(j["runs"], key=lambda n: (n.rsplit("_", 1)[0], order(n))):
        run, p = j["runs"][name], phases(j["runs"][name])
        mode, size = name.rsplit("_", 1)
        mode = {"sw1024": "lw4o6, 1K softwires", "sw1048576": "lw4o6, 1M softwires"}.get(
            mode, mode + ", 8K flows")
        size = "IMIX" if size == "imix" else size + " B (%d as 4in6)" % (int(size) + 40)
        rows.append([mode, size, cell(p.get("up")), cell(p.get("down")), cell(p.get("both"))])
    return ("Stateless modes in memory, one worker (`%s`):\n\n" % f
            + table(["mode", "WAN frame", "B4 -> Internet", "Internet -> B4", "both at once"],
                    rows))


def workers():
    f, j = newest("workers_mem")
    if not j:
        return ""
    rows = []
    for name, run in sorted(j["runs"].items()):
        p = phases(run)
        rows.append([run["scenario"], str(run["workers"]), cell(p.get("up")),
                     cell(p.get("down")), cell(p.get("both")), str(run.get("handoffs", 0))])
    return ("Workers, in memory, 1024 B4s x 8 flows, 100 B (`%s`; with two, the cycles are "
            "both workers' together, run in turn by one thread):\n\n" % f
            + table(["mode", "workers", "B4 -> Internet", "Internet -> B4", "both at once",
                     "packets handed over"], rows))


def veth():
    f, j = newest("veth")
    if not j:
        return ""
    rows = []
    for a, k in zip(j["aftr"], j["kernel"]):
        ph = a["phase"]
        rows.append([ph, cell(a, False), cell(k, False), str(j["ratio_pps"][ph]),
                     str(j["ns_per_packet"]["aftr"][ph]), str(j["ns_per_packet"]["kernel"][ph]),
                     str(j["ratio_cost"][ph])])
    s = j["setup"]
    return ("Same veth pairs, same generator (`%s`, %s B4s x %s flows, %s-byte frames, %s s a "
            "phase): aftr-dataplane (DS-Lite NAPT, 4in6) vs the kernel's %s:\n\n"
            % (f, s["b4s"], s["flows_per_b4"], s["size"], s["seconds"], j["kernel_peer"])
            + table(["phase", "aftr-dataplane", "kernel", "ratio", "aftr ns/packet",
                     "kernel ns/packet", "ratio (cost)"], rows))


def main():
    text = "\n\n".join(t for t in (napt_mem(), napt_scale(), stateless(), workers(), veth()) if t)
    if len(sys.argv) > 1 and sys.argv[1] == "--update":
        path = os.path.join(os.path.dirname(RES), "README.md")
        doc = open(path).read()
        a, b = doc.index("<!-- tables -->\n"), doc.index("<!-- end tables -->")
        open(path, "w").write(doc[:a] + "<!-- tables -->\n" + text + "\n" + doc[b:])
        print("updated", path)
    else:
        print(text)


if __name__ == "__main__":
    main()
