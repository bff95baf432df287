#!/usr/bin/env python3
"""Writes bursty-day.jsonl: a day (UTC) of a bursty MCP server's traffic as Tidepool observations,
every 2 minutes, deterministic (seeded). The deployment it records ran under an older, slower
policy: its replica count follows the demand with a 6-minute lag and a fixed +20 % headroom.

Per pod: http_requests_per_second is the total shared equally; CPU is 50m + 0.4m per request/s
(request 500m); memory is 300Mi + 0.05Mi per request/s (request 512Mi).

Usage: python3 generate-bursty-day.py > bursty-day.jsonl
"""
import json
import math
import random

random.seed(20261122)
start = 1795219200  # 2026-11-21T00:00:00Z
step = 120
points = 24 * 3600 // step

def demand(t):
    hour = (t - start) / 3600
    base = 300 + 2200 * max(0.0, math.sin(math.pi * (hour - 6) / 14)) if 6 <= hour <= 20 else 300
    return base

bursts = []
for _ in range(9):
    centre = start + random.randint(7 * 3600, 21 * 3600)
    bursts.append((centre, random.randint(600, 1800), random.uniform(1500, 4500)))

def total_rps(t):
    value = demand(t)
    for centre, width, height in bursts:
        if abs(t - centre) < width:
            value += height * (1 - abs(t - centre) / width)
    return value * random.uniform(0.93, 1.07)

history = []
lines = []
for i in range(points):
    t = start + i * step
    rps = total_rps(t)
    history.append(rps)
    lagged = history[max(0, i - 3)]
    replicas = max(3, min(20, math.ceil(lagged * 1.2 / 1000)))
    per_pod = rps / replicas
    pods = []
    cpu = {}
    mem = {}
    req = {}
    for p in range(replicas):
        name = f"mcp-server-langgraph-{p}"
        pods.append({"name": name, "startTime": "2026-11-20T23:00:00Z", "ready": True,
                     "readyTransitionTime": "2026-11-20T23:00:20Z",
                     "containers": [{"name": "mcp", "requests": {"cpu": "500m", "memory": "512Mi"}}]})
        jitter = random.uniform(0.9, 1.1)
        cpu[name] = {"value": f"{int(50 + 0.4 * per_pod * jitter)}m"}
        mem[name] = {"value": f"{int(300 + 0.05 * per_pod * jitter)}Mi"}
        req[name] = {"value": f"{per_pod * jitter:.1f}"}
    stamp = f"{t}"
    lines.append(json.dumps({"timestamp": t, "scale": {"specReplicas": replicas, "statusReplicas": replicas},
                             "pods": pods, "metrics": [{"podValues": cpu}, {"podValues": mem}, {"podValues": req}]},
                            separators=(",", ":")))
print("\n".join(lines))
