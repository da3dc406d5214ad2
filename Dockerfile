# The Summit server (GraphQL API + built web app) without the torch-based ingest extra.
# Built by docker-compose.yml; serves on :8765.

FROM node:20-bookworm-slim AS web
WORKDIR /app/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
COPY server/schema.graphql /app/server/schema.graphql
RUN npm run build

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY summit/ summit/
COPY server/ server/
COPY ingest/ ingest/
# Editable install keeps the repository layout, so the server finds /app/web/dist.
RUN pip install -e .
COPY --from=web /app/web/dist /app/web/dist
RUN useradd --create-home summit
USER summit
EXPOSE 8765
HEALTHCHECK --interval=10s --timeout=5s --retries=6 \
  CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8765/healthz', timeout=4)" || exit 1
CMD ["summit", "serve", "--store", "neo4j", "--host", "0.0.0.0"]
