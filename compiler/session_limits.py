"""Limits on a snippet worker's whole process tree (part of the execute stage).

A per-process limit (RLIMIT_AS) does not bound a block that starts children: three children
of 1 GB each pass a 2 GiB limit. Where the system lets kb make control groups, each worker
(the template and the session it runs, with every process they start) gets its own cgroup:
its memory, CPU time (one core) and number of processes are then bounded together, and the
kernel's OOM killer counts what it killed in that group, which is how a block that went over
is told apart from one that crashed.

cgroup v2 is used where the memory controller can be given to a child of kb's own cgroup (a
delegated subtree); else cgroup v1 where the memory hierarchy is writable (as root); else
nothing, and the per-process limits of the worker apply alone. `detect` says which, and why.
Groups are children of the cgroup kb runs in (never elsewhere in the hierarchy), named
`kb-<pid>-<n>`; the groups of a killed build are removed by the next one.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import itertools
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

PREFIX = "kb-"
MAX_PROCESSES = 512  # per worker: a fork bomb stops here, not at the machine's limit
CPU_PERIOD_US = 100_000
_NAMES = itertools.count()  # groups made by this process
CONTROLLERS = ("memory", "cpu", "pids")  # memory is required, the others used where present
# The command prefix that moves itself into the groups, then runs the worker: the worker and
# everything it starts are in them from their first instruction.
JOIN_SCRIPT = ('for f; do shift; [ "$f" = -- ] && break; echo $$ > "$f" || exit 70; done; '
               'exec "$@"')


@dataclass(frozen=True)
class Hierarchy:
    """Where kb may make groups: one parent folder per controller (one shared folder in v2)."""

    version: int  # 1 or 2
    parents: dict[str, Path]  # controller -> the folder of kb's own cgroup in that hierarchy

    @property
    def description(self) -> str:
        return f"cgroup v{self.version}"


@dataclass
class SessionGroup:
    """The cgroup(s) of one worker."""

    hierarchy: Hierarchy
    folders: dict[str, Path]  # controller -> this group's folder (one folder in v2)
    memory_limit: int = 0
    oom_seen: int = 0
    _base: int = field(default=0, repr=False)

    def _file(self, controller: str, v1: str, v2: str) -> Path:
        return self.folders[controller] / (v1 if self.hierarchy.version == 1 else v2)

    def join_command(self) -> list[str]:
        """The prefix of the worker's command line that enters this group."""
        procs = sorted({str(folder / "cgroup.procs") for folder in self.folders.values()})
        return ["/bin/sh", "-c", JOIN_SCRIPT, "kb-join", *procs, "--"]

    def set_memory(self, limit: int) -> None:
        """What the group's processes may use together: `limit` beyond what they use now
        (the template's NumPy and matplotlib count once, in every worker alike)."""
        self._base = self.usage()
        self.memory_limit = limit
        total = str(limit + self._base)
        _write(self._file("memory", "memory.limit_in_bytes", "memory.max"), total)
        swap = self._file("memory", "memory.memsw.limit_in_bytes", "memory.swap.max")
        with contextlib.suppress(OSError):  # no swap accounting: nothing to bound
            _write(swap, total if self.hierarchy.version == 1 else "0")

    def usage(self) -> int:
        try:
            return int(self._file("memory", "memory.usage_in_bytes", "memory.current").read_text())
        except (OSError, ValueError):
            return 0

    def oom_kills(self) -> int:
        """How many processes of the group the kernel killed for memory so far."""
        path = self._file("memory", "memory.oom_control", "memory.events")
        try:
            for line in path.read_text().splitlines():
                name, _, value = line.partition(" ")
                if name == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def went_over(self) -> bool:
        """Whether the kernel killed one of the group's processes for memory since last asked."""
        count = self.oom_kills()
        over, self.oom_seen = count > self.oom_seen, count
        return over

    def processes(self) -> list[int]:
        """The processes in the group, as the kernel says (a pid is checked against its own
        /proc entry before it may be killed: never a process that only shares the number)."""
        pids: set[int] = set()
        for folder in self.folders.values():
            with contextlib.suppress(OSError, ValueError):
                listed = {int(p) for p in (folder / "cgroup.procs").read_text().split()}
                pids |= {pid for pid in listed if _member(pid, folder.name)}
        return sorted(pids)

    def kill(self) -> None:
        """Every process in the group, also those that left the worker's process group."""
        for folder in self.folders.values():
            with contextlib.suppress(OSError):
                _write(folder / "cgroup.kill", "1")  # v2, Linux 5.14+
        for _ in range(20):
            pids = self.processes()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.05)

    def remove(self) -> None:
        self.kill()
        for folder in self.folders.values():
            _remove(folder)


@dataclass
class Limits:
    """What bounds a worker's process tree here: a cgroup hierarchy, or nothing (`problem` says why)."""

    hierarchy: Hierarchy | None
    problem: str | None = None

    @property
    def scope(self) -> str:
        """In words, for the build output and report."""
        if self.hierarchy is not None:
            controllers = ", ".join(sorted(self.hierarchy.parents))
            return (f"each session's whole process tree ({self.hierarchy.description}: "
                    f"{controllers})")
        return f"each process only ({self.problem})"

    def new_group(self) -> SessionGroup | None:
        """A fresh group for one worker, None when there is no hierarchy or it cannot be made.
        Memory is required; a CPU quota (one core) and a process count are set where they can be."""
        if self.hierarchy is None:
            return None
        name = f"{PREFIX}{os.getpid()}-{next(_NAMES)}"
        folders: dict[str, Path] = {}
        for controller, parent in self.hierarchy.parents.items():
            folder = parent / name
            try:
                if folder not in folders.values():
                    folder.mkdir()
                if controller == "cpu":
                    if self.hierarchy.version == 1:
                        _write(folder / "cpu.cfs_quota_us", str(CPU_PERIOD_US))
                    else:
                        _write(folder / "cpu.max", f"{CPU_PERIOD_US} {CPU_PERIOD_US}")
                elif controller == "pids":
                    _write(folder / "pids.max", str(MAX_PROCESSES))
            except OSError:
                if folder not in folders.values():
                    _remove(folder)
                if controller == "memory":
                    break
                continue
            folders[controller] = folder
        if "memory" not in folders:
            for folder in set(folders.values()):
                _remove(folder)
            return None
        return SessionGroup(self.hierarchy, folders)


def _member(pid: int, name: str) -> bool:
    try:
        return f"/{name}\n" in Path(f"/proc/{pid}/cgroup").read_text() + "\n"
    except OSError:
        return False


def _write(path: Path, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)


def _remove(folder: Path) -> None:
    for _ in range(40):  # a killed process leaves its group a moment after the signal
        try:
            folder.rmdir()
            return
        except OSError as exc:
            if exc.errno != errno.EBUSY:  # gone already, or not a cgroup at all
                return
            time.sleep(0.05)


# -- finding a hierarchy ------------------------------------------------------------------------

def _mounts(proc: Path) -> list[tuple[str, Path, set[str]]]:
    """(filesystem type, mount point, options) of every cgroup mount."""
    found = []
    with contextlib.suppress(OSError):
        for line in (proc / "self/mounts").read_text().splitlines():
            parts = line.split()
            if len(parts) >= 4 and parts[2] in ("cgroup", "cgroup2"):
                found.append((parts[2], Path(parts[1].replace("\\040", " ")), set(parts[3].split(","))))
    return found


def _own_groups(proc: Path) -> dict[str, str]:
    """Controller -> kb's cgroup path in that hierarchy ("" for the v2 hierarchy)."""
    groups: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in (proc / "self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for controller in controllers.split(",") if controllers else [""]:
                groups[controller] = path
    return groups


def _inside(mount: Path, path: str) -> Path:
    return mount / path.lstrip("/")


def _v2(proc: Path) -> tuple[Hierarchy | None, str | None]:
    mount = next((m for kind, m, _ in _mounts(proc) if kind == "cgroup2"), None)
    own = _own_groups(proc).get("")
    if mount is None or own is None:
        return None, "no cgroup v2 hierarchy"
    parent = _inside(mount, own)
    try:
        available = set((parent / "cgroup.controllers").read_text().split())
        enabled = set((parent / "cgroup.subtree_control").read_text().split())
    except OSError:
        return None, "no cgroup v2 hierarchy"
    if "memory" not in available:
        return None, "the cgroup v2 memory controller is not delegated to kb's cgroup"
    for controller in CONTROLLERS:
        if controller in available and controller not in enabled:
            with contextlib.suppress(OSError):  # refused while kb's own cgroup holds processes
                _write(parent / "cgroup.subtree_control", f"+{controller}")
                enabled.add(controller)
    if "memory" not in enabled or not os.access(parent, os.W_OK):
        return None, "kb's cgroup v2 subtree is not delegated (it cannot make child groups there)"
    return Hierarchy(2, {c: parent for c in CONTROLLERS if c in enabled}), None


def _v1(proc: Path) -> tuple[Hierarchy | None, str | None]:
    own = _own_groups(proc)
    parents: dict[str, Path] = {}
    for kind, mount, options in _mounts(proc):
        for controller in CONTROLLERS:
            if kind == "cgroup" and controller in options and controller in own:
                parents.setdefault(controller, _inside(mount, own[controller]))
    memory = parents.get("memory")
    if memory is None:
        return None, "no cgroup v1 memory hierarchy"
    usable = {c: p for c, p in parents.items() if p.is_dir() and os.access(p, os.W_OK)}
    if "memory" not in usable:
        return None, "the cgroup v1 memory hierarchy is not writable (kb is not root)"
    return Hierarchy(1, usable), None


def _clean_stale(hierarchy: Hierarchy) -> None:
    """Remove the groups of kb processes that are gone (a build killed with `kill -9`)."""
    for parent in set(hierarchy.parents.values()):
        with contextlib.suppress(OSError):
            for folder in parent.iterdir():
                owner = folder.name[len(PREFIX):].partition("-")[0]
                if not (folder.name.startswith(PREFIX) and owner.isdigit()):
                    continue
                if int(owner) == os.getpid() or Path(f"/proc/{owner}").exists():
                    continue
                stale = SessionGroup(hierarchy, {"": folder})
                stale.kill()
                _remove(folder)


def _can_join(group: SessionGroup) -> bool:
    """Whether a process can move itself into the group (v2 also asks for rights on the
    common ancestor's cgroup.procs), as every worker will."""
    if not Path("/bin/sh").exists():
        return False
    try:
        done = subprocess.run([*group.join_command(), "true"], capture_output=True, timeout=30,
                              stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def detect(proc: Path = Path("/proc")) -> Limits:
    """The hierarchy kb can make worker groups in: v2 first, then v1; else why none."""
    problems = []
    for find in (_v2, _v1):
        hierarchy, problem = find(proc)
        if hierarchy is not None:
            _clean_stale(hierarchy)
            probe = Limits(hierarchy).new_group()  # a writable folder may still refuse a group
            if probe is not None:
                joined = _can_join(probe)
                probe.remove()  # the controllers that took their limit are the ones used
                if joined:
                    used = {c: hierarchy.parents[c] for c in probe.folders}
                    return Limits(Hierarchy(hierarchy.version, used))
            problem = f"{hierarchy.description} refused a new group"
        problems.append(problem)
    return Limits(None, "; ".join(p for p in problems if p) + ": cgroups not available")


@functools.cache
def limits() -> Limits:
    """`detect`, once per process."""
    return detect()
