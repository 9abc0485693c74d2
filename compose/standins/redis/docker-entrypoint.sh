#!/bin/sh
# The redis stand-in's entrypoint: what the official image's does for `redis-server [ARGS]`.
# - As root: gives the working directory (/data) to the redis user and runs itself again as it.
# - Turns protected mode off unless the arguments set it (the official image builds Redis with it
#   off; Debian's has it on, which refuses clients from other containers).
# - Then execs the server, so that it receives the container's (or the agent's) stop signal.
# Any other command runs as it is.
set -eu
if [ "${1#-}" != "${1:-}" ] || [ "${1%.conf}" != "${1:-}" ]; then
    set -- redis-server "$@"
fi
if [ "${1:-}" != redis-server ]; then
    exec "$@"
fi
if [ "$(id -u)" = 0 ]; then
    find . ! -user redis -exec chown redis:redis '{}' +
    exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi
case " $* " in
*" --protected-mode "*) ;;
*) set -- "$@" --protected-mode no ;;
esac
exec "$@"
