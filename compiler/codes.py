"""The diagnostic codes, read from the code that reports them, so that their documented list
cannot drift: every `Diagnostic(path, line, col, Severity.X, "code", ...)` and every
configuration error (`config._error(path, mark, "code", ...)`) in the compiler's source.

    python -m compiler.codes                          # the list as a Markdown table
    python -m compiler.codes docs/Diagnostics.md      # rewrite the table in that note
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Code:
    code: str
    severity: str  # error, warning or info; "error" for configuration errors
    modules: tuple[str, ...]  # where it is reported


CODE_SHAPE = re.compile(r"^[a-z]+(?:-[a-z0-9]+)+$")


def _severity(node: ast.expr) -> str | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Severity":
        return node.attr.lower()
    return None


def _strings(node: ast.expr | None) -> list[str]:
    """The code-shaped string constants an expression may evaluate to."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE_SHAPE.match(node.value):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def _assigned(function: ast.AST, name: str) -> list[str]:
    """Codes assigned to `name` in a function: `code = "x"`, `code, what = ("x", ...) if ... else (...)`."""
    found = []
    for node in ast.walk(function):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id == name:
                found += _strings(node.value)
            elif isinstance(target, ast.Tuple):
                places = [i for i, t in enumerate(target.elts) if isinstance(t, ast.Name) and t.id == name]
                values = [node.value.body, node.value.orelse] if isinstance(node.value, ast.IfExp) \
                    else [node.value]
                for value in values:
                    if isinstance(value, ast.Tuple):
                        found += [s for i in places for s in _strings(value.elts[i])]
    return found


def _returned(tree: ast.Module) -> list[str]:
    """Codes returned by the module's functions (a code computed by one function and reported
    by another, as `embeds.refusal` and `refusal_diagnostic`)."""
    return [s for node in ast.walk(tree) if isinstance(node, ast.Return) for s in _strings(node.value)
            if not s.startswith("kb-")]


def _codes_in(source: str) -> list[tuple[str, str]]:
    tree = ast.parse(source)
    found = []
    for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]:
        parameters = {a.arg for a in function.args.args + function.args.kwonlyargs}
        for node in ast.walk(function):
            if not isinstance(node, ast.Call):
                continue
            args = node.args
            for index, arg in enumerate(args[:-1]):
                severity = _severity(arg)
                if not severity:
                    continue
                code = args[index + 1]
                if isinstance(code, ast.Name):
                    values = _assigned(function, code.id) or (
                        _returned(tree) if code.id in parameters else [])
                else:
                    values = _strings(code)
                found += [(value, severity) for value in values]
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name == "_error" and len(args) > 2:
                found += [(value, "error") for value in _strings(args[2])]
    return found


def _sources(package, prefix: str = "") -> list[tuple[str, str]]:
    """(module name, source) of every module of the package and its subpackages
    (`engines` for a package's `__init__.py`)."""
    found = []
    for entry in sorted(package.iterdir(), key=lambda e: e.name):
        if entry.is_dir() and entry.joinpath("__init__.py").is_file():
            found += _sources(entry, f"{prefix}{entry.name}.")
        elif entry.name.endswith(".py"):
            name = prefix.rstrip(".") if entry.name == "__init__.py" and prefix else \
                prefix + entry.name.removesuffix(".py")
            found.append((name, entry.read_text(encoding="utf-8")))
    return found


def diagnostic_codes() -> dict[str, Code]:
    """Every code the compiler reports, with its severity (the worst one it is reported at)."""
    rank = {"error": 0, "warning": 1, "info": 2}
    by_code: dict[str, tuple[str, set[str]]] = {}
    for module, source in _sources(resources.files("compiler")):
        for code, severity in _codes_in(source):
            worst, modules = by_code.get(code, (severity, set()))
            if rank.get(severity, 3) < rank.get(worst, 3):
                worst = severity
            by_code[code] = (worst, modules | {module})
    return {code: Code(code, severity, tuple(sorted(modules)))
            for code, (severity, modules) in sorted(by_code.items())}


def markdown_table(codes: dict[str, Code]) -> str:
    lines = ["| code | severity | reported by |", "| --- | --- | --- |"]
    lines += [f"| `{c.code}` | {c.severity} | {', '.join(f'`{m}`' for m in c.modules)} |"
              for c in codes.values()]
    return "\n".join(lines) + "\n"


BEGIN = "%% generated by python -m compiler.codes: do not edit by hand %%\n"
END = "%% end of the generated table %%"


def with_table(note: str, table: str) -> str:
    """The note with the text between its BEGIN and END comments replaced by `table`."""
    start = note.index(BEGIN) + len(BEGIN)
    return note[:start] + table + note[note.index(END, start):]


def documented_table(note: str) -> str:
    start = note.index(BEGIN) + len(BEGIN)
    return note[start:note.index(END, start)]


if __name__ == "__main__":
    table = markdown_table(diagnostic_codes())
    if len(sys.argv) > 1:
        with open(sys.argv[1], encoding="utf-8") as file:
            note = file.read()
        with open(sys.argv[1], "w", encoding="utf-8") as file:
            file.write(with_table(note, table))
    else:
        sys.stdout.write(table)
