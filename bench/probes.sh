#!/bin/sh
# Probe figures for `make bench`: per-probe cost of one sample (us), and RSS of 1 h and 24 h
# series at 10 Hz (simulated rows over the live probes' columns), each in a process of its own.
set -eu
bench=${1:?usage: probes.sh BUILD/bench [samples]}
n=${2:-300}
[ "$(id -u)" -eq 0 ] || echo "(not root: slabinfo is off, so its cost and columns are missing)"
"$bench/probe_cost" "$n"
"$bench/probe_cost" 1 rss1h
"$bench/probe_cost" 1 rss24h
