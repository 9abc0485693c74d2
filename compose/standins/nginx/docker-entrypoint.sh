#!/bin/sh
# The nginx stand-in's entrypoint. The official image's runs the scripts of /docker-entrypoint.d/
# before nginx (templates, IPv6 listen directives); the demos need none of them, so this one only
# execs the command, so that it receives the container's (or the agent's) stop signal.
set -eu
exec "$@"
