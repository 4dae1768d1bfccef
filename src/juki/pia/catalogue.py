"""The requirements (docs/pia/requirements.toml: every SYS/MIX requirement of the specs)
and the one mapping from requirement to enforcing tests (docs/pia/enforcement.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

PIA_DIR = Path(__file__).resolve().parents[3] / "docs" / "pia"
REQUIREMENTS = PIA_DIR / "requirements.toml"
ENFORCEMENT = PIA_DIR / "enforcement.toml"

# The components the requirements name (requirements.toml `node`) that this project builds.
# A requirement of another component (JPKI, the 附票 server, the
# information-provision network, the 戸籍 systems) is listed apart as 未構築, not as 未対応.
BUILT_NODES = frozenset(
    {
        "all",
        "registry",
        "cs",
        "prefecture",
        "national",
        "numbering",
        "card",
        "jpki",
        "kiosk",
        "issuance",
        "infonet",
        "atena",
        "intermediate",
        "portal",
    }
)
# Roles whose requirements are their own only (requirements.toml `node` names the role):
# the information network's nodes share their specs (001a, 001b) with the register and the
# CS, and must not inherit the register's requirements, nor lend it theirs.
NODE_SCOPED_ROLES = frozenset({"infonet", "atena", "intermediate", "portal"})

# How a mapped requirement is met (enforcement.toml `status`):
#   enforced  the tests show the requirement as stated;
#   partial   the tests show part of it; `note` says what is missing;
#   platform  it is met outside the software (network, OS, physical security: firewalls,
#             antivirus, device control); `note` says what the platform must do, and `tests`
#             show the software's own share where it has one.
STATUSES = ("enforced", "partial", "platform")

# Which assessment speaks for which node role.
SPECS_OF_ROLE = {
    "registry": ("001a", "001b"),
    "cs": ("001a", "001b"),
    "prefecture": ("002",),
    "national": ("000",),
    "numbering": ("000",),
    "card": ("000",),
    "jpki": ("000",),
    "kiosk": ("001a",),
    "issuance": ("000",),
    "infonet": ("000", "001a", "001b", "004", "law"),
    "atena": ("001a", "001b", "law"),
    "intermediate": ("001a", "001b"),
    "portal": ("001a", "001b", "004", "law"),
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
    status: str  # one of STATUSES
    note: str = ""


@dataclass
class Catalogue:
    requirements: list[Requirement]
    enforcement: dict[str, Enforcement] = field(default_factory=dict)

    def for_role(self, role: str) -> list[Requirement]:
        """The requirements of the role's assessment that concern a component we build."""
        specs = SPECS_OF_ROLE.get(role, ())
        return [
            r
            for r in self.requirements
            if r.spec in specs
            and r.node in BUILT_NODES
            and (r.node == role if role in NODE_SCOPED_ROLES else r.node not in NODE_SCOPED_ROLES)
        ]

    def not_built_for_role(self, role: str) -> list[Requirement]:
        """The role's assessment's requirements on components not built yet."""
        specs = SPECS_OF_ROLE.get(role, ())
        return [r for r in self.requirements if r.spec in specs and r.node not in BUILT_NODES]


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
                    requirement=row["requirement"], tests=tuple(row.get("tests", ())),
                    status=row.get("status", "enforced"), note=row.get("note", ""),
                )  # fmt: skip
    return Catalogue(found, mapped)
