#!/usr/bin/env bash
# shellcheck disable=SC2317 # the build_* functions are called by name, from ensure_image
# Runs the compose demos in a real Docker engine, end to end, and checks them from the containers.
#
#   scripts/compose-demo.sh [classic|tiers|all]    (default: all)
#   scripts/compose-demo.sh standby                the demo of two coordinators and etcd (not in all)
#   scripts/compose-demo.sh clean                  removes the images and volumes this script made
#   scripts/compose-demo.sh benchmark [RUNS]       times the tiers demo's shutdown (default 3 runs)
#
# For each demo: builds it (`compose build`, the one build tool, so that both demos share one
# compile), `up -d`, waits for the fleet to be ready (the coordinator's "startup complete" and
# `quiesce status`), stops it, collects every container's `docker inspect` and log (`docker logs
# --timestamps`), checks them (scripts/compose-demo-check.py) and tears the project down
# (`down -v`: containers, volumes, network). The runs:
#   classic  stopped as users do (`compose stop`: the coordinator first, its SIGTERM is the
#            fleet's ordered shutdown); then every container stopped at once (`docker stop` of all
#            of them together, as a host shutdown does).
#   tiers    with orders-api scaled to 3 instances (`--scale`), stopped as users do; then, scaled
#            again, the agent of catalog-api killed (`docker kill`) while the shutdown runs: it must
#            be reported lost, and the shutdown must end.
#   standby  (only when asked for: it is not part of all) two coordinators electing their leader in
#            etcd; the leader is found (`quiesce status` on each coordinator's admin socket), then
#            stopped as users do (`compose stop`: both coordinators at once; the standby ends alone,
#            the leader stops the fleet); then, up again, the leader's SIGTERM starts the shutdown
#            and, once its first wave has stopped, the leader is killed (`docker kill`): the standby
#            must take over and finish the shutdown in order, nothing stopping twice, its report
#            covering every service.
#
# benchmark: the tiers demo (unscaled) brought up and stopped RUNS times in each of two ways, timing
# `compose stop` from its start to its end: with Quiesce, as users stop it (the coordinator first; its
# SIGTERM is the ordered shutdown, and its report's total is printed beside), and the same services
# without Quiesce (each container runs tier-service.py itself, no agent, no coordinator), which
# compose stops in the reverse order of their depends_on, each once the services that depend on it
# have stopped. Nothing is checked beyond the stop itself; the last line gives min/median/max of each.
#
# The engine: the one that runs, or else dockerd started here in the background, and then stopped
# here, with the host changes it made undone (docker0, its nft tables and chains, ip_forward, the
# bridge-nf-call sysctls: scripts/compose-demo-host.py records them before and compares after).
# Measured on the machines this was written on: the network-namespace tests (NetworkLab, DemoPlayer)
# keep working while this engine runs. Their bridges and veths live in namespaces they create, each
# with its own nft rules and forwarding, and dockerd's changes (docker0, FORWARD policy drop,
# ip_forward=1) are the root namespace's alone: `swift test --filter MultiHostTests`, the several-host
# scenarios with packet loss and partitions, passed, 7 tests in 34 s, with this engine up. The
# bridge-nf-call sysctls were 1 before dockerd started and stayed so. CI still runs the two one after
# the other (.ci/run).
#
# The images: each base image is used when present, pulled when it can be, and otherwise stood in
# for by an image of the same name built here (compose/standins/): debian:bookworm by debootstrap
# from the Debian mirror apt uses, postgres, redis, nginx and python from Debian's packages, and
# swift from this machine's toolchain (the `swift` on PATH) and its mirror of the Swift packages
# (git `url.*.insteadOf` for https://github.com/). Everything made here carries the label
# org.quiesce.demo=1. When this script started the engine and found none of its images, it removes
# them again at the end (QUIESCE_DEMO_KEEP_IMAGES=1 keeps them for the next run).
#
# Compose: v2 (`docker compose`, the CLI plugin; scripts/install-compose-v2.sh installs it on Debian
# bookworm) or v1 (`docker-compose` 1.29), chosen by QUIESCE_DEMO_COMPOSE=v2|v1; by default v2 when
# `docker compose version` works, else v1. A version asked for and not installed is a failure, never
# the other one instead. The demos' files and this script use nothing that only one of them reads,
# and find containers, volumes and networks by their compose labels (com.docker.compose.project,
# .service, .container-number), never by name: v1 names them project_service_1, v2
# project-service-1. Both build with the engine's classic builder (DOCKER_BUILDKIT=0 unless set),
# the one builder v1 has, so that a run with one version reuses the other's build cache.
#
# Environment: QUIESCE_DEMO_COMPOSE=v2|v1, QUIESCE_DEMO_PULL=0 (never pull: stand-ins at once),
# QUIESCE_DEMO_KEEP_IMAGES=1 (below), QUIESCE_DEMO_OUT (where the evidence goes, default
# .build-compose-demo/).
#
# Exit 0 only when every check passed; the last line says what was checked. A failure prints a line
# `compose demo: FAILED: ...` first, and the evidence of the run is kept.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
repository=$(pwd)
label=org.quiesce.demo=1
mode=${1:-all}
case $mode in
classic | tiers | standby) demos=("$mode") ;;
all) demos=(classic tiers) ;;
clean) demos=() ;;
benchmark) demos=(tiers) && benchmark_runs=${2:-3} ;;
*)
    echo "usage: scripts/compose-demo.sh [classic|tiers|all|standby|clean|benchmark [RUNS]]" >&2
    exit 2
    ;;
esac

out=${QUIESCE_DEMO_OUT:-$repository/.build-compose-demo}
run_dir="$out/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$run_dir" || exit 1
started_at=$(date +%s)
failed=""
checked=()

say() { echo "$(date -u +%H:%M:%S) $*"; }
# The first failure is the one that matters: it is printed at once and again on the last line.
fail() {
    echo "compose demo: FAILED: $*" >&2
    [[ -n $failed ]] || failed=$*
}
elapsed() { echo "$(($(date +%s) - $1))s"; }

need() {
    local missing=()
    for command in "$@"; do command -v "$command" >/dev/null || missing+=("$command"); done
    if [[ ${#missing[@]} -gt 0 ]]; then
        fail "missing ${missing[*]}: apt-get install -y --no-install-recommends docker.io docker-compose debootstrap iptables nftables python3-yaml curl"
        return 1
    fi
}

# --- The engine ---------------------------------------------------------------------------------
engine_started=0
dockerd_pid=""
host_before="$run_dir/host-before.json"

start_engine() {
    if timeout 20 docker info >/dev/null 2>&1; then
        say "engine: the running one ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
        return 0
    fi
    need dockerd nft ip || return 1
    if [[ $(id -u) -ne 0 ]]; then
        fail "no Docker engine runs, and only root can start one here"
        return 1
    fi
    python3 scripts/compose-demo-host.py record "$host_before" || {
        fail "could not record the host's state before starting dockerd"
        return 1
    }
    say "engine: starting dockerd (log: $run_dir/dockerd.log)"
    dockerd --pidfile "$run_dir/dockerd.pid" >"$run_dir/dockerd.log" 2>&1 &
    dockerd_pid=$!
    engine_started=1
    local deadline=$((SECONDS + 60))
    until timeout 10 docker info >/dev/null 2>&1; do
        if ! kill -0 "$dockerd_pid" 2>/dev/null || ((SECONDS > deadline)); then
            fail "dockerd did not come up within 60 s (its log: $run_dir/dockerd.log)"
            tail -n 20 "$run_dir/dockerd.log" >&2
            return 1
        fi
        sleep 1
    done
    say "engine: dockerd $(docker version --format '{{.Server.Version}}') up"
}

stop_engine() {
    [[ $engine_started -eq 1 ]] || return 0
    say "engine: stopping the dockerd started here"
    kill -TERM "$dockerd_pid" 2>/dev/null
    local deadline=$((SECONDS + 60))
    while kill -0 "$dockerd_pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 1; done
    if kill -0 "$dockerd_pid" 2>/dev/null; then
        fail "dockerd did not stop within 60 s of SIGTERM; killing it"
        kill -KILL "$dockerd_pid" 2>/dev/null
        wait "$dockerd_pid" 2>/dev/null
    fi
    if python3 scripts/compose-demo-host.py restore "$host_before"; then
        checked+=("the host as it was before the engine")
    else
        fail "the host's state after the engine differs from before it (above)"
    fi
}

# --- The images -----------------------------------------------------------------------------------
had_images=0

# Runs a command that fetches packages, again (at most 3 times) when its log shows a mirror that did
# not answer: the one cause of failure here that is outside the repository.
with_mirror_retries() {
    local log=$1
    shift
    local attempt
    for attempt in 1 2 3; do
        "$@" >"$log" 2>&1 && return 0
        if ! grep -qE "Temporary failure resolving|Failed to fetch|Could not connect|Connection timed out|Hash Sum mismatch|Unable to connect|Couldn't download|Failed getting release file" "$log"; then
            return 1
        fi
        say "  the mirror did not answer (attempt $attempt of 3): $(grep -m1 -E 'Temporary failure|Failed|Could not|timed out|mismatch|Unable|download' "$log")"
        sleep $((attempt * 10))
    done
    return 1
}

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

# Present, else pulled, else stood in for (the function named by $2 builds it).
ensure_image() {
    local image=$1 build=$2 started
    if have_image "$image"; then
        say "image $image: present"
        return 0
    fi
    if [[ ${QUIESCE_DEMO_PULL:-1} != 0 ]] && timeout 600 docker pull -q "$image" >"$run_dir/pull.log" 2>&1; then
        say "image $image: pulled"
        return 0
    fi
    started=$(date +%s)
    say "image $image: cannot be pulled ($(tail -n 1 "$run_dir/pull.log" 2>/dev/null | cut -c1-100)); building a stand-in"
    if ! "$build" "$image"; then
        fail "could not build the stand-in for $image (its log: $run_dir/build-${image//[:\/]/-}.log)"
        return 1
    fi
    say "image $image: stand-in built in $(elapsed "$started")"
}

debian_mirror() {
    local uri
    uri=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list \
        | grep -v security | head -n 1 | sed -E 's/^URIs:[[:space:]]*//; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//; s/[[:space:]].*//')
    echo "${uri:-http://deb.debian.org/debian}"
}

build_base() {
    local image=$1 rootfs="$run_dir/rootfs" log="$run_dir/build-${1//[:\/]/-}.log"
    need debootstrap || return 1
    say "  debootstrap --variant=minbase bookworm from $(debian_mirror)"
    with_mirror_retries "$log" debootstrap_into "$rootfs" || return 1
    # As the official image: no package files kept after apt-get install, none left from debootstrap.
    printf '%s\n' 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };' \
        'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };' \
        'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";' >"$rootfs/etc/apt/apt.conf.d/docker-clean"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | docker import --change "LABEL $label" - debian:bookworm >>"$log" 2>&1 || return 1
    rm -rf "$rootfs"
    [[ $image == debian:bookworm ]] || docker tag debian:bookworm "$image"
}

# debootstrap into an empty directory, so that an attempt after a failed one starts afresh.
debootstrap_into() {
    rm -rf "$1"
    debootstrap --variant=minbase bookworm "$1" "$(debian_mirror)"
}

build_slim() {
    ensure_image debian:bookworm build_base && docker tag debian:bookworm "$1"
}

# A stand-in from compose/standins/NAME (NAME is the image's name without its registry, path and tag:
# quay.io/coreos/etcd:v3.4.23 is compose/standins/etcd).
build_standin() {
    local image=$1 name=${1%%:*}
    local directory="compose/standins/${name##*/}"
    ensure_image debian:bookworm build_base || return 1
    with_mirror_retries "$run_dir/build-${image//[:\/]/-}.log" docker build --label "$label" -t "$image" "$directory"
}

# The builder: this machine's toolchain and its package mirror, as hard links in a build context.
build_swift() {
    local image=$1 context="$run_dir/swift-context" swift toolchain mirror
    ensure_image debian:bookworm build_base || return 1
    swift=$(command -v swift) || {
        echo "no swift on PATH to make the builder image from" >>"$run_dir/build-${image//[:\/]/-}.log"
        return 1
    }
    toolchain=$(dirname "$(dirname "$(readlink -f "$swift")")")
    mirror=$(git config --system --get-regexp '^url\..*\.insteadof$' 'https://github.com/' | head -n 1 | sed -E 's/^url\.(.*)\.insteadof .*/\1/')
    if [[ -z $mirror || ! -d $mirror ]]; then
        echo "no mirror of the Swift packages (git config --system url.DIR.insteadOf https://github.com/)" >>"$run_dir/build-${image//[:\/]/-}.log"
        return 1
    fi
    say "  from the toolchain $toolchain and the package mirror $mirror"
    rm -rf "$context"
    mkdir -p "$context/swift"
    cp -al "$toolchain" "$context/swift/usr" 2>/dev/null || cp -a "$toolchain" "$context/swift/usr" || return 1
    cp -al "$mirror" "$context/swift-packages" 2>/dev/null || cp -a "$mirror" "$context/swift-packages" || return 1
    with_mirror_retries "$run_dir/build-${image//[:\/]/-}.log" \
        docker build --label "$label" -f compose/standins/swift/Dockerfile -t "$image" "$context"
    local status=$?
    rm -rf "$context"
    return "$status"
}

# The base images the demos' builds start from (the compose files' SERVICE_BASE build args and the
# Dockerfile's ARG defaults), and the images the demos run as they are (etcd's).
ensure_images() {
    if [[ -n $(docker images -a -q --filter "label=$label") ]]; then had_images=1; fi
    ensure_image debian:bookworm build_base &&
        ensure_image debian:bookworm-slim build_slim &&
        ensure_image swift:6.3-bookworm build_swift || return 1
    local demo base
    for demo in "${demos[@]}"; do
        while read -r base; do
            ensure_image "$base" build_standin || return 1
        done < <(grep -hoE 'SERVICE_BASE: *[^ ]+' "compose/$demo/compose.yaml" | sed 's/SERVICE_BASE: *//' | sort -u)
        while read -r base; do
            ensure_image "$base" build_standin || return 1
        done < <(grep -hoE '^ +image: *[^ ]+' "compose/$demo/compose.yaml" | sed 's/^ *image: *//' | grep -v '^quiesce-demo/' | sort -u)
    done
}

# --- One run of a demo ----------------------------------------------------------------------------
compose_command=()
compose_version=""
choose_compose() {
    local wanted=${QUIESCE_DEMO_COMPOSE:-}
    if [[ -z $wanted ]]; then
        wanted=v1
        if docker compose version >/dev/null 2>&1; then wanted=v2; fi
    fi
    case $wanted in
    v2)
        compose_command=(docker compose)
        docker compose version >/dev/null 2>&1 || {
            fail "Compose v2 is not installed (docker compose version fails): scripts/install-compose-v2.sh installs it"
            return 1
        }
        ;;
    v1)
        compose_command=(docker-compose)
        command -v docker-compose >/dev/null || {
            fail "Compose v1 is not installed: apt-get install -y --no-install-recommends docker-compose"
            return 1
        }
        ;;
    *)
        fail "QUIESCE_DEMO_COMPOSE=$wanted: say v2 (docker compose) or v1 (docker-compose)"
        return 1
        ;;
    esac
    compose_version="Compose $wanted $("${compose_command[@]}" version --short 2>/dev/null || echo '?')"
    # The one builder both versions have (v1 has no other), so that they share one build cache.
    export DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-0}
    say "compose: ${compose_command[*]}, $compose_version (DOCKER_BUILDKIT=$DOCKER_BUILDKIT)"
}

project=""
compose_file=""
compose() { "${compose_command[@]}" -p "$project" -f "$compose_file" "$@"; }
# The same, ended after $1 seconds.
compose_within() {
    local seconds=$1
    shift
    timeout "$seconds" "${compose_command[@]}" -p "$project" -f "$compose_file" "$@"
}
# Containers by their compose labels, never by name (v1: project_service_1, v2: project-service-1).
containers() { docker ps -a -q --filter "label=com.docker.compose.project=$project" "$@"; }
container_of() { containers --filter "label=com.docker.compose.service=$1" | head -n 1; }
# SERVICE-NUMBER, from the labels: the name of a container's files in the evidence.
instance_of() { docker inspect -f '{{index .Config.Labels "com.docker.compose.service"}}-{{index .Config.Labels "com.docker.compose.container-number"}}' "$1"; }

# Waits (at most $2 seconds) until the log of $1's container has a line matching $3, or it exited.
wait_for_log() {
    local service=$1 pattern=$3 container deadline=$((SECONDS + $2))
    while ((SECONDS < deadline)); do
        container=$(container_of "$service")
        if [[ -n $container ]] && docker logs "$container" 2>&1 | grep -qE "$pattern"; then return 0; fi
        if [[ -n $container && $(docker inspect -f '{{.State.Running}}' "$container" 2>/dev/null) == false ]]; then
            return 2
        fi
        sleep 1
    done
    return 1
}

# Waits (at most $1 seconds) until no container of the project runs.
wait_all_exited() {
    local deadline=$((SECONDS + $1))
    while [[ -n $(containers --filter status=running) ]]; do
        ((SECONDS < deadline)) || return 1
        sleep 1
    done
}

# The coordinator that leads, and those that stand by: `coordinator` alone but in the standby demo.
leader=coordinator
standbys=()

# The standby demo's coordinators: which one leads, by `quiesce status` on each one's admin socket
# (its `leadership.role`, saved as $1/status-SERVICE.json), waiting (at most 120 s) until one leads and
# the other stands by.
find_leader() {
    local evidence=$1 deadline=$((SECONDS + 120)) service role roles=""
    while ((SECONDS < deadline)); do
        leader="" standbys=() roles=""
        for service in coordinator-a coordinator-b; do
            role=$(compose_within 30 exec -T "$service" quiesce status --coordinator ipc:///run/quiesce/admin.sock --json 2>/dev/null \
                | tee "$evidence/status-$service.json" \
                | python3 -c 'import json, sys; print(json.load(sys.stdin).get("leadership", {}).get("role", ""))' 2>/dev/null)
            roles+=" $service ${role:-unanswered}"
            if [[ $role == leader && -z $leader ]]; then
                leader=$service
            elif [[ $role == standby ]]; then
                standbys+=("$service")
            fi
        done
        if [[ -n $leader && ${#standbys[@]} -eq 1 ]]; then
            say "  $leader leads, ${standbys[0]} stands by"
            return 0
        fi
        sleep 2
    done
    fail "$project: not one leader and one standby within 120 s:$roles"
    return 1
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# up -d, then waits until the fleet is ready and working; $1: the service scaled, as SERVICE=N.
up_and_ready() {
    local scale=$1 evidence=$2 scale_args=() path=/
    [[ $project != *classic* ]] || path=/work
    [[ -z $scale ]] || scale_args=(--scale "$scale")
    export QUIESCE_DEMO_PORT
    QUIESCE_DEMO_PORT=$(free_port)
    if ! compose_within 600 up -d "${scale_args[@]}" >"$evidence/up.log" 2>&1; then
        fail "$project: compose up -d failed"
        tail -n 30 "$evidence/up.log" >&2
        return 1
    fi
    leader=coordinator
    if [[ $project == *standby* ]]; then find_leader "$evidence" || return 1; fi
    wait_for_log "$leader" 300 "startup complete"
    case $? in
    1) fail "$project: the startup was not complete within 300 s (the coordinator's log: $evidence/logs/)" && return 1 ;;
    2) fail "$project: the coordinator exited before the startup was complete" && return 1 ;;
    esac
    if ! compose_within 60 exec -T "$leader" quiesce status --coordinator ipc:///run/quiesce/admin.sock --json \
        >"$evidence/status.json" 2>"$evidence/status.err"; then
        fail "$project: quiesce status failed: $(head -n 3 "$evidence/status.err")"
        return 1
    fi
    local working
    working=$([[ $project == *classic* ]] && echo "worker:worker processed" || echo "edge:edge listening")
    wait_for_log "${working%%:*}" 60 "${working#*:}" || {
        fail "$project: ${working%%:*} did not log '${working#*:}' within 60 s"
        return 1
    }
    # A few rounds of calls between the services (every 2 s) before the stop.
    sleep 6
    if curl -fsS --max-time 10 "http://127.0.0.1:$QUIESCE_DEMO_PORT$path" >"$evidence/published-port.txt" 2>&1; then
        say "  the published port answers: $(head -c 120 "$evidence/published-port.txt" | tr '\n' ' ')"
    else
        fail "$project: the published port 127.0.0.1:$QUIESCE_DEMO_PORT does not answer"
        return 1
    fi
}

# docker inspect and docker logs --timestamps of every container (logs/SERVICE-NUMBER.log), and
# Redis's checkpoint.
collect() {
    local evidence=$1 ids id
    mkdir -p "$evidence/logs"
    ids=$(containers)
    # shellcheck disable=SC2086
    [[ -n $ids ]] && docker inspect $ids >"$evidence/inspect.json"
    for id in $ids; do
        docker logs --timestamps "$id" >"$evidence/logs/$(instance_of "$id").log" 2>&1
    done
    compose logs --no-color --timestamps >"$evidence/compose-logs.txt" 2>&1
    id=$(container_of redis)
    if [[ -n $id ]]; then
        docker cp "$id:/data/appendonlydir" - 2>/dev/null | tar -xO 2>/dev/null | grep -a -o 'demo:checkpoint' >"$evidence/checkpoint.txt"
    fi
}

check() {
    local evidence=$1
    shift
    if python3 scripts/compose-demo-check.py --compose "$compose_file" --evidence "$evidence" "$@" >"$evidence/checks.txt"; then
        say "  $(tail -n 1 "$evidence/checks.txt")"
        return 0
    fi
    fail "$project: $(grep -c '^FAIL' "$evidence/checks.txt") check(s) failed ($evidence/checks.txt)"
    grep '^FAIL' -A 3 "$evidence/checks.txt" | head -n 40 >&2
    return 1
}

down() {
    compose_within 300 down -v --remove-orphans >"$1/down.log" 2>&1 || fail "$project: compose down -v failed ($1/down.log)"
    if [[ -n $(containers) ]]; then fail "$project: containers left after down: $(containers | tr '\n' ' ')"; fi
    if [[ -n $(docker volume ls -q --filter "label=com.docker.compose.project=$project") ]]; then
        fail "$project: volumes left after down -v"
    fi
    if [[ -n $(docker network ls -q --filter "label=com.docker.compose.project=$project") ]]; then
        fail "$project: networks left after down"
    fi
}

# One run: $1 demo, $2 how it is stopped (compose-stop, all-at-once, kill-mid-shutdown, leader-killed),
# $3 scale.
run_demo() {
    local demo=$1 how=$2 scale=${3:-} started evidence check_args=()
    started=$(date +%s)
    project="quiesce-demo-$demo"
    compose_file="compose/$demo/compose.yaml"
    evidence="$run_dir/$demo-$how"
    mkdir -p "$evidence"
    say "$demo: up${scale:+ with $scale}, then $how"
    # A project left over from an interrupted run goes first.
    compose down -v --remove-orphans >"$evidence/down-before.log" 2>&1
    if up_and_ready "$scale" "$evidence"; then
        say "  ready in $(elapsed "$started")"
        case $how in
        compose-stop)
            compose_within 400 stop >"$evidence/stop.log" 2>&1 || fail "$project: compose stop failed ($evidence/stop.log)"
            ;;
        all-at-once)
            # shellcheck disable=SC2046
            timeout 400 docker stop -t 150 $(containers --filter status=running) >"$evidence/stop.log" 2>&1 \
                || fail "$project: docker stop failed ($evidence/stop.log)"
            ;;
        kill-mid-shutdown)
            local victim=catalog-api
            check_args+=(--lost "$victim")
            docker kill -s SIGTERM "$(container_of coordinator)" >/dev/null
            # The shutdown's first wave (the startup's lines are "startup wave N/M").
            if wait_for_log coordinator 60 "^wave 1/[0-9]+: stopping"; then
                docker kill "$(container_of "$victim")" >/dev/null
                say "  killed the container of $victim while wave 1 stopped"
            else
                fail "$project: the shutdown did not begin within 60 s of the coordinator's SIGTERM"
            fi
            # The shutdown must end: lost after agent_lost_after, then the waves go on.
            wait_for_log coordinator 200 "result: " || fail "$project: the shutdown did not end within 200 s of the kill"
            compose_within 400 stop >"$evidence/stop.log" 2>&1 || fail "$project: compose stop failed ($evidence/stop.log)"
            ;;
        leader-killed)
            check_args+=(--killed "$leader")
            docker kill -s SIGTERM "$(container_of "$leader")" >/dev/null
            # The shutdown's "wave 2/3: stopping" is printed once every service of wave 1 has stopped
            # (the startup's lines are "startup wave N/M").
            if wait_for_log "$leader" 60 "^wave 2/[0-9]+: stopping"; then
                docker kill "$(container_of "$leader")" >/dev/null
                say "  killed $leader once the first wave had stopped"
            else
                fail "$project: the first wave did not stop within 60 s of $leader's SIGTERM"
            fi
            # The standby takes over once the leader's lease has run out, and finishes the shutdown.
            wait_for_log "${standbys[0]}" 200 "result: " \
                || fail "$project: ${standbys[0]} did not finish the shutdown within 200 s of $leader's kill"
            compose_within 400 stop >"$evidence/stop.log" 2>&1 || fail "$project: compose stop failed ($evidence/stop.log)"
            ;;
        esac
        wait_all_exited 60 || fail "$project: containers still running 60 s after the stop"
        say "  stopped ($(elapsed "$started") since up)"
    fi
    collect "$evidence"
    [[ -z $scale ]] || check_args+=(--scaled "$scale")
    [[ $leader == coordinator ]] || check_args+=(--leader "$leader")
    if [[ -z $failed ]] && check "$evidence" "${check_args[@]}"; then
        checked+=("$demo ${scale:+(${scale/=/ x}) }$how: $(tail -n 1 "$evidence/checks.txt" | sed 's/^checks: //')")
    fi
    down "$evidence"
    say "$demo $how: $(elapsed "$started")"
}

# --- The benchmark -----------------------------------------------------------------------------------
# compose/tiers/compose.yaml without Quiesce, written to $1: no coordinator, and each service runs
# what its agent would have run (the command after `--`) as the container's own process; its paths
# made absolute, since the file is not beside the demo's.
write_plain_tiers() {
    python3 - "$repository/compose/tiers" "$1" <<'PYTHON'
import os, sys, yaml
directory, target = sys.argv[1], sys.argv[2]
document = yaml.safe_load(open(os.path.join(directory, "compose.yaml")))
services = document["services"]
services.pop("coordinator")
for name, service in services.items():
    build = service.get("build")
    if isinstance(build, dict) and "context" in build:
        build["context"] = os.path.normpath(os.path.join(directory, build["context"]))
    service["volumes"] = [
        os.path.normpath(os.path.join(directory, v)) if v.startswith(".") else v for v in service.get("volumes", [])
    ]
    command = service.get("command", [])
    if "--" in command and name != "keys":
        service["entrypoint"] = command[command.index("--") + 1 :]
        service["command"] = []
yaml.safe_dump(document, open(target, "w"), sort_keys=False)
PYTHON
}

# One timed stop: $1 quiesce or plain, $2 the run's number; prints the seconds of `compose stop`
# (and, with Quiesce, the report's total) into $run_dir/benchmark-$1.txt.
benchmark_stop() {
    local how=$1 run=$2 evidence="$run_dir/benchmark-$1-$2" began ended total=""
    mkdir -p "$evidence"
    project="quiesce-demo-tiers"
    compose_file="compose/tiers/compose.yaml"
    if [[ $how == plain ]]; then
        project="quiesce-demo-tiers-plain"
        compose_file="$run_dir/tiers-plain.yaml"
    fi
    compose down -v --remove-orphans >"$evidence/down-before.log" 2>&1
    if [[ $how == quiesce ]]; then
        up_and_ready "" "$evidence" || return 1
    else
        export QUIESCE_DEMO_PORT
        QUIESCE_DEMO_PORT=$(free_port)
        compose_within 600 up -d >"$evidence/up.log" 2>&1 || { fail "$project: compose up -d failed ($evidence/up.log)" && return 1; }
        wait_for_log edge 120 "edge listening" || { fail "$project: edge did not log 'edge listening' within 120 s" && return 1; }
        sleep 6
    fi
    began=$(date +%s.%N)
    compose_within 400 stop >"$evidence/stop.log" 2>&1 || fail "$project: compose stop failed ($evidence/stop.log)"
    ended=$(date +%s.%N)
    [[ $how == plain ]] || total=$(docker logs "$(container_of coordinator)" 2>&1 | sed -n 's/.*total: \([0-9.]*\)s$/\1/p' | tail -n 1)
    collect "$evidence"
    down "$evidence"
    awk -v b="$began" -v e="$ended" -v t="$total" -v run="$run" -v how="$how" 'BEGIN {
        printf "%s run %s: compose stop %.3f s%s\n", how, run, e - b, t == "" ? "" : ", report total " t " s" }' |
        tee -a "$run_dir/benchmark-$how.txt"
}

# The benchmark's runs, then min/median/max of each way's stop.
run_benchmark() {
    local run how
    write_plain_tiers "$run_dir/tiers-plain.yaml" || { fail "could not write the tiers demo without Quiesce" && return 1; }
    say "benchmark: load average $(cut -d' ' -f1-3 /proc/loadavg)"
    for run in $(seq 1 "$benchmark_runs"); do
        for how in quiesce plain; do
            [[ -n $failed ]] || benchmark_stop "$how" "$run"
        done
    done
    [[ -z $failed ]] || return 1
    for how in quiesce plain; do
        checked+=("$how: compose stop $(sed -n 's/.*compose stop \([0-9.]*\) s.*/\1/p' "$run_dir/benchmark-$how.txt" | sort -g |
            awk '{ v[NR] = $1 } END { printf "min %.3f / median %.3f / max %.3f s", v[1], NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[NR] }')")
    done
    say "benchmark: load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

# --- Clean up ---------------------------------------------------------------------------------------
remove_images() {
    local ids
    ids=$(docker images -a -q --filter "label=$label" | sort -u)
    # Tagged images first (their untagged parents go with them), then whatever is left.
    docker images --filter "label=$label" --format '{{.Repository}}:{{.Tag}}' | grep -v '<none>' | xargs -r docker rmi -f >/dev/null 2>&1
    docker image prune -a -f --filter "label=$label" >/dev/null 2>&1
    ids=$(docker images -a -q --filter "label=$label")
    if [[ -n $ids ]]; then fail "images labelled $label left: $(echo "$ids" | tr '\n' ' ')"; fi
    docker volume ls --filter "label=com.docker.compose.project" --format '{{.Name}} {{.Label "com.docker.compose.project"}}' \
        | awk '$2 ~ /^quiesce-demo-/ { print $1 }' | xargs -r docker volume rm >/dev/null
}

finish() {
    local status
    # A project left up by a failure or an interruption.
    if [[ -n $project && -n $(containers) ]]; then
        compose_within 300 down -v --remove-orphans >"$run_dir/down-at-exit.log" 2>&1 \
            || fail "$project: compose down -v failed at exit ($run_dir/down-at-exit.log)"
    fi
    if [[ $mode != clean && $engine_started -eq 1 && $had_images -eq 0 && ${QUIESCE_DEMO_KEEP_IMAGES:-0} != 1 ]]; then
        say "removing the images made in this run (QUIESCE_DEMO_KEEP_IMAGES=1 keeps them)"
        remove_images
    fi
    stop_engine
    # What an interrupted build leaves: no evidence, and large.
    rm -rf "$run_dir/rootfs" "$run_dir/swift-context"
    if [[ -z $failed ]]; then
        rm -rf "$run_dir"
        rmdir "$out" 2>/dev/null
        local summary
        summary=$(printf '%s; ' "${checked[@]}")
        echo "compose demo: ok in $(elapsed "$started_at")${compose_version:+ with $compose_version}, checked: ${summary%; }"
        status=0
    else
        echo "compose demo: FAILED in $(elapsed "$started_at")${compose_version:+ with $compose_version}: $failed (evidence: $run_dir)"
        status=1
    fi
    exit "$status"
}

# --- Main ---------------------------------------------------------------------------------------------
trap 'fail "interrupted"; finish' INT TERM
need docker python3 curl timeout git || finish
python3 -c 'import yaml' 2>/dev/null || { fail "python3 has no PyYAML: apt-get install -y python3-yaml" && finish; }
start_engine || finish
if [[ $mode == clean ]]; then
    remove_images
    checked+=("the images labelled $label removed")
    finish
fi
choose_compose || finish
images_started=$(date +%s)
ensure_images || finish
say "base images ready in $(elapsed "$images_started")"
for demo in "${demos[@]}"; do
    compose_file="compose/$demo/compose.yaml"
    project="quiesce-demo-$demo"
    build_started=$(date +%s)
    say "$demo: compose build"
    # keys (the coordinator's image) first: every image of a demo shares its build stage, the compile
    # of Quiesce, which the others then take from the cache; built side by side, as Compose v2 builds,
    # each would compile it again.
    for services in keys ""; do
        # shellcheck disable=SC2086 # no word when building the rest
        if ! with_mirror_retries "$run_dir/build-$demo.log" compose build $services; then
            fail "$demo: compose build ${services:-of the rest} failed ($run_dir/build-$demo.log)"
            tail -n 30 "$run_dir/build-$demo.log" >&2
            finish
        fi
    done
    say "$demo: built in $(elapsed "$build_started")"
done
if [[ $mode == benchmark ]]; then
    run_benchmark
    finish
fi
for demo in "${demos[@]}"; do
    case $demo in
    classic)
        run_demo classic compose-stop
        [[ -n $failed ]] || run_demo classic all-at-once
        ;;
    tiers)
        [[ -n $failed ]] || run_demo tiers compose-stop orders-api=3
        [[ -n $failed ]] || run_demo tiers kill-mid-shutdown orders-api=3
        ;;
    standby)
        run_demo standby compose-stop
        [[ -n $failed ]] || run_demo standby leader-killed
        ;;
    esac
    [[ -z $failed ]] || break
done
finish
