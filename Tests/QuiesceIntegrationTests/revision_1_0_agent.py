"""An agent of QSC/1 revision 1.0, written from docs/protocol.md's rules alone, with the standard
library only: ZMTP 3.0 NULL over TCP (hostile_peer.py's framing), no `instance` in its `register`, no
`outcome` in its snapshots. A coordinator of a later revision must serve it unchanged.

    revision_1_0_agent.py HOST PORT SERVICE AGENT_HOST SECONDS -- COMMAND...

It registers as SERVICE from AGENT_HOST (repeated every second until welcomed), heartbeats at the
welcome's interval, runs COMMAND in a process group of its own on `start` (`started`, then `ready`:
it has no readiness probe), answers a repeated `start` with `ready`, and on `stop` sends SIGTERM to
the group, then SIGKILL after `timeout_ms`, and reports `stopped` until acknowledged (every 500 ms,
5 s at most); `kill` kills at once. Orders of another epoch are dropped; `error` makes it register
again. It exits once its report is acknowledged, with its process's status, or after SECONDS
whatever happens (a hang guard: the group is killed then).
"""
import json
import os
import select
import signal
import subprocess
import sys
import time

import hostile_peer as zmtp


class Agent:
    def __init__(self, host, port, service, agent_host, command):
        self.address = (host, port)
        self.service, self.agent_host, self.command = service, agent_host, command
        self.connection, self.buffer, self.frames = None, b"", []
        self.next_id = 1
        self.epoch = None
        self.highest_epoch = 0  # of the welcomes accepted: a lower one is an earlier coordinator
        self.heartbeat_interval = 1.0
        self.lost_after = 5.0
        self.last_heard = time.monotonic()
        self.next_heartbeat = None
        self.next_register = 0.0
        self.process = None
        self.status = None  # (exit_code, signal) once the process ended
        self.stopping = None  # (order id, SIGKILL deadline, "term", "kill" or "timeout")
        self.report = None  # the `stopped` body, once produced
        self.report_sent_first = None
        self.next_report = None
        self.acknowledged = False
        self.exit_after_ack = True

    # Transport

    def connect(self, deadline):
        while time.monotonic() < deadline:
            try:
                self.connection = zmtp.connect(*self.address, greet=True)
                return
            except OSError:
                time.sleep(0.2)
        sys.exit("no coordinator at %s:%d" % self.address)

    def send(self, body):
        body.setdefault("id", self.next_id)
        if body["id"] == self.next_id:
            self.next_id += 1
        if self.epoch is not None:
            body["epoch"] = self.epoch
        data = zmtp.quiesce_frames(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
        self.connection.setblocking(True)
        self.connection.sendall(data)
        self.connection.setblocking(False)
        return body

    def receive(self, timeout):
        """The bodies of the QSC/1 messages that arrive within `timeout` seconds."""
        readable, _, _ = select.select([self.connection], [], [], max(timeout, 0))
        if not readable:
            return []
        try:
            data = self.connection.recv(65536)
        except BlockingIOError:
            return []
        if not data:
            sys.exit("the coordinator closed the connection")
        frames, self.buffer = zmtp.split_frames(self.buffer + data)
        bodies = []
        for flags, body in frames:
            if flags & 0x04:
                continue  # a ZMTP command
            self.frames.append(body)
            if not flags & 0x01:
                message, self.frames = self.frames, []
                if len(message) == 2 and message[0] == b"QSC/1":
                    try:
                        bodies.append(json.loads(message[1]))
                    except ValueError:
                        pass
        return bodies

    # Protocol

    def register(self, now):
        body = {"type": "register", "service": self.service, "host": self.agent_host, "agent_pid": os.getpid()}
        snapshot = self.snapshot()
        if snapshot:
            body["snapshot"] = snapshot
        self.epoch = None
        self.send(body)
        self.next_register = now + 1.0

    def snapshot(self):
        if self.status is not None:
            code, number = self.status
            return {"state": "exited", **({"exit_code": code} if number is None else {"signal": number})}
        if self.process is None:
            return None
        return {"state": "stopping" if self.stopping else "ready", "pid": self.process.pid}

    def handle(self, body, now):
        kind = body.get("type")
        if kind in ("welcome", "refused", "error") and body.get("epoch", 0) < self.highest_epoch:
            return
        if kind == "welcome":
            if self.epoch is None:
                self.epoch = body.get("epoch")
                self.highest_epoch = body.get("epoch", 0)
                self.last_heard = now
                self.heartbeat_interval = body["heartbeat_interval_ms"] / 1000
                self.lost_after = body.get("lost_after_ms", body["heartbeat_interval_ms"] * 5) / 1000
                self.next_heartbeat = now + self.heartbeat_interval
            return
        if kind == "refused":
            self.kill_group()
            sys.exit("refused: %s" % body.get("reason"))
        if kind == "error":
            self.register(now)
            return
        if self.epoch is None or body.get("epoch") != self.epoch:
            return  # not welcomed yet, or an order of another coordinator
        self.last_heard = now
        if kind == "start":
            if self.process is None:
                self.spawn()
            elif self.status is None:
                self.send({"type": "ready"})
        elif kind in ("stop", "kill"):
            self.exit_after_ack = body.get("exit", True)
            self.order(body, kind == "kill", now)
        elif kind == "ack":
            if self.report is not None and body.get("reply_to") == self.report["id"]:
                self.acknowledged = True

    def spawn(self):
        try:
            self.process = subprocess.Popen(self.command, start_new_session=True)
        except OSError as error:
            self.send({"type": "start_failed", "reason": "cannot execute %s: %s" % (self.command[0], error)})
            return
        self.send({"type": "started", "pid": self.process.pid})
        self.send({"type": "ready"})

    def order(self, body, kill, now):
        if self.report is not None:
            # A repeated order, or one that crossed the report: the cached report again.
            self.report["reply_to"] = body["id"]
            self.send(dict(self.report))
            return
        if self.process is None:
            self.produce({"type": "stopped", "outcome": "not_started", "reply_to": body["id"]}, now)
            return
        if self.status is not None:
            self.produce(self.stopped_body("already_exited", body["id"]), now)
            return
        if self.stopping is None:
            timeout = body.get("timeout_ms", 0) / 1000
            self.stopping = (body["id"], now + timeout, "kill" if kill else "term")
            self.signal_group(signal.SIGKILL if kill else signal.SIGTERM)
        else:
            # An order while stopping is not answered apart; a kill escalates now.
            self.stopping = (body["id"], self.stopping[1], "kill" if kill else self.stopping[2])
            if kill:
                self.signal_group(signal.SIGKILL)

    def stopped_body(self, outcome, reply_to):
        body = {"type": "stopped", "outcome": outcome, "reply_to": reply_to}
        code, number = self.status
        if number is None:
            body["exit_code"] = code
        else:
            body["signal"] = number
        return body

    def produce(self, body, now):
        self.report = self.send(body)
        self.report_sent_first = now
        self.next_report = now + 0.5

    def poll_process(self, now):
        if self.process is None or self.status is not None:
            return
        code = self.process.poll()
        if code is None:
            if self.stopping and self.stopping[2] == "term" and now >= self.stopping[1]:
                self.signal_group(signal.SIGKILL)
                self.stopping = (self.stopping[0], float("inf"), "timeout")
            return
        self.status = (code, None) if code >= 0 else (None, -code)
        if self.stopping is None:
            body = {"type": "exited"}
            body.update({"exit_code": code} if code >= 0 else {"signal": -code})
            self.produce(body, now)
            return
        order, _, how = self.stopping
        if how == "timeout":
            self.produce({"type": "stopped", "outcome": "killed_after_timeout", "reply_to": order}, now)
        elif how == "kill":
            self.produce({"type": "stopped", "outcome": "killed", "reply_to": order}, now)
        else:
            self.produce(self.stopped_body("stopped", order), now)

    def signal_group(self, number):
        try:
            os.killpg(self.process.pid, number)
        except ProcessLookupError:
            pass

    def kill_group(self):
        if self.process is not None and self.status is None:
            self.signal_group(signal.SIGKILL)
            self.process.wait()

    def exit_status(self):
        if self.status is None:
            return 0
        code, number = self.status
        return code if number is None else 128 + number

    def run(self, seconds):
        deadline = time.monotonic() + seconds
        self.connect(deadline)
        try:
            while time.monotonic() < deadline:
                now = time.monotonic()
                if self.epoch is None and now >= self.next_register:
                    self.register(now)
                if self.epoch is not None and now - self.last_heard > self.lost_after:
                    self.register(now)  # the coordinator is lost; the service keeps running
                if self.next_heartbeat is not None and self.epoch is not None and now >= self.next_heartbeat:
                    self.send({"type": "heartbeat"})
                    self.next_heartbeat = now + self.heartbeat_interval
                self.poll_process(now)
                if self.report is not None:
                    if self.acknowledged or now - self.report_sent_first >= 5:
                        if self.report["type"] == "stopped":
                            if self.exit_after_ack:
                                return self.exit_status()
                            # `exit: false`: it waits for a new `start`.
                            self.process, self.status, self.stopping = None, None, None
                        self.report, self.acknowledged = None, False
                    elif now >= self.next_report:
                        self.send(dict(self.report))
                        self.next_report = now + 0.5
                for body in self.receive(0.05):
                    self.handle(body, time.monotonic())
            return 124
        finally:
            self.kill_group()
            self.connection.close()


def main(arguments):
    separator = arguments.index("--")
    host, port, service, agent_host, seconds = arguments[:separator]
    agent = Agent(host, int(port), service, agent_host, arguments[separator + 1 :])
    sys.exit(agent.run(float(seconds)))


if __name__ == "__main__":
    main(sys.argv[1:])
