#!/usr/bin/env python3
"""The peer side of the metrics parse benchmark: prometheus_client's text parser, in MiB/s.

Builds a large exposition (about 50 MiB) by repeating a captured node_exporter /metrics output:
each metric family keeps its HELP/TYPE lines once and then holds every repetition's samples,
each repetition with its own `instance="bench-NNNNN"` label (or `bench_rep` if the source already
uses `instance`), so the result is a valid text-format exposition with no duplicate series and
contiguous families. Then times prometheus_client.parser.text_string_to_metric_families over the
bytes (decoding included), consuming every sample, best of N runs (default 3), and prints

    prometheus_client_mib_per_second=X samples=N bytes=B

Usage: scripts/bench-metrics-peer.py [SOURCE] [--write FILE] [--size-mib 50] [--runs 3]
  SOURCE   a node_exporter text exposition (e.g. from Tests/metrics/capture_expositions.sh); if
           omitted, the capture script runs into a temporary directory.
  --write  also write the big exposition to FILE, for the Swift side to parse the same bytes.
Runs under the repository's .venv (made by scripts/test-deps) if prometheus_client is not
importable by the Python that started it.
"""

import argparse
from importlib import metadata
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    venv = os.path.join(ROOT, ".venv")
    venv_python = os.path.join(venv, "bin", "python")
    if os.path.exists(venv_python) and os.path.realpath(sys.prefix) != os.path.realpath(venv):
        os.execv(venv_python, [venv_python] + sys.argv)
    sys.exit("bench-metrics-peer: prometheus_client is not importable; run scripts/test-deps")


def split_families(text: str):
    """[(comment_lines, sample_lines)]: a new block starts at a HELP/TYPE line after samples."""
    blocks = []
    comments, samples = [], []
    for line in text.split("\n"):
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 2)
            starts_family = len(parts) >= 2 and parts[1] in ("HELP", "TYPE")
            if starts_family and samples:
                blocks.append((comments, samples))
                comments, samples = [], []
            comments.append(line)
        else:
            samples.append(line)
    if comments or samples:
        blocks.append((comments, samples))
    return blocks


def with_label(line: str, label: str) -> str:
    """Adds `label` (already formatted as name="value") to one sample line."""
    if line.startswith("{"):
        raise ValueError(f"quoted metric names are not supported by this generator: {line[:80]}")
    brace = line.find("{")
    space = line.find(" ")
    if brace != -1 and (space == -1 or brace < space):
        rest = line[brace + 1:]
        if rest.startswith("}"):
            return f"{line[:brace]}{{{label}{rest}"
        return f"{line[:brace]}{{{label},{rest}"
    return f"{line[:space]}{{{label}}}{line[space:]}"


def build(source_text: str, target_bytes: int) -> bytes:
    blocks = split_families(source_text)
    label_name = "bench_rep" if 'instance="' in source_text else "instance"
    # Templates: each sample line split around the spot where the label goes.
    templates = []
    for comments, samples in blocks:
        templates.append(("\n".join(comments) + "\n" if comments else "",
                          [with_label(s, "\x00").split("\x00") for s in samples]))
    header_bytes = sum(len(c.encode()) for c, _ in templates)
    label_len = len(f'{label_name}="bench-00000"')
    per_rep = sum(len(a.encode()) + label_len + len(b.encode()) + 1 for _, ss in templates for a, b in ss)
    reps = max(1, -(-(target_bytes - header_bytes) // per_rep))
    if reps > 99999:
        raise ValueError("source too small for the label format")
    labels = [f'{label_name}="bench-{r:05d}"' for r in range(reps)]
    out = []
    for comments, samples in templates:
        out.append(comments)
        # Repetition by repetition, so each repetition's histogram/summary group stays contiguous.
        for lab in labels:
            out.append("".join(f"{a}{lab}{b}\n" for a, b in samples))
    return "".join(out).encode("utf-8")


def parse_all(data: bytes) -> int:
    n = 0
    for family in text_string_to_metric_families(data.decode("utf-8")):
        for _ in family.samples:
            n += 1
    return n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", nargs="?")
    ap.add_argument("--write", metavar="FILE")
    ap.add_argument("--size-mib", type=float, default=50.0)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    tmp = None
    source = args.source
    if source is None:
        tmp = tempfile.TemporaryDirectory(prefix="tidepool-bench-")
        subprocess.run([os.path.join(ROOT, "Tests", "metrics", "capture_expositions.sh"), tmp.name],
                       check=True, stdout=sys.stderr, stdin=subprocess.DEVNULL, timeout=120)
        source = os.path.join(tmp.name, "node_exporter.prom")
    with open(source, encoding="utf-8") as f:
        source_text = f.read()

    data = build(source_text, int(args.size_mib * 1024 * 1024))
    if args.write:
        with open(args.write, "wb") as f:
            f.write(data)
        print(f"bench-metrics-peer: wrote {len(data)} bytes to {args.write}", file=sys.stderr)

    print(f"bench-metrics-peer: prometheus_client {metadata.version('prometheus_client')}"
          f" parsing {len(data)} bytes ({len(data) / 2**20:.1f} MiB), best of {args.runs}", file=sys.stderr)
    best = None
    samples = 0
    for run in range(args.runs):
        start = time.perf_counter()
        samples = parse_all(data)
        elapsed = time.perf_counter() - start
        print(f"bench-metrics-peer: run {run + 1}: {elapsed:.2f} s, {len(data) / 2**20 / elapsed:.2f} MiB/s,"
              f" {samples} samples", file=sys.stderr)
        best = elapsed if best is None else min(best, elapsed)
    print(f"prometheus_client_mib_per_second={len(data) / 2**20 / best:.2f} samples={samples} bytes={len(data)}")
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
