# One image for every Relay service; docker-compose.yml picks the main class per service.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -DskipTests package

FROM eclipse-temurin:17-jre
WORKDIR /app
COPY --from=build /src/relay-local/target/lib/ /app/lib/
RUN useradd --system --home /var/lib/relay relay && mkdir -p /var/lib/relay && chown relay /var/lib/relay
USER relay
# common.parallelism: on one or two CPUs the JDK's common pool has one thread, and CompletableFuture then
# starts a new thread for every async step (each response of the JDK HTTP client); two keep it a pool.
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=75", "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2", "-cp", "/app/lib/*"]
