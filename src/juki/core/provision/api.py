"""The provision routes a tier serves (national, prefecture): provision by the legal table,
and the list of provisions of one person's information (for 開示)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from juki.core.errors import JukiError
from juki.core.identity import IdentityRowMixin
from juki.core.ids import validate_resident_code
from juki.core.operators.clients import Caller
from juki.core.provision import service
from juki.core.search import ProvisionLogMixin
from juki.core.web import ApiRule, UoW, current_node

PROVISION_RIGHTS: list[ApiRule] = [
    ("POST", "/provision", "identity_inquiry", "read"),
    ("POST", "/provision-records/of-person", "disclosure", "read"),
]


class PersonKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resident_code: str


def add_provision_routes(
    router: APIRouter, model: type[IdentityRowMixin], log_model: type[ProvisionLogMixin]
) -> None:
    @router.post("/provision", summary="法令（別表）に基づく本人確認情報の提供・移転")
    def provide(
        request: Request, body: service.ProvisionRequest, uow: UoW
    ) -> service.ProvisionAnswer:
        caller: Caller = request.state.caller
        node = current_node(request)
        try:
            answer = service.provide(
                uow.session, node.keys, model, log_model, node.node_id, caller, body
            )
        except JukiError as refused:
            # The refusal is recorded in a transaction of its own (this one rolls back).
            uow.session.rollback()
            with node.unit_of_work() as record:
                service.record_refusal(record.session, log_model, caller, body, refused.message)
            raise
        request.state.number_touched = "individual_number" in answer.items and bool(answer.records)
        request.state.audit_targets = tuple(
            f"code={r['resident_code']}" for r in answer.records if "resident_code" in r
        )
        return answer

    @router.post(
        "/provision-records/of-person",
        summary="本人の情報の提供状況（開示請求への回答用）",
    )
    def provisions_of_person(
        request: Request, body: PersonKey, uow: UoW
    ) -> list[service.ProvisionRecordView]:
        validate_resident_code(body.resident_code)
        request.state.audit_targets = (f"code={body.resident_code}",)
        return service.provisions_of(uow.session, log_model, body.resident_code)
