#!/usr/bin/env python3
"""Untimed preparation of the Jsonnet peer: the estate's site files (YAML) as one JSON array.

    python3 bench/peers/jsonnet/yaml2json.py ESTATE_DIR ESTATE.json
"""
import json
import os
import sys

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
estate, out = sys.argv[1], sys.argv[2]
docs = []
for name in sorted(os.listdir(estate)):
    if name.endswith((".yaml", ".yml")):
        with open(os.path.join(estate, name)) as fh:
            docs.append(yaml.load(fh, Loader=LOADER))
with open(out, "w") as fh:
    json.dump(docs, fh)
