"""`stepwise-headset`: the reference headset client, typed at or run from a script.

    stepwise-headset --user olivia --batch STW101-C-0001                 # interactive
    stepwise-headset --user olivia --password-stdin --script run.txt     # unattended
    stepwise-headset --user olivia --batch STW101-C-0001 --voice         # spoken

Exits 0 when a script ran to the end and the server recorded everything; otherwise 1 with
one line saying why.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import getpass
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import aiohttp

from headset_client.actions import Operator
from headset_client.commands import Batch
from headset_client.exceptions import HeadsetError
from headset_client.headset import Headset, HeadsetOptions
from headset_client.runner import Runner, ScriptFailed, ScriptLine, parse_script
from headset_client.session import SessionOptions


def default_outbox() -> Path:
    """`$XDG_DATA_HOME/stepwise-headset/outbox.db` (default `~/.local/share/...`)."""
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "stepwise-headset" / "outbox.db"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stepwise-headset",
        description="A headset or phone for Stepwise: steps, values, scans, photos, video.",
    )
    env = os.environ.get
    parser.add_argument(
        "--server", default=env("STEPWISE_SERVER", "http://127.0.0.1:8080"), help="server URL"
    )
    parser.add_argument("--user", default=env("STEPWISE_USER"), help="user name")
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (else STEPWISE_PASSWORD, else a prompt)",
    )
    parser.add_argument("--batch", help="batch number (or id) to work on")
    parser.add_argument("--script", type=Path, help="run these commands unattended")
    spoken = parser.add_mutually_exclusive_group()
    spoken.add_argument("--voice", action="store_true", help="listen to the microphone")
    spoken.add_argument(
        "--voice-file", type=Path, help="listen to this WAV recording (run like a script)"
    )
    parser.add_argument(
        "--outbox", type=Path, default=default_outbox(), help="outbox file (SQLite)"
    )
    parser.add_argument(
        "--camera", help="webcam[:INDEX], video:PATH, folder:PATH or synthetic[:TEXT]"
    )
    parser.add_argument(
        "--publish", action="store_true", help="publish the camera to the batch's stream (WHIP)"
    )
    parser.add_argument(
        "--overlay-dir",
        type=Path,
        help="where annotations are drawn when there is no display (default: next to the outbox)",
    )
    parser.add_argument(
        "--wait", type=float, default=60.0, help="seconds a script waits for the server"
    )
    parser.add_argument(
        "--retry", type=float, default=5.0, help="longest pause between attempts to send"
    )
    parser.add_argument("--stats", type=Path, help="write step and event timings here (JSON)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(message)s",
    )
    try:
        script = _script(args.script) if args.script else None
        if not args.user:
            raise HeadsetError("give --user (or STEPWISE_USER)")
        if script is not None and (args.voice or args.voice_file):
            raise HeadsetError("--script cannot be spoken: give --voice or --script, not both")
        unattended = script is not None or args.voice_file is not None
        password = _password(args.password_stdin, interactive=not unattended)
        return asyncio.run(_run(args, password, script))
    except (HeadsetError, OSError) as exc:
        print(f"stepwise-headset: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _script(path: Path) -> list[ScriptLine]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptFailed(f"{path}: cannot read: {exc}") from exc
    return parse_script(str(path), text, os.environ)


def _password(from_stdin: bool, *, interactive: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if "STEPWISE_PASSWORD" in os.environ:
        return os.environ["STEPWISE_PASSWORD"]
    if interactive:
        return getpass.getpass("password: ")
    raise HeadsetError("a script needs the password: --password-stdin or STEPWISE_PASSWORD")


async def _run(args: argparse.Namespace, password: str, script: list[ScriptLine] | None) -> int:
    session_options = SessionOptions(
        server=args.server,
        username=args.user,
        password=password,
        outbox_path=args.outbox,
        patient=script is not None or args.voice_file is not None,
        wait_seconds=args.wait,
        retry_seconds=args.retry,
    )
    options = HeadsetOptions(
        camera=args.camera,
        publish=args.publish,
        overlay_dir=args.overlay_dir or args.outbox.parent / "overlay",
    )
    async with (
        aiohttp.ClientSession() as http,
        Headset(session_options, options, http) as headset,
    ):
        operator = Operator(headset.session, headset.camera)
        runner = Runner(operator, sys.stdout, headset.batch_chosen)
        try:
            if args.batch:
                print("\n".join(await operator.execute(Batch(args.batch))), flush=True)
                await headset.batch_chosen()
            if args.voice or args.voice_file:
                # Imported here: speech needs SciPy and the recogniser, 0.6 s of start-up
                # that a headset worked by keys or a script should not pay.
                from headset_client.speech.cli import listen

                await listen(runner, args.voice_file)
            elif script is not None:
                await runner.run_script(str(args.script), script)
            else:
                await runner.run_interactive()
        finally:
            if args.stats:
                _write_stats(args.stats, headset)
    return 0


def _write_stats(path: Path, headset: Headset) -> None:
    path.write_text(json.dumps(dataclasses.asdict(headset.session.stats)))
