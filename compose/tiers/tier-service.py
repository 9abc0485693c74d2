#!/usr/bin/env python3
"""One service of the tiers demo: a small HTTP server that stands in for a database, a cache, an API,
a gateway or an edge proxy, and calls the services it depends on.

    tier-service.py NAME [--port 8080] [--start-seconds S] [--stop-seconds S]
                         [--upstream HOST:PORT ...] [--call-interval S]

- Starts: waits --start-seconds (a warm-up), then listens on --port. GET /healthz answers 200 once
  listening; GET / answers with the service's name and how its last calls to its upstreams went.
- Works: every --call-interval seconds it calls GET /healthz on each --upstream, as a real service
  would use its dependencies. A failed call is logged as "upstream-error".
- Stops on SIGTERM or SIGINT: stops listening, takes --stop-seconds to wind down (still calling its
  upstreams, which must therefore still be there), and exits 0.

Logs one line per event on stdout: <timestamp> <service> <event> [details]. Python's standard library
only, so that the same script runs in a container and on a bare host.
"""

import argparse
import datetime
import http.server
import json
import signal
import sys
import threading
import time
import urllib.request


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Service:
    def __init__(self, args):
        self.name = args.name
        self.args = args
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.last_calls = {upstream: None for upstream in args.upstream}
        self.calls = 0
        self.errors = 0

    def log(self, event, details=""):
        print(f"{now()} {self.name} {event}" + (f" {details}" if details else ""), flush=True)

    def call_upstreams(self):
        for upstream in self.args.upstream:
            try:
                with urllib.request.urlopen(f"http://{upstream}/healthz", timeout=2) as response:
                    ok = response.status == 200
                    detail = f"status {response.status}"
            except Exception as error:  # refused, reset, timed out, HTTP error
                ok = False
                detail = str(getattr(error, "reason", error))
            with self.lock:
                self.calls += 1
                self.last_calls[upstream] = {"ok": ok, "at": now()} if ok else {"ok": False, "error": detail, "at": now()}
                if not ok:
                    self.errors += 1
            if not ok:
                self.log("upstream-error", f"{upstream}: {detail}")

    def caller(self):
        while True:
            self.call_upstreams()
            if self.done.wait(self.args.call_interval):
                return

    def handler(self):
        service = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/healthz":
                    self.reply(200, {"service": service.name, "status": "ok"})
                elif self.path == "/":
                    with service.lock:
                        body = {"service": service.name, "upstreams": dict(service.last_calls)}
                    self.reply(200, body)
                else:
                    self.reply(404, {"error": "not found"})

            def reply(self, status, body):
                data = (json.dumps(body) + "\n").encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args):
                pass  # one line per event, not per request

        return Handler

    def run(self):
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda signum, frame: self.stopping.set())
        upstreams = " ".join(self.args.upstream) or "-"
        self.log("starting", f"port={self.args.port} upstreams={upstreams}")
        if self.stopping.wait(self.args.start_seconds):
            self.log("stopped", "before it started")
            return 0
        http.server.ThreadingHTTPServer.allow_reuse_address = True
        http.server.ThreadingHTTPServer.daemon_threads = True
        server = http.server.ThreadingHTTPServer((self.args.host, self.args.port), self.handler())
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.done = threading.Event()
        caller = threading.Thread(target=self.caller, daemon=True)
        caller.start()
        self.log("listening", f"http://{self.args.host}:{self.args.port}")

        while not self.stopping.wait(0.2):
            pass
        server.shutdown()
        server.server_close()
        self.log("stop-begin", f"winding down for {self.args.stop_seconds}s")
        time.sleep(self.args.stop_seconds)
        self.done.set()
        caller.join()
        self.call_upstreams()  # a last call: its upstreams must still be there
        with self.lock:
            calls, errors = self.calls, self.errors
        self.log("stopped", f"calls={calls} upstream-errors={errors}")
        return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name")
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--start-seconds", type=float, default=1.0)
    parser.add_argument("--stop-seconds", type=float, default=1.0)
    parser.add_argument("--upstream", action="append", default=[], metavar="HOST:PORT")
    parser.add_argument("--call-interval", type=float, default=2.0)
    return Service(parser.parse_args()).run()


if __name__ == "__main__":
    sys.exit(main())
