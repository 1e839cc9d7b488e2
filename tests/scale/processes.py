"""`stepwise serve --workers N` as a real process tree, and batches run through its processes."""

from __future__ import annotations

import re
from pathlib import Path

from tests.api.fixtures import DATA
from tests.client import PASSWORDS
from tests.streams.scenes import until
from tests.system.server_process import RemoteClient, ServerProcess
from tests.system.test_crash_durability import STEPS

# What each process prints once it serves: its number, pid and the URL that reaches it alone.
_SERVING = re.compile(r"^process (\d+) \(pid (\d+)\) on (\S+)$", re.MULTILINE)


class ServerProcesses(ServerProcess):
    """The parent of `count` server processes on one port, and each process as announced."""

    def __init__(self, database_url: str, folder: Path, count: int = 2) -> None:
        self.log = folder / "server.log"
        super().__init__(database_url, folder / "data", self.log, "--workers", str(count))
        self.count = count

    async def start(self) -> None:
        await super().start()
        await until(lambda: len(self.processes()) == self.count, seconds=60)

    def processes(self) -> dict[int, tuple[int, str]]:
        """Each process's pid and own API URL, by number, as it last announced itself."""
        return {
            int(number): (int(pid), f"{url}/api/v1")
            for number, pid, url in _SERVING.findall(self.log.read_text())
        }


def is_running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


async def sign_in_everyone(client: RemoteClient) -> None:
    for user in ("alex", "quinn", "sam", "olivia"):
        await client.login(user)


async def started_batches(client: RemoteClient, count: int) -> list[str]:
    """Approve the test procedure and start `count` batches of it (users signed in)."""
    source = (DATA / "test_line.yaml").read_text()
    status, loaded = await client.call(
        "POST", "/procedures", "alex", json={"filename": "test_line.yaml", "source": source}
    )
    assert status == 201, loaded
    status, submitted = await client.call("POST", "/procedures/test-line/versions/1/submit", "alex")
    assert status == 200, submitted
    signature = {"username": "quinn", "password": PASSWORDS["quinn"], "meaning": "approved"}
    status, approved = await client.call(
        "POST", "/procedures/test-line/versions/1/approve", "quinn", json={"signature": signature}
    )
    assert status == 200, approved
    ids = []
    for number in range(count):
        status, batch = await client.call(
            "POST", "/batches", "sam", json={"procedure": "test-line", "batch_number": f"S{number}"}
        )
        assert status == 201, batch
        status, started = await client.call("POST", f"/batches/{batch['id']}/start", "olivia")
        assert status == 200, started
        ids.append(batch["id"])
    return ids


async def completed_steps(client: RemoteClient, batch_id: str) -> set[str]:
    status, record = await client.call("GET", f"/batches/{batch_id}", "olivia")
    assert status == 200, record
    return {step["step_id"] for step in record["steps"] if step["state"] == "completed"}


async def finish(client: RemoteClient, batch_id: str) -> None:
    """Complete whatever steps of the batch are left, through `client`."""
    done = await completed_steps(client, batch_id)
    for step_id, body in STEPS:
        if step_id not in done:
            status, answer = await client.call(
                "POST", f"/batches/{batch_id}/steps/{step_id}/complete", "olivia", json=body
            )
            assert status == 200, answer
