#!/usr/bin/env python3
"""Compares `tidepool scrape FILE --format jsonl` with the Python prometheus_client parser.

Usage: compare_expositions.py FILE TIDEPOOL [--openmetrics | --text] [--quiet]

The same bytes go to both sides. prometheus_client parses them with
  - prometheus_client.openmetrics.parser.text_string_to_metric_families when --openmetrics is
    given, or when the file ends with a `# EOF` line (and --text is not given);
  - prometheus_client.parser.text_string_to_metric_families (text format 0.0.4) otherwise.
tidepool runs as `TIDEPOOL scrape FILE --format jsonl` (plus `--openmetrics` when that is given
here); each output line is
{"name", "labels", "value", "timestamp"}.

Samples are compared one for one, in order (prometheus_client's families flattened in the order
they are yielded, which is the order of the lines in the file):
  name       equal strings, after undoing one rewrite of prometheus_client (below);
  labels     equal as dicts (order does not matter; a repeated key in tidepool's JSON is a
             mismatch);
  value      tidepool's JSON number as a Python float, or "NaN"/"+Inf"/"-Inf", compared exactly
             with float(prometheus_client's value) (which is an int when the text was an
             integer: float() rounds it to nearest, as a correct decimal-to-double parse does);
             NaN equals NaN; the sign of zero is not compared (prometheus_client reads "-0" as
             the int 0);
  timestamp  tidepool gives integer milliseconds or null.
             Text format: prometheus_client gives int(ms) / 1000 as a float (seconds). We check
             tidepool_ms / 1000 == that float: both are the correctly rounded quotient of an
             integer by 1000, so they are equal exactly when the integers are equal (for any
             |ms| < 2**53 / 1000 * 1000, i.e. every realistic timestamp). No rounding.
             OpenMetrics: prometheus_client gives a Timestamp(sec, nsec) for `123` and
             `123.456789` forms (exact decimal, truncated to nanoseconds), or a float for forms
             like `1.5e9`. The exact value in milliseconds is sec*1000 + nsec/1e6. If that is a
             whole number of milliseconds (at most 3 fractional digits in the exposition),
             tidepool must give exactly it. If the exposition has sub-millisecond precision,
             tidepool may truncate (as Prometheus's Go parser does, int64(ts*1000)) or round:
             any integer strictly within 1 ms of the exact value is accepted.
  exemplar   only if tidepool's line has an "exemplar" key (the spec does not require one):
             then labels, value and timestamp (seconds as a JSON number, or null) are compared
             the same way. Otherwise exemplars are only counted.

prometheus_client's rewrite we undo: in the text format, for `# TYPE foo counter` (a counter
whose TYPE name lacks `_total`), prometheus_client renames the sample `foo` to `foo_total`.
Prometheus itself keeps the name as written, so we rename it back: for a counter family whose
name appears in a `# TYPE NAME counter` line without `_total`, a sample called NAME_total is
reported as NAME, unless the file also has `# TYPE NAME_total counter` (then it is ambiguous
and left alone, with a note).

Prints the first 20 mismatches, then exactly `N passed, M failed` (N = matching samples; a
sample missing on one side counts as failed). Exits 1 on any mismatch, if either side yields
zero samples, if prometheus_client rejects the exposition, or if tidepool exits non-zero.
"""

import argparse
import json
import math
import subprocess
import sys
from fractions import Fraction

try:
    from prometheus_client.parser import text_string_to_metric_families as parse_text
    from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
    from prometheus_client.samples import Timestamp
except ImportError:  # pragma: no cover
    sys.stderr.write("compare_expositions.py: prometheus_client is not importable; run scripts/test-deps "
                     "and use .venv/bin/python\n")
    sys.exit(2)

MAX_SHOWN = 20


class Failure(Exception):
    pass


def is_openmetrics_text(text: str) -> bool:
    lines = text.rstrip("\n").split("\n")
    return bool(lines) and lines[-1] == "# EOF"


def counter_type_names(text: str):
    """Names from `# TYPE NAME counter` lines (text format), for undoing the _total rewrite."""
    names = set()
    for line in text.split("\n"):
        line = line.strip()
        if not line.startswith("#"):
            continue
        parts = line.split(None, 3)
        if len(parts) == 4 and parts[1] == "TYPE" and parts[3].strip() == "counter":
            name = parts[2]
            if len(name) >= 2 and name[0] == '"' and name[-1] == '"':
                name = name[1:-1]
            names.add(name)
    return names


def reference_samples(text: str, openmetrics: bool):
    """Flattened (name, labels, value, timestamp, exemplar) from prometheus_client, in order."""
    out = []
    if openmetrics:
        for family in parse_openmetrics(text):
            for s in family.samples:
                if s.value is None:
                    raise Failure(f"native histogram sample {s.name} is not compared by this script")
                out.append((s.name, dict(s.labels), s.value, s.timestamp, s.exemplar))
        return out, []
    notes = []
    counters = counter_type_names(text)
    ambiguous = {n for n in counters if not n.endswith("_total") and n + "_total" in counters}
    for n in sorted(ambiguous):
        notes.append(f"note: both `# TYPE {n} counter` and `# TYPE {n}_total counter`: "
                     f"the _total rewrite of prometheus_client is not undone for {n}")
    for family in parse_text(text):
        for s in family.samples:
            name = s.name
            if (family.type == "counter" and family.name in counters and family.name not in ambiguous
                    and not family.name.endswith("_total") and name == family.name + "_total"):
                name = family.name
            out.append((name, dict(s.labels), s.value, s.timestamp, s.exemplar))
    return out, notes


def _reject_constant(c):
    raise ValueError(f"bare JSON constant {c} (the spec wants the strings \"NaN\", \"+Inf\", \"-Inf\")")


def _pairs_no_duplicates(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError(f"repeated key {k!r} in a JSON object")
        d[k] = v
    return d


def tidepool_samples(binary: str, path: str, force_openmetrics: bool = False):
    cmd = [binary, "scrape", path, "--format", "jsonl"] + (["--openmetrics"] if force_openmetrics else [])
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=300)
    except subprocess.TimeoutExpired:
        raise Failure(f"`{' '.join(cmd)}` did not finish in 300 s")
    except OSError as e:
        raise Failure(f"cannot run {binary}: {e}")
    if proc.returncode != 0:
        raise Failure(f"`{' '.join(cmd)}` exited {proc.returncode}: "
                      f"{proc.stderr.decode('utf-8', 'replace').strip()[:2000]}")
    try:
        stdout = proc.stdout.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Failure(f"tidepool's output is not UTF-8: {e}")
    out = []
    for lineno, raw in enumerate(stdout.split("\n"), 1):
        if raw == "":
            continue
        try:
            obj = json.loads(raw, parse_constant=_reject_constant, object_pairs_hook=_pairs_no_duplicates)
        except ValueError as e:
            raise Failure(f"tidepool output line {lineno} is not valid JSON ({e}): {raw[:200]}")
        if not isinstance(obj, dict) or not {"name", "labels", "value", "timestamp"} <= obj.keys():
            raise Failure(f"tidepool output line {lineno} lacks name/labels/value/timestamp: {raw[:200]}")
        out.append(obj)
    return out


def json_value(v):
    """tidepool's value: a JSON number or "NaN"/"+Inf"/"-Inf" -> float; None if ill-formed."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    return {"NaN": math.nan, "+Inf": math.inf, "-Inf": -math.inf}.get(v)


def values_equal(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b


def exact_ms(ts) -> Fraction:
    """An OpenMetrics timestamp from prometheus_client, in milliseconds, exactly."""
    if isinstance(ts, Timestamp):
        # Timestamp stores sec and nsec; for negative seconds nsec is negated too.
        return Fraction(ts.sec) * 1000 + Fraction(ts.nsec, 1_000_000)
    return Fraction(ts) * 1000


def timestamp_matches(ref_ts, tid_ts, openmetrics: bool) -> bool:
    if ref_ts is None or tid_ts is None:
        return ref_ts is None and tid_ts is None
    if isinstance(tid_ts, bool) or not isinstance(tid_ts, int):
        if isinstance(tid_ts, float) and tid_ts.is_integer():
            tid_ts = int(tid_ts)  # 1.7e12 printed as a float: accept the integer it is
        else:
            return False
    if not openmetrics and not isinstance(ref_ts, Timestamp):
        # prometheus_client: int(ms) / 1000 (correctly rounded); same operation on tidepool's ms.
        return tid_ts / 1000 == ref_ts
    exact = exact_ms(ref_ts)
    if exact.denominator == 1:
        return tid_ts == exact
    return abs(tid_ts - exact) < 1


def describe_ts(ts, openmetrics: bool) -> str:
    if ts is None:
        return "null"
    if isinstance(ts, Timestamp):
        return f"{ts} s ({float(exact_ms(ts))} ms)"
    if not openmetrics:
        return f"{ts!r} s (~{round(ts * 1000)} ms)"
    return f"{ts!r} s"


def exemplar_matches(ref_ex, tid_ex, openmetrics: bool):
    if ref_ex is None or tid_ex is None:
        return ref_ex is None and tid_ex is None
    if not isinstance(tid_ex, dict):
        return False
    if tid_ex.get("labels") != ref_ex.labels:
        return False
    v = json_value(tid_ex.get("value"))
    if v is None or not values_equal(v, float(ref_ex.value)):
        return False
    t = tid_ex.get("timestamp")
    if ref_ex.timestamp is None or t is None:
        return ref_ex.timestamp is None and t is None
    if isinstance(t, bool) or not isinstance(t, (int, float)):
        return False
    # exemplar timestamps are seconds in OpenMetrics; accept seconds within 1 ns
    return abs(Fraction(t) - exact_ms(ref_ex.timestamp) / 1000) < Fraction(1, 1_000_000_000)


def compare(ref, tid, openmetrics: bool):
    mismatches = []
    passed = failed = 0
    exemplars = 0
    for i in range(max(len(ref), len(tid))):
        r = ref[i] if i < len(ref) else None
        t = tid[i] if i < len(tid) else None
        if r is None:
            failed += 1
            mismatches.append(f"sample {i + 1}: tidepool has an extra sample {json.dumps(t)}")
            continue
        if t is None:
            failed += 1
            mismatches.append(f"sample {i + 1}: tidepool is missing {r[0]}{r[1]} {r[2]!r}")
            continue
        name, labels, value, ts, exemplar = r
        problems = []
        if t["name"] != name:
            problems.append(f"name {t['name']!r} != {name!r}")
        if t["labels"] != labels:
            problems.append(f"labels {t['labels']!r} != {labels!r}")
        tv = json_value(t["value"])
        try:
            rv = float(value)
        except OverflowError:
            rv = math.inf if value > 0 else -math.inf
        if tv is None:
            problems.append(f"value {t['value']!r} is neither a JSON number nor \"NaN\"/\"+Inf\"/\"-Inf\"")
        elif not values_equal(tv, rv):
            problems.append(f"value {tv!r} != {rv!r}")
        if not timestamp_matches(ts, t["timestamp"], openmetrics):
            problems.append(f"timestamp {t['timestamp']!r} ms != {describe_ts(ts, openmetrics)}")
        if exemplar is not None:
            exemplars += 1
        if "exemplar" in t and not exemplar_matches(exemplar, t["exemplar"], openmetrics):
            problems.append(f"exemplar {t['exemplar']!r} != {exemplar!r}")
        if problems:
            failed += 1
            mismatches.append(f"sample {i + 1} ({name}{labels}): " + "; ".join(problems))
        else:
            passed += 1
    return passed, failed, mismatches, exemplars


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file")
    ap.add_argument("tidepool")
    fmt = ap.add_mutually_exclusive_group()
    fmt.add_argument("--openmetrics", action="store_true", help="parse as OpenMetrics 1.0")
    fmt.add_argument("--text", action="store_true", help="parse as text format 0.0.4 even if it ends with # EOF")
    ap.add_argument("--quiet", action="store_true", help="print only mismatches and the closing line")
    args = ap.parse_args(argv)

    with open(args.file, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        print(f"{args.file}: not UTF-8: {e}")
        print("0 passed, 1 failed")
        return 1
    openmetrics = args.openmetrics or (not args.text and is_openmetrics_text(text))
    kind = "OpenMetrics 1.0" if openmetrics else "text 0.0.4"

    failures = []
    ref, notes, tid = [], [], []
    try:
        ref, notes = reference_samples(text, openmetrics)
    except Failure as e:
        failures.append(f"prometheus_client: {e}")
    except Exception as e:  # prometheus_client raises ValueError (and others) on bad input
        failures.append(f"prometheus_client rejected {args.file} as {kind}: {type(e).__name__}: {e}")
    try:
        tid = tidepool_samples(args.tidepool, args.file, args.openmetrics)
    except Failure as e:
        failures.append(f"tidepool: {e}")

    for n in notes:
        print(n)
    if failures:
        for f in failures:
            print(f"{args.file}: {f}")
        print(f"0 passed, {max(len(ref), len(tid), 1)} failed")
        return 1

    passed, failed, mismatches, exemplars = compare(ref, tid, openmetrics)
    if not args.quiet:
        print(f"{args.file}: {kind}, {len(data)} bytes; prometheus_client {len(ref)} samples"
              f"{f' ({exemplars} with exemplars)' if exemplars else ''}, tidepool {len(tid)} samples")
    for m in mismatches[:MAX_SHOWN]:
        print("  " + m)
    if len(mismatches) > MAX_SHOWN:
        print(f"  ... and {len(mismatches) - MAX_SHOWN} more mismatches")
    zero = not ref or not tid
    if zero:
        print(f"{args.file}: {'prometheus_client' if not ref else 'tidepool'} yielded zero samples")
        if failed == 0:
            failed = 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or zero else 0


if __name__ == "__main__":
    sys.exit(main())
