"""The requirements (docs/pia/requirements.toml: every SYS/MIX requirement of the specs)
and the one mapping from requirement to enforcing tests (docs/pia/enforcement.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

PIA_DIR = Path(__file__).resolve().parents[3] / "docs" / "pia"
REQUIREMENTS = PIA_DIR / "requirements.toml"
ENFORCEMENT = PIA_DIR / "enforcement.toml"

# Which assessment speaks for which node role.
SPECS_OF_ROLE = {
    "registry": ("001a", "001b"),
    "cs": ("001a", "001b"),
    "prefecture": ("002",),
    "national": ("000",),
    "numbering": ("000",),
}


@dataclass(frozen=True)
class Requirement:
    id: str
    spec: str
    section: str
    tag: str
    node: str
    statement: str


@dataclass(frozen=True)
class Enforcement:
    requirement: str
    tests: tuple[str, ...]
    status: str  # enforced | partial
    note: str = ""


@dataclass
class Catalogue:
    requirements: list[Requirement]
    enforcement: dict[str, Enforcement] = field(default_factory=dict)

    def for_role(self, role: str) -> list[Requirement]:
        specs = SPECS_OF_ROLE.get(role, ())
        return [r for r in self.requirements if r.spec in specs]


def load(requirements: Path = REQUIREMENTS, enforcement: Path = ENFORCEMENT) -> Catalogue:
    with requirements.open("rb") as handle:
        rows = tomllib.load(handle)["requirement"]
    found = [
        Requirement(**{k: str(row.get(k, "")) for k in Requirement.__annotations__}) for row in rows
    ]
    mapped: dict[str, Enforcement] = {}
    if enforcement.exists():
        with enforcement.open("rb") as handle:
            for row in tomllib.load(handle).get("enforced", []):
                mapped[row["requirement"]] = Enforcement(
                    requirement=row["requirement"], tests=tuple(row["tests"]),
                    status=row.get("status", "enforced"), note=row.get("note", ""),
                )  # fmt: skip
    return Catalogue(found, mapped)
