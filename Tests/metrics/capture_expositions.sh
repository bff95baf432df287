#!/usr/bin/env bash
# Captures real expositions that nobody here wrote, on loopback only:
#   node_exporter.prom         Debian's prometheus-node-exporter /metrics, text format 0.0.4
#   node_exporter.openmetrics  the same with `Accept: application/openmetrics-text; version=1.0.0`,
#                              only if the exporter answers with an OpenMetrics Content-Type
#   prometheus.prom            Debian's prometheus's own /metrics (after it scraped the exporter)
#   prometheus.openmetrics     likewise, only if Prometheus answers with OpenMetrics
# Both servers run on free 127.0.0.1 ports, every wait is bounded, and both are stopped on exit
# (normal or not): no process is left behind.
# Usage: Tests/metrics/capture_expositions.sh OUTPUT_DIR
# Needs: prometheus, prometheus-node-exporter, curl, python3 (scripts/test-deps installs them).
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTPUT_DIR" >&2
    exit 2
fi
out="$1"
mkdir -p "$out"

NODE_EXPORTER="${NODE_EXPORTER:-prometheus-node-exporter}"
PROMETHEUS="${PROMETHEUS:-prometheus}"
for bin in "$NODE_EXPORTER" "$PROMETHEUS" curl python3; do
    command -v "$bin" >/dev/null 2>&1 || { echo "capture: $bin not found (run scripts/test-deps)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/tidepool-capture.XXXXXX")
pids=()

stop_all() {
    local pid
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        # up to 5 s for a graceful stop, then SIGKILL
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "capture: pid $pid did not stop on SIGTERM; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
    pids=()
}
on_exit() {
    local rc=$?
    stop_all
    rm -rf "$work" 2>/dev/null || { sleep 1; rm -rf "$work"; }
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

curl_get() { # URL OUTFILE [curl options...]: GET with a bounded time, never through a proxy
    local url="$1" file="$2"
    shift 2
    curl --silent --show-error --fail --noproxy '*' --connect-timeout 2 --max-time 20 \
        -o "$file" "$@" "$url"
}

wait_until_answers() { # NAME PID URL SECONDS
    local name="$1" pid="$2" url="$3" seconds="$4" i
    for i in $(seq 1 $((seconds * 10))); do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "capture: $name exited before answering; its log:" >&2
            tail -n 30 "$work/$name.log" >&2 || true
            return 1
        fi
        if curl --silent --fail --noproxy '*' --connect-timeout 1 --max-time 2 -o /dev/null "$url"; then
            echo "capture: $name answers at $url after ~$((i / 10)).$((i % 10)) s"
            return 0
        fi
        sleep 0.1
    done
    echo "capture: $name did not answer at $url within $seconds s; its log:" >&2
    tail -n 30 "$work/$name.log" >&2 || true
    return 1
}

start_server() { # NAME PORT_VAR COMMAND...: starts on a free port (3 tries, in case of a race)
    local name="$1" health="$2"
    shift 2
    local try port pid
    for try in 1 2 3; do
        port=$(free_port)
        local args=("${@//@PORT@/$port}")
        "${args[@]}" >"$work/$name.log" 2>&1 </dev/null &
        pid=$!
        pids+=("$pid")
        if wait_until_answers "$name" "$pid" "http://127.0.0.1:$port$health" 30; then
            started_port=$port
            started_pid=$pid
            return 0
        fi
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        echo "capture: $name failed to start on port $port (try $try)" >&2
    done
    return 1
}

count_samples() { # lines that are neither blank nor comments
    grep -c -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$1" || true
}

TEXT_ACCEPT='Accept: text/plain;version=0.0.4;q=1,*/*;q=0.1'
OM_ACCEPT='Accept: application/openmetrics-text; version=1.0.0'

capture() { # NAME URL: saves NAME.prom, and NAME.openmetrics if offered
    local name="$1" url="$2" ctype
    curl_get "$url" "$out/$name.prom" -H "$TEXT_ACCEPT" -D "$work/$name.prom.headers"
    ctype=$(grep -i '^content-type:' "$work/$name.prom.headers" | tail -n 1 | tr -d '\r' | cut -d' ' -f2-)
    echo "capture: $out/$name.prom: $(wc -c <"$out/$name.prom") bytes, $(count_samples "$out/$name.prom") samples (Content-Type: $ctype)"
    if ! curl_get "$url" "$work/$name.om" -H "$OM_ACCEPT" -D "$work/$name.om.headers"; then
        rm -f "$out/$name.openmetrics"
        echo "capture: $name refused the OpenMetrics request; no $name.openmetrics"
        return 0
    fi
    ctype=$(grep -i '^content-type:' "$work/$name.om.headers" | tail -n 1 | tr -d '\r' | cut -d' ' -f2-)
    case "$ctype" in
        application/openmetrics-text*)
            mv "$work/$name.om" "$out/$name.openmetrics"
            echo "capture: $out/$name.openmetrics: $(wc -c <"$out/$name.openmetrics") bytes, $(count_samples "$out/$name.openmetrics") samples (Content-Type: $ctype)"
            ;;
        *)
            rm -f "$out/$name.openmetrics"
            echo "capture: $name does not offer OpenMetrics (asked for it, got Content-Type: $ctype); no $name.openmetrics"
            ;;
    esac
}

# --- node_exporter ------------------------------------------------------------------------------
# Debian enables the systemd collector by default; without systemd it only logs errors, so it is
# disabled. Other collectors whose files are missing in a container report
# node_scrape_collector_success 0 and are harmless.
echo "capture: $("$NODE_EXPORTER" --version 2>&1 | head -n 1)"
start_server node_exporter /metrics \
    "$NODE_EXPORTER" --web.listen-address=127.0.0.1:@PORT@ --no-collector.systemd
ne_port=$started_port
capture node_exporter "http://127.0.0.1:$ne_port/metrics"

# --- prometheus ---------------------------------------------------------------------------------
cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$ne_port']
EOF
mkdir -p "$work/tsdb"
echo "capture: $("$PROMETHEUS" --version 2>&1 | head -n 1)"
start_server prometheus /-/ready \
    "$PROMETHEUS" --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
    --web.listen-address=127.0.0.1:@PORT@ --storage.tsdb.retention.time=1h
prom_port=$started_port

# Give it a scrape or two (bounded: 10 s), so its own scrape and query metrics have values.
for _ in $(seq 1 100); do
    if curl --silent --fail --noproxy '*' --max-time 2 \
        "http://127.0.0.1:$prom_port/api/v1/query?query=up" 2>/dev/null | grep -q '"value"'; then
        echo "capture: prometheus has scraped node_exporter"
        break
    fi
    sleep 0.1
done
capture prometheus "http://127.0.0.1:$prom_port/metrics"

stop_all
echo "capture: done; servers stopped"
