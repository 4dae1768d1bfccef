"""個人番号 and the 個人番号カード at the register: each number J-LIS generates recorded
(番号法 第7条第1項) and the person's 送付先情報 extracted for the 個人番号通知 (001a §3.7
7-①), a 交付申請書 reissued after the 4情報 changed (000 P3.4), and the cards J-LIS reports
as produced, waiting to be handed over (000 §3.3 1-⑩/⑪)."""
