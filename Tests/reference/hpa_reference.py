#!/usr/bin/env python3
"""An independent reading of the Kubernetes HorizontalPodAutoscaler controller, as data in and
data out, for differential testing of `tidepool evaluate`.

It evaluates one reconcile case (shared/spec/reconcile-case.md) the way upstream's
kube-controller-manager would on one sync of one HPA: autoscaling/v2, releases v1.33-v1.35,
HPAConfigurableTolerance on. The code follows upstream's
  pkg/controller/podautoscaler/horizontal.go         (reconcileAutoscaler and what it calls)
  pkg/controller/podautoscaler/replica_calculator.go (the per-metric replica proposals)
  pkg/controller/podautoscaler/metrics/utilization.go
and keeps its order of checks, its integer arithmetic and its float64 arithmetic; each part
names the upstream function it mirrors. Nothing here is derived from Tidepool's Swift sources.

Standard library only. Use:

    import hpa_reference
    outcome = hpa_reference.evaluate(hpa_reference.loads(line))

`loads` reads JSON keeping every non-integer number as its decimal text, so a quantity written
as 0.1 stays "0.1" (100m), never a binary float.

Where upstream converts an out-of-range or NaN float64 to an integer (only reachable with a zero
divisor, e.g. a per-pod Object/External target while status.replicas is 0), the result is what
Go produces on amd64: CVTTSD2SQ/CVTTSD2SL yield the minimum of the target type.
"""

import json
import math
import re
from fractions import Fraction

__all__ = ["evaluate", "loads", "canonical_milli", "parse_quantity_milli", "format_time"]

MAX_INT32 = 2**31 - 1
MIN_INT32 = -(2**31)
MAX_INT64 = 2**63 - 1
MIN_INT64 = -(2**63)
NS = 1_000_000_000


class CaseInputError(Exception):
    """The case is malformed (the reference does not try to name fields as Tidepool does)."""


def loads(text):
    """JSON with integers as int and every other number as its decimal text."""
    return json.loads(text, parse_float=str)


# ---------------------------------------------------------------------------------------------
# Go numeric conversions (amd64)

def go_int64(x):
    """int64(x) for a float64 x: truncation; NaN/Inf/out of range -> MinInt64 (CVTTSD2SQ)."""
    if math.isnan(x) or math.isinf(x) or not (-9.223372036854775808e18 <= x < 9.223372036854775808e18):
        return MIN_INT64
    return int(x)  # Python int() truncates toward zero, as Go's conversion does


def go_int32(x):
    """int32(x) for a float64 x: truncation; NaN/Inf/out of range -> MinInt32 (CVTTSD2SL)."""
    if math.isnan(x) or math.isinf(x) or not (-2147483648.0 <= x < 2147483648.0):
        return MIN_INT32
    return int(x)


def go_ceil_int32(x):
    """int32(math.Ceil(x))."""
    if math.isnan(x) or math.isinf(x):
        return go_int32(x)
    return go_int32(float(math.ceil(x)))


def go_ceil(x):
    """math.Ceil(x) as a float64."""
    if math.isnan(x) or math.isinf(x):
        return x
    return float(math.ceil(x))


def fdiv(a, b):
    """float64 division as IEEE 754 (and Go) does it, division by zero included."""
    a = float(a)
    b = float(b)
    if b == 0.0:
        if math.isnan(a) or a == 0.0:
            return math.nan
        negative = (a < 0) != (math.copysign(1.0, b) < 0)
        return -math.inf if negative else math.inf
    return a / b


def go_idiv(a, b):
    """Go's integer division: truncation toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def to_int32(v):
    """Go int32 arithmetic wrap-around."""
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= (1 << 31) else v


# ---------------------------------------------------------------------------------------------
# Quantities (k8s.io/apimachinery/pkg/api/resource)

_QUANTITY_RE = re.compile(r"^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$")
_DECIMAL_SUFFIX = {"": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_SUFFIX = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}


def _quantity_text(value):
    if isinstance(value, bool):
        raise CaseInputError("a boolean is not a quantity")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return value
    raise CaseInputError("not a quantity: %r" % (value,))


def _split_quantity(text):
    """parseQuantityString: sign, numerator (leading zeros stripped), denominator, suffix."""
    m = _QUANTITY_RE.match(text)
    if not m or (m.group(2) == "" and not m.group(3)):
        raise CaseInputError("%r is not a quantity" % text)
    positive = m.group(1) != "-"
    num = m.group(2).lstrip("0") or "0"
    denom = m.group(3) or ""
    suffix = m.group(4)
    if suffix in _DECIMAL_SUFFIX:
        base, exponent = 10, _DECIMAL_SUFFIX[suffix]
    elif suffix in _BINARY_SUFFIX:
        base, exponent = 2, _BINARY_SUFFIX[suffix]
    elif re.match(r"^[eE][+-]?[0-9]+$", suffix):
        base, exponent = 10, int(suffix[1:])
    else:
        raise CaseInputError("%r is not a quantity" % text)
    return positive, num, denom, base, exponent, suffix


def quantity_fraction(value):
    """The exact value of a quantity as a Fraction."""
    positive, num, denom, base, exponent, _ = _split_quantity(_quantity_text(value))
    mantissa = Fraction(int(num + denom), 10 ** len(denom))
    exact = mantissa * (Fraction(base) ** exponent)
    return exact if positive else -exact


def parse_quantity_milli(value):
    """Quantity.MilliValue(): ceil(q * 1000), rounded away from zero."""
    q = quantity_fraction(value) * 1000
    magnitude = math.ceil(abs(q))
    return magnitude if q >= 0 else -magnitude


def approximate_float64(value):
    """ParseQuantity followed by AsApproximateFloat64: the parsed representation
    (int64Amount{value, scale} on the fast path, an inf.Dec rounded to nano otherwise) turned
    into base * math.Pow10(exponent)."""
    text = _quantity_text(value)
    positive, num, denom, base, exponent, suffix = _split_quantity(text)
    fast = None
    if base == 10:
        scale = exponent
        precision = 18 - (len(num) + len(denom))
        if precision >= 0:
            scale -= len(denom)
            if scale >= -9:
                v = int(num + denom)
                if v <= MAX_INT64:
                    fast = (v if positive else -v, scale)
    else:
        if exponent >= 0 and len(denom) == 0:
            precision = 15 - len(num) - int(float(exponent) * 3 / 10) - 1
            if precision >= 0:
                v = int(num) * (1 << exponent)
                if v <= MAX_INT64:
                    fast = (v if positive else -v, 0)
    if fast is not None:
        unscaled, exp = fast
    else:
        # inf.Dec path: the exact value rounded up (away from zero) to nano, scale 9.
        exact = abs(quantity_fraction(text)) * NS
        unscaled = math.ceil(exact)
        if not positive:
            unscaled = -unscaled
        exp = -9
    b = float(unscaled)
    if exp == 0:
        return b
    return b * _pow10(exp)


def _pow10(n):
    """math.Pow10 for the range used here."""
    if 0 <= n <= 308:
        return float(10 ** n)
    if -323 <= n < 0:
        # pow10negtab32[-n/32] / pow10tab[-n%32]
        return float(Fraction(1, 10 ** (32 * ((-n) // 32)))) / float(10 ** ((-n) % 32))
    return 0.0 if n < 0 else math.inf


def canonical_milli(v):
    """resource.NewMilliQuantity(v, resource.DecimalSI).String()."""
    if v == 0:
        return "0"
    negative = v < 0
    amount = -v if negative else v
    exponent = -3
    if v != MIN_INT64:
        while amount % 10 == 0:
            amount //= 10
            exponent += 1
    r = exponent % 3
    if r == 1:
        amount *= 10
        exponent -= 1
    elif r == 2:
        amount *= 100
        exponent -= 2
    suffix = {-3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"}.get(exponent, "e%d" % exponent)
    return ("-" if negative else "") + str(amount) + suffix


def parse_float_flag(value):
    """A controller flag given as a float64 (pflag's strconv.ParseFloat)."""
    if isinstance(value, bool):
        raise CaseInputError("boolean flag")
    if isinstance(value, (int, float)):
        return float(value)
    return float(str(value))


# ---------------------------------------------------------------------------------------------
# Time: nanoseconds since the Unix epoch as a Python int (Go's zero time fits, year 1).

_RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _days_from_civil(y, m, d):
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(z):
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return y + (m <= 2), m, d


def parse_time(value):
    """RFC 3339 text, or a JSON number of Unix seconds."""
    if isinstance(value, bool) or value is None:
        raise CaseInputError("not a timestamp")
    if isinstance(value, (int, float)):
        return int(round(Fraction(repr(value) if isinstance(value, float) else value) * NS))
    m = _RFC3339.match(value)
    if not m:
        # A number given as text by loads() (JSON float): Unix seconds.
        try:
            return int(round(Fraction(value) * NS))
        except (ValueError, ZeroDivisionError):
            raise CaseInputError("%r is not a timestamp" % value)
    y, mo, d, hh, mm, ss = (int(m.group(i)) for i in range(1, 7))
    frac = m.group(7)
    nanos = int((frac[1:] + "000000000")[:9]) if frac else 0
    seconds = _days_from_civil(y, mo, d) * 86400 + hh * 3600 + mm * 60 + ss
    zone = m.group(8)
    if zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return seconds * NS + nanos


def format_time(ns):
    """RFC 3339 in UTC, with a fraction only when there is one."""
    seconds, nanos = divmod(ns, NS)
    days, sod = divmod(seconds, 86400)
    y, m, d = _civil_from_days(days)
    text = "%04d-%02d-%02dT%02d:%02d:%02d" % (y, m, d, sod // 3600, sod // 60 % 60, sod % 60)
    if nanos:
        text += "." + ("%09d" % nanos).rstrip("0")
    return text + "Z"


_DURATION_UNITS = {"ns": 1, "us": 1000, "\u00b5s": 1000, "\u03bcs": 1000, "ms": 10**6, "s": NS, "m": 60 * NS, "h": 3600 * NS}
_DURATION_PART = re.compile(r"([0-9]*\.?[0-9]*)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)")


def parse_duration(value):
    """A Go duration string ("60s", "1m30s") or a number of seconds, in nanoseconds."""
    if isinstance(value, bool) or value is None:
        raise CaseInputError("not a duration")
    if isinstance(value, (int, float)):
        return int(round(Fraction(repr(value) if isinstance(value, float) else value) * NS))
    text = value
    try:
        return int(round(Fraction(text) * NS))  # a JSON float kept as text
    except (ValueError, ZeroDivisionError):
        pass
    sign = 1
    if text[:1] in "+-":
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    if text == "0":
        return 0
    pos, total = 0, Fraction(0)
    while pos < len(text):
        m = _DURATION_PART.match(text, pos)
        if not m or m.group(1) in ("", "."):
            raise CaseInputError("%r is not a duration" % value)
        total += Fraction(m.group(1)) * _DURATION_UNITS[m.group(2)]
        pos = m.end()
    if pos == 0:
        raise CaseInputError("%r is not a duration" % value)
    return sign * int(total)  # Go truncates fractions of a nanosecond


def parse_seconds(value):
    if isinstance(value, str) and not re.match(r"^[0-9.+-]+$", value):
        return parse_duration(value)
    return int(round(Fraction(_quantity_text(value)) * NS))


# ---------------------------------------------------------------------------------------------
# Conditions: setCondition / setConditionInList (horizontal.go)

def set_condition(conditions, ctype, status, reason):
    """Replace the first condition of this type in place, or append one."""
    for c in conditions:
        if c["type"] == ctype:
            c["status"] = status
            c["reason"] = reason
            return
    conditions.append({"type": ctype, "status": status, "reason": reason})


# ---------------------------------------------------------------------------------------------
# The case, read into plain Python values

class Pod:
    __slots__ = ("name", "phase", "deleted", "start", "ready", "ltt", "containers", "init_containers")


def _read_pods(raw):
    pods = []
    for p in raw or []:
        pod = Pod()
        pod.name = p["name"]
        pod.phase = p.get("phase") or "Running"
        pod.deleted = bool(p.get("deleted") or False)
        st = p.get("startTime")
        pod.start = None if st is None else parse_time(st)
        pod.ready = p.get("ready")  # True / False / None (no Ready condition)
        rtt = p.get("readyTransitionTime")
        # A Ready condition without lastTransitionTime has Go's zero time.
        pod.ltt = parse_time("0001-01-01T00:00:00Z") if rtt is None else parse_time(rtt)
        pod.containers = p.get("containers") or []
        pod.init_containers = p.get("initContainers") or []
        pods.append(pod)
    return pods


class Config:
    """The controller's flags (kube-controller-manager defaults)."""

    def __init__(self, raw):
        raw = raw or {}
        self.tolerance = parse_float_flag(raw["tolerance"]) if raw.get("tolerance") is not None else 0.1
        self.cpu_init = parse_seconds(raw["cpuInitializationPeriodSeconds"]) if raw.get("cpuInitializationPeriodSeconds") is not None else 300 * NS
        self.ready_delay = parse_seconds(raw["initialReadinessDelaySeconds"]) if raw.get("initialReadinessDelaySeconds") is not None else 30 * NS
        self.down_window = parse_seconds(raw["downscaleStabilizationSeconds"]) if raw.get("downscaleStabilizationSeconds") is not None else 300 * NS
        self.up_factor = parse_float_flag(raw["scaleUpLimitFactor"]) if raw.get("scaleUpLimitFactor") is not None else 2.0
        self.up_minimum = parse_float_flag(raw["scaleUpLimitMinimum"]) if raw.get("scaleUpLimitMinimum") is not None else 4.0


class MetricError(Exception):
    """A metric could not be computed; reason is the ScalingActive=False reason."""

    def __init__(self, reason, message=""):
        Exception.__init__(self, message or reason)
        self.reason = reason


class CalcError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# replica_calculator.go

class Tolerances:
    """Tolerances{scaleDown, scaleUp}.isWithin."""

    def __init__(self, down, up):
        self.down = down
        self.up = up

    def is_within(self, r):
        return (1.0 - self.down) <= r <= (1.0 + self.up)


def tolerances_for_hpa(spec, cfg):
    """tolerancesForHpa: the flag in both directions, overridden by behavior.*.tolerance."""
    t = Tolerances(cfg.tolerance, cfg.tolerance)
    behavior = spec.get("behavior")
    if behavior is None:
        return t
    down = behavior.get("scaleDown")
    up = behavior.get("scaleUp")
    if down is not None and down.get("tolerance") is not None:
        t.down = approximate_float64(down["tolerance"])
    if up is not None and up.get("tolerance") is not None:
        t.up = approximate_float64(up["tolerance"])
    return t


def _pod_metrics(obs, now, api, wrap):
    """What the metrics client returned for a per-pod metric: {pod: (value, timestamp, window)},
    in the order given. Superfluous names (no such pod) stay in the map."""
    if obs is None or "error" in obs:
        raise CalcError(wrap((obs or {}).get("error", "no value")))
    if "podValues" not in obs:
        raise CalcError(wrap("no per-pod values"))
    values = obs["podValues"] or {}
    if not values:
        raise CalcError(wrap("no metrics returned from %s metrics API" % api))
    out = {}
    for name, sample in values.items():
        ts = now if sample.get("timestamp") is None else parse_time(sample["timestamp"])
        window = 60 * NS if sample.get("window") is None else parse_duration(sample["window"])
        out[name] = [parse_quantity_milli(sample["value"]), ts, window]
    return out


def group_pods(pods, metrics, is_cpu, now, cfg):
    """groupPods: ready count and the unready, missing and ignored pod names."""
    ready = 0
    unready, missing, ignored = [], [], []
    for pod in pods:
        if pod.deleted or pod.phase == "Failed":
            ignored.append(pod.name)
            continue
        if pod.phase == "Pending":
            unready.append(pod.name)
            continue
        metric = metrics.get(pod.name)
        if metric is None:
            missing.append(pod.name)
            continue
        if is_cpu:
            if pod.ready is None or pod.start is None:
                is_unready = True
            elif pod.start + cfg.cpu_init > now:
                # Still within the initialization period: ignore the sample if the pod is unready
                # or one full metric window has not passed since the last readiness transition.
                is_unready = pod.ready is False or metric[1] < pod.ltt + metric[2]
            else:
                # Ignore it if the pod is unready and has never been ready.
                is_unready = pod.ready is False and pod.start + cfg.ready_delay > pod.ltt
            if is_unready:
                unready.append(pod.name)
                continue
        ready += 1
    return ready, unready, missing, ignored


def calculate_requests(pods, container, resource):
    """calculateRequests -> calculatePodRequestsFromContainers (no pod-level requests)."""
    requests = {}
    for pod in pods:
        containers = list(pod.containers) + [c for c in pod.init_containers if c.get("restartPolicy") == "Always"]
        request = 0
        found = False
        for c in containers:
            name = c.get("name") or ""
            if container == "" or container == name:
                reqs = c.get("requests") or {}
                if resource not in reqs:
                    raise CalcError("missing request for %s in container %s of Pod %s" % (resource, name, pod.name))
                request += parse_quantity_milli(reqs[resource])
            if container == name:
                found = True
                break
        if container != "" and not found:
            raise CalcError("container %s not found in Pod %s" % (container, pod.name))
        requests[pod.name] = request
    return requests


def resource_utilization_ratio(metrics, requests, target):
    """metricsclient.GetResourceUtilizationRatio: metrics without a request are skipped."""
    metrics_total = requests_total = entries = 0
    for name, m in metrics.items():
        if name not in requests:
            continue
        metrics_total += m[0]
        requests_total += requests[name]
        entries += 1
    if requests_total == 0:
        raise CalcError("no metrics returned matched known pods")
    utilization = to_int32(go_idiv(metrics_total * 100, requests_total))
    return fdiv(utilization, target), utilization, go_idiv(metrics_total, entries)


def metric_usage_ratio(metrics, target):
    """metricsclient.GetMetricUsageRatio: the average over every entry, superfluous included."""
    total = sum(m[0] for m in metrics.values())
    usage = go_idiv(total, len(metrics))
    return fdiv(usage, target), usage


def get_resource_replicas(current, target_util, resource, tol, pods, obs, now, cfg, container):
    """ReplicaCalculator.GetResourceReplicas -> (replicas, utilization, rawUtilization)."""
    metrics = _pod_metrics(obs, now, "resource", lambda e: "unable to get metrics for resource %s: %s" % (resource, e))
    if not pods:
        raise CalcError("no pods returned by selector while calculating replica count")
    ready, unready, missing, ignored = group_pods(pods, metrics, resource == "cpu", now, cfg)
    for n in ignored + unready:
        metrics.pop(n, None)
    if not metrics:
        raise CalcError("did not receive metrics for targeted pods (pods might be unready)")
    requests = calculate_requests(pods, container, resource)
    ratio, utilization, raw = resource_utilization_ratio(metrics, requests, target_util)

    scale_up_with_unready = len(unready) > 0 and ratio > 1.0
    if not scale_up_with_unready and not missing:
        if tol.is_within(ratio):
            return current, utilization, raw
        return go_ceil_int32(ratio * float(ready)), utilization, raw

    if missing:
        if ratio < 1.0:
            # Scale-down: a missing pod uses its whole request (or the target, above 100 %).
            fallback = max(100, target_util)
            for n in missing:
                metrics[n] = [go_idiv(requests[n] * fallback, 100), None, None]
        elif ratio > 1.0:
            for n in missing:
                metrics[n] = [0, None, None]
    if scale_up_with_unready:
        for n in unready:
            metrics[n] = [0, None, None]

    new_ratio, _, _ = resource_utilization_ratio(metrics, requests, target_util)
    if tol.is_within(new_ratio) or (ratio < 1.0 and new_ratio > 1.0) or (ratio > 1.0 and new_ratio < 1.0):
        return current, utilization, raw
    new_replicas = go_ceil_int32(new_ratio * float(len(metrics)))
    if (new_ratio < 1.0 and new_replicas > current) or (new_ratio > 1.0 and new_replicas < current):
        return current, utilization, raw
    return new_replicas, utilization, raw


def calc_plain_metric_replicas(metrics, current, target, tol, pods, is_cpu, now, cfg):
    """ReplicaCalculator.calcPlainMetricReplicas -> (replicas, usage)."""
    if not pods:
        raise CalcError("no pods returned by selector while calculating replica count")
    ready, unready, missing, ignored = group_pods(pods, metrics, is_cpu, now, cfg)
    for n in ignored + unready:
        metrics.pop(n, None)
    if not metrics:
        raise CalcError("did not receive metrics for targeted pods (pods might be unready)")
    ratio, usage = metric_usage_ratio(metrics, target)

    scale_up_with_unready = len(unready) > 0 and ratio > 1.0
    if not scale_up_with_unready and not missing:
        if tol.is_within(ratio):
            return current, usage
        return go_ceil_int32(ratio * float(ready)), usage

    if missing:
        if ratio < 1.0:
            for n in missing:
                metrics[n] = [target, None, None]
        elif ratio > 1.0:
            for n in missing:
                metrics[n] = [0, None, None]
    if scale_up_with_unready:
        for n in unready:
            metrics[n] = [0, None, None]

    new_ratio, _ = metric_usage_ratio(metrics, target)
    if tol.is_within(new_ratio) or (ratio < 1.0 and new_ratio > 1.0) or (ratio > 1.0 and new_ratio < 1.0):
        return current, usage
    new_replicas = go_ceil_int32(new_ratio * float(len(metrics)))
    if (new_ratio < 1.0 and new_replicas > current) or (new_ratio > 1.0 and new_replicas < current):
        return current, usage
    return new_replicas, usage


def get_raw_resource_replicas(current, target, resource, tol, pods, obs, now, cfg):
    """ReplicaCalculator.GetRawResourceReplicas (CPU readiness rules apply for cpu)."""
    metrics = _pod_metrics(obs, now, "resource", lambda e: "unable to get metrics for resource %s: %s" % (resource, e))
    return calc_plain_metric_replicas(metrics, current, target, tol, pods, resource == "cpu", now, cfg)


def get_metric_replicas(current, target, name, tol, pods, obs, now, cfg):
    """ReplicaCalculator.GetMetricReplicas (a Pods metric; no readiness rules)."""
    metrics = _pod_metrics(obs, now, "custom", lambda e: "unable to get metric %s: %s" % (name, e))
    return calc_plain_metric_replicas(metrics, current, target, tol, pods, False, now, cfg)


def get_ready_pods_count(pods):
    """ReplicaCalculator.getReadyPodsCount: Running pods whose Ready condition is True."""
    if not pods:
        raise CalcError("no pods returned by selector while calculating replica count")
    return sum(1 for p in pods if p.phase == "Running" and p.ready is True)


def get_usage_ratio_replica_count(current, ratio, tol, pods):
    """ReplicaCalculator.getUsageRatioReplicaCount."""
    if current != 0:
        if tol.is_within(ratio):
            return current
        ready = get_ready_pods_count(pods)
        f = ratio * float(ready)
        if f > MAX_INT32:
            return MAX_INT32
        return go_ceil_int32(f)
    # From zero: the ratio alone decides, without tolerance.
    return go_ceil_int32(ratio)


def _object_value(obs):
    if obs is None or "error" in obs:
        raise CalcError("unable to get metric: %s" % (obs or {}).get("error", "no value"))
    if "value" not in obs:
        raise CalcError("no object value")
    return parse_quantity_milli(obs["value"])


def _external_values(obs):
    if obs is None or "error" in obs:
        raise CalcError("unable to get external metric: %s" % (obs or {}).get("error", "no value"))
    if "values" not in obs:
        raise CalcError("no external values")
    values = obs["values"] or []
    if not values:
        raise CalcError("no metrics returned from external metrics API")
    return [parse_quantity_milli(v) for v in values]


def get_object_metric_replicas(current, target, tol, pods, obs):
    """ReplicaCalculator.GetObjectMetricReplicas -> (replicas, usage)."""
    usage = _object_value(obs)
    ratio = fdiv(usage, target)
    return get_usage_ratio_replica_count(current, ratio, tol, pods), usage


def get_object_per_pod_metric_replicas(status_replicas, target, tol, obs):
    """ReplicaCalculator.GetObjectPerPodMetricReplicas -> (replicas, usage per pod)."""
    usage = _object_value(obs)
    replicas = status_replicas
    ratio = fdiv(float(usage), float(target) * float(replicas))
    if not tol.is_within(ratio):
        replicas = go_ceil_int32(fdiv(usage, target))
    return replicas, go_int64(go_ceil(fdiv(usage, status_replicas)))


def get_external_metric_replicas(current, target, tol, pods, obs):
    """ReplicaCalculator.GetExternalMetricReplicas -> (replicas, summed usage)."""
    usage = 0
    for v in _external_values(obs):
        if v > 0 and usage > MAX_INT64 - v:
            usage = MAX_INT64
            break
        usage += v
    ratio = fdiv(usage, target)
    return get_usage_ratio_replica_count(current, ratio, tol, pods), usage


def get_external_per_pod_metric_replicas(status_replicas, target, tol, obs):
    """ReplicaCalculator.GetExternalPerPodMetricReplicas -> (replicas, usage per pod)."""
    usage = 0
    for v in _external_values(obs):
        usage += v
        if usage > MAX_INT64:  # Go wraps negative; upstream caps
            usage = MAX_INT64
            break
    replicas = status_replicas
    ratio = fdiv(float(usage), float(target) * float(replicas))
    if not tol.is_within(ratio):
        r = go_ceil(fdiv(usage, target))
        replicas = MAX_INT32 if r > float(MAX_INT32) else go_int32(r)
    if float(usage) >= float(MAX_INT64):
        per_pod = MAX_INT64
    else:
        per_pod = go_int64(go_ceil(fdiv(usage, status_replicas)))
    return replicas, per_pod


# ---------------------------------------------------------------------------------------------
# horizontal.go: one metric

def _go_selector_json(selector):
    """A *metav1.LabelSelector as encoding/json writes it: empty fields are omitted."""
    out = {}
    if selector.get("matchLabels"):
        out["matchLabels"] = dict(selector["matchLabels"])
    expressions = []
    for e in selector.get("matchExpressions") or []:
        item = {"key": e.get("key", ""), "operator": e.get("operator", "")}
        if e.get("values"):
            item["values"] = list(e["values"])
        expressions.append(item)
    if expressions:
        out["matchExpressions"] = expressions
    return out


def _identifier(metric):
    """MetricIdentifier{Name, Selector} as it appears in a MetricStatus."""
    out = {"name": metric.get("name", "")}
    if metric.get("selector") is not None:
        out["selector"] = _go_selector_json(metric["selector"])
    return out


def _go_selector_text(selector):
    """fmt's %+v of a *metav1.LabelSelector: its generated (gogo-protobuf) String() method,
    which fmt calls even on a nil pointer ("nil")."""
    if selector is None:
        return "nil"
    labels = selector.get("matchLabels") or {}
    text = "map[string]string{" + "".join("%s: %s," % (k, labels[k]) for k in sorted(labels)) + "}"
    expressions = "[]LabelSelectorRequirement{"
    for e in selector.get("matchExpressions") or []:
        # LabelSelectorRequirement.String() with its leading "&" removed; Values as %v of []string.
        expressions += "LabelSelectorRequirement{Key:%s,Operator:%s,Values:[%s],}," % (
            e.get("key", ""), e.get("operator", ""), " ".join(e.get("values") or []))
    expressions += "}"
    return "&LabelSelector{MatchLabels:%s,MatchExpressions:%s,}" % (text, expressions)


def _external_name(metric):
    """fmt.Sprintf("external metric %s(%+v)", name, selector), as upstream names both External
    and per-pod Object metrics."""
    return "external metric %s(%s)" % (metric.get("name", ""), _go_selector_text(metric.get("selector")))


def _target_milli(target, key):
    v = target.get(key)
    return None if v is None else parse_quantity_milli(v)


def compute_replicas_for_metric(spec, obs, spec_replicas, status_replicas, tol, pods, now, cfg):
    """computeReplicasForMetric -> (proposal, metric name or None, MetricStatus).
    Raises MetricError with the ScalingActive=False reason on failure."""
    mtype = spec.get("type")
    if mtype in ("Resource", "ContainerResource"):
        # computeStatusForResourceMetric / computeStatusForContainerResourceMetric
        # -> computeStatusForResourceMetricGeneric
        if mtype == "Resource":
            src = spec.get("resource") or {}
            container, fail = "", "FailedGetResourceMetric"
        else:
            src = spec.get("containerResource") or {}
            container, fail = src.get("container", ""), "FailedGetContainerResourceMetric"
        resource = src.get("name", "")
        target = src.get("target") or {}
        try:
            if target.get("averageValue") is not None:
                # The metrics client already picked the container's samples; no requests needed.
                replicas, usage = get_raw_resource_replicas(spec_replicas, parse_quantity_milli(target["averageValue"]),
                                                            resource, tol, pods, obs, now, cfg)
                current = {"averageValue": canonical_milli(usage)}
                name = "%s resource" % resource
            elif target.get("averageUtilization") is None:
                raise CalcError("invalid resource metric source: neither an average utilization target nor an average value (usage) target was set")
            else:
                replicas, utilization, raw = get_resource_replicas(spec_replicas, int(target["averageUtilization"]), resource,
                                                                   tol, pods, obs, now, cfg, container)
                current = {"averageUtilization": utilization, "averageValue": canonical_milli(raw)}
                if mtype == "ContainerResource":
                    name = "%s container resource utilization (percentage of request)" % resource
                else:
                    name = "%s resource utilization (percentage of request)" % resource
        except CalcError as e:
            raise MetricError(fail, str(e))
        if mtype == "Resource":
            status = {"type": "Resource", "resource": {"name": resource, "current": current}}
        else:
            status = {"type": "ContainerResource",
                      "containerResource": {"name": resource, "container": container, "current": current}}
        return replicas, name, status

    if mtype == "Pods":
        # computeStatusForPodsMetric
        src = spec.get("pods") or {}
        metric = src.get("metric") or {}
        target = src.get("target") or {}
        try:
            replicas, usage = get_metric_replicas(spec_replicas, parse_quantity_milli(target["averageValue"]),
                                                  metric.get("name", ""), tol, pods, obs, now, cfg)
        except CalcError as e:
            raise MetricError("FailedGetPodsMetric", str(e))
        status = {"type": "Pods", "pods": {"metric": _identifier(metric), "current": {"averageValue": canonical_milli(usage)}}}
        return replicas, "pods metric %s" % metric.get("name", ""), status

    if mtype == "Object":
        # computeStatusForObjectMetric: the target's type decides, with its field set.
        src = spec.get("object") or {}
        metric = src.get("metric") or {}
        target = src.get("target") or {}
        described = src.get("describedObject") or {}
        try:
            if target.get("type") == "Value" and target.get("value") is not None:
                replicas, usage = get_object_metric_replicas(spec_replicas, _target_milli(target, "value"), tol, pods, obs)
                ref = {"kind": described.get("kind", ""), "name": described.get("name", "")}
                if described.get("apiVersion"):
                    ref["apiVersion"] = described["apiVersion"]
                status = {"type": "Object", "object": {"describedObject": ref, "metric": _identifier(metric),
                                                        "current": {"value": canonical_milli(usage)}}}
                return replicas, "%s metric %s" % (described.get("kind", ""), metric.get("name", "")), status
            if target.get("type") == "AverageValue" and target.get("averageValue") is not None:
                replicas, usage = get_object_per_pod_metric_replicas(status_replicas, _target_milli(target, "averageValue"), tol, obs)
                # Upstream leaves DescribedObject empty in this status.
                status = {"type": "Object", "object": {"describedObject": {"kind": "", "name": ""}, "metric": _identifier(metric),
                                                        "current": {"averageValue": canonical_milli(usage)}}}
                return replicas, _external_name(metric), status
            raise CalcError("invalid object metric source: neither a value target nor an average value target was set")
        except CalcError as e:
            raise MetricError("FailedGetObjectMetric", str(e))

    if mtype == "External":
        # computeStatusForExternalMetric: averageValue first, whatever the target's type says.
        src = spec.get("external") or {}
        metric = src.get("metric") or {}
        target = src.get("target") or {}
        name = _external_name(metric)
        try:
            if target.get("averageValue") is not None:
                replicas, usage = get_external_per_pod_metric_replicas(status_replicas, _target_milli(target, "averageValue"), tol, obs)
                status = {"type": "External", "external": {"metric": _identifier(metric), "current": {"averageValue": canonical_milli(usage)}}}
                return replicas, name, status
            if target.get("value") is not None:
                replicas, usage = get_external_metric_replicas(spec_replicas, _target_milli(target, "value"), tol, pods, obs)
                status = {"type": "External", "external": {"metric": _identifier(metric), "current": {"value": canonical_milli(usage)}}}
                return replicas, name, status
            raise CalcError("invalid external metric source: neither a value target nor an average value target was set")
        except CalcError as e:
            raise MetricError("FailedGetExternalMetric", str(e))

    raise MetricError("InvalidMetricSourceType", "unknown metric source type %r" % mtype)


def compute_replicas_for_metrics(specs, observations, spec_replicas, status_replicas, tol, pods, now, cfg, conditions):
    """computeReplicasForMetrics -> (replicas or None when nothing may scale, metric name, statuses)."""
    statuses = []
    replicas = 0
    metric_name = ""
    invalid = 0
    first_invalid = None
    for i, spec in enumerate(specs):
        obs = observations[i] if i < len(observations) else None
        try:
            proposal, name, status = compute_replicas_for_metric(spec, obs, spec_replicas, status_replicas, tol, pods, now, cfg)
        except MetricError as e:
            statuses.append({"type": ""})  # the zero MetricStatus
            if invalid <= 0:
                first_invalid = e.reason
            invalid += 1
            continue
        statuses.append(status)
        if replicas == 0 or proposal > replicas:
            replicas = proposal
            metric_name = name
    # All metrics invalid, or some invalid and we would scale down: no scaling this cycle.
    if invalid >= len(specs) or (invalid > 0 and replicas < spec_replicas):
        set_condition(conditions, "ScalingActive", "False", first_invalid)
        return None, "", statuses
    set_condition(conditions, "ScalingActive", "True", "ValidMetricFound")
    return replicas, metric_name, statuses


# ---------------------------------------------------------------------------------------------
# horizontal.go: normalization and history

def scale_up_rules(behavior):
    """autoscaling/v2 defaulting (GenerateHPAScaleUpRules)."""
    rules = {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
             "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                          {"type": "Percent", "value": 100, "periodSeconds": 15}]}
    for k in ("stabilizationWindowSeconds", "selectPolicy", "policies"):
        if (behavior.get("scaleUp") or {}).get(k) is not None:
            rules[k] = behavior["scaleUp"][k]
    return rules


def scale_down_rules(behavior, cfg):
    """autoscaling/v2 defaulting (GenerateHPAScaleDownRules), then
    maybeInitScaleDownStabilizationWindow: an unset window is the controller's flag."""
    rules = {"stabilizationWindowSeconds": None, "selectPolicy": "Max",
             "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}
    for k in ("stabilizationWindowSeconds", "selectPolicy", "policies"):
        if (behavior.get("scaleDown") or {}).get(k) is not None:
            rules[k] = behavior["scaleDown"][k]
    if rules["stabilizationWindowSeconds"] is None:
        rules["stabilizationWindowSeconds"] = go_int64(cfg.down_window / NS)  # int32(window.Seconds())
    return rules


def stabilize_recommendation(recs, prenormalized, now, cfg):
    """stabilizeRecommendation (no behavior): the max over the window; the newest recommendation
    replaces the last one older than the window, or is appended."""
    max_rec = prenormalized
    old_index = None
    cutoff = now - cfg.down_window
    for i, r in enumerate(recs):
        if r[0] < cutoff:
            old_index = i
        elif r[1] > max_rec:
            max_rec = r[1]
    if old_index is not None:
        recs[old_index] = [now, prenormalized]
    else:
        recs.append([now, prenormalized])
    return max_rec


def convert_desired_replicas_with_rules(current, desired, min_r, max_r, cfg):
    """convertDesiredReplicasWithRules -> (replicas, reason)."""
    scale_up_limit = go_int32(max(cfg.up_factor * float(current), cfg.up_minimum))  # calculateScaleUpLimit
    if max_r > scale_up_limit:
        maximum, limiting = scale_up_limit, "ScaleUpLimit"
    else:
        maximum, limiting = max_r, "TooManyReplicas"
    if desired < min_r:
        return min_r, "TooFewReplicas"
    if desired > maximum:
        return maximum, limiting
    return desired, "DesiredWithinRange"


def normalize_desired_replicas(conditions, recs, current, prenormalized, min_r, max_r, now, cfg):
    """normalizeDesiredReplicas (the legacy path)."""
    stabilized = stabilize_recommendation(recs, prenormalized, now, cfg)
    if stabilized != prenormalized:
        set_condition(conditions, "AbleToScale", "True", "ScaleDownStabilized")
    else:
        set_condition(conditions, "AbleToScale", "True", "ReadyForNewScale")
    desired, reason = convert_desired_replicas_with_rules(current, stabilized, min_r, max_r, cfg)
    set_condition(conditions, "ScalingLimited", "False" if desired == stabilized else "True", reason)
    return desired


def stabilize_recommendation_with_behaviors(recs, desired, current, up, down, now):
    """stabilizeRecommendationWithBehaviors -> (recommendation, reason)."""
    up_cutoff = now - int(up["stabilizationWindowSeconds"]) * NS
    down_cutoff = now - int(down["stabilizationWindowSeconds"]) * NS
    up_rec = desired
    down_rec = desired
    old_index = None
    for i, r in enumerate(recs):
        if r[0] > up_cutoff:
            up_rec = min(r[1], up_rec)
        if r[0] > down_cutoff:
            down_rec = max(r[1], down_rec)
        if r[0] < up_cutoff and r[0] < down_cutoff:
            old_index = i
    recommendation = current
    if recommendation < up_rec:
        recommendation = up_rec
    if recommendation > down_rec:
        recommendation = down_rec
    if old_index is not None:
        recs[old_index] = [now, desired]
    else:
        recs.append([now, desired])
    reason = "ScaleUpStabilized" if desired >= current else "ScaleDownStabilized"
    return recommendation, reason


def replicas_change_per_period(period_seconds, events, now):
    """getReplicasChangePerPeriod: events strictly after now - period."""
    cutoff = now - int(period_seconds) * NS
    return to_int32(sum(e[1] for e in events if e[0] > cutoff))


def calculate_scale_up_limit_with_scaling_rules(current, up_events, down_events, rules, now):
    """calculateScaleUpLimitWithScalingRules."""
    select = rules["selectPolicy"]
    if select == "Disabled":
        return current
    if select == "Min":
        result, fn = MAX_INT32, min
    else:
        result, fn = MIN_INT32, max
    for p in rules["policies"]:
        added = replicas_change_per_period(p["periodSeconds"], up_events, now)
        deleted = replicas_change_per_period(p["periodSeconds"], down_events, now)
        start = to_int32(current - added + deleted)
        if p["type"] == "Pods":
            proposed = to_int32(start + int(p["value"]))
        elif p["type"] == "Percent":
            proposed = go_ceil_int32(float(start) * (1 + float(int(p["value"])) / 100))
        else:
            continue
        result = fn(result, proposed)
    return result


def calculate_scale_down_limit_with_behaviors(current, up_events, down_events, rules, now):
    """calculateScaleDownLimitWithBehaviors."""
    select = rules["selectPolicy"]
    if select == "Disabled":
        return current
    if select == "Min":
        result, fn = MIN_INT32, max
    else:
        result, fn = MAX_INT32, min
    for p in rules["policies"]:
        added = replicas_change_per_period(p["periodSeconds"], up_events, now)
        deleted = replicas_change_per_period(p["periodSeconds"], down_events, now)
        start = to_int32(current - added + deleted)
        if p["type"] == "Pods":
            proposed = to_int32(start - int(p["value"]))
        elif p["type"] == "Percent":
            proposed = go_int32(float(start) * (1 - float(int(p["value"])) / 100))
        else:
            continue
        result = fn(result, proposed)
    return result


def convert_desired_replicas_with_behavior_rate(desired, current, min_r, max_r, up_events, down_events, up, down, now):
    """convertDesiredReplicasWithBehaviorRate -> (replicas, reason)."""
    if desired > current:
        limit = calculate_scale_up_limit_with_scaling_rules(current, up_events, down_events, up, now)
        if limit < current:
            limit = current
        maximum = max_r
        if maximum > limit:
            maximum, limiting = limit, "ScaleUpLimit"
        else:
            limiting = "TooManyReplicas"
        if desired > maximum:
            return maximum, limiting
    elif desired < current:
        limit = calculate_scale_down_limit_with_behaviors(current, up_events, down_events, down, now)
        if limit > current:
            limit = current
        minimum = min_r
        if minimum < limit:
            minimum, limiting = limit, "ScaleDownLimit"
        else:
            limiting = "TooFewReplicas"
        if desired < minimum:
            return minimum, limiting
    return desired, "DesiredWithinRange"


def normalize_desired_replicas_with_behaviors(conditions, recs, up_events, down_events, behavior, current,
                                              prenormalized, min_r, max_r, now, cfg):
    """normalizeDesiredReplicasWithBehaviors."""
    up = scale_up_rules(behavior)
    down = scale_down_rules(behavior, cfg)
    stabilized, reason = stabilize_recommendation_with_behaviors(recs, prenormalized, current, up, down, now)
    if stabilized != prenormalized:
        set_condition(conditions, "AbleToScale", "True", reason)
    else:
        set_condition(conditions, "AbleToScale", "True", "ReadyForNewScale")
    desired, reason = convert_desired_replicas_with_behavior_rate(stabilized, current, min_r, max_r,
                                                                  up_events, down_events, up, down, now)
    set_condition(conditions, "ScalingLimited", "False" if desired == stabilized else "True", reason)
    return desired


def store_scale_event(behavior, up_events, down_events, prev, new, now, cfg):
    """storeScaleEvent with markScaleEventsOutdated: the newest event replaces the last one older
    than the longest policy period of its direction, or is appended."""
    if behavior is None:
        return
    if new > prev:
        rules, events, change = scale_up_rules(behavior), up_events, new - prev
    else:
        rules, events, change = scale_down_rules(behavior, cfg), down_events, prev - new
    longest = 0
    for p in rules["policies"]:
        if int(p["periodSeconds"]) > longest:
            longest = int(p["periodSeconds"])
    cutoff = now - longest * NS
    old_index = None
    for i, e in enumerate(events):
        if e[0] < cutoff:
            old_index = i
    if old_index is not None:
        events[old_index] = [now, change]
    else:
        events.append([now, change])


# ---------------------------------------------------------------------------------------------
# horizontal.go: reconcileAutoscaler

def evaluate(case):
    """One sync of one HPA: the outcome dict of the reconcile case."""
    now = parse_time(case["now"])
    hpa = case["hpa"]
    if "spec" in hpa:
        spec = hpa["spec"]
        prior = ((hpa.get("status") or {}).get("conditions")) or []
    else:
        spec, prior = hpa, []
    conditions = [{"type": c["type"], "status": c.get("status"), "reason": c.get("reason", "")} for c in prior]
    cfg = Config(case.get("controller"))
    pods = _read_pods(case.get("pods"))
    observations = case.get("metrics") or []

    specs = spec.get("metrics") or []
    if not specs:
        # API defaulting: 80 % CPU utilization.
        specs = [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]
    max_r = int(spec["maxReplicas"])
    min_r = int(spec["minReplicas"]) if spec.get("minReplicas") is not None else 1
    behavior = spec.get("behavior")
    scale = case["scale"]
    current = int(scale["specReplicas"])
    status_replicas = int(scale["statusReplicas"]) if scale.get("statusReplicas") is not None else current

    history = case.get("history") or {}
    recs_in = history.get("recommendations")
    recs = None if recs_in is None else [[parse_time(r["timestamp"]), int(r["replicas"])] for r in recs_in]
    up_events = [[parse_time(e["timestamp"]), int(e["change"])] for e in (history.get("scaleUpEvents") or [])]
    down_events = [[parse_time(e["timestamp"]), int(e["change"])] for e in (history.get("scaleDownEvents") or [])]
    tol = tolerances_for_hpa(spec, cfg)

    set_condition(conditions, "AbleToScale", "True", "SucceededGetScale")
    if recs is None:
        recs = [[now, current]]  # recordInitialRecommendation

    desired = 0
    rescale = True
    reason = ""
    recommendation = None
    statuses = []

    if current == 0 and min_r != 0:
        # Autoscaling is disabled for this resource.
        desired = 0
        rescale = False
        set_condition(conditions, "ScalingActive", "False", "ScalingDisabled")
    elif current > max_r:
        reason = "Current number of replicas above Spec.MaxReplicas"
        desired = max_r
    elif current < min_r:
        reason = "Current number of replicas below Spec.MinReplicas"
        desired = min_r
    else:
        metric_desired, metric_name, statuses = compute_replicas_for_metrics(
            specs, observations, current, status_replicas, tol, pods, now, cfg, conditions)
        if metric_desired is None:
            # The status is written and the sync ends: no scale, no history change.
            return _outcome(current, False, None, conditions, statuses, None, recs, up_events, down_events)
        recommendation = metric_desired
        rescale_metric = ""
        if metric_desired > desired:
            desired = metric_desired
            rescale_metric = metric_name
        if desired > current:
            reason = None if rescale_metric is None else "%s above target" % rescale_metric
        if desired < current:
            reason = "All metrics below target"
        if behavior is None:
            desired = normalize_desired_replicas(conditions, recs, current, desired, min_r, max_r, now, cfg)
        else:
            desired = normalize_desired_replicas_with_behaviors(conditions, recs, up_events, down_events, behavior,
                                                                current, desired, min_r, max_r, now, cfg)
        rescale = desired != current

    if rescale:
        set_condition(conditions, "AbleToScale", "True", "SucceededRescale")
        store_scale_event(behavior, up_events, down_events, current, desired, now, cfg)
    else:
        desired = current
    return _outcome(desired, rescale, reason, conditions, statuses, recommendation, recs, up_events, down_events)


def _outcome(desired, rescale, reason, conditions, statuses, recommendation, recs, up_events, down_events):
    return {
        "desiredReplicas": desired,
        "rescale": rescale,
        "reason": reason,  # None where the reference does not model the text
        "recommendation": recommendation,
        "conditions": conditions,
        "currentMetrics": statuses,
        "history": {
            "recommendations": [{"timestamp": format_time(t), "replicas": r} for t, r in recs],
            "scaleUpEvents": [{"timestamp": format_time(t), "change": c} for t, c in up_events],
            "scaleDownEvents": [{"timestamp": format_time(t), "change": c} for t, c in down_events],
        },
    }


if __name__ == "__main__":
    import sys
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(evaluate(loads(line))))
