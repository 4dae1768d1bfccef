"""職権 (ex officio) changes and what the 戸籍 side notifies: 職権記載 and 職権回復
(住基法施行令 第12条第1項), 職権消除 (第12条第3項), 失踪宣告, and 戸籍通知 (住基法 第9条第2項)."""
