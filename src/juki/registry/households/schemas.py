"""世帯 as 届出 name it and as the API shows it: the 続柄, where a person sits in a
household, and what a 届出 changes in one. Extra fields are refused."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class Relationship(StrEnum):
    """続柄 (item 24), as written on a 住民票: relative to the 世帯主. Since 1995 every child
    is written 子 whatever their birth order or parents' marriage (住民基本台帳事務処理要領)."""

    HEAD = "世帯主"
    WIFE = "妻"
    HUSBAND = "夫"
    WIFE_UNREGISTERED = "妻（未届）"
    HUSBAND_UNREGISTERED = "夫（未届）"
    CHILD = "子"
    CHILD_OF_WIFE = "妻の子"
    CHILD_OF_HUSBAND = "夫の子"
    FATHER = "父"
    MOTHER = "母"
    GRANDCHILD = "孫"
    SIBLING = "兄弟姉妹"
    GRANDPARENT = "祖父母"
    RELATIVE = "縁故者"
    LODGER = "同居人"


class HouseholdPlacement(BaseModel):
    """Where the person sits in a household: an existing one (世帯番号 + 続柄), or, with no
    household given, a new household with the person as its 世帯主."""

    household_id: int | None = Field(default=None, ge=1)
    relationship: Relationship = Relationship.HEAD


class HouseholdEffects(BaseModel):
    """For a 届出 that changes who lives in a household: the other members moving with the
    person, and the 続柄 that change because of it (e.g. a new 世帯主 when the head leaves).
    Afterwards every household must have exactly one 世帯主 among its members."""

    members: list[int] = Field(default_factory=list, max_length=30)  # 宛名番号
    relationships: dict[int, Relationship] = Field(default_factory=dict)


class HouseholdMemberRead(BaseModel):
    id: int  # 宛名番号
    relationship: str


class HouseholdRead(BaseModel):
    id: int  # 世帯番号
    status: str
    members: list[HouseholdMemberRead]
