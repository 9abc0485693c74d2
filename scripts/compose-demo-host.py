#!/usr/bin/env python3
"""Records the host state a Docker engine changes, and puts it back after an engine this script's
caller started and stopped.

    scripts/compose-demo-host.py record FILE     writes the state to FILE (JSON)
    scripts/compose-demo-host.py restore FILE    undoes what changed since FILE, then compares
    scripts/compose-demo-host.py compare FILE    compares only

What dockerd changes when it starts with its defaults (iptables-nft): the docker0 bridge, the nft
tables `ip nat` and `ip filter` with its DOCKER chains and a FORWARD policy of drop,
net.ipv4.ip_forward=1, and the bridge-nf-call sysctls. All of it is in the root network namespace;
only that namespace is read or changed, and only what the engine added is removed: a table that did
not exist before as a whole, and, in a table that did, the chains that are new and the rules that
mention docker0 or jump to a new chain. Nothing is ever flushed as a whole.

`restore` and `compare` print one line per difference left and exit 1 if any is left.
"""

import json
import os
import subprocess
import sys

SYSCTLS = [
    "net/ipv4/ip_forward",
    "net/bridge/bridge-nf-call-iptables",
    "net/bridge/bridge-nf-call-ip6tables",
]


def nft_objects():
    result = subprocess.run(["nft", "-j", "list", "ruleset"], capture_output=True, text=True)
    if result.returncode != 0:
        return []
    return [item for item in json.loads(result.stdout or '{"nftables": []}')["nftables"] if "metainfo" not in item]


def state():
    tables, chains, policies = [], [], {}
    for item in nft_objects():
        if "table" in item:
            tables.append(f"{item['table']['family']} {item['table']['name']}")
        elif "chain" in item:
            chain = item["chain"]
            key = f"{chain['family']} {chain['table']} {chain['name']}"
            chains.append(key)
            if "policy" in chain:
                policies[key] = chain["policy"]
    sysctls = {}
    for name in SYSCTLS:
        path = "/proc/sys/" + name
        if os.path.exists(path):
            with open(path) as handle:
                sysctls[name.replace("/", ".")] = handle.read().strip()
    return {
        "docker0": os.path.exists("/sys/class/net/docker0"),
        "nft tables": sorted(tables),
        "nft chains": sorted(chains),
        "nft policies": policies,
        "sysctls": sysctls,
    }


def differences(before, after):
    lines = []
    for key in before:
        if before[key] != after.get(key):
            lines.append(f"{key}: was {json.dumps(before[key])}, now {json.dumps(after.get(key))}")
    return lines


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"{' '.join(command)}: {result.stderr.strip()}")
    return result.returncode == 0


def restore(before):
    after = state()
    if after["docker0"] and not before["docker0"]:
        run(["ip", "link", "delete", "docker0"])
    objects = nft_objects()
    new_tables = [table for table in after["nft tables"] if table not in before["nft tables"]]
    new_chains = {chain for chain in after["nft chains"] if chain not in before["nft chains"]}
    for item in objects:
        rule = item.get("rule")
        if not rule or f"{rule['family']} {rule['table']}" in new_tables:
            continue
        if f"{rule['family']} {rule['table']} {rule['chain']}" in new_chains:
            continue
        text = json.dumps(rule["expr"])
        jumps = any(f'"target": "{chain.split()[-1]}"' in text for chain in new_chains if chain.startswith(f"{rule['family']} {rule['table']} "))
        if '"docker0"' in text or jumps:
            run(["nft", "delete", "rule", rule["family"], rule["table"], rule["chain"], "handle", str(rule["handle"])])
    for chain in sorted(new_chains):
        family, table, name = chain.split()
        if f"{family} {table}" not in new_tables:
            run(["nft", "flush", "chain", family, table, name])
    for chain in sorted(new_chains):
        family, table, name = chain.split()
        if f"{family} {table}" not in new_tables:
            run(["nft", "delete", "chain", family, table, name])
    for key, policy in before["nft policies"].items():
        if after["nft policies"].get(key) not in (None, policy):
            family, table, name = key.split()
            run(["nft", f"chain {family} {table} {name} {{ policy {policy} ; }}"])
    for table in new_tables:
        family, name = table.split()
        run(["nft", "delete", "table", family, name])
    for name, value in before["sysctls"].items():
        if after["sysctls"].get(name) != value:
            with open("/proc/sys/" + name.replace(".", "/"), "w") as handle:
                handle.write(value)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("record", "restore", "compare"):
        print(__doc__.split("\n\n")[1])
        return 2
    action, path = sys.argv[1:]
    if action == "record":
        with open(path, "w") as handle:
            json.dump(state(), handle, indent=1)
        return 0
    with open(path) as handle:
        before = json.load(handle)
    if action == "restore":
        restore(before)
    left = differences(before, state())
    for line in left:
        print(f"host state not restored: {line}")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
