#!/usr/bin/env python3
"""Seeded generator of random but valid reconcile cases (shared/spec/reconcile-case.md).

    import random_cases
    for case in random_cases.generate_cases(1000, seed=7): ...

    python3 random_cases.py --cases 10 --seed 7      # JSON Lines on standard output

The cases exercise every metric type (Resource cpu/memory with Utilization and AverageValue,
ContainerResource, Pods, Object Value/AverageValue, External Value/AverageValue, now and then an
unknown type and {"error": ...} observations), 1-4 metrics, 0-12 pods in random phases with
deletion, readiness true/false/null, start times inside and outside the CPU initialization
period, readiness transition times, missing and superfluous pod samples, restartable init
containers, min/max with the current count sometimes out of range or 0, the legacy and the
behavior paths (random policies, selectPolicy Max/Min/Disabled, windows, per-direction
tolerances), random histories around `now` (often exactly on a window's edge) and random
controller flags. Values stay in realistic ranges: no int64 or int32 overflow arises.

Numbers that are quantities are sometimes written as JSON numbers with a fraction (0.25); the
case is serialized with json.dumps, so those are their shortest decimal text.
"""

import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

BASE_NOW = 1_795_176_000  # 2026-11-20T12:00:00Z
ZERO_TIME = "0001-01-01T00:00:00Z"


def rfc3339(seconds):
    import datetime
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Gen:
    def __init__(self, rng):
        self.r = rng

    # ------------------------------------------------------------------ small helpers
    def chance(self, p):
        return self.r.random() < p

    def pick(self, *options):
        return self.r.choice(options)

    def weighted(self, pairs):
        total = sum(w for _, w in pairs)
        x = self.r.random() * total
        for value, w in pairs:
            x -= w
            if x < 0:
                return value
        return pairs[-1][0]

    def time_value(self, seconds, fraction_ok=False):
        """A timestamp: RFC 3339 mostly, Unix seconds sometimes, another zone now and then."""
        if self.chance(0.08):
            return seconds
        if self.chance(0.03):
            import datetime
            zone = datetime.timezone(datetime.timedelta(hours=self.pick(-5, 1, 2, 9)))
            return datetime.datetime.fromtimestamp(seconds, zone).isoformat()
        if fraction_ok and self.chance(0.05):
            # Half a second earlier: comparisons at sub-second precision.
            return rfc3339(seconds - 1)[:-1] + ".5Z"
        return rfc3339(seconds)

    # ------------------------------------------------------------------ quantities
    def selector(self, key, value):
        """A metric selector: usually matchLabels, sometimes matchExpressions too."""
        selector = {"matchLabels": {key: value}}
        if self.chance(0.3):
            selector["matchExpressions"] = [self.pick({"key": "tier", "operator": "In", "values": ["a", "b"]},
                                                      {"key": "canary", "operator": "DoesNotExist"},
                                                      {"key": "zone", "operator": "Exists", "values": []})]
            if self.chance(0.3):
                del selector["matchLabels"]
        if self.chance(0.05):
            selector = {}
        return selector

    def milli_text(self, milli, kind="plain"):
        """Write a milli-value as some quantity text (or number) meaning exactly that value,
        or (for memory) a binary suffix when it divides evenly."""
        style = self.r.random()
        if kind == "memory" and milli % (1024 * 1024 * 1000) == 0 and style < 0.5:
            return "%dMi" % (milli // (1024 * 1024 * 1000))
        if self.chance(0.04):
            # Rarer spellings of the same value.
            return self.pick("%de-3" % milli, "%du" % (milli * 1000), "%dn" % (milli * 1000000), "+%dm" % milli)
        if milli % 1000 == 0:
            whole = milli // 1000
            if style < 0.05 and whole % 1000000 == 0 and whole:
                return "%dM" % (whole // 1000000)
            if style < 0.1 and whole % 100 == 0 and whole >= 1000:
                return ("%d.%03d" % (whole // 1000, whole % 1000)).rstrip("0").rstrip(".") + "k"
            if style < 0.15:
                return float(whole)  # a JSON number with ".0"
            if style < 0.3:
                return whole  # JSON integer
            if style < 0.4 and whole % 1000 == 0 and whole:
                return "%dk" % (whole // 1000)
            if style < 0.45 and whole % 1000 == 0 and whole:
                return "%de3" % (whole // 1000)
            return str(whole)
        if style < 0.5:
            return "%dm" % milli
        if style < 0.75 and milli % 10 == 0:
            text = "%d.%03d" % (milli // 1000, milli % 1000)
            return text.rstrip("0")
        if style < 0.9 and milli % 10 == 0:
            # A JSON number with a fraction: its shortest decimal text is exact here.
            return float("%d.%03d" % (milli // 1000, milli % 1000))
        return "%dm" % milli

    # ------------------------------------------------------------------ the case
    def case(self):
        r = self.r
        now = BASE_NOW + r.randint(-3 * 86400, 3 * 86400)
        self.now = now
        case = {"now": self.time_value(now)}

        cfg = self.controller()
        self.cfg = cfg
        spec = self.spec()
        max_r = spec["maxReplicas"]
        min_r = spec.get("minReplicas", 1)

        # The current count: mostly within range, sometimes outside or zero.
        current = self.weighted([
            (lambda: r.randint(min_r, max_r), 80),
            (lambda: 0, 6),
            (lambda: r.randint(max_r + 1, max_r + 4), 7),
            (lambda: r.randint(0, max(min_r - 1, 0)), 7),
        ])()
        status_replicas = current
        if self.chance(0.15):
            status_replicas = max(0, current + r.randint(-2, 2))
        if self.chance(0.03):
            status_replicas = 0
        scale = {"specReplicas": current}
        if status_replicas != current or self.chance(0.7):
            scale["statusReplicas"] = status_replicas

        self.current = current
        self.status_replicas = status_replicas
        pods = self.pods(current)
        if self.default_metrics:
            cpu = {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}
            metrics = [self.observation(cpu, pods)]
        else:
            metrics = [self.observation(m, pods) for m in spec["metrics"]]

        if self.chance(0.8):
            hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                   "metadata": {"name": "web", "namespace": self.pick("default", "prod")},
                   "spec": spec}
            if self.chance(0.4):
                hpa["status"] = {"currentReplicas": current, "desiredReplicas": current,
                                 "conditions": self.prior_conditions()}
        else:
            hpa = spec
        case["hpa"] = hpa
        case["scale"] = scale
        case["pods"] = [p for p in pods]
        case["metrics"] = metrics
        history = self.history(max_r)
        if history is not None:
            case["history"] = history
        if cfg:
            case["controller"] = cfg
        return case

    def controller(self):
        if not self.chance(0.4):
            return {}
        options = {
            "tolerance": lambda: self.pick(0, 0.01, 0.05, 0.1, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.5, 0.6, 0.7),
            "cpuInitializationPeriodSeconds": lambda: self.pick(0, 30, 60, 120, 300, 600),
            "initialReadinessDelaySeconds": lambda: self.pick(0, 10, 30, 60),
            "downscaleStabilizationSeconds": lambda: self.pick(0, 15, 60, 120, 300, 600),
            "scaleUpLimitFactor": lambda: self.pick(1, 1.5, 2, 2.0, 3),
            "scaleUpLimitMinimum": lambda: self.pick(1, 2, 3, 4, 4.5),
        }
        cfg = {}
        for key, make in options.items():
            if self.chance(0.45):
                cfg[key] = make()
        return cfg

    def spec(self):
        r = self.r
        max_r = self.weighted([(lambda: r.randint(1, 5), 3), (lambda: r.randint(5, 15), 5), (lambda: r.randint(15, 40), 1)])()
        spec = {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}}
        if not self.chance(0.15):
            spec["minReplicas"] = self.weighted([(lambda: 1, 4), (lambda: r.randint(0, max_r), 5), (lambda: 0, 1)])()
        spec["maxReplicas"] = max_r
        self.resource_kinds = set()
        n = self.weighted([(1, 5), (2, 4), (3, 2), (4, 1)])
        spec["metrics"] = [self.metric_spec() for _ in range(n)]
        self.default_metrics = False
        if self.chance(0.015):
            # No metrics: the API server's default, 80 % CPU utilization.
            self.default_metrics = True
            del spec["metrics"]
        if self.chance(0.5):
            spec["behavior"] = self.behavior()
        return spec

    # ------------------------------------------------------------------ metric specs
    def metric_spec(self):
        r = self.r
        kind = self.weighted([
            ("cpu-util", 24), ("cpu-avg", 7), ("mem-util", 9), ("mem-avg", 5),
            ("container", 10), ("pods", 15), ("object-value", 8), ("object-avg", 6),
            ("external-value", 7), ("external-avg", 6), ("unknown", 2),
        ])
        if kind in ("cpu-util", "cpu-avg", "mem-util", "mem-avg"):
            name = "cpu" if kind.startswith("cpu") else "memory"
            return {"type": "Resource", "resource": {"name": name, "target": self.resource_target(name, kind.endswith("util"))}}
        if kind == "container":
            name = self.pick("cpu", "cpu", "memory")
            container = self.weighted([("app", 6), ("sidecar", 2), ("proxy", 1)])
            return {"type": "ContainerResource", "containerResource": {
                "name": name, "container": container, "target": self.resource_target(name, self.chance(0.7))}}
        if kind == "pods":
            metric = {"name": self.pick("http_requests_per_second", "queue_length", "sessions")}
            if self.chance(0.15):
                metric["selector"] = self.selector("verb", "GET")
            return {"type": "Pods", "pods": {"metric": metric,
                                            "target": {"type": "AverageValue", "averageValue": self.value_target()}}}
        if kind in ("object-value", "object-avg"):
            metric = {"name": self.pick("requests_per_second", "backlog")}
            if self.chance(0.1):
                metric["selector"] = self.selector("path", "/api")
            target = {"type": "Value", "value": self.value_target()} if kind == "object-value" else \
                {"type": "AverageValue", "averageValue": self.value_target()}
            if self.chance(0.05):
                # The type names one field, the other is set: upstream's type check decides.
                target = {"type": self.pick("Value", "AverageValue"), self.pick("value", "averageValue"): self.value_target()}
            obj = {"describedObject": {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "name": "main-route"},
                   "metric": metric, "target": target}
            if self.chance(0.2):
                del obj["describedObject"]["apiVersion"]
            return {"type": "Object", "object": obj}
        if kind in ("external-value", "external-avg"):
            metric = {"name": self.pick("queue_depth", "pubsub_undelivered")}
            if self.chance(0.3):
                metric["selector"] = self.selector("queue", "jobs")
            target = {"type": "Value", "value": self.value_target()} if kind == "external-value" else \
                {"type": "AverageValue", "averageValue": self.value_target()}
            if self.chance(0.05):
                # Both set: upstream reads averageValue first, whatever the type says.
                target = {"type": self.pick("Value", "AverageValue"), "value": self.value_target(), "averageValue": self.value_target()}
            return {"type": "External", "external": {"metric": metric, "target": target}}
        return {"type": self.pick("Custom", "Unknown"), "custom": {"name": "x"}}

    def resource_target(self, name, utilization):
        if utilization:
            util = self.weighted([(lambda: self.r.randint(10, 100), 8), (lambda: self.r.randint(100, 200), 2),
                                  (lambda: self.pick(50, 60, 70, 80), 4)])()
            return {"type": "Utilization", "averageUtilization": util}
        if name == "cpu":
            milli = self.pick(50, 100, 200, 250, 300, 500, 750, 1000, 1500, 2000)
            return {"type": "AverageValue", "averageValue": self.milli_text(milli)}
        mi = self.pick(64, 128, 256, 300, 512, 1024)
        return {"type": "AverageValue", "averageValue": self.milli_text(mi * 1024 * 1024 * 1000, "memory")}

    def value_target(self):
        milli = self.pick(100, 500, 1000, 2500, 5000, 10000, 30000, 100000, 1000000, 1500)
        return self.milli_text(milli)

    # ------------------------------------------------------------------ behavior
    def behavior(self):
        behavior = {}
        for direction in ("scaleUp", "scaleDown"):
            if not self.chance(0.6):
                if self.chance(0.05):
                    behavior[direction] = None
                continue
            rules = {}
            if self.chance(0.5):
                rules["stabilizationWindowSeconds"] = self.pick(0, 0, 15, 30, 60, 120, 300, 600, 3600)
            if self.chance(0.5):
                rules["selectPolicy"] = self.weighted([("Max", 5), ("Min", 3), ("Disabled", 1)])
            if self.chance(0.5):
                rules["policies"] = [self.policy(direction) for _ in range(self.weighted([(1, 3), (2, 3), (3, 1)]))]
            if self.chance(0.35):
                rules["tolerance"] = self.pick("0", "10m", "50m", "100m", "150m", "200m", "350m", "500m", "1", "2", 0.05, 0.25)
            behavior[direction] = rules
        return behavior

    def policy(self, direction):
        if self.chance(0.5):
            return {"type": "Pods", "value": self.r.randint(1, 6), "periodSeconds": self.pick(15, 30, 60, 120, 300, 600, 1800)}
        value = self.pick(10, 25, 50, 100, 150, 200) if direction == "scaleUp" else self.pick(10, 25, 33, 50, 90, 100)
        return {"type": "Percent", "value": value, "periodSeconds": self.pick(15, 30, 60, 120, 300, 600, 1800)}

    # ------------------------------------------------------------------ pods
    def pods(self, current):
        r = self.r
        n = self.weighted([
            (lambda: current, 5),
            (lambda: max(0, current + r.randint(-2, 3)), 4),
            (lambda: r.randint(0, 12), 2),
            (lambda: 0, 1 if current == 0 else 0.2),
        ])()
        n = max(0, min(12, n))
        pods = []
        cpu_init = self.cfg.get("cpuInitializationPeriodSeconds", 300)
        for i in range(n):
            pod = {"name": "web-%d" % i}
            phase = self.weighted([("Running", 85), ("Pending", 6), ("Failed", 3), ("Succeeded", 3), ("Unknown", 3)])
            if phase != "Running" or self.chance(0.8):
                pod["phase"] = phase
            if self.chance(0.05):
                pod["deleted"] = True
            elif self.chance(0.3):
                pod["deleted"] = False
            # Start time: inside or outside the CPU initialization period.
            start = None
            which = self.weighted([("old", 55), ("young", 30), ("edge", 5), ("null", 5), ("zero", 3), ("absent", 2)])
            if which == "old":
                start = self.now - r.randint(cpu_init + 1, cpu_init + 7200)
            elif which == "young":
                start = self.now - r.randint(0, max(cpu_init, 1))
            elif which == "edge":
                start = self.now - cpu_init
            if start is not None:
                pod["startTime"] = self.time_value(start)
            elif which == "null":
                pod["startTime"] = None
            elif which == "zero":
                pod["startTime"] = ZERO_TIME
            ready = self.weighted([(True, 75), (False, 12), (None, 13)])
            if ready is not None or self.chance(0.5):
                pod["ready"] = ready
            # Readiness transition: shortly after the start, or unset (Go's zero time).
            if ready is not None and self.chance(0.8):
                base = start if start is not None else self.now - 600
                delay = self.weighted([(lambda: r.randint(0, 90), 6), (lambda: self.pick(0, 10, 30, 60), 3),
                                       (lambda: r.randint(0, 900), 2)])()
                pod["readyTransitionTime"] = self.time_value(min(base + delay, self.now), fraction_ok=True)
            elif ready is not None and self.chance(0.3):
                pod["readyTransitionTime"] = ZERO_TIME
            if not self.chance(0.02):  # a pod without containers requests nothing
                pod["containers"] = self.containers()
            if self.chance(0.25):
                pod["initContainers"] = self.init_containers()
            pods.append(pod)
        return pods

    def requests(self):
        req = {}
        if not self.chance(0.015):
            req["cpu"] = self.milli_text(self.pick(100, 200, 250, 300, 500, 750, 1000, 1500, 2000))
        if not self.chance(0.015):
            req["memory"] = self.milli_text(self.pick(64, 128, 256, 512, 1024, 2048) * 1024 * 1024 * 1000, "memory")
        return req

    def containers(self):
        containers = [{"name": "app", "requests": self.requests()}]
        if self.chance(0.35):
            containers.append({"name": "sidecar", "requests": self.requests()})
        if self.chance(0.01):
            del containers[0]["requests"]
        return containers

    def init_containers(self):
        out = []
        if self.chance(0.7):
            out.append({"name": "proxy", "restartPolicy": "Always", "requests": self.requests()})
        if self.chance(0.5):
            # Not restartable: its requests never count.
            out.append({"name": "setup", "requests": {"cpu": "5"}} if self.chance(0.5) else {"name": "setup"})
        return out

    # ------------------------------------------------------------------ observations
    def ratio(self):
        """How far from the target the load is: often near 1 (tolerance edges), often far."""
        return self.weighted([
            (lambda: self.r.uniform(0.2, 3.0), 5),
            (lambda: self.r.uniform(0.85, 1.15), 4),
            (lambda: self.pick(0.9, 1.0, 1.1, 0.5, 2.0, 0.95, 1.05, 0.3, 0.4, 0.7, 0.8, 1.2, 1.3, 1.7), 2),
            (lambda: 0.0, 0.3),
        ])()

    def observation(self, metric, pods):
        r = self.r
        if self.chance(0.05):
            return {"error": self.pick("unable to fetch metrics from resource metrics API: the server is currently unable to handle the request",
                                       "no metrics returned", "timeout")}
        mtype = metric["type"]
        if mtype in ("Resource", "ContainerResource", "Pods"):
            return {"podValues": self.pod_values(metric, pods)}
        if mtype == "Object":
            target = metric["object"]["target"]
            base = _milli_of(target.get("value") or target.get("averageValue"))
            if target.get("type") == "AverageValue":
                base *= max(self.status_replicas, 1)
            return {"value": self.milli_text(self.scaled(base))}
        if mtype == "External":
            target = metric["external"]["target"]
            base = _milli_of(target.get("averageValue") or target.get("value"))
            if target.get("averageValue") is not None:
                base *= max(self.status_replicas, 1)
            total = self.scaled(base)
            k = self.weighted([(1, 6), (2, 3), (3, 1), (0, 0.2)])
            if k == 0:
                return {"values": []}
            parts = []
            left = total
            for i in range(k - 1):
                part = r.randint(0, left) if left > 0 else 0
                parts.append(part)
                left -= part
            parts.append(left)
            return {"values": [self.milli_text(p) for p in parts]}
        return {"value": "1"}

    def scaled(self, base_milli):
        v = int(base_milli * self.ratio())
        if self.chance(0.5):
            v = (v // 1000) * 1000  # whole units
        return max(v, 0)

    def pod_values(self, metric, pods):
        r = self.r
        mtype = metric["type"]
        if mtype == "Pods":
            per_pod = _milli_of(metric["pods"]["target"]["averageValue"])
            resource = None
        else:
            src = metric["resource"] if mtype == "Resource" else metric["containerResource"]
            resource = src["name"]
            target = src["target"]
            if target.get("averageValue") is not None:
                per_pod = _milli_of(target["averageValue"])
            else:
                typical = 500 if resource == "cpu" else 512 * 1024 * 1024 * 1000
                per_pod = typical * target["averageUtilization"] // 100
        if self.chance(0.02):
            return {}
        level = self.ratio()
        values = {}
        present = self.weighted([(1.0, 6), (0.85, 3), (0.5, 1)])
        for pod in pods:
            if not self.chance(present):
                continue
            v = per_pod * level * r.uniform(0.6, 1.4) if self.chance(0.7) else per_pod * level
            v = max(int(v), 0)
            if resource == "memory":
                v = (v // 1000) * 1000  # bytes
                text = self.milli_text(v, "memory")
            else:
                text = self.milli_text(v)
            sample = {"value": text}
            self.sample_time(sample)
            values[pod["name"]] = sample
        if self.chance(0.08):
            for j in range(r.randint(1, 2)):
                sample = {"value": self.milli_text(int(per_pod * r.uniform(0.2, 3)) // 1000 * 1000 if resource == "memory"
                                                   else int(per_pod * r.uniform(0.2, 3)))}
                self.sample_time(sample)
                values["old-web-%d" % j] = sample
        # Shuffle the order: upstream's map has none.
        items = list(values.items())
        r.shuffle(items)
        return dict(items)

    def sample_time(self, sample):
        r = self.r
        which = self.weighted([("absent", 5), ("recent", 4), ("zero", 0.3)])
        if which == "recent":
            sample["timestamp"] = self.time_value(self.now - r.randint(0, 120), fraction_ok=True)
        elif which == "zero":
            sample["timestamp"] = ZERO_TIME
        if self.chance(0.4):
            sample["window"] = self.pick("15s", "30s", "60s", "1m", "1m30s", 60, 30)

    # ------------------------------------------------------------------ history and conditions
    def history(self, max_r):
        r = self.r
        if self.chance(0.15):
            return None
        history = {}
        which = self.weighted([("absent", 20), ("null", 5), ("empty", 5), ("some", 70)])
        if which == "null":
            history["recommendations"] = None
        elif which == "empty":
            history["recommendations"] = []
        elif which == "some":
            recs = []
            for _ in range(r.randint(1, 6)):
                age = self.weighted([
                    (lambda: self.pick(0, 5, 15, 30, 45, 60, 119, 120, 121, 240, 299, 300, 301, 450, 599, 600, 601, 900), 5),
                    (lambda: r.randint(0, 1200), 3),
                    (lambda: 4000, 0.3),
                ])()
                ts = self.time_value(self.now - age)
                if self.chance(0.01):
                    ts = ZERO_TIME
                recs.append({"timestamp": ts, "replicas": r.randint(0, max_r + 3)})
            history["recommendations"] = recs
        for key in ("scaleUpEvents", "scaleDownEvents"):
            if self.chance(0.3):
                continue
            events = []
            for _ in range(self.weighted([(0, 3), (1, 4), (2, 3), (3, 2), (4, 1)])):
                age = self.weighted([
                    (lambda: self.pick(0, 1, 10, 14, 15, 16, 29, 30, 31, 59, 60, 61, 119, 120, 121, 299, 300, 301, 599, 600, 601), 5),
                    (lambda: r.randint(0, 1800), 3),
                ])()
                events.append({"timestamp": self.time_value(self.now - age), "change": r.randint(1, 5)})
            history[key] = events
        return history

    def prior_conditions(self):
        reasons = {
            "AbleToScale": ["SucceededGetScale", "SucceededRescale", "ReadyForNewScale", "ScaleDownStabilized", "FailedGetScale"],
            "ScalingActive": ["ValidMetricFound", "FailedGetResourceMetric", "ScalingDisabled", "InvalidSelector"],
            "ScalingLimited": ["DesiredWithinRange", "TooManyReplicas", "TooFewReplicas", "ScaleUpLimit"],
        }
        types = list(reasons)
        self.r.shuffle(types)
        types = types[: self.r.randint(0, 3)]
        return [{"type": t, "status": self.pick("True", "False"), "reason": self.pick(*reasons[t]),
                 "message": "earlier", "lastTransitionTime": rfc3339(self.now - self.r.randint(0, 3600))} for t in types]


def _milli_of(quantity):
    """The milli-value of a quantity this generator wrote."""
    from hpa_reference import parse_quantity_milli
    return parse_quantity_milli(quantity)


def generate_cases(n, seed):
    """n cases from one seed; the same seed always gives the same cases."""
    rng = random.Random(seed)
    gen = Gen(rng)
    return [gen.case() for _ in range(n)]


def main():
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for case in generate_cases(args.cases, args.seed):
        print(json.dumps(case, separators=(",", ":")))


if __name__ == "__main__":
    main()
