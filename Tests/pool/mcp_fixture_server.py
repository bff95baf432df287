#!/usr/bin/env python3
"""Tidepool integration-test fixture: a small MCP server built on the official Python SDK.

It is a *member* behind the Tidepool gateway in the pool tests. It uses the SDK's own
Streamable HTTP transport (``mcp`` 2.x, ``mcp.server.MCPServer``, formerly FastMCP), so the
wire behaviour the gateway sees is the SDK's, not ours. Pinned versions: requirements.txt.

Tools
-----
``add {a: int, b: int}``
    Returns ``a + b`` as text (e.g. ``"5"``).
``multiply {a: int, b: int}``
    Returns ``a * b`` as text.
``whoami {}``
    Returns text identifying the serving process, as a single line
    ``name=<name> port=<port> pid=<pid>`` (``port=stdio`` over stdio). ``<name>`` is ``--name``,
    or ``member-<port>`` when ``--name`` is not given. Tests use it to see which member served
    a call.
``work {ms: int}``
    ``await asyncio.sleep(ms / 1000)`` then returns ``"worked <ms>ms name=<name> pid=<pid>"``.
    For in-flight / least-connections tests: calls overlap, they do not block each other.
``counter_increment {}``
    Increments a counter that belongs to the MCP *session* and returns the new value as text
    (``"1"``, ``"2"``, ...). A new session starts again at 1. Stored in the SDK's per-connection
    state dict (``Connection.state``, reached as ``ctx.session._connection.state`` in mcp 2.3.0):
    one Connection per MCP session (Mcp-Session-Id) on stateful Streamable HTTP, one per process
    on stdio. It goes away with the session (DELETE, idle timeout). In ``--stateless`` mode every
    POST gets a fresh Connection, so the counter is always 1 - the expected stateless behaviour.
    Fallback if that private attribute is missing: a dict keyed by the Mcp-Session-Id header.
``counter_get {}``
    Returns the current value of this session's counter without changing it (0 if none).

Flags
-----
``--port N``          TCP port for Streamable HTTP (default 8000). Pick a free port yourself:
                      the server does not print the port it bound. Ready = the port accepts
                      connections (e.g. GET /mcp then answers 400 "Missing session ID").
``--host H``          Bind address (default 127.0.0.1). The SDK turns on DNS-rebinding
                      protection for 127.0.0.1/localhost/::1: the Host header must then be
                      127.0.0.1:*, localhost:* or [::1]:* (else 421), and an Origin, if sent,
                      one of http://127.0.0.1:*, http://localhost:*, http://[::1]:* (else 403).
``--path P``          Endpoint path (default /mcp).
``--name NAME``       Identity reported by whoami/work (default member-<port>, or "stdio").
``--stdio``           Serve over stdio (newline-delimited JSON-RPC) instead of HTTP.
``--stateless``       Stateless Streamable HTTP: no Mcp-Session-Id is issued, every POST is
                      handled by a fresh transport (default: stateful).
``--json-response``   Answer POSTs with a single application/json body instead of an SSE
                      stream (text/event-stream).
``--session-idle-timeout S``  Seconds without a request after which a stateful session is
                      dropped (its id then answers 404). Default: the SDK's, 1800.
``--max-sessions N``  Open-session limit; an initialize beyond it answers 503. Default: the
                      SDK's, 10000.
``--verbose``         INFO logging (SDK + uvicorn access log). Default: warnings only.

Run:  .venv/bin/python Tests/pool/mcp_fixture_server.py --port 18080 --name m1
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from typing import Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context

SESSION_HEADER = "mcp-session-id"


def build_server(name: str, port_label: str, log_level: str) -> MCPServer:
    server = MCPServer("tidepool-fixture", version="1.0.0", log_level=log_level)  # type: ignore[arg-type]
    pid = os.getpid()

    # Per-session counters. Primary store: the SDK's per-connection scratch dict,
    # `Connection.state` ("persists across requests on this connection"). In mcp 2.x
    # `ctx.session` is a per-request ServerSession proxy; the Connection behind it is one per
    # MCP session on stateful Streamable HTTP, one per process on stdio, and one per request
    # in stateless mode. mcp 2.3.0 reaches it only through the private
    # `ServerSession._connection`, so if that ever disappears fall back to a dict keyed by the
    # Mcp-Session-Id request header (or one process-wide key when there is none).
    fallback: dict[str, int] = {}
    key = "tidepool.counter"

    def _state(ctx: Context) -> dict[str, Any] | None:
        conn = getattr(ctx.session, "_connection", None)
        state = getattr(conn, "state", None)
        return state if isinstance(state, dict) else None

    def _fallback_key(ctx: Context) -> str:
        headers = ctx.headers
        sid = headers.get(SESSION_HEADER) if headers is not None else None
        return sid or "-"

    def _get(ctx: Context) -> int:
        state = _state(ctx)
        if state is not None:
            return int(state.get(key, 0))
        return fallback.get(_fallback_key(ctx), 0)

    def _set(ctx: Context, value: int) -> None:
        state = _state(ctx)
        if state is not None:
            state[key] = value
        else:
            fallback[_fallback_key(ctx)] = value

    # All tools are `async def`: they run on the event loop (sync tools would run in AnyIO's
    # worker-thread pool, 40 threads by default, which would cap concurrency and make the
    # counter's read-modify-write racy). There is no await between the counter's read and
    # write, so increments are atomic.
    @server.tool()
    async def add(a: int, b: int) -> str:
        """Add two integers; returns a+b as text."""
        return str(a + b)

    @server.tool()
    async def multiply(a: int, b: int) -> str:
        """Multiply two integers; returns a*b as text."""
        return str(a * b)

    @server.tool()
    async def whoami() -> str:
        """Identify the serving process: 'name=<name> port=<port> pid=<pid>'."""
        return f"name={name} port={port_label} pid={pid}"

    @server.tool()
    async def work(ms: int) -> str:
        """Sleep ms milliseconds (asyncio.sleep, non-blocking) and then return."""
        await asyncio.sleep(max(ms, 0) / 1000.0)
        return f"worked {ms}ms name={name} pid={pid}"

    @server.tool()
    async def counter_increment(ctx: Context) -> str:
        """Increment this MCP session's counter and return the new value."""
        value = _get(ctx) + 1
        _set(ctx, value)
        return str(value)

    @server.tool()
    async def counter_get(ctx: Context) -> str:
        """Return this MCP session's counter without changing it (0 if never incremented)."""
        return str(_get(ctx))

    return server


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Tidepool MCP fixture server (Python MCP SDK).")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--path", default="/mcp")
    p.add_argument("--name", default=None)
    p.add_argument("--stdio", action="store_true")
    p.add_argument("--stateless", action="store_true")
    p.add_argument("--json-response", action="store_true")
    p.add_argument("--session-idle-timeout", type=float, default=None)
    p.add_argument("--max-sessions", type=int, default=None)
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args(argv)

    log_level = "INFO" if args.verbose else "WARNING"
    port_label = "stdio" if args.stdio else str(args.port)
    name = args.name or ("stdio" if args.stdio else f"member-{args.port}")
    server = build_server(name, port_label, log_level)
    if not args.verbose:
        for noisy in ("mcp", "uvicorn", "uvicorn.access", "uvicorn.error", "sse_starlette", "httpx"):
            logging.getLogger(noisy).setLevel(logging.WARNING)

    if args.stdio:
        server.run("stdio")
    else:
        extra: dict[str, Any] = {}
        if args.session_idle_timeout is not None:
            extra["session_idle_timeout"] = args.session_idle_timeout
        if args.max_sessions is not None:
            extra["max_sessions"] = args.max_sessions
        server.run(
            "streamable-http",
            host=args.host,
            port=args.port,
            streamable_http_path=args.path,
            stateless_http=args.stateless,
            json_response=args.json_response,
            **extra,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
