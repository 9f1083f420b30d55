#!/bin/sh
# Starts maas in its container. The JVM heap and JavaCPP's off-heap memory (where ND4J keeps its
# arrays) are sized from the container's memory limit, read from the cgroup:
#   heap                 MAAS_HEAP_PERCENT     of the limit (default 40)
#   JavaCPP maxbytes     MAAS_NATIVE_PERCENT   of the limit (default 45): ND4J's arrays
#   maxphysicalbytes     MAAS_PHYSICAL_PERCENT of the limit (default 90): the whole process
# Without a limit, the heap takes MAAS_HEAP_PERCENT of the machine and JavaCPP its own defaults.
# JAVA_OPTS come last, so they override any of these; arguments go to the application.
# ND4J's threads are set by the server itself (maas.compute.threads, see the README); leave
# OMP_NUM_THREADS unset, since ND4J's own pool cannot grow past it.
set -eu

jar="${MAAS_JAR:-/app/maas.jar}"
# The class-data-sharing archive prepare-jar.sh recorded next to the jar, used when it is there
# (a JVM that cannot use it says so once and starts without it).
cds_archive="${MAAS_CDS_ARCHIVE:-${jar%.jar}.jsa}"
heap_percent="${MAAS_HEAP_PERCENT:-40}"
native_percent="${MAAS_NATIVE_PERCENT:-45}"
physical_percent="${MAAS_PHYSICAL_PERCENT:-90}"
# Where JavaCPP finds ND4J's native libraries: those prepare-jar.sh unpacked next to the jar when the
# image was built (read in place; nothing is written there), or else a writable directory they are
# unpacked into at every start (about 400 MB and 1-2 s).
native_cache="${MAAS_NATIVE_CACHE:-}"
if [ -z "$native_cache" ]; then
  native_cache=/tmp/javacpp
  if [ -d "${jar%/*}/javacpp" ]; then
    native_cache="${jar%/*}/javacpp"
  fi
fi

# The memory limit in bytes (cgroup v2, then v1), or nothing when there is none.
memory_limit() {
  for file in ${MAAS_CGROUP_MEMORY_FILE:-} /sys/fs/cgroup/memory.max \
      /sys/fs/cgroup/memory/memory.limit_in_bytes; do
    [ -r "$file" ] || continue
    value=$(cat "$file")
    case "$value" in
      '' | max | *[!0-9]*) return 0 ;;
    esac
    # cgroup v1 says "no limit" with a number near 2^63.
    if [ "${#value}" -lt 19 ]; then
      echo "$value"
    fi
    return 0
  done
}

limit=$(memory_limit)
memory_flags=""
if [ -n "$limit" ]; then
  memory_flags="-Dorg.bytedeco.javacpp.maxbytes=$((limit / 100 * native_percent))"
  memory_flags="$memory_flags -Dorg.bytedeco.javacpp.maxphysicalbytes=$((limit / 100 * physical_percent))"
fi

cds_flags=""
if [ -r "$cds_archive" ]; then
  cds_flags="-XX:SharedArchiveFile=$cds_archive"
fi

# shellcheck disable=SC2086 # the flags are words on purpose
exec java \
  -XX:MaxRAMPercentage="$heap_percent" \
  -XX:+ExitOnOutOfMemoryError \
  -Dorg.bytedeco.javacpp.cachedir="$native_cache" \
  $memory_flags \
  $cds_flags \
  ${JAVA_OPTS:-} \
  -jar "$jar" "$@"
