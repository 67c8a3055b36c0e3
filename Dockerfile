# txdiag: the HTTP diagnosis service.
#   docker build -t txdiag .
#   docker run -p 8080:8080 -e ETH_RPC_URL=https://... txdiag
# Configured by TXDIAG_* environment variables (see the README's Service section).
# The bundled chain files ship inside the package; mount a directory and set TXDIAG_CHAINS_DIR to replace them.

ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# -- build: a virtual environment with the pinned runtime dependencies and txdiag itself
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY requirements.lock ./
RUN pip install --no-cache-dir --no-deps --only-binary=:all: -r requirements.lock
COPY pyproject.toml README.md ./
COPY txdiag ./txdiag
RUN pip install --no-cache-dir --no-deps . \
    && python -m compileall -q /opt/venv

# -- runtime: the environment (chain files included, as package data), a non-root user; no compilers, no pip cache, no tests
FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 txdiag \
    && useradd --system --uid 10001 --gid txdiag --home-dir /app --no-create-home --shell /usr/sbin/nologin txdiag \
    && mkdir -p /var/lib/txdiag \
    && chown txdiag:txdiag /var/lib/txdiag
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TXDIAG_HOST=0.0.0.0 \
    TXDIAG_PORT=8080 \
    TXDIAG_DATA_DIR=/var/lib/txdiag
VOLUME ["/var/lib/txdiag"]
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('TXDIAG_PORT', '8080') + '/healthz', timeout=4)"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["txdiag"]
CMD ["serve"]
