#!/usr/bin/env python3
"""Checks a Dockerfile as far as that can be done without a Docker engine.

    scripts/check-dockerfile.py [--context DIR] [--compose FILE]... DOCKERFILE

- It parses: line continuations, comments and parser directives; ENTRYPOINT, CMD and SHELL in exec
  form are JSON arrays of strings.
- Every FROM names an earlier stage or an image with an explicit tag or digest, after the ARGs
  declared before the first FROM are substituted with their defaults; stage names are unique.
- Every COPY --from names an earlier stage, and each path it copies is written by a RUN, COPY or ADD
  of that stage (or of the stage it is built on).
- Every COPY or ADD from the build context copies paths that exist in DIR and that .dockerignore
  lets through (with Docker's rules: last matching pattern wins, `!` re-includes, parents count).
- A RUN that does `swift build --product P` names an executable product of DIR/Package.swift.
- For each compose file, every service built from this Dockerfile uses DIR as its context, an
  existing stage as its target, and only build args the Dockerfile declares (PyYAML needed).

Exits 0 when every check passes, 1 otherwise, printing one line per problem.
"""

import argparse
import json
import os
import re
import shlex
import sys


class Instruction:
    def __init__(self, line, keyword, text):
        self.line, self.keyword, self.text = line, keyword.upper(), text

    def __repr__(self):
        return f"line {self.line}: {self.keyword} {self.text}"


def parse(path):
    """Returns the instructions of a Dockerfile, joining continuation lines and dropping comments."""
    with open(path) as handle:
        lines = handle.read().split("\n")
    escape = "\\"
    instructions = []
    in_directives = True
    buffer, start = [], None
    for number, raw in enumerate(lines, 1):
        stripped = raw.strip()
        if in_directives:
            directive = re.match(r"#\s*(\w+)\s*=\s*(\S+)\s*$", stripped)
            if directive:
                if directive.group(1).lower() == "escape":
                    escape = directive.group(2)
                continue
            in_directives = False
        if not buffer and (not stripped or stripped.startswith("#")):
            continue
        if buffer and stripped.startswith("#"):
            continue  # comment lines inside a continued instruction are dropped
        if start is None:
            start = number
        if stripped.endswith(escape):
            buffer.append(stripped[: -len(escape)])
            continue
        buffer.append(stripped)
        text = " ".join(part.strip() for part in buffer if part.strip())
        keyword, _, rest = text.partition(" ")
        instructions.append(Instruction(start, keyword, rest.strip()))
        buffer, start = [], None
    if buffer:
        instructions.append(Instruction(start, "UNTERMINATED", " ".join(buffer)))
    return instructions


def substitute(text, variables):
    def value(match):
        name = match.group(1) or match.group(2)
        return variables.get(name) or match.group(0)

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", value, text)


def flags_and_args(text):
    """Splits `--from=build --chown=a b c` into ({'from': 'build', ...}, ['b', 'c'])."""
    if text.startswith("["):
        return {}, json.loads(text)
    words = shlex.split(text)
    flags = {}
    while words and words[0].startswith("--"):
        name, _, value = words.pop(0)[2:].partition("=")
        flags[name] = value
    return flags, words


class DockerIgnore:
    def __init__(self, context):
        self.patterns = []
        path = os.path.join(context, ".dockerignore")
        if os.path.exists(path):
            for raw in open(path):
                line = raw.strip()
                if not line or line.startswith("#"):
                    continue
                exception = line.startswith("!")
                pattern = os.path.normpath(line[1:] if exception else line).lstrip("/")
                self.patterns.append((exception, self._regex(pattern), line))

    @staticmethod
    def _regex(pattern):
        out, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**", i):
                out += ".*"
                i += 2
                if pattern.startswith("/", i):
                    out += "/?"
                    i += 1
            elif pattern[i] == "*":
                out += "[^/]*"
                i += 1
            elif pattern[i] == "?":
                out += "[^/]"
                i += 1
            else:
                out += re.escape(pattern[i])
                i += 1
        return re.compile(out + r"\Z")

    def excluded(self, relative):
        relative = os.path.normpath(relative)
        parts = relative.split("/")
        candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        result = False
        for exception, regex, _ in self.patterns:
            if any(regex.match(candidate) for candidate in candidates):
                result = not exception
        return result


class Checker:
    def __init__(self, dockerfile, context):
        self.dockerfile, self.context = dockerfile, context
        self.problems = []
        self.instructions = parse(dockerfile)
        self.global_args = {}
        self.stages = []  # dicts: name, base, parent (index or None), instructions, args

    def problem(self, where, message):
        line = f"{self.dockerfile}:{where.line}: " if isinstance(where, Instruction) else f"{where}: "
        self.problems.append(line + message)

    def split_stages(self):
        current = None
        for instruction in self.instructions:
            if instruction.keyword == "UNTERMINATED":
                self.problem(instruction, "the last instruction ends with a line continuation")
            elif instruction.keyword == "ARG" and current is None:
                name, equals, default = instruction.text.partition("=")
                self.global_args[name.strip()] = default.strip().strip('"') if equals else None
            elif instruction.keyword == "FROM":
                flags, words = flags_and_args(instruction.text)
                base = substitute(words[0], self.global_args) if words else ""
                name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
                if len(words) not in (1, 3):
                    self.problem(instruction, f"FROM {instruction.text}: expected IMAGE [AS NAME]")
                current = {"name": name, "base": base, "from": instruction, "instructions": [], "args": set()}
                self.stages.append(current)
            elif current is None:
                self.problem(instruction, f"{instruction.keyword} before the first FROM (only ARG may come there)")
            else:
                current["instructions"].append(instruction)
                if instruction.keyword == "ARG":
                    current["args"].add(instruction.text.partition("=")[0].strip())
        if not self.stages:
            self.problems.append(f"{self.dockerfile}: no FROM")

    def stage_index(self, reference, before):
        for index, stage in enumerate(self.stages[:before]):
            if stage["name"] == reference or str(index) == reference:
                return index
        return None

    def check_from(self):
        seen = set()
        for index, stage in enumerate(self.stages):
            where = stage["from"]
            if stage["name"]:
                if stage["name"] in seen:
                    self.problem(where, f"stage name {stage['name']} is used twice")
                seen.add(stage["name"])
            base = stage["base"]
            stage["parent"] = self.stage_index(base, index)
            if stage["parent"] is not None:
                continue
            if "$" in base:
                self.problem(where, f"FROM {base}: an ARG without a default before the first FROM")
            elif not re.search(r"(:[\w][\w.-]*|@sha256:[0-9a-f]{64})$", base.split("/")[-1]):
                self.problem(where, f"FROM {base}: give the image an explicit tag or digest")
            elif base.endswith(":latest"):
                self.problem(where, f"FROM {base}: pin a tag other than latest")

    def writes(self, stage_index, path):
        """The instruction of a stage (or of the stages it is built on) that writes `path`."""
        index = stage_index
        while index is not None:
            for instruction in self.stages[index]["instructions"]:
                if instruction.keyword == "RUN" and re.search(r"(^|[\s\"'=])" + re.escape(path) + r"($|[\s\"';&|])", instruction.text):
                    return instruction
                if instruction.keyword in ("COPY", "ADD"):
                    _, words = flags_and_args(instruction.text)
                    if words and (words[-1].rstrip("/") == path.rstrip("/") or path.startswith(words[-1].rstrip("/") + "/")):
                        return instruction
            index = self.stages[index]["parent"]
        return None

    def check_instructions(self):
        ignore = DockerIgnore(self.context)
        for index, stage in enumerate(self.stages):
            for instruction in stage["instructions"]:
                keyword = instruction.keyword
                if keyword in ("ENTRYPOINT", "CMD", "SHELL") and instruction.text.startswith("["):
                    try:
                        value = json.loads(instruction.text)
                        if not (isinstance(value, list) and value and all(isinstance(word, str) for word in value)):
                            raise ValueError
                    except ValueError:
                        self.problem(instruction, f"{keyword}: the exec form must be a JSON array of strings")
                elif keyword == "SHELL":
                    self.problem(instruction, "SHELL takes a JSON array")
                if keyword in ("COPY", "ADD"):
                    self.check_copy(index, instruction, ignore)
                if keyword == "RUN" and "swift build" in instruction.text:
                    self.check_swift_build(instruction)

    def check_copy(self, index, instruction, ignore):
        try:
            flags, words = flags_and_args(instruction.text)
        except ValueError as error:
            self.problem(instruction, f"cannot parse: {error}")
            return
        if len(words) < 2:
            self.problem(instruction, f"{instruction.keyword} needs a source and a destination")
            return
        sources = words[:-1]
        if "from" in flags:
            source_stage = self.stage_index(flags["from"], index)
            if source_stage is None:
                self.problem(instruction, f"--from={flags['from']} names no earlier stage")
                return
            for source in sources:
                if not self.writes(source_stage, source):
                    name = self.stages[source_stage]["name"] or source_stage
                    self.problem(instruction, f"{source} is not written by any RUN, COPY or ADD of stage {name}")
            return
        for source in sources:
            if re.match(r"https?://", source):
                continue
            path = os.path.join(self.context, source)
            relative = os.path.relpath(path, self.context)
            if relative.startswith(".."):
                self.problem(instruction, f"{source} is outside the build context")
            elif not os.path.exists(path):
                self.problem(instruction, f"{source} does not exist in the build context {self.context}")
            elif ignore.excluded(relative):
                self.problem(instruction, f"{source} is excluded by {self.context}/.dockerignore")
            elif os.path.isdir(path):
                kept = [
                    name
                    for root, _, files in os.walk(path)
                    for name in files
                    if not ignore.excluded(os.path.relpath(os.path.join(root, name), self.context))
                ]
                if not kept:
                    self.problem(instruction, f"{source}: .dockerignore lets no file of it through")

    def check_swift_build(self, instruction):
        manifest = os.path.join(self.context, "Package.swift")
        products = set(re.findall(r'\.executable\(\s*name:\s*"([^"]+)"', open(manifest).read())) if os.path.exists(manifest) else set()
        for product in re.findall(r"swift build[^&;|]*?--product[ =](\S+)", instruction.text):
            if product not in products:
                self.problem(instruction, f"swift build --product {product}: Package.swift has no executable product of that name ({', '.join(sorted(products)) or 'none'})")

    def declared_args(self, stage_index):
        names = set(self.global_args)
        index = stage_index
        while index is not None:
            names |= self.stages[index]["args"]
            index = self.stages[index]["parent"]
        return names

    def check_compose(self, compose_file):
        try:
            import yaml
        except ImportError:
            print(f"{compose_file}: not cross-checked against the Dockerfile (no PyYAML for this python3)")
            return 0
        document = yaml.safe_load(open(compose_file))
        base = os.path.dirname(os.path.abspath(compose_file))
        built = 0
        for name, service in (document.get("services") or {}).items():
            build = service.get("build")
            if build is None:
                continue
            if isinstance(build, str):
                build = {"context": build}
            context = os.path.normpath(os.path.join(base, build.get("context", ".")))
            dockerfile = os.path.normpath(os.path.join(context, build.get("dockerfile", "Dockerfile")))
            if dockerfile != os.path.abspath(self.dockerfile):
                continue
            built += 1
            where = f"{compose_file}: service {name}"
            if context != os.path.abspath(self.context):
                self.problems.append(f"{where}: build context {context} is not {os.path.abspath(self.context)}")
            target = build.get("target")
            index = self.stage_index(target, len(self.stages)) if target else len(self.stages) - 1
            if index is None:
                self.problems.append(f"{where}: build target {target} is no stage of {self.dockerfile}")
                continue
            args = build.get("args") or {}
            names = [item.partition("=")[0] for item in args] if isinstance(args, list) else list(args)
            for arg in names:
                if arg not in self.declared_args(index):
                    self.problems.append(f"{where}: build arg {arg} is not declared for target {target}")
        return built

    def run(self, compose_files):
        self.split_stages()
        if self.stages:
            self.check_from()
            self.check_instructions()
        built = sum(self.check_compose(path) for path in compose_files)
        return built


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dockerfile")
    parser.add_argument("--context", default=".", help="the build context (default: the current directory)")
    parser.add_argument("--compose", action="append", default=[], help="a compose file to cross-check")
    options = parser.parse_args()
    checker = Checker(options.dockerfile, options.context)
    built = checker.run(options.compose)
    for problem in checker.problems:
        print(problem)
    stages = ", ".join(stage["name"] or str(i) for i, stage in enumerate(checker.stages))
    if checker.problems:
        print(f"{options.dockerfile}: {len(checker.problems)} problem(s)")
        return 1
    print(f"{options.dockerfile}: ok (stages: {stages}; {built} compose service(s) built from it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
