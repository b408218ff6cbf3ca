# syntax=docker/dockerfile:1
# Dispute Desk image: embedded Chroma under /data (or a Chroma server: DESK_CHROMA_HOST, docker-compose.yml),
# the bundled model inside the image (no download at run time).

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /build
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.lock ./
# Only the runtime lock (no test tools), every file checked against its hash. torch is locked as the CPU build
# (2.13.0+cpu), which PyTorch publishes on its CPU index rather than on PyPI; the default build would pull several GB
# of CUDA packages.
RUN pip install --require-hashes -r requirements.lock --extra-index-url https://download.pytorch.org/whl/cpu

FROM python:3.11-slim AS runtime
RUN useradd --create-home --uid 10001 desk \
 && mkdir -p /data \
 && chown desk:desk /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# Code, prompts and the bundled knowledge belong to root and are read-only to the bot's user: a compromised
# or buggy bot cannot rewrite its own code or prompts. It writes only /data and knowledge/uploads.
COPY bot.py pyproject.toml ./
COPY dispute_desk/ dispute_desk/
COPY ingest/ ingest/
COPY desk_cli/ desk_cli/
COPY desk_discord/ desk_discord/
COPY prompts/ prompts/
COPY knowledge/ knowledge/
# the held-out questions every reindex is checked against before it goes live (DESK_REINDEX_QUESTIONS)
COPY tests/eval/dev.jsonl tests/eval/dev.jsonl
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    DESK_DATA_DIR=/data
# The default embedding backend's ONNX export, made once here: a container never exports at start (that needs
# torch and about 30 s), and the read-only copy is shared by every container of the image.
ENV DESK_MODEL_CACHE_DIR=/opt/models
RUN python -c "from dispute_desk.embedding import build_embedder as b; from dispute_desk.settings import \
load_settings as s; b(s(data_dir='/tmp/export'))" && rm -rf /tmp/export
# Bytecode compiled now, as root: the runtime user could not write __pycache__ next to the code.
RUN python -m compileall -q /app \
 && chmod -R a-w,a+rX /app \
 && mkdir -p /app/knowledge/uploads \
 && chown desk:desk /app/knowledge/uploads
USER 10001
# The index and database live in /data; files moderators add with /kb add go to knowledge/uploads.
VOLUME ["/data", "/app/knowledge/uploads"]
# Token set, store reachable, index non-empty, model loads (docker-compose.yml uses the same check).
HEALTHCHECK --interval=60s --timeout=60s --start-period=300s --retries=3 CMD ["python", "bot.py", "health"]
# Builds the index on first start if /data has none, then runs the bot (DISCORD_TOKEN from the environment).
ENTRYPOINT ["python", "bot.py"]
CMD ["run"]
