#!/bin/sh
# Makes the CURVE key pairs a demo needs, once: the coordinator's, and one per service given as
# arguments. Keys that exist are kept, so running it again (every `docker compose up`) changes nothing.
#
#   KEYS/coordinator.key          the coordinator's public key (agents' --server-key)
#   KEYS/coordinator.key_secret   the coordinator's secret key (security.server_key)
#   KEYS/agents/SERVICE.key       each agent's public key (security.agents_dir)
#   KEYS/secrets/SERVICE.key_secret  each agent's secret key (its --key)
#
# With COORDINATORS (their names, such as "coordinator-a coordinator-b": a leader and its standbys),
# one pair per coordinator instead of KEYS/coordinator.*, each in a directory of its own, which that
# coordinator works in (compose's working_dir), so that one security.server_key serves them all:
#   KEYS/NAME/coordinator.key          NAME's public key (agents list them in their --server-key)
#   KEYS/NAME/coordinator.key_secret   NAME's secret key (security.server_key: coordinator.key_secret)
#
# Usage: keys.sh SERVICE...     (KEYS_DIR, default /keys; QUIESCE, default quiesce; COORDINATORS)
set -eu
keys=${KEYS_DIR:-/keys}
quiesce=${QUIESCE:-quiesce}
now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }

mkdir -p "$keys/agents" "$keys/secrets"
if [ -z "${COORDINATORS:-}" ]; then
    if [ ! -f "$keys/coordinator.key_secret" ]; then
        "$quiesce" keygen coordinator --out "$keys" >/dev/null
        echo "$(now) keys made coordinator"
    fi
fi
for name in ${COORDINATORS:-}; do
    if [ ! -f "$keys/$name/coordinator.key_secret" ]; then
        # Compose creates every container before it starts this one, and Docker then makes each
        # coordinator's working_dir, here, empty and root's: make it again as this user.
        if [ -d "$keys/$name" ] && [ ! -w "$keys/$name" ]; then rmdir "$keys/$name"; fi
        mkdir -p "$keys/$name"
        "$quiesce" keygen coordinator --out "$keys/$name" >/dev/null
        echo "$(now) keys made $name"
    fi
done
for service in "$@"; do
    if [ ! -f "$keys/secrets/$service.key_secret" ]; then
        "$quiesce" keygen "$service" --out "$keys/agents" >/dev/null
        mv "$keys/agents/$service.key_secret" "$keys/secrets/$service.key_secret"
        echo "$(now) keys made $service"
    fi
done
echo "$(now) keys ready $*"
