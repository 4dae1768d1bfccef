"""What a kiosk terminal sends the 証明書交付センター and what it gets back. Extra fields are
refused; no field carries anything personal (the certificate is the 利用者証明用 one, which
names no one)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from juki.core.kiosk_messages import X25519_KEY_B64, DocumentKind, Scope


class SessionOpen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    terminal_key: str = Field(pattern=X25519_KEY_B64, description="この受付だけの X25519 公開鍵")


class DocumentAsk(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: DocumentKind = "copy"
    scope: Scope = "person"
    include_individual_number: bool = False
    include_domicile: bool = False


class Presentation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    certificate: str = Field(
        min_length=100, max_length=4000, description="利用者証明用 (DER, base64)"
    )
    signature: str = Field(min_length=4, max_length=1000, description="カードの署名 (base64)")
    document: DocumentAsk


class SessionView(BaseModel):
    session_id: str
    status: str
    to_sign: str | None = None  # DigestInfo (hex) for COMPUTE DIGITAL SIGNATURE
    expires_at: dt.datetime
    refused_reason: str | None = None
    issue_no: str | None = None
    fee_yen: int | None = None


class Collected(BaseModel):
    session_id: str
    issue_no: str
    fee_yen: int
    sealed_pdf: str  # HPKE (RFC 9180) to the session's key, base64
