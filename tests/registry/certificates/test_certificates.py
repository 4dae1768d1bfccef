"""Certificates: what each requester may get (住基法 第12条), 支援措置 refusals kept, every
issue in 交付履歴 with the PDF as handed over."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from juki.core.clock import japan_today
from juki.core.errors import InvalidInput
from juki.core.identity import NUMBER_COLUMN
from juki.network.embedded import EmbeddedNetwork
from juki.registry.certificates import schemas as certificate_schemas
from juki.registry.certificates import service as certificates
from juki.registry.models import CertificateIssue, IssueRefusal, Resident
from juki.registry.notices import moves, schemas
from juki.registry.support import schemas as support_schemas
from juki.registry.support import service as support
from tests.registry.helpers import FAMILY, INTAKE, household_of, move_in_family, notice, run


def request(**extra: object) -> certificate_schemas.IssueRequest:
    return certificate_schemas.IssueRequest.model_validate({"clerk_login": "kakari"} | extra)


def pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_household_copy_with_number_for_the_person(network: EmbeddedNetwork) -> None:
    head, wife, child = move_in_family(network)
    household = household_of(network, head)
    issued = run(
        network,
        certificates.issue,
        request(household_id=household, include_individual_number=True),
    )
    assert isinstance(issued, certificates.Issued)
    text = pdf_text(issued.pdf)
    numbers = run(
        network,
        lambda uow: [
            uow.node.keys.decrypt(uow.session.get(Resident, r).individual_number_cipher,
                                  column=NUMBER_COLUMN)
            for r in (head, wife, child)
        ],
    )  # fmt: skip
    for number in numbers:
        assert number in text
    assert "令和" in text
    assert issued.issue_no in text
    record = run(network, certificates.read_issue, issued.issue_no)
    assert record.pdf_sha256 == hashlib.sha256(issued.pdf).hexdigest()
    assert record.pdf == issued.pdf


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"requester_kind": "third", "purpose": "訴訟", "include_individual_number": True},
         "include_individual_number"),
        ({"requester_kind": "agent", "purpose": "委任", "include_resident_code": True},
         "include_resident_code"),
        ({"requester_kind": "third"}, "purpose"),
        ({"requester_kind": "third", "purpose": "相続", "include_domicile": True},
         "include_domicile"),
        ({"kind": "removed_copy"}, "resident_ids"),
    ],
)  # fmt: skip
def test_what_the_law_does_not_allow_is_refused_by_field(
    sqlite_network: EmbeddedNetwork, extra: dict[str, object], field: str
) -> None:
    head, *_ = move_in_family(sqlite_network)
    with pytest.raises(InvalidInput) as err:
        run(sqlite_network, certificates.issue, request(resident_ids=[head], **extra))
    assert err.value.field == field
    with sqlite_network.node("registry:131075").db.session() as session:
        assert session.scalars(select(CertificateIssue)).all() == []


def test_third_party_gets_a_copy_without_codes(sqlite_network: EmbeddedNetwork) -> None:
    head, *_ = move_in_family(sqlite_network)
    issued = run(
        sqlite_network,
        certificates.issue,
        request(resident_ids=[head], requester_kind="third", purpose="債権の請求"),
    )
    text = pdf_text(issued.pdf)
    assert "個人番号" not in text
    assert "住民票コード" not in text


def test_a_supported_person_is_refused_and_the_refusal_kept(
    network: EmbeddedNetwork,
) -> None:
    head, wife, _child = move_in_family(network)
    run(
        network,
        support.register_measure,
        wife,
        support_schemas.SupportRequest(kind="dv", starts_on=japan_today(), registered_by="kanri"),
    )
    household = household_of(network, head)
    outcome = run(
        network,
        certificates.issue,
        request(household_id=household, requester_kind="household"),
    )
    assert isinstance(outcome, certificates.IssueRefused)
    refusals = run(network, lambda uow: [(r.resident_id, r.reason) for r in support.refusals(uow)])
    assert refusals[-1] == (wife, "support_measure")
    # Not even to the household member (perhaps the one the measure protects against) who
    # asks as "本人" for the whole household ...
    as_head = request(household_id=household, requester_kind="self", requester_id=head)
    assert isinstance(run(network, certificates.issue, as_head), certificates.IssueRefused)
    # ... but the person themself is served (identity checked at the counter).
    own = request(resident_ids=[wife], requester_kind="self", requester_id=wife)
    assert isinstance(run(network, certificates.issue, own), certificates.Issued)
    with network.node("registry:131075").db.session() as session:
        assert len(session.scalars(select(IssueRefusal)).all()) == 2
        assert len(session.scalars(select(CertificateIssue)).all()) == 1


def test_removed_copy_after_death(sqlite_network: EmbeddedNetwork) -> None:
    (alone,) = move_in_family(
        sqlite_network,
        [{"name_kanji": "独　居", "name_kana": "ドク　キョ", "birth_date": dt.date(1940, 1, 1),
          "sex": "1", "relationship": "世帯主"}],
    )  # fmt: skip
    run(sqlite_network, moves.record_death, alone, schemas.DeathNotice(**notice()))
    issued = run(
        sqlite_network, certificates.issue, request(kind="removed_copy", resident_ids=[alone])
    )
    text = pdf_text(issued.pdf)
    assert "除票" in text
    assert "死亡" in text


def test_move_out_certificate_pdf(sqlite_network: EmbeddedNetwork) -> None:
    (rid,) = move_in_family(sqlite_network, [FAMILY[0]])
    out = schemas.MoveOutNotice(
        intake=INTAKE, **notice(), destination_address="埼玉県川越市元町一丁目1番1号"
    )
    run(sqlite_network, moves.record_move_out, rid, out)
    issued = run(sqlite_network, certificates.issue, request(kind="move_out", resident_ids=[rid]))
    text = pdf_text(issued.pdf)
    assert "転出証明書" in text
    assert "埼玉県川越市元町一丁目1番1号" in text
    code = run(sqlite_network, lambda uow: uow.session.get(Resident, rid).resident_code)
    assert code in text
    with pytest.raises(InvalidInput) as err:
        run(
            sqlite_network,
            certificates.issue,
            request(kind="move_out", resident_ids=[rid], requester_kind="third", purpose="x"),
        )
    assert err.value.field == "requester_kind"
