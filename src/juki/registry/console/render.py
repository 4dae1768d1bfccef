"""Rendering counter console pages: the registry's templates (with the shared log-in
pages behind them, `juki.web.console`), its labels and its messages."""

from __future__ import annotations

from pathlib import Path

from juki.registry.residents.items import reason_label
from juki.web.console.render import base_of, office_of, page
from juki.web.console.site import local_time, templates_for

__all__ = ["EVENT_STATES", "FLASHES", "base_of", "local_time", "office_of", "page", "templates"]

templates = templates_for(Path(__file__).parent / "templates")
templates.env.globals["labels"] = {
    "name_kanji": "氏名",
    "name_kana": "ふりがな",
    "birth_date": "生年月日",
    "sex": "性別",
    "address": "住所",
}

EVENT_STATES = {
    "awaiting_number": "個人番号の生成待ち",
    "sent": "CSへ送信済（結果待ち）",
    "applied": "住基ネット更新済",
    "rejected": "住基ネットで不可",
}


templates.env.globals["reason"] = reason_label


FLASHES = {
    "recorded": "届出を記録しました。CSへ送信します。",
    "household": "世帯変更を記録しました。",
    "cancelled": "異動を取り消しました。",
    "resent": "再送を指示しました。",
    "not_resent": "送信済みか見つからないため、再送しませんでした。",
    "support": "支援措置を登録しました。",
    "proposed": "職権修正を申請しました。別の職員が確認し、監督者が承認すると反映されます。",
    "confirmed": "確認を記録しました。監督者の承認を待ちます。",
    "approved": "承認し、住民票に反映しました。CSへ送信します。",
    "entered": "入力しました。別の職員が点検すると住民票に記録され、CSへ送信されます。",
    "checked": "点検し、住民票に反映しました。CSへ送信します。",
    "sent_back": "差し戻しました。入力した職員の一覧に理由とともに表示されます。",
    "withdrawn": "入力を取り下げました。住民票には記録されていません。",
    "card_handed_over": (
        "交付を記録し、機構に報告しました。機構の回答と電子証明書の発行結果は下の"
        "「個人番号カード」に表示されます。"
    ),
    "card_continued": (
        "カードの継続利用を機構に報告しました。機構の回答を受けると、カードと電子証明書が下の"
        "「個人番号カード」に表示されます。"
    ),
    "card_reported": (
        "カードの処理を機構に報告しました。機構の回答を受けると、下の「個人番号カード」の状況が"
        "変わります。"
    ),
    "chip_requested": (
        "チップの内容の再書込みを機構に依頼しました。届くと下の「個人番号カード」に"
        "「チップの内容を渡す」が表示されます。"
    ),
    "reissue_requested": (
        "交付申請書の再発行を機構に依頼しました。結果（新しい申請書ID）は下の"
        "「個人番号通知（送付先情報）」に表示されます。"
    ),
}
