"""Every ```bash block of README.md runs as written, in order, in one bash shell, against the
demo server `bash scripts/run` starts (here on a free port, in a temporary copy of the clone).

The shell stops at the first command that fails (`set -e -o pipefail`; curl fails on an HTTP
error answer); the failure names the block's README line and what the block printed."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.docs.readme_blocks import README, Block, blocks
from tests.system.server_process import free_port

ROOT = README.parent
MARK = "::readme-block "
# A reader's curl shows an error answer; the walkthrough must not get one.
PRELUDE = 'set -e -o pipefail\ncurl() { command curl --fail-with-body --max-time 120 "$@"; }\n'


def test_the_walkthrough_starts_with_the_set_up_and_has_commands_after_it() -> None:
    found = blocks(README.read_text(encoding="utf-8"))

    assert found[0].is_set_up, found[0]
    assert len(found) > 5


def test_blocks_are_found_with_their_line_numbers() -> None:
    text = "intro\n```bash\necho one\necho two\n```\n```text\nnot run\n```\n```bash\nls\n```\n"

    assert blocks(text) == [Block(3, "echo one\necho two\n"), Block(10, "ls\n")]


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A clone as a reader has it after the set-up: the repository's files, and `.venv`
    (here, the environment running the tests); what the walkthrough writes stays here."""
    folder = tmp_path / "clone"
    folder.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in {".venv", "stepwise-data", ".git"}:
            (folder / entry.name).symlink_to(entry)
    (folder / ".venv").symlink_to(Path(sys.prefix))
    (folder / "home").mkdir()
    return folder


@pytest.fixture
def environment(clone: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("STEPWISE_", "VIRTUAL_"))},
        "PORT": str(free_port()),
        "STEPWISE_DEMO_BALANCE_PORT": str(free_port()),
        "DATABASE_URL": "",
        "PYTHONPATH": str(ROOT),
        "HOME": str(clone / "home"),
    }


@pytest.fixture
def demo_server(clone: Path, environment: dict[str, str]) -> Iterator[str]:
    """`stepwise serve --demo` as `scripts/run` starts it, from the clone (data in
    ./stepwise-data there)."""
    port = environment["PORT"]
    log = (clone / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--demo", "--port", port],
        cwd=clone,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url + "/api/v1/openapi.json", server, clone / "server.log")
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def _wait_for(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the demo server exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the demo server did not answer in 180 s:\n{log.read_text()[-3000:]}")


def _script(found: list[Block]) -> str:
    parts = [PRELUDE]
    for block in found:
        # A marker on a line of its own, even after output that ends without a newline.
        parts.append(f"printf '\\n{MARK}{block.line}\\n'\n{block.text}")
    parts.append(f"printf '\\n{MARK}end\\n'\n")
    return "\n".join(parts)


def _failed_block(output: str) -> tuple[str, str]:
    """The README line of the last block started, and what it printed."""
    starts = list(re.finditer(rf"^{MARK}(\S+)$", output, flags=re.MULTILINE))
    if not starts:
        return "?", output
    last = starts[-1]
    return last.group(1), output[last.end() :]


@pytest.mark.timeout(600)  # the demo server's start and a whole headset batch, on a busy CI box
def test_every_bash_block_runs_in_order_in_one_shell(
    demo_server: str, clone: Path, environment: dict[str, str]
) -> None:
    found = [block for block in blocks(README.read_text(encoding="utf-8")) if not block.is_set_up]
    (clone / "walkthrough.sh").write_text(_script(found))

    shell = subprocess.Popen(
        ["bash", "walkthrough.sh"],
        cwd=clone,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = shell.communicate(timeout=420)
    finally:
        with contextlib.suppress(ProcessLookupError):  # what a block left in the background
            os.killpg(shell.pid, signal.SIGKILL)
    text = output.decode("utf-8", "replace")

    line, printed = _failed_block(text)
    assert shell.returncode == 0 and line == "end", (
        f"README.md:{line}: this block failed (exit {shell.returncode}); it printed:\n"
        f"{printed[-4000:]}"
    )
