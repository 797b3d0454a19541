#!/bin/bash
# Plots of the latest results (gnuplot, SVG) into bench/results/:
#   napt_size.svg        NAPT Mpps per core vs frame size, per direction
#   napt_sessions.svg    NAPT Mpps per core vs sessions
#   lw4o6_softwires.svg  lw4o6 Mpps per core, 1K vs 1M softwires, per size
#   napt_scale.svg       NAPT Mpps per core vs sessions, 1K to 10M
#   workers.svg          Mpps vs workers (NAPT, lw4o6), in memory
#   veth.svg             aftr-dataplane vs the kernel on veth, per direction
# from the newest napt_mem, lw4o6_mem, napt_scale, workers_mem and veth
# JSON files there (a plot whose results are missing is skipped).
# Usage: bench/plot.sh   (needs gnuplot: apt-get install gnuplot-nox)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
res="$here/results"
command -v gnuplot >/dev/null || { echo "plot.sh: needs gnuplot (apt-get install gnuplot-nox)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The data files: one row per x value, columns up, down, both (Mpps).
/usr/bin/python3 - "$res" "$tmp" <<'PY'
import glob, json, os, sys
res, tmp = sys.argv[1], sys.argv[2]

def newest(prefix):
    files = sorted(glob.glob(os.path.join(res, prefix + "-*.json")))
    return json.load(open(files[-1]))["runs"] if files else {}

def mpps(run):
    p = {ph["phase"]: ph["mpps"] for ph in run["phases"]}
    return "%.3f %.3f %.3f" % (p.get("up", 0), p.get("down", 0), p.get("both", 0))

napt = newest("napt_mem")
with open(os.path.join(tmp, "size.dat"), "w") as f:
    for s in ("54", "60", "550", "1514"):
        if "size_" + s in napt:
            f.write("%s %s\n" % (s, mpps(napt["size_" + s])))
with open(os.path.join(tmp, "sessions.dat"), "w") as f:
    for name, run in sorted(napt.items(), key=lambda kv: int(kv[0].split("_")[1])
                            if kv[0].startswith("sessions_") else 0):
        if name.startswith("sessions_"):
            f.write("%s %s\n" % (name.split("_")[1], mpps(run)))
with open(os.path.join(tmp, "scale.dat"), "w") as f:
    for name, run in sorted(newest("napt_scale").items(), key=lambda kv: int(kv[0].split("_")[1])):
        f.write("%s %s\n" % (name.split("_")[1], mpps(run)))
with open(os.path.join(tmp, "workers.dat"), "w") as f:
    wk = newest("workers_mem")
    for w in ("1", "2"):
        if "napt_w" + w in wk and "lw4o6_w" + w in wk:
            f.write("%s %s %s\n" % (w, mpps(wk["napt_w" + w]), mpps(wk["lw4o6_w" + w])))
files = sorted(glob.glob(os.path.join(res, "veth-*.json")))
with open(os.path.join(tmp, "veth.dat"), "w") as f:
    if files:
        v = json.load(open(files[-1]))
        for a, k in zip(v["aftr"], v["kernel"]):
            f.write('"%s" %.3f %.3f\n' % (a["phase"], a["mpps"], k["mpps"]))
lw = newest("lw4o6_mem")
with open(os.path.join(tmp, "lw.dat"), "w") as f:
    for s in ("54", "550", "imix"):
        k, m = "sw1024_" + s, "sw1048576_" + s
        if k in lw and m in lw:
            f.write('"%s" %s %s\n' % (s + " B" if s != "imix" else "IMIX", mpps(lw[k]),
                                        mpps(lw[m])))
PY

cd "$tmp"
gnuplot <<GP
set terminal svg size 640,400 dynamic font "sans,11"
set grid ytics
set key top right
set ylabel "Mpps per core"
set yrange [0:*]

set output "$res/napt_size.svg"
set title "NAPT established, in memory, one core (aftr-bench)"
set xlabel "WAN frame size, bytes (4in6: +40)"
set logscale x
set xrange [45:2000]
set xtics (54, 60, 550, 1514)
set key bottom left
plot "size.dat" using 1:2 with linespoints title "B4 -> Internet", \
     "" using 1:3 with linespoints title "Internet -> B4", \
     "" using 1:4 with linespoints title "both at once"

if (system("test -s scale.dat && echo 1") eq "1") {
set output "$res/napt_scale.svg"
set title "NAPT established, 100-byte frames, in memory, one core"
set xlabel "sessions"
set xrange [500:20000000]
set xtics ("1K" 1000, "100K" 100000, "1M" 1000000, "10M" 10000000)
plot "scale.dat" using 1:2 with linespoints title "B4 -> Internet", \
     "" using 1:3 with linespoints title "Internet -> B4", \
     "" using 1:4 with linespoints title "both at once"
}

set output "$res/napt_sessions.svg"
set title "NAPT established, 100-byte frames, in memory, one core"
set xlabel "sessions"
set xrange [1000:100000]
set xtics (2048, 8192, 65536)
plot "sessions.dat" using 1:2 with linespoints title "B4 -> Internet", \
     "" using 1:3 with linespoints title "Internet -> B4", \
     "" using 1:4 with linespoints title "both at once"

unset logscale x
set xrange [*:*]
set xtics auto
set key top right
if (system("test -s workers.dat && echo 1") eq "1") {
set output "$res/workers.svg"
set title "Workers (one thread in turn: summed cost), 100-byte frames, in memory"
set xlabel "workers"
set xrange [0.5:2.5]
set xtics (1, 2)
set key bottom left
plot "workers.dat" using 1:4 with linespoints title "NAPT both ways", \
     "" using 1:7 with linespoints title "lw4o6 both ways"
set xrange [*:*]
set xtics auto
set key top right
}

set output "$res/lw4o6_softwires.svg"
set title "lw4o6, one flow per softwire, in memory, one core"
set xlabel ""
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
plot "lw.dat" using 2:xtic(1) title "1K up", "" using 3 title "1K down", \
     "" using 5 title "1M up", "" using 6 title "1M down"

if (system("test -s veth.dat && echo 1") eq "1") {
set output "$res/veth.svg"
set title "Same veth pairs and generator: aftr-dataplane vs kernel NAT44 (no 4in6)"
set ylabel "Mpps received"
plot "veth.dat" using 2:xtic(1) title "aftr-dataplane", "" using 3 title "kernel nftables NAT44"
}
GP
echo "wrote the plots in $res"
