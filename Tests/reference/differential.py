#!/usr/bin/env python3
"""Differential test: `tidepool evaluate --batch` against an independent reading of upstream.

    python3 Tests/reference/differential.py --tidepool .build/debug/tidepool --cases 2000 --seed 20261122

Generates N random cases (random_cases.py), runs `tidepool evaluate --batch -` once on all of
them, evaluates each with hpa_reference.py and compares desiredReplicas, rescale,
recommendation, the conditions' (type, status, reason) lists, currentMetrics, history and,
where the reference models its text, reason. Prints every disagreement and ends with the line
`N passed, M failed`; the exit status is 1 if any case failed. No network; it stops by itself
(the tidepool run has a timeout).
"""

import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hpa_reference  # noqa: E402
import random_cases  # noqa: E402

FIELDS = ("desiredReplicas", "rescale", "recommendation", "conditions", "currentMetrics", "history", "reason")


def condition_triples(conditions):
    return [(c.get("type"), c.get("status"), c.get("reason")) for c in (conditions or [])]


def compare(expected, actual):
    """[(field, expected, actual)] for every field that disagrees."""
    problems = []
    for field in FIELDS:
        if field == "reason":
            if expected["reason"] is not None and actual.get("reason") != expected["reason"]:
                problems.append((field, expected["reason"], actual.get("reason")))
            continue
        if field == "conditions":
            e, a = condition_triples(expected["conditions"]), condition_triples(actual.get("conditions"))
        elif field == "history":
            e = expected["history"]
            a = {k: (actual.get("history") or {}).get(k) for k in ("recommendations", "scaleUpEvents", "scaleDownEvents")}
        elif field == "currentMetrics":
            e, a = expected["currentMetrics"] or [], actual.get("currentMetrics") or []
        else:
            e, a = expected[field], actual.get(field, "<absent>")
        if e != a:
            problems.append((field, e, a))
    return problems


def run_tidepool(path, lines, timeout):
    proc = subprocess.run([path, "evaluate", "--batch", "-"], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, timeout=timeout)
    outputs = [line for line in proc.stdout.splitlines() if line.strip()]
    return proc.returncode, outputs, proc.stderr


def main(argv=None):
    parser = argparse.ArgumentParser(description="tidepool evaluate vs. an independent model of upstream's HPA")
    parser.add_argument("--tidepool", required=True, help="path to the tidepool executable")
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show-cases", type=int, default=3, help="print the case JSON of the first K failing cases")
    parser.add_argument("--max-report", type=int, default=200, help="print at most this many disagreements")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds allowed for the tidepool run")
    parser.add_argument("--dump", help="also write the generated cases (JSON Lines) to this file")
    args = parser.parse_args(argv)

    cases = random_cases.generate_cases(args.cases, args.seed)
    lines = [json.dumps(case, separators=(",", ":")) for case in cases]
    if args.dump:
        with open(args.dump, "w") as f:
            f.write("\n".join(lines) + "\n")

    try:
        status, outputs, stderr = run_tidepool(args.tidepool, lines, args.timeout)
    except (OSError, subprocess.TimeoutExpired) as error:
        print("could not run %s: %s" % (args.tidepool, error))
        print("0 passed, %d failed" % len(lines))
        return 1
    if len(outputs) != len(lines):
        print("tidepool printed %d outcome lines for %d cases (exit status %d)\n%s"
              % (len(outputs), len(lines), status, stderr[-2000:]))

    passed = failed = reported = shown = 0
    for index, line in enumerate(lines):
        try:
            expected = hpa_reference.evaluate(hpa_reference.loads(line))
        except Exception as error:  # the reference could not read its own case: a bug here
            problems = [("reference", "an outcome", "%s: %s" % (type(error).__name__, error))]
        else:
            if index >= len(outputs):
                problems = [("outcome", "an outcome line", "<missing>")]
            else:
                try:
                    actual = json.loads(outputs[index])
                except ValueError:
                    actual = {"error": outputs[index]}
                if "error" in actual and "desiredReplicas" not in actual:
                    problems = [("outcome", "an outcome", "rejected: %s" % actual["error"])]
                else:
                    problems = compare(expected, actual)
        if not problems:
            passed += 1
            continue
        failed += 1
        for field, e, a in problems:
            if reported < args.max_report:
                print("case %d: %s\n  reference: %s\n  tidepool:  %s"
                      % (index, field, json.dumps(e, sort_keys=True), json.dumps(a, sort_keys=True)))
            reported += 1
        if shown < args.show_cases:
            print("  case %d JSON: %s" % (index, line))
            shown += 1
    if reported > args.max_report:
        print("(%d more disagreements not printed)" % (reported - args.max_report))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
