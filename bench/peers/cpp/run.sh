#!/usr/bin/env bash
# Peer (c) of the benchmark, the timed part: the C preprocessor expanding the status-quo sources
# written by gen_inputs.py. One `cpp -P -C -undef -nostdinc` run per output kind (sites, servers,
# clients, rsync, hosts, map), its output split into one file per `@@FILE <path>` marker by awk
# (which also turns cpp's " # " back into "#"). cpp -P drops blank lines; that is the status quo.
#   bench/peers/cpp/run.sh PREP_DIR OUT_DIR
set -euo pipefail
prep=$1 out=$2
mkdir -p "$out/lcfg/servers" "$out/lcfg/clients" "$out/lcfg/sites" "$out/rsync" "$out/hosts-allow"
for unit in sites servers clients rsync hosts map; do
  cpp -P -C -undef -nostdinc -ffreestanding -w -I "$prep" "$prep/$unit.c" |
    awk -v out="$out" '/^@@FILE / { if (f) close(f); f = out "/" $2; next } { sub(/^ #/, "#"); print > f }'
done
