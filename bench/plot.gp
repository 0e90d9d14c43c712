# bench/plot.gp - three panels from summary.py's data file:
#   gnuplot -e "datafile='plot.dat'; outfile='x.svg'" bench/plot.gp
# Bars: medians; error bars: min-max over the rounds.
if (!exists("datafile")) datafile = 'plot.dat'
if (!exists("outfile")) outfile = 'bench.png'
if (outfile[strlen(outfile)-2:] eq "svg") {
	set terminal svg size 1200,420 dynamic font "sans,11" background rgb "white"
} else {
	set terminal pngcairo size 1200,420 font "sans,10" background rgb "white"
}
set output outfile
set multiplot layout 1,3 title "eesp bench: medians, min–max over rounds (one make bench run)"
set style data histogram
set style fill solid 0.6 border -1
set boxwidth 0.6
set grid ytics
set xtics rotate by -30 scale 0
set yrange [0:*]
unset key

set title "one TCP stream (Gbit/s, log scale)"
set logscale y
set yrange [0.05:*]
plot datafile using 1:3:xtic(2) with boxes lc rgb "#4477aa", \
     '' using 1:3:4:5 with yerrorbars lc rgb "black" pt 0, \
     '' using 1:3:(sprintf("%.2f", $3)) with labels offset 0,0.8
unset logscale y
set yrange [0:*]

set title "UDP 64 B, < 1% loss (kpps)"
plot datafile using 1:6:xtic(2) with boxes lc rgb "#228833", \
     '' using 1:6:7:8 with yerrorbars lc rgb "black" pt 0, \
     '' using 1:6:(sprintf("%.0f", $6)) with labels offset 0,0.8

set title "idle ping RTT, median (ms)"
plot datafile using 1:9:xtic(2) with boxes lc rgb "#cc6677", \
     '' using 1:9:10:11 with yerrorbars lc rgb "black" pt 0, \
     '' using 1:9:(sprintf("%.3f", $9)) with labels offset 0,0.8
unset multiplot
