"""The shape of the domain, checked: no import cycles between vkc's packages, and each layer imports downward.

Run by `make lint` (`python -m devtools.layers`) and by tests/unit/test_layers.py. Every import counts,
including those inside functions (lazy imports for cold start) and under TYPE_CHECKING: a cycle that only
typing sees is still a cycle in the design.

Layers, top to bottom:
- composition (`vkc.wiring`, `vkc.admin`): builds each process's dependencies; imports anything;
- adapters (`vkc.adapters`): the edges to AWS, Redis and HTTP; implement the kernel's and features' ports;
- features: one package per product concept; may use each other (without cycles), the libraries and the kernel;
- libraries (`vkc.vk`, `vkc.analysis`): the VK API client and the text-analysis engine;
- kernel: settings, errors, the database, jobs (queue, fan-out/fan-in, cursors), events, ports, cache.
A package not listed here is an error, so a new one gets a place on purpose.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = ROOT / "layers" / "vkc" / "vkc"

KERNEL = frozenset(
    {
        "settings",
        "errors",
        "events",
        "ports",
        "observability",
        "scheduling",
        "db",
        "jobs",
        "cache",
        "ratelimit",
        "wire_types",
    }
)
LIBRARIES = frozenset({"vk", "analysis"})
FEATURES = frozenset(
    {
        "analysis_store",
        "collection",
        "comments",
        "communities",
        "corrections",
        "deadletters",
        "exports",
        "health",
        "keywords",
        "monitoring",
        "probe",
        "stats",
        "vk_tokens",
        "webhooks",
        "workspaces",
    }
)
ADAPTERS = frozenset({"adapters"})
COMPOSITION = frozenset({"wiring", "admin"})

#: what each layer may import besides itself
MAY_IMPORT: dict[str, frozenset[str]] = {
    "kernel": KERNEL | LIBRARIES,
    "libraries": KERNEL | LIBRARIES,
    "features": KERNEL | LIBRARIES | FEATURES,
    "adapters": KERNEL | LIBRARIES | FEATURES | ADAPTERS,
    "composition": KERNEL | LIBRARIES | FEATURES | ADAPTERS | COMPOSITION,
}


def layer_of(unit: str) -> str | None:
    for name, units in (
        ("kernel", KERNEL),
        ("libraries", LIBRARIES),
        ("features", FEATURES),
        ("adapters", ADAPTERS),
        ("composition", COMPOSITION),
    ):
        if unit in units:
            return name
    return None


@dataclass(frozen=True, slots=True)
class Edge:
    source: str  # unit that imports
    target: str  # unit imported
    where: str  # file:line of the first such import


def _unit(path: Path, package_dir: Path) -> str | None:
    rel = path.relative_to(package_dir)
    if rel.parts[0] == "__init__.py":
        return None
    return rel.parts[0].removesuffix(".py")


def _imported_units(tree: ast.AST, module: str) -> Iterator[tuple[str, int]]:
    """vkc units named by the file's imports (relative imports resolved against `module`)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "vkc" and len(parts) > 1:
                    yield parts[1], node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            parts = name.split(".")
            if parts[0] != "vkc":
                continue
            if len(parts) > 1:
                yield parts[1], node.lineno
            else:  # from vkc import observability
                for alias in node.names:
                    yield alias.name, node.lineno


def edges(package_dir: Path = PACKAGE_DIR) -> list[Edge]:
    found: dict[tuple[str, str], Edge] = {}
    for path in sorted(package_dir.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = _unit(path, package_dir)
        if source is None:
            continue
        rel = path.relative_to(package_dir.parent).with_suffix("")
        module = ".".join(rel.parts)
        if path.name == "__init__.py":
            module = module.removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for target, line in _imported_units(tree, module):
            if target != source and (source, target) not in found:
                where = f"{path.relative_to(package_dir.parent)}:{line}"
                found[(source, target)] = Edge(source, target, where)
    return sorted(found.values(), key=lambda e: (e.source, e.target))


def cycles(all_edges: Iterable[Edge]) -> list[list[str]]:
    """Strongly connected components of more than one unit (Tarjan)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for e in all_edges:
        graph[e.source].add(e.target)
        graph.setdefault(e.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def problems(package_dir: Path = PACKAGE_DIR) -> list[str]:
    """Everything wrong with the shape, one line each; empty when it is right."""
    all_edges = edges(package_dir)
    out: list[str] = []
    units = {e.source for e in all_edges} | {e.target for e in all_edges}
    units |= {
        p.name.removesuffix(".py")
        for p in package_dir.iterdir()
        if p.name not in ("__init__.py", "__pycache__") and (p.suffix == ".py" or (p / "__init__.py").exists())
    }
    for unit in sorted(units):
        if layer_of(unit) is None:
            out.append(f"vkc.{unit} has no layer: add it to devtools/layers.py")
    for e in all_edges:
        source, target = layer_of(e.source), layer_of(e.target)
        if source is None or target is None:
            continue
        if e.target not in MAY_IMPORT[source]:
            out.append(f"{source} vkc.{e.source} imports {target} vkc.{e.target} ({e.where})")
    by_pair = {(e.source, e.target): e for e in all_edges}
    for component in cycles(all_edges):
        members = set(component)
        ties = [f"{a}→{b} ({e.where})" for (a, b), e in sorted(by_pair.items()) if a in members and b in members]
        out.append(f"import cycle between {', '.join('vkc.' + u for u in component)}: {'; '.join(ties)}")
    return out


def main() -> int:
    found = problems()
    for line in found:
        print(line)
    if found:
        return 1
    print(f"layers: {len(edges())} package imports, no cycle, every layer imports downward")
    return 0


if __name__ == "__main__":
    sys.exit(main())
