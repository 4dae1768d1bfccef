"""Every table of the register's database: the infrastructure's, the duties' and its own.

Each family of work declares its tables in its own `models.py`, all on the one declarative
`Base` (`residents/models.py`); importing them here puts every table on `Base.metadata`, so
the role's `SCHEMA` — what Alembic compares (`migrations/env.py`) and the retention, export
and assessment tools read (`juki.<role>.models`) — is the whole register.
"""

from __future__ import annotations

from sqlalchemy import MetaData

from juki.core.migrate import CORE_METADATA
from juki.duties.tables import DUTY_METADATA
from juki.registry.cards.models import (
    CardHandover,
    CertificateApplication,
    DestinationExtract,
    MyNumberCard,
)
from juki.registry.certificates.models import CertificateIssue, WideAreaRequestRecord
from juki.registry.households.models import Household
from juki.registry.linkage.models import LinkageRecord
from juki.registry.notice_checks.models import NoticeCheckSetting, PendingNotice
from juki.registry.notices.models import CorrectionRequest, IntakeRecord, NumberCheckRecord
from juki.registry.residents.atena_link import AtenaConnection
from juki.registry.residents.models import (
    Base,
    ImmigrationNotice,
    PoolRequestRecord,
    Resident,
    ResidentCodePoolEntry,
    ResidentEvent,
    ResidentHistory,
    ResidentItems,
)
from juki.registry.support.models import IssueRefusal, SupportMeasure
from juki.registry.transfers.models import MoveOutCertRequestRecord

__all__ = [
    "SCHEMA",
    "AtenaConnection",
    "Base",
    "CardHandover",
    "CertificateApplication",
    "CertificateIssue",
    "CorrectionRequest",
    "DestinationExtract",
    "Household",
    "ImmigrationNotice",
    "IntakeRecord",
    "IssueRefusal",
    "LinkageRecord",
    "MoveOutCertRequestRecord",
    "MyNumberCard",
    "NoticeCheckSetting",
    "NumberCheckRecord",
    "PendingNotice",
    "PoolRequestRecord",
    "Resident",
    "ResidentCodePoolEntry",
    "ResidentEvent",
    "ResidentHistory",
    "ResidentItems",
    "SupportMeasure",
    "WideAreaRequestRecord",
]

# Every table of this role's database: the infrastructure's, the duties' and its own.
SCHEMA: tuple[MetaData, ...] = (*CORE_METADATA, *DUTY_METADATA, Base.metadata)
