#!/usr/bin/env python3
"""Checks one run of a compose demo in a Docker engine from what its containers left behind.

    scripts/compose-demo-check.py --compose FILE --evidence DIR [--lost SERVICE] [--scaled SERVICE=N]
                                  [--leader COORDINATOR [--killed COORDINATOR]]

DIR holds what scripts/compose-demo.sh collected after the fleet stopped: `inspect.json` (`docker
inspect` of every container of the project), `logs/SERVICE-NUMBER.log` (`docker logs --timestamps`,
the engine's timestamp on every line), `status.json` (`quiesce status --json` once the fleet was ready)
and, for the classic demo, `checkpoint.txt` (what Redis's append-only file holds of the checkpoint).

Checks, each printed as one line `ok: ...` or `FAIL: ...`:
- every container exited (nothing is left running) with code 0; with --lost, that service's one
  container was killed (137) and the coordinator, which reported it lost, exited with 1; with
  --killed, that coordinator's container was killed (137);
- the coordinator's report: `result: clean`, or with --lost `NOT clean` with that service lost;
- with several coordinators (the standby demo: every service whose command is `coordinator`),
  --leader names the one that led: every other one logged that it stood by; without --killed the
  leader printed the report and every other one ended alone on its SIGTERM, printing none; with
  --killed (the leader, killed mid-shutdown) the standby logged that it took over ("Leading the
  fleet") and printed the report, which has a row for every service;
- the order, for every dependency of the compose file (`depends_on` between services the coordinator
  manages), between every container of the dependent and every container of the dependency: the
  dependent's service logged its own last line ("stopped"), and its agent saw it end, before the
  dependency's service began to stop (its own log line, the last such), by the engine's timestamps
  of those lines. Not the containers' `State.FinishedAt`: an agent acknowledges its service's end,
  which is what lets the next wave begin, and only then exits, so its container may end a few
  milliseconds after the next wave's first stop, or after a quick dependency's container. A container
  killed mid-shutdown (--lost) has no line of its own: its `FinishedAt` is checked instead;
- the services' own evidence: the classic worker saved its checkpoint, which Redis holds, and met no
  error; no tier service lost an upstream (except the dependents of a --lost service), and none
  began to stop, or stopped, twice;
- with --scaled, that service ran as N containers and `quiesce status` counted N ready instances.

Containers are told apart by their compose labels (com.docker.compose.service and
.container-number), never by name, which Compose v1 (project_service_1) and v2 (project-service-1)
spell differently; a container is named SERVICE-NUMBER in what this prints.

Exits 0 when every check passes, 1 otherwise. Needs PyYAML (Debian's python3-yaml).
"""

import argparse
import datetime
import json
import os
import re
import sys

import yaml

# How each kind of service says, in its own log, that it begins to stop and that it has stopped.
# The demos' own scripts log `<timestamp> <service> stop-begin` and `... <service> stopped ...`.
STOP_LINES = {
    "postgres": (r"received fast shutdown request", r"database system is shut down"),
    "redis": (r"Received SIG\w+ scheduling shutdown", r"ready to exit"),
    "nginx": (r"signal 3 \(SIGQUIT\) received", r"\[notice\] \d+#\d+: exit$"),
}


class Run:
    def __init__(self, options):
        self.options = options
        self.failures = 0
        self.passed = 0
        with open(options.compose) as handle:
            self.compose = yaml.safe_load(handle)
        with open(os.path.join(options.evidence, "inspect.json")) as handle:
            self.containers = json.load(handle)
        self.lost = options.lost
        self.killed = options.killed
        self.leader = options.leader or "coordinator"

    def check(self, condition, message, detail=""):
        if condition:
            self.passed += 1
            print(f"ok: {message}")
        else:
            self.failures += 1
            print(f"FAIL: {message}" + (f"\n{detail}" if detail else ""))
        return condition

    # The compose file

    def managed(self):
        """The services under an agent: everything but `x-quiesce: false` (keys, the coordinator)."""
        services = self.compose.get("services") or {}
        return {name: spec for name, spec in services.items() if spec.get("x-quiesce") is not False}

    def coordinators(self):
        """The coordinators' services: those not managed whose command is `coordinator ...`."""
        services = self.compose.get("services") or {}
        return [
            name
            for name, spec in services.items()
            if name not in self.managed() and (spec.get("command") or [None])[0] == "coordinator"
        ]

    def reporter(self):
        """The coordinator that printed the report: the leader, or the standby that took over from it."""
        if self.killed:
            others = [name for name in self.coordinators() if name != self.killed]
            return others[0] if len(others) == 1 else None
        return self.leader

    def dependencies(self, name):
        depends = self.managed()[name].get("depends_on") or []
        names = list(depends) if isinstance(depends, (dict, list)) else []
        return [dependency for dependency in names if dependency in self.managed()]

    def kind(self, name):
        args = (self.managed()[name].get("build") or {}).get("args") or {}
        base = args.get("SERVICE_BASE", "") if isinstance(args, dict) else ""
        return next((kind for kind in STOP_LINES if base.startswith(kind)), "script")

    # The containers

    @staticmethod
    def label(container, key):
        return (container["Config"].get("Labels") or {}).get(f"com.docker.compose.{key}", "")

    @classmethod
    def service_of(cls, container):
        return cls.label(container, "service")

    @classmethod
    def name_of(cls, container):
        """SERVICE-NUMBER, from the labels: the same under Compose v1 and v2, and the log's file name."""
        return f"{cls.service_of(container)}-{cls.label(container, 'container-number')}"

    def of_service(self, name):
        return [container for container in self.containers if self.service_of(container) == name]

    def log(self, container):
        path = os.path.join(self.options.evidence, "logs", self.name_of(container) + ".log")
        try:
            with open(path, errors="replace") as handle:
                return handle.read().splitlines()
        except FileNotFoundError:
            return []

    @staticmethod
    def parse_time(text):
        """An engine timestamp (RFC 3339 with nanoseconds) as an aware datetime, to the microsecond."""
        match = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$", text)
        if not match:
            return None
        fraction = (match.group(2) or "0")[:6].ljust(6, "0")
        zone = "+00:00" if match.group(3) == "Z" else match.group(3)
        return datetime.datetime.fromisoformat(f"{match.group(1)}.{fraction}{zone}")

    def line_time(self, container, pattern, last=False):
        """When the engine received the first (or last) line of the container's log matching pattern."""
        found = None
        for line in self.log(container):
            stamp, _, text = line.partition(" ")
            if re.search(pattern, text):
                found = self.parse_time(stamp)
                if not last:
                    break
        return found

    def stop_patterns(self, name):
        if self.kind(name) == "script":
            return rf" {re.escape(name)} stop-begin", rf" {re.escape(name)} stopped"
        return STOP_LINES[self.kind(name)]

    # The checks

    def check_exits(self):
        running = [self.name_of(c) for c in self.containers if c["State"]["Status"] != "exited"]
        self.check(not running, "every container has exited", f"still there: {', '.join(running)}")
        for container in self.containers:
            service, name = self.service_of(container), self.name_of(container)
            code = container["State"]["ExitCode"]
            expected = 0
            if service in (self.lost, self.killed):
                expected = 137
            elif service == self.reporter() and self.lost:
                expected = 1
            self.check(code == expected, f"{name} exited with {expected}", f"  it exited with {code}")
            self.check(not container["State"].get("OOMKilled"), f"{name} was not killed for memory")

    def coordinator_log(self, name):
        containers = self.of_service(name) if name else []
        return "\n".join(self.log(containers[0])) if containers else ""

    def check_report(self):
        log = self.coordinator_log(self.reporter())
        if self.lost:
            self.check("result: NOT clean" in log, "the coordinator's report says the shutdown was not clean")
            rows = [line for line in log.splitlines() if re.search(rf"\s{re.escape(self.lost)}\s.*\blost\b", line)]
            self.check(bool(rows), f"the coordinator's report shows {self.lost} lost", log[-3000:])
        else:
            self.check("result: clean, exit code 0" in log, "the coordinator's report is clean", log[-3000:])
        for name in self.managed():
            reported = re.search(rf"^\S+\s{re.escape(name)}\s+\S", log, re.MULTILINE) is not None
            self.check(reported, f"the coordinator's report has a row for {name}")

    def check_standbys(self):
        """With several coordinators: who stood by, who took over, and who printed a report."""
        if len(self.coordinators()) < 2:
            return
        for name in self.coordinators():
            log = self.coordinator_log(name)
            if name != self.leader:
                self.check("standing by: " in log, f"{name} stood by while {self.leader} led", log[-2000:])
            if name == self.reporter():
                continue
            if name == self.killed:
                self.check("result: " not in log, f"{name}, killed mid-shutdown, printed no report", log[-2000:])
            else:
                self.check(
                    "a signal ends this standby coordinator only" in log,
                    f"{name} ended alone on its SIGTERM, as a standby",
                    log[-2000:],
                )
                self.check("result: " not in log, f"{name}, a standby, printed no report", log[-2000:])
        if self.killed and self.reporter():
            log = self.coordinator_log(self.reporter())
            self.check("Leading the fleet" in log, f"{self.reporter()} took over from {self.killed}", log[-2000:])

    def check_order(self):
        for name in self.managed():
            dependents = self.of_service(name)
            for dependency in self.dependencies(name):
                begin_pattern, _ = self.stop_patterns(dependency)
                if dependency == self.lost:
                    continue  # killed before its dependents stopped: there is no stop of it to come after
                for provider in self.of_service(dependency):
                    began = self.line_time(provider, begin_pattern, last=True)
                    if not self.check(began is not None, f"{self.name_of(provider)} logged that it began to stop"):
                        continue
                    for container in dependents:
                        self.check_before(container, provider, name, began)

    def check_before(self, container, provider, name, began):
        """The dependent's service, in `container`, ended before the dependency's, in `provider`, began to stop."""
        dependent, dependency = self.name_of(container), self.name_of(provider)
        if self.service_of(container) == self.lost:
            finished = self.parse_time(container["State"]["FinishedAt"])
            self.check(
                finished is not None and finished < began,
                f"{dependent}, killed, finished before {dependency} began to stop",
                f"  finished {container['State']['FinishedAt']}, stop began {began.isoformat()}",
            )
            return
        _, stopped_pattern = self.stop_patterns(name)
        stopped = self.line_time(container, stopped_pattern, last=True)
        self.check(
            stopped is not None and stopped < began,
            f"{name} logged its stop in {dependent} before {dependency} began to stop",
            f"  stopped {stopped}, stop began {began.isoformat()}",
        )
        ended = self.line_time(container, r"\[QuiesceAgent\] Service process ended", last=True)
        self.check(
            ended is not None and ended < began,
            f"the agent in {dependent} saw its service end before {dependency} began to stop",
            f"  ended {ended}, stop began {began.isoformat()}",
        )

    def check_services(self):
        exempt = {name for name in self.managed() if self.lost in self.dependencies(name)}
        for name in self.managed():
            for container in self.of_service(name):
                log = "\n".join(self.log(container))
                if name == "worker":
                    self.check("worker checkpoint-saved" in log, "the worker saved its checkpoint", log[-2000:])
                    self.check(" worker error " not in log, "the worker met no error", log[-2000:])
                elif self.kind(name) == "script" and name not in exempt and name != self.lost:
                    self.check(
                        re.search(rf" {re.escape(name)} stopped calls=\d+ upstream-errors=0$", log, re.MULTILINE) is not None,
                        f"{self.name_of(container)} stopped with no upstream error",
                        log[-2000:],
                    )
                    self.check(f" {name} upstream-error " not in log, f"{self.name_of(container)} never lost an upstream", log[-2000:])
                if self.kind(name) == "script" and name != self.lost:
                    for event in ("stop-begin", "stopped"):
                        count = len(re.findall(rf" {re.escape(name)} {event}\b", log))
                        self.check(count == 1, f"{self.name_of(container)} logged {event} once", f"  {count} times")
        if "worker" in self.managed():
            path = os.path.join(self.options.evidence, "checkpoint.txt")
            text = open(path).read() if os.path.exists(path) else ""
            self.check("demo:checkpoint" in text, "Redis holds the worker's checkpoint (its append-only file)")

    def check_scaled(self):
        if not self.options.scaled:
            return
        name, _, count = self.options.scaled.partition("=")
        count = int(count)
        self.check(len(self.of_service(name)) == count, f"{name} ran as {count} containers")
        try:
            with open(os.path.join(self.options.evidence, "status.json")) as handle:
                status = json.load(handle)
        except (OSError, ValueError) as error:
            self.check(False, "quiesce status --json was read", str(error))
            return
        rows = [row for row in status.get("services", []) if row.get("service") == name]
        instances = rows[0].get("instances", []) if rows else []
        ready = [instance for instance in instances if instance.get("state") == "ready"]
        self.check(len(ready) == count, f"quiesce status counted {count} ready instances of {name}", json.dumps(rows))

    def check_status(self):
        try:
            with open(os.path.join(self.options.evidence, "status.json")) as handle:
                rows = json.load(handle).get("services", [])
        except (OSError, ValueError) as error:
            self.check(False, "quiesce status --json was read", str(error))
            return
        states = {row.get("service"): row.get("state") for row in rows}
        for name in self.managed():
            self.check(states.get(name) == "ready", f"quiesce status showed {name} ready once the startup was complete")

    def check_labels(self):
        names = [self.name_of(container) for container in self.containers]
        unlabelled = [container["Name"] for container in self.containers if not self.label(container, "container-number")]
        self.check(not unlabelled, "every container has its compose labels", f"  without: {', '.join(unlabelled)}")
        self.check(len(set(names)) == len(names), "no two containers have the same service and number", f"  {sorted(names)}")

    def run(self):
        self.check(bool(self.containers), "the project's containers were inspected")
        self.check_labels()
        self.check_exits()
        self.check_status()
        self.check_report()
        self.check_standbys()
        self.check_order()
        self.check_services()
        self.check_scaled()
        return self.failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compose", required=True, help="the demo's compose file")
    parser.add_argument("--evidence", required=True, help="the directory scripts/compose-demo.sh collected")
    parser.add_argument("--lost", help="the service whose container was killed mid-shutdown")
    parser.add_argument("--scaled", help="SERVICE=N: the service scaled to N containers")
    parser.add_argument("--leader", help="the coordinator that led, of several (default: coordinator)")
    parser.add_argument("--killed", help="the coordinator whose container was killed mid-shutdown (the leader)")
    run = Run(parser.parse_args())
    failures = run.run()
    print(f"checks: {run.passed} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
