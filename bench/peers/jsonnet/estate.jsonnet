// Peer (b) of the benchmark: the mirrorc job in Jsonnet, run with jrsonnet in multi-file mode:
//
//   jrsonnet -S -c --no-trailing-newline -m OUT_DIR \
//     --ext-code-file estate=ESTATE.json bench/peers/jsonnet/estate.jsonnet
//
// ESTATE.json is the array of the estate's site documents (YAML converted to JSON by
// bench/peers/jsonnet/yaml2json.py, untimed: Jsonnet reads JSON). The result is one object
// {path: file text}; `-m` writes each field to OUT_DIR/path.
//
// Same resolution as mirrorc (server sets, pins, weighted rendezvous over the active servers),
// except the hash: Jsonnet numbers are doubles (no 64-bit FNV/SplitMix arithmetic), so u comes
// from the first 52 bits of std.md5(client + "\xff" + server). Which server holds a client
// therefore differs from mirrorc; the file set and the shape of every file are the same
// (spanning-map.json: std.manifestJsonEx, keys sorted, with "version": 1 spliced in first).
local docs = std.sort(std.extVar('estate'), function(d) d.site);

local get(o, k, d) = if std.objectHas(o, k) && o[k] != null then o[k] else d;
local asList(v) = if v == null then [] else if std.isArray(v) then v else [v];
local fqdn(name, domain) = if domain != null && std.length(std.findSubstr('.', name)) == 0 then name + '.' + domain else name;
local toTag(s) = std.strReplace(std.strReplace(s, '-', '_'), '.', '_');
local guard(kind, name) = 'MIRRORC_' + kind + '_' + std.asciiUpper(toTag(name)) + '_H';
local units = { '': 1, B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KiB: 1024, MiB: std.pow(2, 20), GiB: std.pow(2, 30), TiB: std.pow(2, 40), PiB: std.pow(2, 50) };
local size(v) =
  if v == null then null
  else if std.isNumber(v) then v
  else
    local chars = std.stringChars(v);
    local n = std.length(std.filter(function(c) c >= '0' && c <= '9', chars));
    std.parseInt(std.substr(v, 0, n)) * units[std.substr(v, n, std.length(v) - n)];
local dedup(xs) = std.foldl(function(acc, x) if std.member(acc, x) then acc else acc + [x], xs, []);
local score(client, server, weight) =
  local u = (std.parseHex(std.substr(std.md5(client + '\u00ff' + server), 0, 13)) + 1) / std.pow(2, 52);
  weight / -std.log(u);

local siteNames = std.set([d.site for d in docs]);
local resolveSites(list) = std.set([s for s in asList(list) if std.setMember(s, siteNames)]);

local servers = std.sort(std.flattenArrays([
  [
    local s = d.servers[n];
    {
      name: n,
      fqdn: fqdn(n, get(d, 'domain', null)),
      tag: toTag(n),
      site: d.site,
      addresses: asList(get(s, 'address', null)),
      access: if self.addresses == [] then [self.fqdn] else self.addresses,
      store: s.store,
      capacity: size(get(s, 'capacity', null)),
      state: get(s, 'state', 'active'),
      safety_limit: get(get(d, 'defaults', {}), 'safety_limit', 70),
    }
    for n in std.objectFields(get(d, 'servers', {}))
  ]
  for d in docs
]), function(s) s.name);

local serversBySite = { [site]: [s for s in servers if s.site == site] for site in siteNames };

local clients = std.sort(std.flattenArrays([
  local dflt = get(d, 'defaults', {});
  local siteMirroredBy = resolveSites(get(d, 'mirrored_by', []));
  [
    local c = d.clients[n];
    local paths = get(c, 'paths', {});
    {
      name: n,
      fqdn: fqdn(n, get(d, 'domain', null)),
      site: d.site,
      addresses: asList(get(c, 'address', null)),
      port: get(c, 'port', get(dflt, 'port', 8873)),
      copies: get(c, 'copies', get(dflt, 'copies', 1)),
      mirrored_by: if get(c, 'mirrored_by', null) != null then resolveSites(c.mirrored_by) else siteMirroredBy,
      pin: get(c, 'pin', []),
      paths: std.sort([
        local p = if std.isObject(paths[t]) then paths[t] else { path: paths[t] };
        { tag: toTag(n + '_' + t), name: t, path: p.path, exclude: get(p, 'exclude', []), checksum: get(p, 'checksum', false) }
        for t in std.objectFields(paths)
      ], function(p) p.tag),
    }
    for n in std.objectFields(get(d, 'clients', {}))
  ]
  for d in docs
]), function(c) c.name);

// Server sets, pins and assignment of every client.
local resolved = [
  local set = std.set(std.flattenArrays([[s for s in serversBySite[m] if s.state != 'retired' && s.name != c.name] for m in c.mirrored_by]), function(s) s.name);
  local setNames = [s.name for s in set];
  local pinNames = dedup([p for p in c.pin if std.member(setNames, p)]);
  local pinned = [s for s in set if std.member(pinNames, s.name)];
  local cands = [s for s in set if s.state == 'active' && !std.member(pinNames, s.name)];
  local caps = std.all([s.capacity != null for s in cands]);
  local ranked = std.sort(cands, function(s) -score(c.name, s.name, if caps then std.max(s.capacity, 1) else 1));
  local holders = std.sort(pinned + ranked[0:std.max(c.copies - std.length(pinned), 0)], function(s) s.name);
  c {
    server_set: set,
    set_names: setNames,
    pinned: pinned,
    holders: holders,
    holder_names: [s.name for s in holders],
    hosts_allow: std.join(' ', dedup(std.flattenArrays([s.access for s in set]))),
  }
  for c in clients
];

local mirroredBySite = { [site]: [c for c in resolved if std.setMember(site, c.mirrored_by)] for site in siteNames };
local holding = [
  local eligible = [c for c in mirroredBySite[s.site] if std.member(c.set_names, s.name)];
  s { eligible: eligible, holds: [c for c in eligible if std.member(c.holder_names, s.name)] }
  for s in servers
];

local header = '/* Generated by mirrorc from the site inventory: do not edit by hand. */\n';

local serverH(s) =
  local disks = std.sort(std.flattenArrays([[{ p: p, c: c } for p in c.paths] for c in s.holds]), function(d) d.p.tag);
  local g = guard('SERVER', s.name);
  std.join('', [
    header,
    '/* rmirror resources of mirror server %s (site %s, %s). srcport_, srcaddr_, client_ and address are read by mirrorc run, not by rmirror. */\n' % [s.fqdn, s.site, s.state],
    '#ifndef %s\n#define %s\n\n' % [g, g],
    '!profile.components mADD(rmirror)\n',
    if disks != [] then '!rmirror.disklist mADD(%s)\n' % std.join(' ', [d.p.tag for d in disks]) else '',
    'rmirror.safetylimit %d\n' % s.safety_limit,
    if s.addresses != [] then 'rmirror.address %s\n' % std.join(' ', s.addresses) else '',
  ] + [
    local t = d.p.tag;
    '\nrmirror.srchost_%s %s\nrmirror.client_%s %s\n' % [t, d.c.fqdn, t, d.c.name]
    + (if d.c.addresses != [] then 'rmirror.srcaddr_%s %s\n' % [t, std.join(' ', d.c.addresses)] else '')
    + 'rmirror.srcport_%s %d\nrmirror.dstdir_%s %s/%s/%s\n' % [t, d.c.port, t, std.rstripChars(s.store, '/'), d.c.name, d.p.name]
    + (if d.p.checksum then 'rmirror.checksum_%s yes\n' % t else '')
    for d in disks
  ] + ['\n#endif\n']);

local clientH(c) =
  local g = guard('CLIENT', c.name);
  std.join('', [
    header,
    '/* rmirrorclient resources of %s (site %s). */\n' % [c.fqdn, c.site],
    '#ifndef %s\n#define %s\n\n' % [g, g],
    '!profile.components mADD(rmirrorclient)\nrmirrorclient.port %d\n' % c.port,
    if c.paths != [] then '!rmirrorclient.modules mADD(%s)\n' % std.join(' ', [p.tag for p in c.paths]) else '',
  ] + ['rmirrorclient.path_%s %s\n' % [p.tag, p.path] for p in c.paths]
    + ['!rmirrorclient.servers mADD(%s)\n' % std.join(' ', [s.tag for s in c.server_set])]
    + ['rmirrorclient.serverhost_%s %s\n' % [s.tag, s.fqdn] for s in c.server_set]
    + ['rmirrorclient.hostsallow %s\n\n#endif\n' % c.hosts_allow]);

local esc(v) = std.strReplace(v, '%', '%%');
local rsyncConf(c) =
  std.join('', [
    '# Generated by mirrorc from the site inventory: do not edit by hand.\n',
    '# rsync daemon of rmirrorclient on %s (site %s).\n' % [c.fqdn, c.site],
    "# Each module admits only the mirror servers of this client's server set.\n\n",
    'port = %d\n' % c.port,
    if std.length(c.addresses) == 1 then 'address = %s\n' % c.addresses[0] else '',
    'pid file = /run/rmirrorclient-rsyncd.pid\n',
    if std.all([s.addresses != [] for s in c.server_set]) then "# Global: rsync looks the client's name up at connect time unless this is off globally.\nreverse lookup = no\n" else '',
  ] + [
    '\n[%s]\n    path = %s\n    read only = yes\n    write only = no\n    list = no\n    use chroot = yes\n    uid = root\n    gid = root\n    numeric ids = yes\n    hosts allow = %s\n    hosts deny = *\n' % [p.tag, esc(p.path), c.hosts_allow]
    + (if p.exclude != [] then '    exclude = %s\n' % std.join(' ', [esc(e) for e in p.exclude]) else '')
    for p in c.paths
  ]);

local siteH(site) =
  local live = [s for s in serversBySite[site] if s.state != 'retired'];
  local g = guard('SITE', site);
  local m = std.asciiUpper(std.strReplace(site, '-', '_'));
  std.join('', [
    header,
    '/* Mirror servers of site %s: replaces the hand-kept server list. */\n' % site,
    '#ifndef %s\n#define %s\n\n' % [g, g],
    if live != [] then
      '#define RMIRROR_SERVERS_%s %s\n#define RMIRROR_HOSTS_ALLOW_%s %s\n' % [m, std.join(' ', [s.fqdn for s in live]), m, std.join(' ', dedup(std.flattenArrays([s.access for s in live])))]
    else
      '/* No live mirror server: RMIRROR_SERVERS_%s and RMIRROR_HOSTS_ALLOW_%s are\n   left undefined on purpose, so that any use fails closed instead of admitting every host. */\n' % [m, m],
    '\n#endif\n',
  ]);

local names(xs) = [x.name for x in xs];
local spanningMap = {
  clients: {
    [c.name]: {
      site: c.site,
      fqdn: c.fqdn,
      port: c.port,
      copies: c.copies,
      mirrored_by: c.mirrored_by,
      server_set: c.set_names,
      holders: c.holder_names,
      pinned: names(c.pinned),
      hosts_allow: std.split(c.hosts_allow, ' '),
      modules: { [p.tag]: p.path for p in c.paths },
    }
    for c in resolved
  },
  servers: {
    [s.name]: {
      site: s.site,
      fqdn: s.fqdn,
      state: s.state,
      addresses: s.addresses,
      holds: names(s.holds),
      disks: std.sort(std.flattenArrays([[p.tag for p in c.paths] for c in s.holds])),
      eligible: names(s.eligible),
    }
    for s in holding
  },
};

{ ['lcfg/servers/%s.h' % s.name]: serverH(s) for s in holding if s.state != 'retired' }
+ { ['lcfg/clients/%s.h' % c.name]: clientH(c) for c in resolved }
+ { ['rsync/%s.conf' % c.name]: rsyncConf(c) for c in resolved }
+ { ['hosts-allow/%s' % c.name]: c.hosts_allow + '\n' for c in resolved }
+ { ['lcfg/sites/%s.h' % site]: siteH(site) for site in siteNames }
// manifestJsonEx sorts keys; mirrorc writes "version" first, so it is spliced in after the "{\n".
+ { 'spanning-map.json': local body = std.manifestJsonEx(spanningMap, '  ');
    '{\n  "version": 1,\n' + std.substr(body, 2, std.length(body) - 2) + '\n' }
