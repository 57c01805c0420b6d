#!/bin/bash
# usage: cpu.sh SCRIPT SECONDS CLIENTS -> tps and server CPU µs per transaction (every postgres process + reaped children)
pgcpu() { pm=$(pgrep -u postgres -o postgres); c=$(awk "{print \$16+\$17}" /proc/$pm/stat); for p in $(pgrep -u postgres); do awk "{print \$14+\$15}" /proc/$p/stat 2>/dev/null; done | awk -v c=$c "{s+=\$1} END {print s+c}"; }
a=$(pgcpu)
out=$(pgbench -h 127.0.0.1 -U postgres -n -M prepared -c $3 -j 1 -T $2 -f $1.sql test 2>&1)
b=$(pgcpu)
tx=$(echo "$out" | grep "number of transactions actually processed" | awk '{print $NF}' | cut -d/ -f1)
tps=$(echo "$out" | grep "^tps" | awk '{print $3}')
echo "$1 clients=$3 tps=$tps tx=$tx pg_cpu_us_per_tx=$(( (b-a)*10000 / tx ))"
echo "$out" | grep -i error | head -3
