#!/usr/bin/env bash
# The gateway benchmark: MCP tools/call add(2, 3) over Streamable HTTP, driven by one load
# generator (wrk with Benchmarks/gateway/mcp-call.lua), against three setups in one run:
#   1. direct:   one mcp-math member, called at http://127.0.0.1:P/mcp;
#   2. nginx:    nginx round robin (upstream keepalive 64, HTTP/1.1) over MEMBERS mcp-math members;
#   3. tidepool: `tidepool run` with a pool of MEMBERS mcp-math HTTP members, round robin,
#                called at /mcp/math with an Mcp-Session-Id from a real initialize.
# Each setup is started, checked (initialize, then identify until every member has answered),
# warmed up, measured, and stopped before the next one starts.
#
# Prints a Markdown table (setup, calls/s, p50 ms, p99 ms, errors) and two ratios against the
# targets: tidepool throughput / nginx throughput >= 1.0, and tidepool p99 - direct p99 <= 1 ms.
# Exit status: 0 both targets met; 2 a target missed (or the gateway answered with errors);
# 1 the benchmark itself failed (a tool missing, a build or a start-up failing, errors from the
# direct or nginx baselines, which make the comparison meaningless).
#
# Environment (all optional):
#   DURATION=10 WARMUP=3 CONNECTIONS=64 THREADS=2 MEMBERS=2   seconds, wrk -c, wrk -t, pool size
#   NGINX_WORKERS=auto                nginx worker_processes
#   SCRATCH_PATH=.build-release       swift build --scratch-path (relative to the repository)
#   TIDEPOOL_BIN=... MCP_MATH_BIN=... use these binaries and skip the build
#   FLOOR=1                           also measure the floor: nginx answering the call's reply
#                                     itself against nio-responder (NIO_RESPONDER_BIN=... skips
#                                     its build); FLOOR=0 skips it
#   KEEP_LOGS=1                       keep the work directory (logs, configs, wrk output)
# Installs Debian's wrk and nginx with apt-get when they are missing (sudo when not root).
# Writes nothing into the repository except the build's scratch directory; listens on 127.0.0.1
# only; stops every process it started when it exits.
# Run it niced on a shared machine: nice -n 19 Benchmarks/gateway/run.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
MEMBERS=${MEMBERS:-2}
NGINX_WORKERS=${NGINX_WORKERS:-auto}
FLOOR=${FLOOR:-1}
SCRATCH_PATH=${SCRATCH_PATH:-.build-release}
WAIT_LIMIT=30 # seconds, for every wait below

say() { echo "== $*" >&2; }
fail() {
    echo "gateway bench: $*" >&2
    exit 1
}

for name in DURATION WARMUP CONNECTIONS THREADS MEMBERS; do
    value=${!name}
    [[ $value =~ ^[0-9]+$ ]] && [ "$value" -ge 1 ] || fail "$name must be a positive integer, not \"$value\""
done
[ "$CONNECTIONS" -ge "$THREADS" ] || fail "CONNECTIONS ($CONNECTIONS) must be at least THREADS ($THREADS)"

# --- processes and clean-up --------------------------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/tidepool-gateway-bench.XXXXXX")
started=()      # every process this script started, in order
tidepool_pid="" # the gateway: SIGTERM lets it drain and stop its own members
adopted=()      # the gateway's members, killed only if they outlive it

# True while the process runs (an exited child not yet reaped is a zombie, not running).
running() {
    kill -0 "$1" 2>/dev/null && [ "$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" != Z ]
}

stop_pids() {
    local pid alive deadline
    [ "$#" -gt 0 ] || return 0
    for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
    deadline=$((SECONDS + 10))
    while [ "$SECONDS" -lt "$deadline" ]; do
        alive=0
        for pid in "$@"; do running "$pid" && alive=1; done
        [ "$alive" -eq 0 ] && break
        sleep 0.2
    done
    for pid in "$@"; do
        if running "$pid"; then
            echo "gateway bench: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-80) (pid $pid) did not stop within 10 s of SIGTERM: killed" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
}

stop_all() {
    local -a list=("${started[@]}")
    started=()
    stop_pids "${list[@]}"
    if [ "${#adopted[@]}" -gt 0 ]; then
        list=("${adopted[@]}")
        adopted=()
        stop_pids "${list[@]}"
    fi
    tidepool_pid=""
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_all
    if [ "${KEEP_LOGS:-0}" = 1 ]; then
        echo "gateway bench: logs kept in $work" >&2
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Waits (at most WAIT_LIMIT s) for a line matching the regex in the file; prints it. Fails early
# when the process writing the file has died.
wait_for_line() {
    local file=$1 pattern=$2 pid=$3 deadline=$((SECONDS + WAIT_LIMIT))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if grep -Eqs "$pattern" "$file"; then
            grep -Eom1 "$pattern" "$file"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# A free loopback port (for nginx, which cannot report one it picked).
free_port() {
    local port
    for _ in $(seq 1 200); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null \
            && ! ss -Htln "sport = :$port" 2>/dev/null | grep -q .; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

# Starts nginx with the configuration in the directory (its error log there too), waits (at most
# WAIT_LIMIT s) until it answers /ready on the port, and sets FRONT_PIDS to its processes.
start_nginx() {
    local dir=$1 port=$2 pid deadline
    "$NGINX" -p "$dir" -e "$dir/nginx-error.log" -c "$dir/nginx.conf" >"$dir/nginx.log" 2>&1 &
    pid=$!
    started+=("$pid")
    deadline=$((SECONDS + WAIT_LIMIT))
    until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/ready" || true)" = 204 ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "nginx did not listen on $port: $(cat "$dir/nginx.log" "$dir/nginx-error.log" 2>/dev/null | tail -5)"
        sleep 0.1
    done
    mapfile -t FRONT_PIDS < <(echo "$pid"; pgrep -P "$pid" || true)
}

# POSTs one JSON-RPC message; the body goes to $work/last.body, the headers to
# $work/last.headers; prints the HTTP status.
mcp_post() {
    local url=$1 session=$2 body=$3
    local -a session_header=()
    [ -n "$session" ] && session_header=(-H "Mcp-Session-Id: $session")
    curl -s --max-time "$((WAIT_LIMIT + 5))" -o "$work/last.body" -D "$work/last.headers" -w '%{http_code}' \
        -X POST -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
        -H 'MCP-Protocol-Version: 2025-06-18' "${session_header[@]}" --data-binary "$body" "$url" || echo 000
}

# Initializes an MCP session at the URL as a client would, and checks that every one of
# `expected` members answers identify (at most WAIT_LIMIT s). Sets SESSION (empty when the
# server is stateless and issues none).
check_endpoint() {
    local url=$1 expected=$2 status deadline
    status=$(mcp_post "$url" "" '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"gateway-bench","version":"1"}}}')
    [ "$status" = 200 ] && grep -q '"result"' "$work/last.body" \
        || fail "initialize at $url answered HTTP $status: $(head -c 300 "$work/last.body" 2>/dev/null)"
    SESSION=$(tr -d '\r' <"$work/last.headers" | awk -F': *' 'tolower($1) == "mcp-session-id" { print $2; exit }')
    status=$(mcp_post "$url" "$SESSION" '{"jsonrpc":"2.0","method":"notifications/initialized"}')
    case "$status" in 200 | 202 | 204) ;; *) fail "notifications/initialized at $url answered HTTP $status" ;; esac

    : >"$work/identities"
    deadline=$((SECONDS + WAIT_LIMIT))
    while [ "$(sort -u "$work/identities" | wc -l)" -lt "$expected" ]; do
        [ "$SECONDS" -lt "$deadline" ] \
            || fail "only $(sort -u "$work/identities" | wc -l) of $expected members answered identify at $url within ${WAIT_LIMIT}s"
        status=$(mcp_post "$url" "$SESSION" '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"identify","arguments":{}}}')
        if [ "$status" = 200 ]; then
            grep -Eo 'pid=[0-9]+' "$work/last.body" >>"$work/identities" || true
        else
            sleep 0.2
        fi
    done
    status=$(mcp_post "$url" "$SESSION" '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":3}}}')
    [ "$status" = 200 ] && grep -q '"text":"5"' "$work/last.body" \
        || fail "tools/call add at $url answered HTTP $status: $(head -c 300 "$work/last.body")"
}

# Starts one mcp-math member on a port it picks; sets PORT.
start_member() {
    local name=$1 log="$work/$1.log" pid line
    "$MCP_MATH_BIN" --port 0 --name "$name" >"$log" 2>&1 &
    pid=$!
    started+=("$pid")
    line=$(wait_for_line "$log" 'listening on http://127\.0\.0\.1:[0-9]+' "$pid") \
        || fail "mcp-math member $name did not start: $(tail -5 "$log")"
    PORT=${line##*:}
}

# --- tools -------------------------------------------------------------------------------------

find_nginx() { command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true; }
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[ -n "$(find_nginx)" ] || missing+=(nginx)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ "${#missing[@]}" -gt 0 ]; then
    say "installing ${missing[*]} (Debian packages)"
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || fail "${missing[*]} missing, and not root and no sudo to install them"
        sudo=(sudo -n)
    fi
    { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q \
        && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; } >&2 \
        || fail "apt-get could not install ${missing[*]}"
fi
WRK=$(command -v wrk) || fail "wrk is not installed"
NGINX=$(find_nginx)
[ -n "$NGINX" ] || fail "nginx is not installed"

[ "$FLOOR" = 0 ] || [ "$FLOOR" = 1 ] || fail "FLOOR must be 0 or 1, not \"$FLOOR\""

if [ -n "${TIDEPOOL_BIN:-}" ] && [ -n "${MCP_MATH_BIN:-}" ]; then
    [ -x "$TIDEPOOL_BIN" ] || fail "TIDEPOOL_BIN=$TIDEPOOL_BIN is not an executable"
    [ -x "$MCP_MATH_BIN" ] || fail "MCP_MATH_BIN=$MCP_MATH_BIN is not an executable"
else
    say "building tidepool and mcp-math (release, scratch path $SCRATCH_PATH)"
    (
        cd "$repo"
        swift build -c release --scratch-path "$SCRATCH_PATH" --product tidepool
        swift build -c release --scratch-path "$SCRATCH_PATH" --product mcp-math
    ) >&2 || fail "the release build failed"
    bindir=$(cd "$repo" && swift build -c release --scratch-path "$SCRATCH_PATH" --show-bin-path)
    TIDEPOOL_BIN=$bindir/tidepool
    MCP_MATH_BIN=$bindir/mcp-math
fi
if [ "$FLOOR" = 1 ]; then
    if [ -n "${NIO_RESPONDER_BIN:-}" ]; then
        [ -x "$NIO_RESPONDER_BIN" ] || fail "NIO_RESPONDER_BIN=$NIO_RESPONDER_BIN is not an executable"
    else
        say "building nio-responder (release, scratch path $SCRATCH_PATH)"
        (cd "$repo" && swift build -c release --scratch-path "$SCRATCH_PATH" --product nio-responder) >&2 \
            || fail "the release build of nio-responder failed"
        NIO_RESPONDER_BIN=$(cd "$repo" && swift build -c release --scratch-path "$SCRATCH_PATH" --show-bin-path)/nio-responder
    fi
fi

# --- measuring ---------------------------------------------------------------------------------

# CPU time (user + system, in clock ticks) the processes have used so far.
cpu_ticks() {
    local pid total=0 ticks
    for pid in "$@"; do
        ticks=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }') || ticks=0
        total=$((total + ${ticks:-0}))
    done
    echo "$total"
}
CLOCK_TICKS=$(getconf CLK_TCK 2>/dev/null || echo 100)

# Warms up, then measures the URL with wrk; appends "label rps p50 p99 errors" to results and
# "label front_us members_us" (server-side CPU per call: the proxy or gateway, the members) to cpu.
# FRONT_PIDS and MEMBER_PIDS name the setup's processes.
measure() {
    local label=$1 url=$2 session=$3 out="$work/wrk-$1.txt" line front_before member_before front_after member_after
    local -a wrk_args=(-t"$THREADS" -c"$CONNECTIONS" --timeout 2s --latency -s "$here/mcp-call.lua" "$url")
    say "$label: warming up ${WARMUP}s"
    MCP_SESSION_ID=$session "$WRK" -d"${WARMUP}s" "${wrk_args[@]}" >"$work/warmup-$label.txt" 2>&1 \
        || fail "wrk failed warming up $label: $(tail -5 "$work/warmup-$label.txt")"
    say "$label: measuring ${DURATION}s ($CONNECTIONS connections, $THREADS threads)"
    front_before=$(cpu_ticks "${FRONT_PIDS[@]}")
    member_before=$(cpu_ticks "${MEMBER_PIDS[@]}")
    MCP_SESSION_ID=$session "$WRK" -d"${DURATION}s" "${wrk_args[@]}" >"$out" 2>&1 \
        || fail "wrk failed measuring $label: $(tail -5 "$out")"
    front_after=$(cpu_ticks "${FRONT_PIDS[@]}")
    member_after=$(cpu_ticks "${MEMBER_PIDS[@]}")
    sed 's/^/    /' "$out" >&2
    line=$(awk -v label="$label" '
        function ms(text) {
            if (text ~ /us$/) return text / 1000
            if (text ~ /ms$/) return text + 0
            if (text ~ /s$/) return text * 1000
            if (text ~ /m$/) return text * 60000
            if (text ~ /h$/) return text * 3600000
            return -1
        }
        /^ +50%/ { p50 = ms($2) }
        /^ +99%/ { p99 = ms($2) }
        /^Requests\/sec:/ { rps = $2; seen_rps = 1 }
        /Socket errors:/ { gsub(/,/, ""); sockets = $4 + $6 + $8 + $10 }
        /^mcp_bench non200=/ {
            for (i = 2; i <= NF; i++) { split($i, kv, "="); counts[kv[1]] = kv[2] }
            seen_lua = 1
        }
        END {
            if (!seen_rps || !seen_lua || p50 == "" || p99 == "" || p50 < 0 || p99 < 0) exit 1
            printf "%s %.0f %.3f %.3f %d\n", label, rps, p50, p99, sockets + counts["non200"] + counts["rpc_errors"]
        }' "$out") || fail "could not read the figures of $label from wrk's output (in $out)"
    echo "$line" >>"$work/results"
    awk -v label="$label" -v line="$line" -v front=$((front_after - front_before)) -v members=$((member_after - member_before)) \
        -v hz="$CLOCK_TICKS" -v duration="$DURATION" 'BEGIN {
            split(line, f, " "); calls = f[2] * duration
            if (calls <= 0) calls = 1
            printf "%s %.1f %.1f\n", label, front / hz * 1e6 / calls, members / hz * 1e6 / calls
        }' >>"$work/cpu"
}

say "wrk $("$WRK" -v 2>&1 | head -1 | awk '{print $2}'), $("$NGINX" -v 2>&1 | sed 's/^nginx version: //'), $(nproc) cores, niceness $(nice)"
: >"$work/results"
: >"$work/cpu"

# 1. One member, called directly.
start_member direct
FRONT_PIDS=()
MEMBER_PIDS=("${started[@]}")
direct_url="http://127.0.0.1:$PORT/mcp"
check_endpoint "$direct_url" 1
measure direct "$direct_url" "$SESSION"
stop_all

# 2. nginx round robin over MEMBERS members.
servers=""
for index in $(seq 1 "$MEMBERS"); do
    start_member "nginx-member-$index"
    servers+="        server 127.0.0.1:$PORT;"$'\n'
done
nginx_port=$(free_port) || fail "found no free port for nginx"
mkdir -p "$work/nginx"
awk -v dir="$work/nginx" -v port="$nginx_port" -v workers="$NGINX_WORKERS" -v servers="${servers%$'\n'}" '
    { gsub(/@DIR@/, dir); gsub(/@PORT@/, port); gsub(/@WORKERS@/, workers) }
    /@SERVERS@/ { print servers; next }
    { print }' "$here/nginx.conf.template" >"$work/nginx/nginx.conf"
"$NGINX" -t -q -p "$work/nginx" -e "$work/nginx/nginx-error.log" -c "$work/nginx/nginx.conf" >"$work/nginx-test.log" 2>&1 \
    || fail "nginx refused the configuration: $(cat "$work/nginx-test.log")"
MEMBER_PIDS=("${started[@]}")
start_nginx "$work/nginx" "$nginx_port"
nginx_url="http://127.0.0.1:$nginx_port/mcp"
check_endpoint "$nginx_url" "$MEMBERS"
measure nginx "$nginx_url" "$SESSION"
stop_all

# 3. The Tidepool gateway over a pool of MEMBERS members.
cat >"$work/tidepool.yaml" <<EOF
mcp_servers:
  math:
    mode: pool
    transport: http
    command: ["$MCP_MATH_BIN", --port, "{port}"]
    replicas: $MEMBERS
    strategy: round_robin
EOF
"$TIDEPOOL_BIN" validate --config "$work/tidepool.yaml" >"$work/validate.log" 2>&1 \
    || fail "tidepool validate refused the benchmark's configuration: $(cat "$work/validate.log")"
"$TIDEPOOL_BIN" run --config "$work/tidepool.yaml" --gateway-listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 \
    --log-level warning >"$work/tidepool.log" 2>&1 &
tidepool_pid=$!
started+=("$tidepool_pid")
line=$(wait_for_line "$work/tidepool.log" 'gateway listening on http://127\.0\.0\.1:[0-9]+' "$tidepool_pid") \
    || fail "tidepool did not start its gateway: $(tail -5 "$work/tidepool.log")"
gateway_port=${line##*:}
line=$(wait_for_line "$work/tidepool.log" 'admin endpoint http://127\.0\.0\.1:[0-9]+' "$tidepool_pid") || line=""
admin_port=${line##*:}
tidepool_url="http://127.0.0.1:$gateway_port/mcp/math"
check_endpoint "$tidepool_url" "$MEMBERS"
[ -n "$SESSION" ] || fail "the gateway's initialize answer carried no Mcp-Session-Id"
# Its members, so that they are stopped even if the gateway dies before it can stop them.
mapfile -t adopted < <(pgrep -P "$tidepool_pid" || true)
FRONT_PIDS=("$tidepool_pid")
MEMBER_PIDS=("${adopted[@]}")
measure tidepool "$tidepool_url" "$SESSION"
kill -0 "$tidepool_pid" 2>/dev/null || fail "tidepool exited during the run: $(tail -20 "$work/tidepool.log")"
if [ -n "$admin_port" ]; then
    curl -s --max-time 5 "http://127.0.0.1:$admin_port/metrics" >"$work/tidepool-metrics.txt" || true
    curl -s --max-time 5 "http://127.0.0.1:$admin_port/status" >"$work/tidepool-status.json" || true
fi
stop_all
problems=$(grep -Ec '^(WARNING|ERROR|CRITICAL) ' "$work/tidepool.log" || true)
if [ "$problems" -gt 0 ]; then
    echo "tidepool logged $problems warning/error lines; the first of each kind:" >&2
    grep -E '^(WARNING|ERROR|CRITICAL) ' "$work/tidepool.log" | awk '!seen[$1 " " $2]++' | head -10 | sed 's/^/    /' >&2
fi

# 4. The floor: no members, each server answers the call with add's reply itself, on one core
#    (nginx: one worker, `return 200`; nio-responder: one event loop, NIOHTTP1's codec). What
#    one request costs each stack: a proxy pays about that twice, as server and as client.
if [ "$FLOOR" = 1 ]; then
    reply='{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"5"}],"isError":false}}'
    floor_port=$(free_port) || fail "found no free port for nginx"
    mkdir -p "$work/nginx-floor"
    cat >"$work/nginx-floor/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
pid $work/nginx-floor/nginx.pid;
error_log $work/nginx-floor/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/nginx-floor/client_body;
    server {
        listen 127.0.0.1:$floor_port;
        keepalive_requests 1000000;
        location = /ready { return 204; }
        location / { default_type application/json; return 200 '$reply'; }
    }
}
NGINX
    start_nginx "$work/nginx-floor" "$floor_port"
    MEMBER_PIDS=()
    measure nginx-floor "http://127.0.0.1:$floor_port/mcp" ""
    stop_all

    "$NIO_RESPONDER_BIN" --port 0 >"$work/nio-responder.log" 2>&1 &
    responder_pid=$!
    started+=("$responder_pid")
    line=$(wait_for_line "$work/nio-responder.log" 'listening on http://127\.0\.0\.1:[0-9]+' "$responder_pid") \
        || fail "nio-responder did not start: $(tail -5 "$work/nio-responder.log")"
    FRONT_PIDS=("$responder_pid")
    MEMBER_PIDS=()
    measure nio-floor "http://127.0.0.1:${line##*:}/mcp" ""
    stop_all
fi

# --- the report --------------------------------------------------------------------------------

read -r _ direct_rps direct_p50 direct_p99 direct_errors < <(grep '^direct ' "$work/results")
read -r _ nginx_rps nginx_p50 nginx_p99 nginx_errors < <(grep '^nginx ' "$work/results")
read -r _ tp_rps tp_p50 tp_p99 tp_errors < <(grep '^tidepool ' "$work/results")

echo
echo "tools/call add over Streamable HTTP; wrk ${DURATION}s after ${WARMUP}s warm-up, $CONNECTIONS connections, $THREADS threads; $MEMBERS members behind nginx and tidepool; $(nproc) cores"
echo
echo "| setup | calls/s | p50 ms | p99 ms | errors |"
echo "| --- | ---: | ---: | ---: | ---: |"
printf '| direct (one mcp-math member) | %s | %.2f | %.2f | %s |\n' "$direct_rps" "$direct_p50" "$direct_p99" "$direct_errors"
printf '| nginx round robin (%s members) | %s | %.2f | %.2f | %s |\n' "$MEMBERS" "$nginx_rps" "$nginx_p50" "$nginx_p99" "$nginx_errors"
printf '| tidepool gateway (%s members) | %s | %.2f | %.2f | %s |\n' "$MEMBERS" "$tp_rps" "$tp_p50" "$tp_p99" "$tp_errors"
echo

verdict=$(awk -v tp="$tp_rps" -v ng="$nginx_rps" -v tp99="$tp_p99" -v d99="$direct_p99" -v n99="$nginx_p99" -v tperr="$tp_errors" 'BEGIN {
    ratio = (ng > 0) ? tp / ng : 0
    delta = tp99 - d99
    ok_ratio = ratio >= 1.0; ok_delta = delta <= 1.0
    printf "tidepool / nginx throughput: %.2f (target >= 1.0: %s)\n", ratio, ok_ratio ? "met" : "MISSED"
    printf "tidepool p99 - direct p99: %+.2f ms (target <= 1 ms: %s); nginx p99 - direct p99: %+.2f ms\n", delta, ok_delta ? "met" : "MISSED", n99 - d99
    if (tperr > 0) printf "tidepool answered %d calls with errors: its figures do not count\n", tperr
    exit (ok_ratio && ok_delta && tperr == 0) ? 0 : 2
}') && status=0 || status=$?
echo "$verdict"
awk 'BEGIN { printf "server-side CPU per call:" }
    $1 == "direct" { printf " direct: member %.0f us;", $3 }
    $1 == "nginx" { printf " nginx: proxy %.0f us + members %.0f us;", $2, $3 }
    $1 == "tidepool" { printf " tidepool: gateway %.0f us + members %.0f us", $2, $3 }
    END { print "" }' "$work/cpu"
if [ "$FLOOR" = 1 ]; then
    awk '$1 == "nginx-floor" { nginx = $2 } $1 == "nio-floor" { nio = $2 }
        END {
            printf "floor, CPU to answer one call on one core: nginx %.1f us, SwiftNIO %.1f us (%.1fx nginx)\n", nginx, nio, (nginx > 0 ? nio / nginx : 0)
        }' "$work/cpu"
    awk '$1 == "nginx-floor" || $1 == "nio-floor" { printf "  %s: %s calls/s, %s errors\n", $1, $2, $5 }' "$work/results"
fi

if [ "$direct_errors" -gt 0 ] || [ "$nginx_errors" -gt 0 ]; then
    echo "gateway bench: the baselines had errors (direct $direct_errors, nginx $nginx_errors): the comparison is not valid" >&2
    exit 1
fi
exit "$status"
