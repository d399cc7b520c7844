"""The diagnostic codes, read from the code that reports them, so that their documented list
cannot drift: every `Diagnostic(path, line, col, Severity.X, "code", ...)` and every
configuration error (`config._error(path, mark, "code", ...)`) in the compiler's source.

    python -m compiler.codes          # the list as Markdown (docs/Diagnostics.md holds it)
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


def diagnostic_codes() -> dict[str, Code]:
    """Every code the compiler reports, with its severity (the worst one it is reported at)."""
    rank = {"error": 0, "warning": 1, "info": 2}
    by_code: dict[str, tuple[str, set[str]]] = {}
    package = resources.files("compiler")
    for entry in sorted(package.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".py"):
            continue
        for code, severity in _codes_in(entry.read_text(encoding="utf-8")):
            worst, modules = by_code.get(code, (severity, set()))
            if rank.get(severity, 3) < rank.get(worst, 3):
                worst = severity
            by_code[code] = (worst, modules | {entry.name.removesuffix(".py")})
    return {code: Code(code, severity, tuple(sorted(modules)))
            for code, (severity, modules) in sorted(by_code.items())}


def markdown_table(codes: dict[str, Code]) -> str:
    lines = ["| code | severity | reported by |", "| --- | --- | --- |"]
    lines += [f"| `{c.code}` | {c.severity} | {', '.join(f'`{m}`' for m in c.modules)} |"
              for c in codes.values()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown_table(diagnostic_codes()))
