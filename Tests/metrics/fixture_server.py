#!/usr/bin/env python3
"""A loopback HTTP server for the scraper's tests. Serves one file at /metrics with the given
Content-Type, gzip-compressed (Content-Encoding: gzip) only when the request accepts gzip, and
records each request's Accept and Accept-Encoding headers at /requests (JSON). Prints the port it
bound on its first line, then serves until stdin closes or 60 s pass (it always stops by itself).

Usage: fixture_server.py FILE CONTENT_TYPE
"""
import gzip
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

body = open(sys.argv[1], "rb").read()
content_type = sys.argv[2]
seen = []


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/requests":
            payload = json.dumps(seen).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        seen.append({"accept": self.headers.get("Accept", ""), "acceptEncoding": self.headers.get("Accept-Encoding", "")})
        payload = body
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if "gzip" in self.headers.get("Accept-Encoding", ""):
            payload = gzip.compress(body)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
stopper = threading.Timer(60, server.shutdown)
stopper.daemon = True
stopper.start()
sys.stdin.read()  # Returns when the test closes our stdin.
server.shutdown()
