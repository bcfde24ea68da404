"""``iamdesk fork-server status|start|stop``: see and manage this user's fork servers."""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from iamdesk.launch import place as places
from iamdesk.launch import spawn
from iamdesk.launch.client import connect
from iamdesk.launch.wire import Channel, WireError

START_TIMEOUT = 60.0  # loading takes about a second alone; much longer on a loaded machine
STOP_TIMEOUT = 10.0


def ask(place: places.Place, op: str) -> dict[str, Any] | None:
    sock = connect(place.socket, timeout=5.0)
    if sock is None:
        return None
    try:
        channel = Channel(sock)
        channel.send({"op": op})
        return channel.receive()
    except (OSError, WireError):
        return None
    finally:
        sock.close()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    return f"{seconds // 60}m{seconds % 60:02d}s"


def _describe(info: dict[str, Any], current: places.Place | None) -> str:
    this = current is not None and info.get("fingerprint") == current.name
    whose = "this iamdesk" if this else "other code"
    if info.get("kind") == places.APP:
        whose += ", app"
    state = "stopping" if info.get("stopping") else "running"
    idle_left = max(0.0, float(info["idle_seconds"]) - float(info["idle_for"]))
    return (
        f"fork server {info['fingerprint']} ({whose}): "
        f"{state}, pid {info['pid']}, up {_duration(time.time() - float(info['started']))}, "
        f"{info['served']} commands served, {info['running']} running, "
        f"{info['refused']} run locally instead, idle exit in {_duration(idle_left)}\n"
        f"  socket {info['socket']}\n  log {info['log']}"
    )


def _why_none() -> str | None:
    if places.disabled_by_user():
        return f"{places.NO_SERVER_VARIABLE} is set: every command runs in its own process"
    if not places.supported():
        return "this platform or bundle runs every command in its own process (no fork server)"
    if places.runtime_dir() is None:
        return "no private runtime folder for the socket: no fork server"
    return None


def status() -> int:
    why = _why_none()
    if why is not None:
        print(why)
    folder = places.runtime_dir() if places.supported() else None
    current = places.current()
    found = 0
    for place in places.all_places(folder) if folder else []:
        info = ask(place, "status")
        if info is not None and "pid" in info:
            print(_describe(info, current))
            found += 1
    if not found:
        print(f"no fork server is running (socket folder {folder})")
    return 0


def start(kind: str = places.COMMANDS) -> int:
    why = _why_none()
    current = places.current(kind)
    if why is not None or current is None:
        print(why or "the socket's path would be too long: no fork server")
        return 1
    info = ask(current, "status")
    if info is None:
        if not spawn.running_or_starting(current):
            spawn.start(current)
        deadline = time.monotonic() + START_TIMEOUT
        while info is None and time.monotonic() < deadline:
            time.sleep(0.05)
            info = ask(current, "status")
        if info is None:
            print(f"the fork server did not start; see {current.log}")
            return 1
    print(_describe(info, current))
    return 0


def stop() -> int:
    folder = places.runtime_dir() if places.supported() else None
    stopped = []
    for place in places.all_places(folder) if folder else []:
        answer = ask(place, "stop")
        if answer is not None and "stopping" in answer:
            stopped.append((place, int(answer["stopping"])))
    deadline = time.monotonic() + STOP_TIMEOUT
    for place, pid in stopped:
        while os.path.exists(place.socket) and time.monotonic() < deadline:
            time.sleep(0.02)
        print(f"stopped fork server {place.name} (pid {pid})")
    if not stopped:
        print("no fork server was running")
    return 0


def run(argv: list[str], options: object) -> int:
    parser = argparse.ArgumentParser(
        prog="iamdesk fork-server",
        description="The background process that starts iamdesk commands fast (see README).",
    )
    parser.add_argument("action", choices=("status", "start", "stop"))
    parser.add_argument(
        "--app", action="store_true", help="start: the app's server (Qt loaded) instead"
    )
    ns = parser.parse_args(argv)
    if ns.action == "start":
        return start(places.APP if ns.app else places.COMMANDS)
    return {"status": status, "stop": stop}[ns.action]()
