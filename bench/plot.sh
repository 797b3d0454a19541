#!/bin/bash
# Plots of the latest results (gnuplot, SVG) into bench/results/:
#   napt_size.svg        NAPT Mpps per core vs frame size, per direction
#   napt_sessions.svg    NAPT Mpps per core vs sessions
#   lw4o6_softwires.svg  lw4o6 Mpps per core, 1K vs 1M softwires, per size
# from the newest napt_mem-*.json and lw4o6_mem-*.json there.
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
set output "$res/lw4o6_softwires.svg"
set title "lw4o6, one flow per softwire, in memory, one core"
set xlabel ""
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
plot "lw.dat" using 2:xtic(1) title "1K up", "" using 3 title "1K down", \
     "" using 5 title "1M up", "" using 6 title "1M down"
GP
echo "wrote $res/napt_size.svg $res/napt_sessions.svg $res/lw4o6_softwires.svg"
