#!/usr/bin/env python3
"""The yardstick of issue 15: a plain script that fetches a CDS utility's documents in order
(server metadata, OAuth metadata, every coverage page) and parses each with `json`.

Usage: naive_discovery.py BASE_URL
It does no checking at all; `cargo bench --bench scale` compares cds-wizard's discovery
with its wall time in the same run.
"""
import json
import sys

import requests


def main() -> int:
    base = sys.argv[1].rstrip("/")
    s = requests.Session()
    meta = json.loads(s.get(base + "/.well-known/cds-server-metadata.json").content)
    json.loads(s.get(meta["oauth_metadata"]).content)
    url = meta.get("coverage")
    pages = entries = 0
    while url:
        page = json.loads(s.get(url).content)
        pages += 1
        entries += len(page.get("coverage_entries", []))
        url = page.get("next")
    print(f"{pages} coverage pages, {entries} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
