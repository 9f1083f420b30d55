#!/bin/sh
# Prepares the built jar for a fast start (run once, when the image is built):
#   prepare-jar.sh JAR DIR
# 1. unpacks JAR into DIR as DIR/maas.jar and DIR/lib/ (Spring Boot's extracted layout): the JVM
#    loads classes from plain jars faster than from the jars nested in one;
# 2. records a class-data-sharing archive, DIR/maas.jsa, of the classes a start loads: a training
#    run starts the server on an empty data directory and exits once its context is refreshed. A
#    JVM started with -XX:SharedArchiveFile=DIR/maas.jsa maps those classes, already parsed and
#    verified, instead of loading them (entrypoint.sh does when the file is there);
# 3. keeps the native libraries that training run unpacked (ND4J, OpenBLAS, JavaCPP: about 400 MB)
#    in DIR/javacpp, so a container reads them in place, even on a read-only root filesystem,
#    instead of unpacking them again at every start (entrypoint.sh uses them when they are there).
# Together they take about half the time off a start (bench/many-models prints both ways).
set -eu

jar=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd) # absolute: the archive records the class path as the training run saw it
java -Djarmode=tools -jar "$jar" extract --force --destination "$dir" --application-filename maas.jar

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if ! java -XX:ArchiveClassesAtExit="$dir/maas.jsa" -Dspring.context.exit=onRefresh \
    -Dorg.bytedeco.javacpp.cachedir="$dir/javacpp" \
    -jar "$dir/maas.jar" --maas.storage.path="$scratch/data" --server.port=0 --maas.grpc.port=0 \
    >"$scratch/training.log" 2>&1; then
  cat "$scratch/training.log" >&2
  echo "prepare-jar.sh: the training run for the class-data-sharing archive failed" >&2
  exit 1
fi
test -s "$dir/maas.jsa"
# The training run may stop before ND4J finished loading on its own thread: load it to the end.
if ! java -Dorg.bytedeco.javacpp.cachedir="$dir/javacpp" -cp "$dir/maas.jar" \
    dev.maas.compute.NativeLibraries >"$scratch/natives.log" 2>&1; then
  cat "$scratch/natives.log" >&2
  echo "prepare-jar.sh: loading ND4J's native libraries failed" >&2
  exit 1
fi
chmod -R a+rX "$dir/javacpp"
