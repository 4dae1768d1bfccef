"""個人番号カード管理システム (Individual Number Card management system), J-LIS: File 3 at
J-LIS, its 送付先情報 received from each 市町村CS, the 交付申請 received through the
application-receipt contractor, and the residents' changes relayed by the national
server. Spec 000 §2.4, §3.3, §4.3, §5.4."""
