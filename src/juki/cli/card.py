"""`juki card …`: the holder's virtual My Number card (`juki/holder/`). The card is a file
the holder keeps; these commands never send a PIN or a private key anywhere. PINs are asked
for without echo (or taken from JUKI_CARD_PIN / JUKI_CARD_NEW_PIN, for scripts and tests)."""

from __future__ import annotations

import base64
import json
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from cryptography import x509

from juki.cli.common import console
from juki.core.card_chip import ChipImage
from juki.core.errors import InvalidInput, JukiError
from juki.holder.apdu import CardSession
from juki.holder.virtual_card import VirtualCard
from juki.reader.commands import CardError
from juki.reader.juki_ap import read_resident_code

card_app = typer.Typer(help="The holder's virtual My Number card (JPKI).", no_args_is_help=True)

CardFile = Annotated[Path, typer.Argument(help="仮想カードのファイル")]


class PinKind(StrEnum):
    sign = "sign"  # 署名用
    auth = "auth"  # 利用者証明用
    text = "text"  # 券面事項入力補助用
    juki = "juki"  # 住民基本台帳用


Kind = Annotated[
    PinKind,
    typer.Option(
        "--kind",
        help="sign (署名用), auth (利用者証明用), text (券面事項入力補助用), juki (住基用)",
    ),
]
Pin = Annotated[str, typer.Option(prompt="暗証番号", hide_input=True, envvar="JUKI_CARD_PIN")]
NewPin = Annotated[
    str,
    typer.Option(
        prompt="新しい暗証番号",
        hide_input=True,
        confirmation_prompt=True,
        envvar="JUKI_CARD_NEW_PIN",
    ),
]


def _fail(error: JukiError) -> typer.Exit:
    console.print(f"[red]{error.message}[/red] ({error.field})")
    return typer.Exit(2)


@card_app.command("create")
def create(
    path: CardFile,
    card_number: Annotated[str, typer.Option("--card-number", help="カード発行番号 (16桁)")],
    sign_pin: Annotated[
        str,
        typer.Option(
            prompt="署名用の暗証番号",
            hide_input=True,
            confirmation_prompt=True,
            envvar="JUKI_CARD_SIGN_PIN",
        ),
    ],
    auth_pin: Annotated[
        str,
        typer.Option(
            prompt="利用者証明用の暗証番号",
            hide_input=True,
            confirmation_prompt=True,
            envvar="JUKI_CARD_AUTH_PIN",
        ),
    ],
    chip: Annotated[
        Path | None,
        typer.Option(help="カード発行事業者が書き込んだチップの内容 (JSON、カードと一緒に届く)"),
    ] = None,
) -> None:
    """Make the card's two key pairs (on this side) under their PINs, and print the public
    keys as the body of the counter's application for the certificates. With --chip, the
    card's 券面事項入力補助 and 住基 applications are set under their own PINs (asked for, or
    JUKI_CARD_TEXT_PIN / JUKI_CARD_JUKI_PIN)."""
    try:
        image = None if chip is None else _chip(chip)
        text_pin = juki_pin = None
        if image is not None:
            text_pin = _new_pin("券面事項入力補助用の暗証番号", "JUKI_CARD_TEXT_PIN")
            juki_pin = _new_pin("住民基本台帳用の暗証番号", "JUKI_CARD_JUKI_PIN")
        card = VirtualCard.create(
            path, card_number, sign_pin, auth_pin, chip=image, text_pin=text_pin,
            juki_pin=juki_pin,
        )  # fmt: skip
    except JukiError as error:
        raise _fail(error) from None
    if chip is not None:
        _remove(chip)
    body = {
        "sign_public_key": card.public_keys["sign"],
        "auth_public_key": card.public_keys["auth"],
    }
    typer.echo(json.dumps(body, ensure_ascii=False))


@card_app.command("load-chip")
def load_chip(
    path: CardFile,
    chip: Annotated[Path, typer.Argument(help="窓口で渡されたチップの内容 (JSON)")],
    rewrite: Annotated[
        bool, typer.Option("--rewrite", help="再書込み（暗証番号の再設定・券面記載事項の変更）")
    ] = False,
) -> None:
    """Put the chip's 券面事項入力補助 and 住基 applications on a card made before the chip
    was given, each under a new PIN (or, `--rewrite`, over the card's own: a PIN of theirs
    reset, or the card face changed); the chip file is deleted once it is on the card."""
    try:
        image = _chip(chip)
        text_pin = _new_pin("券面事項入力補助用の暗証番号", "JUKI_CARD_TEXT_PIN")
        juki_pin = _new_pin("住民基本台帳用の暗証番号", "JUKI_CARD_JUKI_PIN")
        VirtualCard.load(path).add_chip(image, text_pin, juki_pin, rewrite=rewrite)
    except JukiError as error:
        raise _fail(error) from None
    _remove(chip)
    console.print("チップの内容をカードに格納しました（ファイルは削除しました）")


def _remove(chip: Path) -> None:
    """The chip file carries the 個人番号 and the 4情報 in clear: once they are sealed on
    the card, it goes (overwritten first, then unlinked)."""
    size = chip.stat().st_size
    with chip.open("r+b") as handle:
        handle.write(b"\0" * size)
    chip.unlink()


def _chip(path: Path) -> ChipImage:
    try:
        return ChipImage.model_validate_json(path.read_bytes())
    except (OSError, ValueError):
        raise InvalidInput("チップの内容を読めません", field="chip") from None


def _new_pin(label: str, variable: str) -> str:
    given = os.environ.get(variable)
    if given is not None:
        return given
    return str(typer.prompt(label, hide_input=True, confirmation_prompt=True))


@card_app.command("load")
def load(
    path: CardFile,
    answer: Annotated[Path, typer.Argument(help="JPKI の回答 (GET …/certificates の1件, JSON)")],
) -> None:
    """Put JPKI's certificates on the card (each only if it certifies the card's own key)."""
    try:
        card = VirtualCard.load(path)
        issued = json.loads(answer.read_text())
        card.load_certificates(issued.get("sign_certificate"), issued.get("auth_certificate"))
    except JukiError as error:
        raise _fail(error) from None
    console.print(card.shown())


@card_app.command("show")
def show(path: CardFile) -> None:
    """The card's number, its certificates' serials and dates, the tries left on each PIN."""
    try:
        typer.echo(json.dumps(VirtualCard.load(path).shown(), ensure_ascii=False, indent=1))
    except JukiError as error:
        raise _fail(error) from None


@card_app.command("sign")
def sign(path: CardFile, document: Annotated[Path, typer.Argument()], pin: Pin) -> None:
    """電子署名: sign DOCUMENT with the 署名用 key; prints the signature (base64)."""
    try:
        signature = VirtualCard.load(path).sign(document.read_bytes(), pin)
    except JukiError as error:
        raise _fail(error) from None
    typer.echo(base64.b64encode(signature).decode())


@card_app.command("authenticate")
def authenticate(
    path: CardFile, challenge: Annotated[str, typer.Argument(help="16進")], pin: Pin
) -> None:
    """電子利用者証明: sign a relying party's CHALLENGE with the 利用者証明用 key."""
    try:
        signed = VirtualCard.load(path).authenticate(bytes.fromhex(challenge), pin)
    except ValueError:
        console.print("[red]チャレンジは16進で指定してください[/red] (challenge)")
        raise typer.Exit(2) from None
    except JukiError as error:
        raise _fail(error) from None
    typer.echo(base64.b64encode(signed).decode())


@card_app.command("change-pin")
def change_pin(
    path: CardFile,
    kind: Kind,
    pin: Pin,
    new_pin: NewPin,
) -> None:
    """Change a PIN (the old one is counted like any other try)."""
    try:
        VirtualCard.load(path).change_pin(kind.value, pin, new_pin)
    except JukiError as error:
        raise _fail(error) from None
    console.print("暗証番号を変更しました")


@card_app.command("reset-pin")
def reset_pin(
    path: CardFile,
    kind: Kind,
    new_pin: NewPin,
) -> None:
    """At the counter, after the holder's identity was confirmed: a new key under a new PIN
    (a locked PIN is replaced, not opened). Prints the application's body for the counter
    (`POST /registry/<lg>/cards/{n}/certificates`); the old certificate ends when JPKI
    issues the new one."""
    try:
        public = VirtualCard.load(path).reset_key(kind.value, new_pin)
    except JukiError as error:
        raise _fail(error) from None
    typer.echo(json.dumps({f"{kind.value}_public_key": public}, ensure_ascii=False))


@card_app.command("resident-code")
def resident_code(path: CardFile, pin: Pin) -> None:
    """The 住民票コード, read as a reader reads it (住基 application, its PIN). Checked with
    the signer certificate the card itself carries: this shows the holder what is on the
    card; a counter checks with the certificate it has from J-LIS."""
    try:
        card = VirtualCard.load(path)
        if card.signer_certificate is None:
            raise InvalidInput("このカードにはチップの内容がありません", field="path")
        signer = x509.load_pem_x509_certificate(card.signer_certificate.encode())
        code = read_resident_code(CardSession(card).transmit, pin, signer)
    except CardError as error:
        console.print(f"[red]{error.message}[/red] ({error.code})")
        raise typer.Exit(2) from None
    except JukiError as error:
        raise _fail(error) from None
    typer.echo(code)
