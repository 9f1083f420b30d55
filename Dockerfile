# maas: build with the Maven wrapper, run on a JRE 17.
#   docker build -t maas .
#   docker run -p 8080:8080 -p 8081:8081 -v maas-data:/data --memory 4g maas
# JAVACPP_PLATFORM picks ND4J's native libraries (linux-x86_64 or linux-arm64).

FROM eclipse-temurin:17-jdk AS build
ARG JAVACPP_PLATFORM=linux-x86_64
WORKDIR /build
COPY .mvn/ .mvn/
COPY mvnw pom.xml openapi.yaml ./
COPY src/ src/
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -ntp -Djavacpp.platform=${JAVACPP_PLATFORM} -DskipTests package \
    && cp target/maas-*.jar /build/maas.jar

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 maas \
    && useradd --system --uid 10001 --gid maas --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin maas \
    && mkdir -p /data \
    && chown maas:maas /data
WORKDIR /app
COPY --from=build /build/maas.jar /tmp/maas.jar
COPY docker/entrypoint.sh docker/healthcheck.sh docker/prepare-jar.sh /app/
# Unpacked (/app/maas.jar + /app/lib/) with a class-data-sharing archive of what a start loads
# (/app/maas.jsa), recorded by this image's own JVM: about half the time off every start.
RUN /app/prepare-jar.sh /tmp/maas.jar /app && rm /tmp/maas.jar
# The embedded stores keep everything in the data directory: mount a volume there.
ENV MAAS_STORAGE_PATH=/data
VOLUME ["/data"]
# 8080: HTTP (REST, the Open Inference Protocol, actuator); 8081: gRPC (maas.grpc.port)
EXPOSE 8080 8081
USER 10001:10001
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/app/healthcheck.sh"]
ENTRYPOINT ["/app/entrypoint.sh"]
