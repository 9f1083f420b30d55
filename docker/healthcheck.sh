#!/bin/bash
# The image's HEALTHCHECK: actuator's liveness group answers 200. The JRE image has neither curl
# nor wget, so this speaks HTTP/1.0 over bash's /dev/tcp.
set -eu

port="${SERVER_PORT:-8080}"
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /actuator/health/liveness HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
IFS= read -r -t 5 status <&3
case "$status" in
  "HTTP/1."[01]" 200"*) exit 0 ;;
  *) echo "liveness: $status" >&2; exit 1 ;;
esac
