#!/usr/bin/env python3
"""Turns bench/run's raw times into the RESULTS.md section: medians, ratios to the floor of the
same run, output comparison with mirrorc's tree, and the bars of issue 5. Called by bench/run."""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess

LABELS = {
    "full": "mirrorc compile (full, empty folder)",
    "noop": "mirrorc compile (no-op, up to date)",
    "check": "mirrorc check",
    "diff": "mirrorc diff (up to date)",
    "floor": "floor (bench/floor.rs, 1 thread)",
    "cp": "cp -r of the output tree (I/O floor)",
    "python": "Python 3 + PyYAML + Jinja2",
    "jsonnet": "jrsonnet -m",
    "cpp": "cpp (status-quo #define sources)",
    "edit": "mirrorc compile after a one-line change (one client's address)",
    "editdiff": "mirrorc diff after the same change",
    "editcheck": "mirrorc check after the same change",
    "editpy": "Python 3 + PyYAML + Jinja2 after the same change (reruns everything)",
}

# The bars of issue 16 per scale: one-line change compile and diff, as fractions of the full compile.
INCR_BARS = {"L": (0.05, 0.1), "M": (0.1, 0.15)}


# What the peers and the floor implement: the configuration files. mirrorc also writes runtime
# files (servers/<server>.json, and more kinds as they are added: systemd units, remctl files...);
# no peer writes those, so they are left out of the comparison and counted apart.
COMPARED_DIRS = ("lcfg/", "rsync/", "hosts-allow/")
COMPARED_FILES = ("spanning-map.json",)
COMPARED = "lcfg/, rsync/, hosts-allow/, spanning-map.json"


def compared(rel):
    return rel in COMPARED_FILES or rel.startswith(COMPARED_DIRS)


def tree(path):
    """(compared files {rel: bytes}, the other files {rel: size}), the manifest left out."""
    files, other = {}, {}
    for dirpath, _, names in os.walk(path):
        for n in names:
            full = os.path.join(dirpath, n)
            rel = os.path.relpath(full, path).replace(os.sep, "/")
            if rel == ".mirrorc-manifest.json":
                continue
            if compared(rel):
                with open(full, "rb") as fh:
                    files[rel] = fh.read()
            else:
                other[rel] = os.path.getsize(full)
    return files, other


def compare(a, other):
    if not os.path.isdir(other):
        return None
    b, b_other = tree(other)
    common = a.keys() & b.keys()
    return {
        "files": len(b), "only_mirrorc": len(a.keys() - b.keys()), "only_other": len(b.keys() - a.keys()),
        "identical": sum(1 for k in common if a[k] == b[k]), "differ": sum(1 for k in common if a[k] != b[k]),
        "bytes": sum(len(v) for v in b.values()), "bytes_mirrorc": sum(len(v) for v in a.values()),
        "not_compared": len(b_other),
    }


def by_top(other):
    """Runtime files by top folder: {"servers/": (count, bytes)}."""
    out = {}
    for rel, size in other.items():
        top = rel.split("/", 1)[0] + ("/" if "/" in rel else "")
        n, b = out.get(top, (0, 0))
        out[top] = (n + 1, b + size)
    return dict(sorted(out.items()))


def fmt_s(x):
    return f"{x:.3f}" if x < 10 else f"{x:.2f}"


def incremental_bars(a, med, full, bar):
    """The bars of issue 16: a one-line change costs a small part of a full compile, diff fits in 1 GiB."""
    if "edit" in med and a.scale in INCR_BARS:
        need_c, need_d = INCR_BARS[a.scale]
        r = med["edit"]["wall"] / full["wall"]
        lines = [ln.split(None, 1) for ln in open(os.path.join(a.work, "edit-check.txt")) if ln.strip()]
        said = sorted({x[1].strip() for x in lines if int(x[0]) >= 1 and len(x) > 1})
        bar(f"{a.scale}: one-line change, compile ≤ {need_c}× full compile", r <= need_c,
            f"{r:.3f}× ({'; '.join(said) or 'no summary line'})")
        if "editdiff" in med:
            r = med["editdiff"]["wall"] / full["wall"]
            bar(f"{a.scale}: one-line change, diff ≤ {need_d}× full compile", r <= need_d, f"{r:.3f}×")
    if a.scale == "L" and "editcheck" in med and "check" in med:
        r = med["editcheck"]["wall"] / med["check"]["wall"]
        bar("L: check after a one-file change ≤ 0.2× check", r <= 0.2, f"{r:.2f}×")
    if a.scale == "L" and "noop" in med:
        r = med["noop"]["wall"] / full["wall"]
        bar("L: no-op ≤ 0.02× full compile", r <= 0.02, f"{r:.3f}×")
    for j in ("diff", "editdiff"):
        if a.scale == "L" and j in med:
            rss = med[j]["rss_max_kb"] / 1024
            bar(f"L: peak RSS of {LABELS[j]} ≤ 1 GiB (max of runs)", rss <= 1024, f"{rss:.0f} MiB")
    if "editpy" in med and "edit" in med:
        r = med["editpy"]["wall"] / med["edit"]["wall"]
        bar("one-line change: mirrorc compile vs the Python peer (no bar, side by side)", True, f"{r:.1f}× faster")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale"), ap.add_argument("--work"), ap.add_argument("--trees"), ap.add_argument("--reps", type=int)
    ap.add_argument("--results"), ap.add_argument("--previous"), ap.add_argument("--mode")
    a = ap.parse_args()
    runs = {}
    for line in open(os.path.join(a.work, "times.tsv")):
        job, rep, wall, user, sys_, rss = line.split("\t")
        if int(rep) < 1:
            continue  # warm-up
        runs.setdefault(job, []).append((float(wall), float(user) + float(sys_), int(rss)))
    med = {j: {"wall": statistics.median(r[0] for r in v), "cpu": statistics.median(r[1] for r in v),
               "rss_kb": statistics.median(r[2] for r in v), "rss_max_kb": max(r[2] for r in v),
               "walls": [r[0] for r in v], "n": len(v)} for j, v in runs.items()}
    floor = med["floor"]
    noop_lines = [ln.split() for ln in open(os.path.join(a.work, "noop-check.txt")) if ln.strip()]
    noop_written = max(int(x[1]) for x in noop_lines) if noop_lines else -1
    noop_same = all(x[2] == "same" for x in noop_lines)
    ref, ref_other = tree(os.path.join(a.trees, "ref"))
    cmp = {j: compare(ref, os.path.join(a.trees, "o", j)) for j in ("full", "floor", "cp", "python", "jsonnet", "cpp")}
    fs_file = os.path.join(a.work, "fs")
    fs = open(fs_file).read().strip().split(" ")[0] if os.path.exists(fs_file) else "unknown"
    with open(os.path.join(a.work, "medians.json"), "w") as fh:
        json.dump({"scale": a.scale, "date": datetime.datetime.now().isoformat(timespec="seconds"), "fs": fs,
                   "medians": med}, fh, indent=1)

    nproc = os.cpu_count()
    est = open(os.path.join(a.work, "log", "gen_estate.err")).read().strip().replace("gen_estate: ", "")
    rev_file = os.path.join(a.work, "rev")
    rev = open(rev_file).read().strip() if os.path.exists(rev_file) else \
        subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True).stdout.strip()
    out = []
    out.append(f"\n## {datetime.date.today().isoformat()} — scale {a.scale}" + (" (smoke)" if a.mode == "smoke" else ""))
    out.append("")
    out.append(f"`bench/run {a.mode}` on {nproc} cores (`nproc`), {platform.system()} {platform.release()}, "
               f"mirrorc `{rev}`; estate: {est}; output trees on {fs}. Medians of {a.reps} alternating runs"
               + (" after a warm-up round" if a.mode != "smoke" else "") + "; ratios are to the floor of this run.")
    out.append("")
    out.append("| job | wall s | CPU s (user+sys) | peak RSS MiB | wall ÷ floor | CPU ÷ floor | RSS ÷ floor | all walls s |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---|")
    for j in LABELS:
        if j not in med:
            continue
        m = med[j]
        out.append(f"| {LABELS[j]} | {fmt_s(m['wall'])} | {fmt_s(m['cpu'])} | {m['rss_kb'] / 1024:.0f} | "
                   f"{m['wall'] / floor['wall']:.2f}× | {m['cpu'] / max(floor['cpu'], 1e-3):.2f}× | "
                   f"{m['rss_kb'] / floor['rss_kb']:.2f}× | {' '.join(fmt_s(w) for w in m['walls'])} |")
    out.append("")
    runtime = by_top(ref_other)
    out.append(f"Output compared with mirrorc's tree on the configuration files the peers and the floor implement "
               f"({COMPARED}; manifest left out). \"not compared\": files of the job's tree outside that set "
               f"(0 for the floor and the peers: they write exactly the compared set).")
    out.append("")
    out.append("| job | files | only in mirrorc | only in job | identical | differ | bytes (mirrorc) | not compared |")
    out.append("|---|---:|---:|---:|---:|---:|---|---:|")
    for j, c in cmp.items():
        if c:
            out.append(f"| {j} | {c['files']} | {c['only_mirrorc']} | {c['only_other']} | {c['identical']} | {c['differ']} | "
                       f"{c['bytes']} ({c['bytes_mirrorc']}) | {c['not_compared']} |")
    out.append("")
    if runtime:
        parts = ", ".join(f"`{top}` {n} ({b} bytes)" for top, (n, b) in runtime.items())
        out.append(f"mirrorc also wrote {len(ref_other)} runtime files that no peer and not the floor write: {parts}. "
                   "Its timings (full, no-op, diff) include that work; the peers' and the floor's do not.")
    else:
        out.append("mirrorc wrote no file outside the compared set.")
    out.append("")

    full = med["full"]
    bars = []

    def bar(name, ok, detail):
        bars.append(f"| {name} | {'holds' if ok else 'FAILS'} | {detail} |")

    if a.scale == "M":
        r = full["wall"] / floor["wall"]
        bar("M: full compile ≤ 1.5× floor (wall)", r <= 1.5, f"{r:.2f}×")
    for peer, need in (("python", 10), ("jsonnet", 4)):
        if peer in med:
            r = med[peer]["wall"] / full["wall"]
            bar(f"full compile ≥ {need}× faster than {LABELS[peer]}", r >= need, f"{r:.1f}× faster")
    if "noop" in med:
        r = med["noop"]["wall"] / full["wall"]
        bar("no-op ≤ 0.5× full compile", r <= 0.5, f"{r:.2f}×")
        bar("no-op writes no file", noop_written == 0 and noop_same,
            f"files newer than the run's start: {noop_written}; mtime/size listing {'unchanged' if noop_same else 'CHANGED'}")
    if "check" in med:
        r = med["check"]["wall"] / full["wall"]
        bar("check ≤ 0.5× full compile", r <= 0.5, f"{r:.2f}×")
    if a.scale == "L":
        prev = os.path.join(a.previous, "M", "medians.json")
        if os.path.exists(prev):
            pm = json.load(open(prev))
            r = full["wall"] / pm["medians"]["full"]["wall"]
            rf = floor["wall"] / pm["medians"]["floor"]["wall"]
            same_fs = pm.get("fs") == fs
            bar("L/M full compile time ≤ 11", r <= 11 and same_fs,
                f"{r:.1f} (floor: {rf:.1f}; M measured {pm['date']} on {pm.get('fs', 'unknown')}"
                + ("" if same_fs else f", not {fs}: rerun M") + ")")
        else:
            bars.append("| L/M full compile time ≤ 11 | not measured | run `bench/run M` first |")
        rss = full["rss_max_kb"] / 1024
        bar("L: peak RSS ≤ 1 GiB (full compile, max of runs)", rss <= 1024, f"{rss:.0f} MiB")
    incremental_bars(a, med, full, bar)
    if bars:
        out.append("| bar (issues 5 and 16) | | measured |")
        out.append("|---|---|---|")
        out.extend(bars)
        out.append("")
    text = "\n".join(out) + "\n"
    print(text)
    new = not os.path.exists(a.results)
    with open(a.results, "a") as fh:
        if new:
            fh.write("# Benchmark results\n\nAppended by `bench/run` (see its header and bench/README.md). "
                     "Each section is one run; every ratio is to the floor measured in the same run.\n")
        fh.write(text)


if __name__ == "__main__":
    main()
