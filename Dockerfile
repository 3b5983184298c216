# socready's image for Prefect Docker, Kubernetes and ECS work pools: socready and its flows, no sandbox,
# run as a non-root user. Build: docker build -t <registry>/socready:<tag> .   (README "Production")
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY socready socready
COPY connectors connectors
COPY expectations expectations
COPY flows flows
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PREFECT_HOME=/home/socready/.prefect
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin socready
COPY --from=build /wheels /wheels
# prefect-aws: for an AwsCredentials block named in the scope (aws.credentials_block); the worker's role needs none
RUN pip install --no-cache-dir "/wheels/$(ls /wheels)[aws-blocks]" && rm -rf /wheels
USER 10001
WORKDIR /home/socready
# Prefect workers start flow runs with their own command; this default only shows the image works.
CMD ["socready", "--help"]
