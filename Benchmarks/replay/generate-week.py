#!/usr/bin/env python3
"""Writes a 7-day recording at 15 s steps for the replay benchmark: 40,320 observations of a
10-pod deployment with two per-pod metrics (CPU against a 500m request, and requests per
second), a diurnal load with noise. Deterministic (seeded).

Usage: python3 generate-week.py > week.jsonl
"""
import json
import math
import random
import sys

random.seed(7)
start = 1795219200  # 2026-11-21T00:00:00Z
step = 15
pods = [f"web-{i}" for i in range(10)]
pod_json = [
    {"name": name, "startTime": "2026-11-20T00:00:00Z", "ready": True,
     "readyTransitionTime": "2026-11-20T00:00:20Z",
     "containers": [{"name": "app", "requests": {"cpu": "500m"}}]}
    for name in pods
]
out = sys.stdout
for index in range(7 * 24 * 3600 // step):
    t = start + index * step
    hour = (index * step / 3600) % 24
    load = 0.45 + 0.4 * math.sin(math.pi * (hour - 6) / 12)
    cpu = {name: {"value": f"{max(10, int(500 * load * random.uniform(0.85, 1.15)))}m"} for name in pods}
    rps = {name: {"value": str(max(1, int(1000 * load * random.uniform(0.85, 1.15))))} for name in pods}
    line = {"timestamp": t, "scale": {"specReplicas": 10, "statusReplicas": 10}, "pods": pod_json,
            "metrics": [{"podValues": cpu}, {"podValues": rps}]}
    out.write(json.dumps(line, separators=(",", ":")) + "\n")
