# The Summit server (GraphQL API + built web app) without the torch-based ingest extra.
# Built by docker-compose.yml; serves on :8765 and needs an access token (a non-loopback address):
#   docker run -e SUMMIT_TOKEN=... -e SUMMIT_NEO4J_URI=bolt://HOST:7687 -e NEO4J_PASSWORD=... -p 8765:8765 IMAGE
# (or -e SUMMIT_PUBLIC=true for a read-only public demo without a token). The port opens once the
# warm-up is done; the health check asks /readyz.

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
# The access token comes from this variable (the setting token_env); empty = none (then the
# server refuses to start unless SUMMIT_PUBLIC=true).
ENV SUMMIT_TOKEN=""
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=6 \
  CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8765/readyz', timeout=4)" || exit 1
CMD ["summit", "serve", "--store", "neo4j", "--host", "0.0.0.0", "--wait-warm-up"]
