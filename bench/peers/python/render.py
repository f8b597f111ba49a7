#!/usr/bin/env python3
"""Peer (a) of the benchmark: the mirrorc job done the way a sysadmin would with Python, PyYAML
and Jinja2 -- what an Ansible `template` task runs under the hood.

    python3 bench/peers/python/render.py ESTATE_DIR OUT_DIR [TEMPLATE_DIR]

Reads every *.yaml/*.yml of ESTATE_DIR with PyYAML (the libyaml-backed CSafeLoader when PyYAML
was built with it, as Ansible does), resolves server sets, pins and weighted rendezvous hashing
(FNV-1a + SplitMix64 as documented in README.md, with math.log), renders the templates in
bench/peers/python/templates/ (mirrorc's own until it dropped minijinja) with Jinja2 (trim_blocks, lstrip_blocks, keep_trailing_newline, StrictUndefined),
and writes one file per output with open().write(), single-threaded. No validation, no manifest.
`load` and `assign` are imported by the cpp peer's input generator.
"""
import json
import math
import os
import sys

import jinja2
import yaml

try:
    LOADER = yaml.CSafeLoader
except AttributeError:  # PyYAML without libyaml
    LOADER = yaml.SafeLoader

MASK = (1 << 64) - 1
UNITS = {"": 1, "B": 1, "KB": 10**3, "kB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
         "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40, "PiB": 1 << 50}


def size(v):
    if v is None:
        return None
    if isinstance(v, int):
        return v
    t = str(v).strip()
    i = 0
    while i < len(t) and t[i].isdigit():
        i += 1
    return int(t[:i]) * UNITS.get(t[i:], 1)


def rhash(client, server):
    h = 0xCBF29CE484222325
    for b in client.encode() + b"\xff" + server.encode():
        h ^= b
        h = (h * 0x100000001B3) & MASK
    h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & MASK
    return h ^ (h >> 31)


def score(client, server, weight):
    u = ((rhash(client, server) >> 11) + 1) / float(1 << 53)
    m = -math.log(u)
    return math.inf if m <= 0 else weight / m


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def fqdn(name, domain):
    return f"{name}.{domain}" if domain and "." not in name else name


def to_tag(name):
    return name.replace("-", "_").replace(".", "_")


def load(estate_dir):
    files = sorted(f for f in os.listdir(estate_dir) if f.endswith((".yaml", ".yml")))
    docs = []
    for f in files:
        with open(os.path.join(estate_dir, f)) as fh:
            docs.append(yaml.load(fh, Loader=LOADER))
    docs.sort(key=lambda d: d["site"])
    site_names = [d["site"] for d in docs]
    known = set(site_names)
    sites, servers, clients = [], [], []
    for d in docs:
        dflt = d.get("defaults") or {}
        domain = d.get("domain")
        sites.append({"name": d["site"], "mirrored_by": sorted(set(s for s in as_list(d.get("mirrored_by")) if s in known)),
                      "servers": []})
        for name, s in (d.get("servers") or {}).items():
            servers.append({"name": name, "fqdn": fqdn(name, domain), "tag": to_tag(name), "site": d["site"],
                            "addresses": [str(a) for a in as_list(s.get("address"))], "store": s["store"],
                            "capacity": size(s.get("capacity")), "state": s.get("state", "active"),
                            "safety_limit": dflt.get("safety_limit", 70), "holds": [], "eligible": []})
        for name, c in (d.get("clients") or {}).items():
            paths = []
            for ptag, p in (c.get("paths") or {}).items():
                if not isinstance(p, dict):
                    p = {"path": p}
                paths.append({"tag": to_tag(f"{name}_{ptag}"), "name": ptag, "path": p["path"],
                              "exclude": p.get("exclude") or [], "checksum": bool(p.get("checksum"))})
            paths.sort(key=lambda p: p["tag"])
            mb = c.get("mirrored_by")
            clients.append({"name": name, "fqdn": fqdn(name, domain), "site": d["site"],
                            "addresses": [str(a) for a in as_list(c.get("address"))],
                            "port": c.get("port", dflt.get("port", 8873)), "copies": c.get("copies", dflt.get("copies", 1)),
                            "mirrored_by": sorted(set(s for s in mb if s in known)) if mb is not None else sites[-1]["mirrored_by"],
                            "pin": c.get("pin") or [], "paths": paths})
    servers.sort(key=lambda s: s["name"])
    clients.sort(key=lambda c: c["name"])
    by_site = {s["name"]: s for s in sites}
    for s in servers:
        by_site[s["site"]]["servers"].append(s)
    return sites, servers, clients


def access_names(s):
    return s["addresses"] or [s["fqdn"]]


def assign(sites, servers, clients):
    by_site = {s["name"]: s for s in sites}
    by_name = {s["name"]: s for s in servers}
    for c in clients:
        seen, sset = set(), []
        for site in c["mirrored_by"]:
            for s in by_site[site]["servers"]:
                if s["state"] != "retired" and s["name"] != c["name"] and s["name"] not in seen:
                    seen.add(s["name"])
                    sset.append(s)
        sset.sort(key=lambda s: s["name"])
        pinned, pin_names = [], set()
        for p in c["pin"]:
            if p in seen and p not in pin_names:
                pin_names.add(p)
                pinned.append(by_name[p])
        cands = [s for s in sset if s["state"] == "active" and s["name"] not in pin_names]
        caps = all(s["capacity"] is not None for s in cands)
        ranked = sorted(cands, key=lambda s: (-score(c["name"], s["name"], float(max(s["capacity"], 1)) if caps else 1.0), s["name"]))
        holders = pinned + ranked[:max(c["copies"] - len(pinned), 0)]
        holders.sort(key=lambda s: s["name"])
        hosts = []
        for s in sset:
            for a in access_names(s):
                if a not in hosts:
                    hosts.append(a)
        c.update(server_set=sset, pinned=pinned, holders=holders, hosts_allow=hosts)
        for s in sset:
            s["eligible"].append(c)
        for s in holders:
            s["holds"].append(c)


def guard(kind, name):
    return "MIRRORC_%s_%s_H" % (kind, "".join(ch.upper() if ch.isascii() and ch.isalnum() else "_" for ch in name))


def main():
    estate, out = sys.argv[1], sys.argv[2]
    tdir = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(tdir), trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, undefined=jinja2.StrictUndefined, autoescape=False)
    t_server, t_client = env.get_template("server.h.j2"), env.get_template("client.h.j2")
    t_site, t_rsync = env.get_template("site.h.j2"), env.get_template("rsyncd.conf.j2")
    sites, servers, clients = load(estate)
    assign(sites, servers, clients)
    for d in ("lcfg/servers", "lcfg/clients", "lcfg/sites", "rsync", "hosts-allow"):
        os.makedirs(os.path.join(out, d), exist_ok=True)

    def write(rel, text):
        with open(os.path.join(out, rel), "w") as fh:
            fh.write(text)

    for s in servers:
        if s["state"] == "retired":
            continue
        disks = [{"tag": p["tag"], "srchost": c["fqdn"], "client": c["name"], "srcaddr": " ".join(c["addresses"]),
                  "port": c["port"], "checksum": p["checksum"],
                  "dstdir": "%s/%s/%s" % (s["store"].rstrip("/"), c["name"], p["name"])}
                 for c in s["holds"] for p in c["paths"]]
        disks.sort(key=lambda d: d["tag"])
        write("lcfg/servers/%s.h" % s["name"], t_server.render(
            fqdn=s["fqdn"], site=s["site"], state=s["state"], guard=guard("SERVER", s["name"]),
            safety_limit=s["safety_limit"], address=" ".join(s["addresses"]), disks=disks))
    for c in clients:
        hosts = " ".join(c["hosts_allow"])
        write("lcfg/clients/%s.h" % c["name"], t_client.render(
            fqdn=c["fqdn"], site=c["site"], guard=guard("CLIENT", c["name"]), port=c["port"],
            modules=c["paths"], servers=c["server_set"], hosts_allow=hosts))
        modules = [{"name": p["tag"], "path": p["path"].replace("%", "%%"),
                    "exclude": " ".join(e.replace("%", "%%") for e in p["exclude"])} for p in c["paths"]]
        write("rsync/%s.conf" % c["name"], t_rsync.render(
            fqdn=c["fqdn"], site=c["site"], port=c["port"],
            address=c["addresses"][0] if len(c["addresses"]) == 1 else None,
            pid_file="/run/rmirrorclient-rsyncd.pid", hosts_allow=hosts,
            reverse_lookup_off=all(s["addresses"] for s in c["server_set"]), modules=modules))
        write("hosts-allow/%s" % c["name"], hosts + "\n")
    for site in sites:
        live = [s for s in site["servers"] if s["state"] != "retired"]
        hosts = []
        for s in live:
            for a in access_names(s):
                if a not in hosts:
                    hosts.append(a)
        write("lcfg/sites/%s.h" % site["name"], t_site.render(
            site=site["name"], guard=guard("SITE", site["name"]),
            macro_name=site["name"].upper().replace("-", "_"),
            servers=" ".join(s["fqdn"] for s in live), hosts_allow=" ".join(hosts)))
    names = lambda xs: [x["name"] for x in xs]  # noqa: E731
    smap = {"version": 1, "clients": {}, "servers": {}}
    for c in clients:
        smap["clients"][c["name"]] = {
            "site": c["site"], "fqdn": c["fqdn"], "port": c["port"], "copies": c["copies"],
            "mirrored_by": c["mirrored_by"], "server_set": names(c["server_set"]), "holders": names(c["holders"]),
            "pinned": names(c["pinned"]), "hosts_allow": c["hosts_allow"],
            "modules": {p["tag"]: p["path"] for p in c["paths"]}}
    for s in servers:
        smap["servers"][s["name"]] = {
            "site": s["site"], "fqdn": s["fqdn"], "state": s["state"], "addresses": s["addresses"],
            "holds": names(s["holds"]), "disks": sorted(p["tag"] for c in s["holds"] for p in c["paths"]),
            "eligible": names(s["eligible"])}
    write("spanning-map.json", json.dumps(smap, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
