#!/usr/bin/env python3
"""Writes the generated workloads of tools/bench into a folder (default: build/bench).

  chain-1000.json   1,000 Pass states with Parameters, chained by Next (load and run cost)
  through.json      InputPath -> Parameters -> OutputPath over a large input
  input-10mb.json   about 10 MB of records (deterministic)
"""
import json
import os
import random
import sys


def chain(n):
    states = {}
    for i in range(n):
        st = {
            "Type": "Pass",
            "Parameters": {"step": i, "value.$": "$.value", "tag.$": "$.tag", "const": {"k": [1, 2, 3]}},
        }
        if i + 1 < n:
            st["Next"] = "S%d" % (i + 1)
        else:
            st["End"] = True
        states["S%d" % i] = st
    return {"Comment": "%d chained Pass states" % n, "StartAt": "S0", "States": states}


def through():
    return {
        "Comment": "A large input through InputPath, Parameters and OutputPath",
        "StartAt": "Through",
        "States": {
            "Through": {
                "Type": "Pass",
                "InputPath": "$.body",
                "Parameters": {"records.$": "$.records", "meta.$": "$.meta", "first.$": "$.records[0]"},
                "ResultPath": "$.out",
                "OutputPath": "$.out",
                "End": True,
            }
        },
    }


def big_input(target_bytes):
    rnd = random.Random(42)
    records = []
    size = 0
    i = 0
    while size < target_bytes:
        r = {
            "id": i,
            "name": "record-%06d" % i,
            "score": rnd.randint(0, 100),
            "ratio": round(rnd.random(), 6),
            "tags": ["t%d" % rnd.randint(0, 9), "u%d" % rnd.randint(0, 9)],
            "address": {"city": rnd.choice(["Lyon", "Oslo", "Lima", "Pune"]), "zip": "%05d" % rnd.randint(0, 99999)},
            "active": rnd.random() < 0.5,
        }
        records.append(r)
        size += len(json.dumps(r, separators=(",", ":"))) + 1
        i += 1
    return {"body": {"meta": {"source": "bench", "count": len(records)}, "records": records}}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "build/bench"
    os.makedirs(out, exist_ok=True)
    files = {
        "chain-1000.json": chain(1000),
        "through.json": through(),
        "input-10mb.json": big_input(10 * 1000 * 1000),
    }
    for name, value in files.items():
        path = os.path.join(out, name)
        if os.path.exists(path):
            continue
        with open(path, "w") as f:
            json.dump(value, f, separators=(",", ":"))
    print(out)


if __name__ == "__main__":
    main()
