"""scripts/neo4j.sh talks to Neo4j's HTTP endpoint without putting the password on curl's command line."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "neo4j.sh"
PASSWORD = 'pw with "quotes" \\ and spaces'


def run_http_cypher(tmp_path: Path, user: str, password: str, statement: str, *, port: str = "1",
                    fake_curl: bool = True) -> subprocess.CompletedProcess[str]:
    """Call the script's http_cypher function alone (extracted with sed), optionally with a fake curl."""
    path = os.environ["PATH"]
    if fake_curl:
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir(exist_ok=True)
        fake = bin_dir / "curl"
        fake.write_text(
            "#!/usr/bin/env bash\n"
            f'printf "%s\\n" "$@" > {tmp_path}/argv\n'
            'while [[ $# -gt 0 ]]; do if [[ "$1" == -K ]]; then cat "$2" > ' f"{tmp_path}/config; fi; shift; done\n"
            f"cat > {tmp_path}/stdin\n"
            "printf '{}\\n200'\n")
        fake.chmod(0o755)
        path = f"{bin_dir}:{path}"
    functions = subprocess.run(["sed", "-n", "/^http_cypher()/,/^curl_config_quote()/p", str(SCRIPT)],
                               capture_output=True, text=True, check=True).stdout
    assert "curl" in functions
    return subprocess.run(["bash", "-c", f'{functions}\nHTTP_PORT={port}\nhttp_cypher "$@"', "x",
                           user, password, "neo4j", statement],
                          capture_output=True, text=True, env={**os.environ, "PATH": path}, check=False)


def test_password_is_not_on_the_command_line(tmp_path: Path) -> None:
    statement = f"ALTER CURRENT USER SET PASSWORD FROM 'neo4j' TO '{PASSWORD}'"
    result = run_http_cypher(tmp_path, "neo4j", PASSWORD, statement)
    assert result.returncode == 0, result.stderr
    argv = (tmp_path / "argv").read_text()
    assert "pw with" not in argv
    assert "ALTER CURRENT USER" not in argv
    config = (tmp_path / "config").read_text()
    assert config == 'user = "neo4j:pw with \\"quotes\\" \\\\ and spaces"\n'
    assert "ALTER CURRENT USER" in (tmp_path / "stdin").read_text()


@pytest.mark.neo4j
def test_http_cypher_logs_in_to_the_real_server(tmp_path: Path, neo4j_auth: Any) -> None:
    port = os.environ.get("NEO4J_HTTP_PORT", "7474")
    ok = run_http_cypher(tmp_path, neo4j_auth.user, neo4j_auth.password, "RETURN 1", port=port, fake_curl=False)
    assert ok.stdout.endswith("200"), ok.stdout
    assert '"errors":[]' in ok.stdout
    # (no wrong-password probe: Neo4j locks the user for a while after failed logins, and tests share it)
